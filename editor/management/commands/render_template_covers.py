"""Make the offline covers of every active template without an uploaded cover now, instead of
on first view (each takes up to a second or two): ``python manage.py render_template_covers``."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from generation.services import template_covers_render


class Command(BaseCommand):
    help = "Render and store the offline covers of templates that have no uploaded cover."

    def handle(self, *args, **options) -> None:
        for slug, rendered in template_covers_render():
            verdict = "rendered" if rendered else "no offline result (a drawn card is shown)"
            self.stdout.write(f"{slug}: {verdict}")
