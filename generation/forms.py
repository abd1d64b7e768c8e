"""Forms of the web pages: a new generation, the history filters, sign-up."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import TaskHistory
from .providers.base import ASPECT_RATIOS

MAX_IMAGES = 4
MAX_PROMPT_CHARS = 2000
TaskType = TaskHistory.TaskType

# What each task type asks of the user, shown under the type picker.
TASK_TYPE_HELP = {
    TaskType.EDIT: _("Describe any change to the photo in your own words."),
    TaskType.HOTSPOT: _("Click the photo where the change should happen, then describe it."),
    TaskType.FILTER: _("A look for the whole photo: black and white, vintage, neon…"),
    TaskType.ADJUSTMENT: _("Brightness, warmth, contrast, a blurred background…"),
    TaskType.STYLE: _("Turn the photo into a painting, a sketch or another art style."),
    TaskType.REMOVE_BACKGROUND: _("Keep the subject and make the background transparent."),
    TaskType.FUSION: _("Combine several photos into one: the first is the main one."),
    TaskType.TEXT_TO_IMAGE: _("No photo needed: describe the picture you want."),
}
ASPECT_RATIO_LABELS = {
    "1:1": _("1:1 square"),
    "16:9": _("16:9 landscape"),
    "9:16": _("9:16 portrait"),
    "4:3": _("4:3 landscape"),
    "3:4": _("3:4 portrait"),
}
DEFAULT_PROMPTS = {TaskType.REMOVE_BACKGROUND: "Remove the background"}


def images_needed(task_type: str, max_inputs: int = MAX_IMAGES) -> tuple[int, int]:
    """The fewest and most photos a task type takes; ``max_inputs`` is what the image
    provider accepts."""
    if task_type == TaskType.TEXT_TO_IMAGE:
        return 0, 0
    if task_type == TaskType.FUSION:
        return 2, min(MAX_IMAGES, max_inputs)
    return 1, 1


class GenerationForm(forms.Form):
    """Everything of a new generation but the photos, which the view reads and checks."""

    task_type = forms.ChoiceField(
        label=_("What to do"),
        choices=TaskType.choices,
        initial=TaskType.EDIT,
        widget=forms.RadioSelect,
    )
    prompt = forms.CharField(
        label=_("Instruction"),
        max_length=MAX_PROMPT_CHARS,
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _("For example: 黑白, remove the background, Van Gogh style"),
            }
        ),
        help_text=_("(in any language)"),
    )
    aspect_ratio = forms.ChoiceField(
        label=_("Aspect ratio"),
        choices=[(ratio, ASPECT_RATIO_LABELS[ratio]) for ratio in ASPECT_RATIOS],
        initial="1:1",
        required=False,
        widget=forms.RadioSelect,
    )
    x = forms.IntegerField(label=_("Point X (pixels)"), min_value=0, required=False)
    y = forms.IntegerField(label=_("Point Y (pixels)"), min_value=0, required=False)
    template = forms.SlugField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        task_type = data.get("task_type")
        prompt = (data.get("prompt") or "").strip()
        if not prompt and task_type in DEFAULT_PROMPTS:
            prompt = DEFAULT_PROMPTS[task_type]
        if not prompt and task_type:
            self.add_error("prompt", _("Please write an instruction, or pick a template."))
        data["prompt"] = prompt
        if task_type == TaskType.TEXT_TO_IMAGE:
            data["aspect_ratio"] = data.get("aspect_ratio") or "1:1"
        else:
            data["aspect_ratio"] = ""
        if task_type == TaskType.HOTSPOT:
            for name in ("x", "y"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Click the photo to choose the point to edit."))
        return data

    def parameters(self) -> dict:
        data = self.cleaned_data
        if data.get("task_type") == TaskType.HOTSPOT:
            return {"x": data["x"], "y": data["y"]}
        return {}


class HistoryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *TaskHistory.Status.choices],
        required=False,
    )
    task_type = forms.ChoiceField(
        label=_("Task type"), choices=[("", _("All types")), *TaskType.choices], required=False
    )
    q = forms.CharField(label=_("Search in prompts"), max_length=200, required=False)


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")
