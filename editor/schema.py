"""The editor's answers as the OpenAPI schema documents them (components named ``Editor…``).

Documentation only: the views build their answers in :mod:`editor.presenters`,
:mod:`editor.waiting` and the views themselves; these serializers describe those shapes.
Importing this module registers the editor's error shape (``error_shape = "editor"``, the
body of :func:`editor.errors.editor_body`) with ``core.api.schema``.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from core.api.schema import register_error_shape

S = serializers


def string(**kwargs) -> S.CharField:
    return S.CharField(**kwargs)


def maybe_text(**kwargs) -> S.CharField:
    return S.CharField(allow_null=True, **kwargs)


def moment() -> S.DateTimeField:
    return S.DateTimeField(allow_null=True)


def maybe_int(**kwargs) -> S.IntegerField:
    return S.IntegerField(allow_null=True, **kwargs)


class EditorErrorSerializer(S.Serializer):
    """The editor shows ``message || error``: both are the same sentence."""

    success = S.BooleanField(help_text="Always false.")
    error = string(help_text="What went wrong, for the user.")
    message = string(help_text="The same as `error`.")
    code = string(help_text="What went wrong, for programs (`invalid_request`, `not_found`…).")
    param = string(required=False, help_text="The field at fault, where there is one.")
    fields = S.DictField(required=False, help_text="Each invalid field and its messages.")
    retry_after = S.IntegerField(required=False, help_text="Seconds to wait (as Retry-After).")
    task_id = string(required=False, help_text="The task this answer is about.")
    status = string(required=False, help_text="That task's status.")
    status_url = string(required=False, help_text="Still running: where to poll it.")
    credits_remaining = S.IntegerField(required=False, help_text="The balance (refunded).")


register_error_shape("editor", EditorErrorSerializer)


class EditorImageResultSerializer(S.Serializer):
    success = S.BooleanField()
    imageUrl = string(help_text="The result, an absolute URL.")
    filename = string(allow_blank=True)
    task_id = S.UUIDField()
    task_type = string()
    professional_prompt = string(allow_blank=True)
    credits_deducted = S.IntegerField()
    credits_remaining = S.IntegerField()


class EditorBatchEntrySerializer(S.Serializer):
    index = S.IntegerField(help_text="The prompt's position in `prompts`.")
    status = S.ChoiceField(choices=["done", "error"])
    url = string(required=False, help_text="done: the image, an absolute URL.")
    filename = string(required=False, allow_blank=True)
    task_id = S.UUIDField(required=False, help_text="Absent when no task could be created.")
    error = string(required=False, help_text="error: why.")
    code = string(required=False)


class EditorBatchAnswerSerializer(S.Serializer):
    success = S.BooleanField()
    images = EditorBatchEntrySerializer(many=True)


class EditorSuggestionSerializer(S.Serializer):
    name = string()
    prompt = string()
    reason = string(required=False)


class EditorSuggestionsSerializer(S.Serializer):
    success = S.BooleanField()
    suggestions = EditorSuggestionSerializer(many=True, help_text="Four ideas.")
    facts = string(required=False, help_text="What was measured in the photo.")
    prompt_writer = string(required=False)


class EditorSceneSerializer(S.Serializer):
    text = string()
    description = string()


class EditorScenesSerializer(S.Serializer):
    success = S.BooleanField()
    title = string(allow_blank=True)
    style = string()
    scenes = EditorSceneSerializer(many=True)


class EditorPlanPermissionsSerializer(S.Serializer):
    planCode = string()
    planName = string()
    features = S.DictField(help_text="Feature name: offered (bool); `templates`: `all`.")
    monthlyQuota = S.IntegerField()
    creditsRemaining = S.IntegerField()
    isSubscribed = S.BooleanField()
    subscriptionStatus = string()


class EditorCreditsSerializer(S.Serializer):
    total_credits = S.IntegerField()
    used_credits = S.IntegerField()
    available_credits = S.IntegerField()


class EditorPermissionsDataSerializer(S.Serializer):
    permissions = EditorPlanPermissionsSerializer()
    subscription = S.DictField(allow_null=True, help_text="Always null: no subscriptions.")
    credits = EditorCreditsSerializer()


class EditorPermissionsSerializer(S.Serializer):
    success = S.BooleanField()
    data = EditorPermissionsDataSerializer()


class EditorFeatureCheckDataSerializer(S.Serializer):
    canUse = S.BooleanField()
    hasFeatureAccess = S.BooleanField()
    hasEnoughCredits = S.BooleanField()
    creditsRequired = S.IntegerField(help_text="AicePS's price for the task.")
    creditsRemaining = S.IntegerField()
    reason = string(allow_blank=True)
    planCode = string()
    feature = string()
    taskType = string(allow_blank=True)


class EditorFeatureCheckSerializer(S.Serializer):
    success = S.BooleanField()
    data = EditorFeatureCheckDataSerializer()


class EditorConsumeDataSerializer(S.Serializer):
    creditsConsumed = S.IntegerField(help_text="Always 0: tasks are charged when created.")
    creditsRemaining = S.IntegerField()
    charged = S.BooleanField()
    creditsRequested = S.IntegerField(allow_null=True)
    message = string()


class EditorConsumeSerializer(S.Serializer):
    success = S.BooleanField()
    data = EditorConsumeDataSerializer()


# --- Parameters and binary answers -------------------------------------------------------

WHOLE = {"type": "integer", "minimum": 1}
# Text without NUL characters (refused with 400: PostgreSQL cannot compare them).
TEXT = {"type": "string", "pattern": "^[^\\x00]*$"}
PAGE = OpenApiParameter("page", WHOLE, description="From 1 (default 1).")
LIMIT = OpenApiParameter("limit", WHOLE, description="From 1; more than 100 counts as 100.")
DAY_OR_MOMENT = {
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        {"type": "string", "maxLength": 0},  # empty: no limit
    ]
}
START_DATE = OpenApiParameter(
    "start_date",
    DAY_OR_MOMENT,
    description="From this day (YYYY-MM-DD) or moment (ISO 8601); empty: no limit.",
)
END_DATE = OpenApiParameter(
    "end_date",
    DAY_OR_MOMENT,
    description="Up to this day (YYYY-MM-DD) or moment (ISO 8601); empty: no limit.",
)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/*")


def image_bytes(description: str) -> dict:
    """A binary answer in each image media type it can have."""
    answer = OpenApiResponse(OpenApiTypes.BINARY, description=description)
    return {(200, media): answer for media in (*IMAGE_TYPES, "application/octet-stream")}
