"""Make the offline covers of every active template without an uploaded cover now, instead of
on first view (each takes up to a second or two): ``python manage.py render_template_covers``."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from generation import template_renders
from generation.models_templates import PromptTemplate


class Command(BaseCommand):
    help = "Render and store the offline covers of templates that have no uploaded cover."

    def handle(self, *args, **options) -> None:
        templates = PromptTemplate.objects.filter(is_active=True, cover_image="")
        for template in templates:
            data = template_renders.stored_render(
                template.slug, template.task_type, template.prompt_en
            )
            verdict = "rendered" if data else "no offline result (a drawn card is shown)"
            self.stdout.write(f"{template.slug}: {verdict}")
