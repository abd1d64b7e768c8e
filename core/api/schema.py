"""The OpenAPI schema tells the truth: every operation documents the errors it can answer,
in the shape its view answers them (``error_shape``: v1, seed or OpenAI's envelope, or one
registered by a layer above with :func:`register_error_shape`).

``AicepsAutoSchema`` is DRF's schema class for the whole API (``DEFAULT_SCHEMA_CLASS``); the
extensions that describe AicePS's own credentials live with them (``accounts.schema``).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

# Every operation: bad input, credentials, throttles, a missing thing, a busy server.
COMMON_ERRORS = ("400", "401", "403", "404", "406", "413", "415", "429", "500", "503")
# Operations that create (and charge) a task or wait for one can also answer these.
SUBMIT_ERRORS = ("402", "409", "422", "502", "504")
DESCRIPTIONS = {
    "400": "The request breaks a rule: `error.code` says which, `error.param` names the field.",
    "401": "No valid credentials.",
    "402": "Not enough credits: nothing was charged.",
    "403": "Not allowed.",
    "404": "No such thing, or not yours.",
    "406": "The requested answer format is not offered.",
    "409": "In conflict with the current state: the task's, an earlier request with the same "
    "key, or a limit reached (delete something first).",
    "413": "The request, or one of its images, is too large.",
    "415": "The body's media type is not accepted.",
    "422": "The model could not do this request (refunded).",
    "429": "Too many requests, or too many waits at once: see `Retry-After`.",
    "500": "AicePS failed to handle the request.",
    "502": "The model failed (refunded).",
    "503": "A dependency is away (database, broker, a provider not set up): see `Retry-After`.",
    "504": "Still running when the wait ended: poll the task.",
}


class ErrorDetailSerializer(serializers.Serializer):  # component ErrorDetail
    code = serializers.CharField()
    message = serializers.CharField()
    param = serializers.CharField(required=False)


class ErrorAnswerSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    error = ErrorDetailSerializer()


class SeedErrorSerializer(ErrorAnswerSerializer):
    message = serializers.CharField()


class OpenAIErrorDetailSerializer(serializers.Serializer):
    message = serializers.CharField()
    type = serializers.CharField()
    param = serializers.CharField(allow_null=True)
    code = serializers.CharField(allow_null=True)


class OpenAIErrorSerializer(serializers.Serializer):
    error = OpenAIErrorDetailSerializer()


ERROR_SERIALIZERS = {
    "v1": ErrorAnswerSerializer,
    "seed": SeedErrorSerializer,
    "openai": OpenAIErrorSerializer,
}


def register_error_shape(shape: str, serializer) -> None:
    """A layer above documents its own error shape (``error_shape = shape``) without this
    module importing it: the editor registers ``"editor"`` (editor.schema)."""
    ERROR_SERIALIZERS[shape] = serializer


class AicepsAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        shape = getattr(self.view, "error_shape", "v1")
        serializer = ERROR_SERIALIZERS.get(shape, ErrorAnswerSerializer)
        codes = COMMON_ERRORS + (SUBMIT_ERRORS if self.method in ("POST", "PUT") else ())
        for code in codes:
            if code not in responses:
                answer = self._get_response_for_code(serializer, code)
                answer["description"] = DESCRIPTIONS[code]
                responses[code] = answer
        return responses
