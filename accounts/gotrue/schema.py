"""The GoTrue endpoints in the OpenAPI schema: bodies as the views read them, answers as
``@supabase/auth-js`` receives them, and GoTrue's error shape on every operation
(``GoTrueAutoSchema``, the schema class of :class:`.views.GoTrueView`)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

# What any GoTrue call can answer: bad body, a bad apikey or token, a banned user, a body too
# large, a refused sign-up, a throttle or lockout, a failure, the database away.
ERROR_CODES = {
    "400": "The body or a parameter is wrong: `error_code` says which rule.",
    "401": "No valid `apikey` or Bearer token.",
    "403": "The user is banned.",
    "413": "The body is too large.",
    "422": "Refused: the address is taken, the password is weak or sign-ups are closed.",
    "429": "Too many attempts: see `Retry-After`.",
    "500": "AicePS failed to handle the request.",
    "503": "The database is away: see `Retry-After`.",
}
APIKEY_HEADER = OpenApiParameter(
    "apikey",
    str,
    OpenApiParameter.HEADER,
    description="The project's anon key; required when `AICEPS_AUTH_ANON_KEY` is set.",
)


class GoTrueErrorSerializer(serializers.Serializer):
    code = serializers.IntegerField(help_text="The HTTP status.")
    error_code = serializers.CharField()
    msg = serializers.CharField()
    message = serializers.CharField()
    error = serializers.CharField()
    error_description = serializers.CharField()


class GoTrueUserSerializer(serializers.Serializer):
    id = serializers.CharField()
    aud = serializers.CharField()
    role = serializers.CharField()
    email = serializers.CharField()
    email_confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    phone = serializers.CharField(allow_blank=True)
    last_sign_in_at = serializers.DateTimeField(allow_null=True)
    app_metadata = serializers.DictField()
    user_metadata = serializers.DictField()
    identities = serializers.ListField(child=serializers.DictField())
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    is_anonymous = serializers.BooleanField()


class GoTrueSessionSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()
    expires_at = serializers.IntegerField()
    refresh_token = serializers.CharField()
    user = GoTrueUserSerializer()


def _filled(description: str) -> dict:
    return {"type": "string", "minLength": 1, "description": description}


# The body depends on grant_type (a query parameter): a password sign-in names the account by
# email or phone; a refresh sends the refresh token. A wrong password or an unknown refresh
# token answers 400 `invalid_grant` / `refresh_token_not_found`, as GoTrue does.
TOKEN_REQUEST = {
    "oneOf": [
        {
            "title": "Password grant (email)",
            "type": "object",
            "properties": {
                "email": _filled("With `grant_type=password`."),
                "password": _filled("With `grant_type=password`."),
            },
            "required": ["email", "password"],
        },
        {
            "title": "Password grant (phone)",
            "type": "object",
            "properties": {
                "phone": _filled("Instead of `email`."),
                "password": _filled("With `grant_type=password`."),
            },
            "required": ["phone", "password"],
        },
        {
            "title": "Refresh grant",
            "type": "object",
            "properties": {"refresh_token": _filled("With `grant_type=refresh_token`.")},
            "required": ["refresh_token"],
        },
    ]
}


# The same endpoint as an OAuth 2.0 token endpoint (RFC 6749 4.3 and 6): Swagger UI's
# "Authorize" and OAuth 2.0 clients send this form; `username` is the email or phone.
OAUTH_TOKEN_REQUEST = {
    "oneOf": [
        {
            "title": "Resource owner password grant",
            "type": "object",
            "properties": {
                "grant_type": {"type": "string", "enum": ["password"]},
                "username": _filled("The account's email or phone."),
                "password": _filled("Its password."),
            },
            "required": ["grant_type", "username", "password"],
        },
        {
            "title": "Refresh grant",
            "type": "object",
            "properties": {
                "grant_type": {"type": "string", "enum": ["refresh_token"]},
                "refresh_token": _filled("The session's refresh token."),
            },
            "required": ["grant_type", "refresh_token"],
        },
    ]
}


class GoTrueSignupRequestSerializer(serializers.Serializer):
    email = serializers.CharField()
    password = serializers.CharField()
    # The metaclass takes declared fields off the class: ``.data`` stays the serializer's.
    data = serializers.DictField(required=False, help_text="The user's metadata.")  # type: ignore[assignment]


class GoTrueUserUpdateSerializer(serializers.Serializer):
    email = serializers.CharField(required=False)
    password = serializers.CharField(required=False)
    data = serializers.DictField(  # type: ignore[assignment]
        required=False, help_text="Merged into the user's metadata."
    )


class GoTrueRecoverRequestSerializer(serializers.Serializer):
    email = serializers.CharField()


class GoTrueEmptySerializer(serializers.Serializer):
    pass


class GoTrueExternalSerializer(serializers.Serializer):
    email = serializers.BooleanField()
    phone = serializers.BooleanField()
    anonymous_users = serializers.BooleanField()


class GoTrueSettingsSerializer(serializers.Serializer):
    external = GoTrueExternalSerializer()
    disable_signup = serializers.BooleanField()
    mailer_autoconfirm = serializers.BooleanField()
    phone_autoconfirm = serializers.BooleanField()
    sms_provider = serializers.CharField(allow_blank=True)
    saml_enabled = serializers.BooleanField()


class GoTrueAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERROR_CODES.items():
            if code not in responses:
                answer = self._get_response_for_code(GoTrueErrorSerializer, code)
                answer["description"] = description
                responses[code] = answer
        return responses

    def get_tags(self):
        return ["auth"]
