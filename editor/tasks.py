"""django-q2 entry points of the editor: load by id, call a service."""

from __future__ import annotations

from .services.jobs import job_run


def run_job(job_id: str) -> str | None:
    job = job_run(job_id=job_id)
    return job.status if job else None
