"""What the editor's calls send, checked: one serializer per request body.

These are the request bodies of the OpenAPI schema too (their component names start with
``Editor``). Text fields are DRF ``CharField``s, so a NUL character (which PostgreSQL cannot
store) is refused with 400 like any other invalid value. What a task takes (the photo, the
prompt, the point, the ratio) is still checked by ``task_create``, as for every entry point.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogue.task_types import ASPECT_RATIOS
from catalogue.text_tasks.suggestions import KINDS
from generation.api.inputs import WebhookFields

from .kinds import EDIT_TYPES

MAX_PROMPT = 4000  # characters of one prompt
NO_NUL = RegexValidator(r"^[^\x00]+$", "Null characters are not allowed.")


class Text(serializers.CharField):
    """A string, and only a string: DRF's own ``CharField`` turns a number into text. Kept
    as sent (its length is the length sent); the views strip what they strip."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        # DRF refuses NUL characters in any CharField; the pattern puts that in the schema
        # (one character or more: a blank value, where allowed, is the oneOf's other branch)
        self.validators.append(NO_NUL)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonPart(Text):
    """A form field whose value is JSON text (a list, an object): documented as that JSON
    value, which is how OpenAPI describes a ``multipart/form-data`` part of JSON (its
    default content type for arrays and objects is ``application/json``). Parsed by the
    view, which refuses what the schema refuses (an empty value too, where it means nothing
    rather than "none")."""

    default_error_messages = {"too_long": "Ensure this field has no more than {n} characters."}

    def __init__(self, schema: dict, *, max_chars: int, **kwargs) -> None:
        # Not CharField's own limits: drf-spectacular would write them into the JSON schema.
        kwargs["allow_blank"] = True
        super().__init__(**kwargs)
        self.max_chars = max_chars
        set_override(self, "field", schema)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(value) > self.max_chars:
            self.fail("too_long", n=self.max_chars)
        return value


