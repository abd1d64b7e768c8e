"""A fake midjourney-proxy (github.com/novicezk/midjourney-proxy) on 127.0.0.1, speaking its
protocol: ``POST /mj/submit/imagine``, ``POST /mj/submit/change`` (UPSCALE of one quadrant),
``GET /mj/task/{id}/fetch``, the ``mj-api-secret`` header, the submit codes (1 submitted,
21 exists, 22 queued, 24 banned word with ``properties.bannedWord``) and the notify hook
(the task object POSTed as JSON on every change).

Jobs move on with time like the real ones: ``SUBMITTED``, then ``IN_PROGRESS`` with a
``progress`` percentage, then ``SUCCESS`` with an ``imageUrl`` after ``duration`` seconds
(``None``: never finishes; ``fail_reason``: ``FAILURE``). The images are served by the fake
itself under ``/attachments/`` (standing in for Discord's CDN): the grid is one colour, the
upscale of quadrant n another (:meth:`upscale_png`).

Standalone: ``python -m tests.fakes.midjourney_server --port 8767`` then
``AICEPS_MIDJOURNEY_PROXY_URL=http://127.0.0.1:8767``.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
import urllib.request
from dataclasses import dataclass, field

from .base_server import Canned, FakeServer, Received, solid_png

QUADRANT_COLOURS = {1: (200, 40, 40), 2: (40, 200, 40), 3: (40, 40, 200), 4: (200, 200, 40)}


@dataclass
class Job:
    id: str
    action: str
    prompt: str
    submitted: float
    duration: float | None
    fail_reason: str | None = None
    notify_hook: str = ""
    index: int | None = None
    parent: str | None = None
    images: int = 0  # base64Array entries received
    notified: list = field(default_factory=list)


class MidjourneyProxyFake(FakeServer):
    routes = {
        "imagine": r"^/mj/submit/imagine$",
        "change": r"^/mj/submit/change$",
        "fetch": r"^/mj/task/[^/]+/fetch$",
        "attachment": r"^/attachments/",
    }

    def __init__(self, *, duration: float | None = 0.6, banned=("nude",), **kwargs) -> None:
        super().__init__(**kwargs)
        self.duration = duration  # of every new job
        self.fail_reason: str | None = None
        self.banned = tuple(banned)
        self.jobs: dict[str, Job] = {}
        self.notify_errors: list[str] = []
        self._threads: list[threading.Thread] = []

    # --- what the tests read ----------------------------------------------------------

    def jobs_of(self, action: str) -> list[Job]:
        return [job for job in self.jobs.values() if job.action == action]

    @staticmethod
    def grid_png() -> bytes:
        return solid_png((90, 90, 90), (128, 128))

    @staticmethod
    def upscale_png(index: int) -> bytes:
        return solid_png(QUADRANT_COLOURS[index], (96, 96))

    def reset(self) -> None:
        super().reset()
        self.jobs.clear()
        self.notify_errors.clear()
        self.fail_reason = None

    # --- the protocol -----------------------------------------------------------------

    def authorized(self, request: Received) -> bool:
        return request.route == "attachment" or (
            request.headers.get("mj-api-secret") == self.api_key
        )

    def unauthorized(self) -> Canned:
        return Canned(401, "")  # the proxy's interceptor answers a bare 401

    def default(self, request: Received) -> Canned:
        if request.route == "imagine":
            return self._imagine(request.json or {})
        if request.route == "change":
            return self._change(request.json or {})
        if request.route == "fetch":
            job = self.jobs.get(request.path.split("/")[3])
            return Canned(200, self.task_object(job) if job else "")
        name = request.path.rsplit("/", 1)[-1]
        job = self.jobs.get(name.split(".")[0])
        if job is None:
            return Canned(404, "")
        data = self.grid_png() if job.action == "IMAGINE" else self.upscale_png(job.index or 1)
        return Canned(200, data, {"Content-Type": "image/png"})

    def _new_id(self) -> str:
        return f"{int(time.time() * 1000)}{random.randint(100, 999)}"

    def _imagine(self, body: dict) -> Canned:
        prompt = str(body.get("prompt") or "").strip()
        if not prompt:
            return Canned(200, {"code": 4, "description": "prompt不能为空", "result": None})
        for word in self.banned:
            if word in prompt.lower():
                return Canned(
                    200,
                    {
                        "code": 24,
                        "description": "可能包含敏感词",
                        "properties": {"promptEn": prompt, "bannedWord": word},
                    },
                )
        job = Job(
            id=self._new_id(),
            action="IMAGINE",
            prompt=prompt,
            submitted=time.monotonic(),
            duration=self.duration,
            fail_reason=self.fail_reason,
            notify_hook=str(body.get("notifyHook") or ""),
            images=len(body.get("base64Array") or []),
        )
        return self._accept(job)

    def _change(self, body: dict) -> Canned:
        parent = self.jobs.get(str(body.get("taskId")))
        if parent is None:
            return Canned(200, {"code": 3, "description": "关联任务不存在或已失效"})
        if body.get("action") != "UPSCALE" or body.get("index") not in (1, 2, 3, 4):
            return Canned(200, {"code": 4, "description": "action参数错误"})
        if self.status(parent)[0] != "SUCCESS":
            return Canned(200, {"code": 4, "description": "关联任务状态错误"})
        for job in self.jobs.values():
            if job.parent == parent.id and job.index == body["index"]:
                return Canned(
                    200,
                    {"code": 21, "description": "任务已存在", "result": job.id, "properties": {}},
                )
        job = Job(
            id=self._new_id(),
            action="UPSCALE",
            prompt=parent.prompt,
            submitted=time.monotonic(),
            duration=self.duration,
            notify_hook=str(body.get("notifyHook") or ""),
            index=body["index"],
            parent=parent.id,
        )
        return self._accept(job)

    def _accept(self, job: Job) -> Canned:
        self.jobs[job.id] = job
        if job.notify_hook:
            thread = threading.Thread(target=self._notify_loop, args=(job,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return Canned(200, {"code": 1, "description": "提交成功", "result": job.id})

    def status(self, job: Job) -> tuple[str, int]:
        elapsed = time.monotonic() - job.submitted
        if job.duration is None or elapsed < job.duration:
            if elapsed < 0.05:
                return "SUBMITTED", 0
            share = 0.99 if job.duration is None else elapsed / job.duration
            return "IN_PROGRESS", min(99, int(share * 100))
        return ("FAILURE", 100) if job.fail_reason else ("SUCCESS", 100)

    def task_object(self, job: Job) -> dict:
        status, percent = self.status(job)
        done = status in ("SUCCESS", "FAILURE")
        return {
            "id": job.id,
            "action": job.action,
            "status": status,
            "prompt": job.prompt,
            "promptEn": job.prompt,
            "description": f"/imagine {job.prompt}",
            "state": None,
            "submitTime": int(job.submitted * 1000),
            "startTime": int(job.submitted * 1000),
            "finishTime": int(time.time() * 1000) if done else None,
            "progress": f"{percent}%",
            "imageUrl": f"{self.url}/attachments/{job.id}.png"
            if status in ("SUCCESS", "IN_PROGRESS") and percent >= 50
            else None,
            "failReason": job.fail_reason if status == "FAILURE" else None,
            "properties": {"finalPrompt": job.prompt},
        }

    def _notify_loop(self, job: Job) -> None:
        """POST the task on each change, as the proxy's NotifyService does."""
        sent = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = self.status(job)
            if state != sent and (state[0] != "IN_PROGRESS" or state[1] >= 50):
                sent = state
                self._post(job, self.task_object(job))
                if state[0] in ("SUCCESS", "FAILURE"):
                    return
            time.sleep(0.02)

    def _post(self, job: Job, task: dict) -> None:
        request = urllib.request.Request(
            job.notify_hook,
            data=json.dumps(task).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                job.notified.append((task["status"], response.status))
        except Exception as exc:  # the test reads these
            self.notify_errors.append(f"{type(exc).__name__}: {exc}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds a job takes")
    parser.add_argument("--api-secret", default=None, help="its mj.api-secret")
    args = parser.parse_args(argv)
    server = MidjourneyProxyFake(
        host=args.host, port=args.port, duration=args.duration, api_key=args.api_secret
    )
    server.serve_until_interrupted(f"Fake midjourney-proxy at {server.url}")


if __name__ == "__main__":
    main()
