"""Forms of the web pages: a new generation, the history filters, sign-up."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from catalogue import task_types

from .models import TaskHistory

MAX_PROMPT_CHARS = 2000
SIDES = ("left", "top", "right", "bottom")  # expand: pixels per side
TaskType = TaskHistory.TaskType
ASPECT_RATIO_LABELS = {
    "1:1": _("1:1 square"),
    "16:9": _("16:9 landscape"),
    "9:16": _("9:16 portrait"),
    "4:3": _("4:3 landscape"),
    "3:4": _("3:4 portrait"),
}


class GenerationForm(forms.Form):
    """Everything of a new generation but the photos, which the view reads. The form only
    reads the fields; what each task type needs is checked by ``task_create``
    (``catalogue.task_types``), as for every other entry point."""

    task_type = forms.ChoiceField(
        label=_("What to do"),
        choices=task_types.choices,
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
    # A plain field: which ratios exist is the task types' rule, checked by task_create.
    aspect_ratio = forms.CharField(
        label=_("Aspect ratio"),
        initial="1:1",
        required=False,
        max_length=8,
        widget=forms.RadioSelect(
            choices=[(ratio, ASPECT_RATIO_LABELS[ratio]) for ratio in task_types.ASPECT_RATIOS]
        ),
    )
    scale = forms.TypedChoiceField(
        label=_("Scale"),
        choices=[(2, "2×"), (4, "4×")],
        coerce=int,
        initial=2,
        required=False,
        widget=forms.RadioSelect,
    )
    left = forms.IntegerField(label=_("Left (pixels)"), min_value=0, required=False)
    top = forms.IntegerField(label=_("Top (pixels)"), min_value=0, required=False)
    right = forms.IntegerField(label=_("Right (pixels)"), min_value=0, required=False)
    bottom = forms.IntegerField(label=_("Bottom (pixels)"), min_value=0, required=False)
    x = forms.FloatField(label=_("Point X (pixels)"), min_value=0, required=False)
    y = forms.FloatField(label=_("Point Y (pixels)"), min_value=0, required=False)
    template = forms.SlugField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        data["prompt"] = (data.get("prompt") or "").strip()
        task_type = data.get("task_type")
        spec = task_types.spec_for(task_type) if task_type else None
        sides = any(data.get(side) for side in SIDES)
        if spec and not (spec.default_aspect_ratio or (spec.padding and not sides)):
            # the ratio picker shows for text to image, and for expand without pixels per side
            data["aspect_ratio"] = ""
        return data

    def parameters(self) -> dict:
        data = self.cleaned_data
        params = {"x": data.get("x"), "y": data.get("y")}
        spec = task_types.spec_for(data["task_type"])
        if spec.scales:
            params["scale"] = data.get("scale") or None
        if spec.padding:
            params.update({side: data.get(side) for side in SIDES})
        return params


class HistoryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *TaskHistory.Status.choices],
        required=False,
    )
    task_type = forms.ChoiceField(
        label=_("Task type"),
        choices=lambda: [("", _("All types")), *task_types.choices()],
        required=False,
    )
    q = forms.CharField(label=_("Search in prompts"), max_length=200, required=False)


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")
