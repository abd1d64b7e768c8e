"""Ready-made prompts for the web pages' template library, edited by staff in the admin.

Each template names a task type and carries its name, description and prompt in English and
Chinese; :meth:`PromptTemplate.localized` picks the language of the current request, falling
back to English where the Chinese text is blank.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import task_types


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