class Whole(serializers.IntegerField):
    """A JSON integer: not a string of digits, not true or false, not 1.5."""

    default_error_messages = {"invalid": "A whole number is required."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return super().to_internal_value(data)


class EditTypeField(Text):
    """The editor's edit ``type``; an unknown one is refused by ``kinds.task_type_for``
    (``unsupported_type``). Each use names its own enum component (``enum_id``)."""

    def __init__(self, *, enum_id: str, default: str = "edit", **kwargs) -> None:
        super().__init__(max_length=32, required=False, default=default, **kwargs)
        schema = {"type": "string", "enum": list(EDIT_TYPES), "x-spec-enum-id": enum_id}
        set_override(self, "field", schema)


def _files(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(), required=False, max_length=4, help_text=help_text
    )


class EditorEditImageSerializer(WebhookFields):
    image = _files("The photo (one file; for fusion the main photo, then the others).")
    images = _files("Fusion: the photos to merge, the main one first (up to four in all).")
    prompt = Text(max_length=4000, required=False, allow_blank=True, default="")
    type = EditTypeField(
        enum_id="editor-edit", help_text="Default `edit`; `edit` with a `hotspot` retouches there."
    )
    hotspot = JsonPart(
        {
            "type": "object",
            "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
            "required": ["x", "y"],
        },
        max_chars=200,
        required=False,
        help_text='JSON `{"x": 120, "y": 80}`: the point to retouch, in pixels of the photo '
        "(or fractions of it); empty or left out: none.",
    )
    mask = serializers.FileField(required=False, help_text="inpaint: white where it changes.")
    scale = serializers.IntegerField(required=False, help_text="upscale: 2 or 4.")
    aspectRatio = serializers.ChoiceField(
        choices=ASPECT_RATIOS, required=False, allow_blank=True, help_text="expand: the shape."
    )
    left = serializers.IntegerField(required=False, help_text="expand: pixels on the left.")
    top = serializers.IntegerField(required=False, help_text="expand: pixels on the top.")
    right = serializers.IntegerField(required=False, help_text="expand: pixels on the right.")
    bottom = serializers.IntegerField(required=False, help_text="expand: pixels at the bottom.")


class EditorGenerateImageSerializer(WebhookFields):
    prompt = Text(max_length=4000)
    aspectRatio = serializers.ChoiceField(
        choices=ASPECT_RATIOS, required=False, allow_blank=True, default="1:1"
    )


class EditorBatchImagesSerializer(WebhookFields):
    image = serializers.FileField(help_text="The photo every prompt restyles.")
    prompts = JsonPart(
        {
            "type": "array",
            "items": {"type": "string", "maxLength": MAX_PROMPT, "pattern": "^[^\\x00]*$"},
            "minItems": 1,
            "maxItems": settings.AICEPS_EDITOR_MAX_BATCH,
        },
        max_chars=100_000,
        help_text="A JSON list of 1 to `AICEPS_EDITOR_MAX_BATCH` strings.",
    )
    type = EditTypeField(
        enum_id="editor-batch",
        default="style",
        help_text="The edit each prompt makes (default `style`).",
    )


@extend_schema_field({"type": "string", "enum": list(KINDS)})
class SuggestionKindField(serializers.ChoiceField):
    """Documented inline: the name ``type`` is taken by other enums of the schema."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=KINDS, **kwargs)


class EditorSuggestionsInputSerializer(serializers.Serializer):
    image = serializers.FileField()
    type = SuggestionKindField()


class EditorResourceDataSerializer(serializers.Serializer):
    type = Text(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="The edit the editor is about to make (its `type`); none: text to image.",
    )


class EditorCheckFeatureSerializer(serializers.Serializer):
    feature = Text(max_length=64, required=False, default="nano_banana")
    resourceData = EditorResourceDataSerializer(required=False, allow_null=True)


class EditorConsumeCreditsSerializer(EditorCheckFeatureSerializer):
    creditsToConsume = Whole(
        required=False,
        allow_null=True,
        help_text="Ignored: AicePS charges each task when it is created, at its own price.",
    )


class EditorRecordCreateSerializer(serializers.Serializer):
    task_type = Text(max_length=32, required=False, allow_blank=True)
    prompt = Text(max_length=4000, required=False, allow_blank=True)
    model_version = Text(max_length=100, required=False, allow_blank=True)
    aspect_ratio = Text(max_length=8, required=False, allow_blank=True, allow_null=True)
    status = Text(max_length=16, required=False, allow_blank=True)


class EditorOriginalImageSerializer(serializers.Serializer):
    image = serializers.FileField()


class EditorRecordCompleteSerializer(serializers.Serializer):
    generated_image_data = Text(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="A data URL of the result: only its size is noted, never stored.",
    )
    tokens_used = Whole(required=False, allow_null=True)
    credits_deducted = Whole(
        required=False, allow_null=True, help_text="Noted as reported; AicePS's charge stands."
    )
    generation_time_ms = Whole(required=False, allow_null=True)
    error_message = Text(max_length=2000, required=False, allow_blank=True, allow_null=True)


class EditorScenesInputSerializer(serializers.Serializer):
    text = Text(max_length=20_000)
    style = Text(max_length=100, required=False, allow_blank=True)


class EditorComicSceneSerializer(serializers.Serializer):
    emotion = Text(max_length=200, required=False, allow_blank=True, allow_null=True)
    colorTone = Text(max_length=200, required=False, allow_blank=True, allow_null=True)


class EditorComicPanelSerializer(WebhookFields):
    description = Text(max_length=4000)
    style = Text(max_length=100, required=False, allow_blank=True)
    scene = EditorComicSceneSerializer(required=False, allow_null=True)
    aspectRatio = serializers.ChoiceField(
        choices=ASPECT_RATIOS, required=False, allow_blank=True, default="1:1"
    )
