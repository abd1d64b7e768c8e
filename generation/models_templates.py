"""Ready-made prompts for the template library (the web pages and the photo editor), edited by
staff in the admin.

Each template names a task type and carries its name, description and prompt in English and
Chinese; :meth:`PromptTemplate.localized` picks the language of the current request, falling
back to English where the Chinese text is blank. A template may have a cover image (the
result it produces) and example images (photos it works on, the first is the "before"),
stored in the default storage under ``prompt-templates/``; ``use_count`` counts the tasks
started from it (``generation.services.templates``) and orders the "popular" list.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalogue import task_types

TEMPLATE_IMAGE_PREFIX = "prompt-templates"


def _extension(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
    return extension if extension.isalnum() and len(extension) <= 5 else "png"


def template_cover_upload_to(template, filename: str) -> str:
    # A new name per upload, so a replaced image never hides behind a cached URL.
    return (
        f"{TEMPLATE_IMAGE_PREFIX}/{template.slug}/cover-{uuid.uuid4().hex[:12]}."
        f"{_extension(filename)}"
    )


def template_example_upload_to(example, filename: str) -> str:
    return (
        f"{TEMPLATE_IMAGE_PREFIX}/{example.template.slug}/example-{uuid.uuid4().hex[:12]}."
        f"{_extension(filename)}"
    )


class PromptTemplate(models.Model):
    ASPECT_RATIO_CHOICES = [("", _("Any")), *((ratio, ratio) for ratio in task_types.ASPECT_RATIOS)]

    slug = models.SlugField(max_length=64, unique=True)
    icon = models.CharField(
        max_length=16, blank=True, help_text=_("An emoji or a short symbol shown on the card.")
    )
    task_type = models.CharField(max_length=32, choices=task_types.choices, default="edit")
    aspect_ratio = models.CharField(
        max_length=8, blank=True, choices=ASPECT_RATIO_CHOICES, help_text=_("Text to image only.")
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    description_zh = models.CharField(_("description (Chinese)"), max_length=300, blank=True)
    prompt_en = models.TextField(_("prompt (English)"))
    prompt_zh = models.TextField(_("prompt (Chinese)"), blank=True)
    position = models.PositiveIntegerField(default=100, help_text=_("Smaller comes first."))
    is_active = models.BooleanField(default=True)
    cover_image = models.ImageField(
        _("cover image"),
        upload_to=template_cover_upload_to,
        max_length=300,
        blank=True,
        help_text=_("What the template produces (the editor shows it as the 'after')."),
    )
    use_count = models.PositiveIntegerField(
        _("uses"), default=0, help_text=_("Tasks started from this template.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "generation"
        ordering = ["position", "name_en"]
        verbose_name = _("prompt template")
        verbose_name_plural = _("prompt templates")

    def __str__(self) -> str:
        return self.name_en

    def _pick(self, english: str, chinese: str) -> str:
        language = (get_language() or "en").lower()
        return chinese if language.startswith("zh") and chinese else english

    @property
    def name(self) -> str:
        return self._pick(self.name_en, self.name_zh)

    @property
    def description(self) -> str:
        return self._pick(self.description_en, self.description_zh)

    @property
    def prompt(self) -> str:
        return self._pick(self.prompt_en, self.prompt_zh)

    def localized(self) -> dict[str, str]:
        """What the new-generation page needs, in the current language."""
        return {
            "slug": self.slug,
            "icon": self.icon,
            "task_type": self.task_type,
            "aspect_ratio": self.aspect_ratio,
            "name": self.name,
            "description": self.description,
            "prompt": self.prompt,
        }


class PromptTemplateImage(models.Model):
    """An example photo of a template; the first (by position) is the editor's "before"."""

    template = models.ForeignKey(
        PromptTemplate, on_delete=models.CASCADE, related_name="example_images"
    )
    image = models.ImageField(_("image"), upload_to=template_example_upload_to, max_length=300)
    position = models.PositiveIntegerField(default=100, help_text=_("Smaller comes first."))

    class Meta:
        app_label = "generation"
        ordering = ["position", "pk"]
        verbose_name = _("example image")
        verbose_name_plural = _("example images")

    def __str__(self) -> str:
        return self.image.name
