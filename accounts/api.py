"""The API-keys API: ``/api/v1/keys`` (list, create), ``/api/v1/keys/{id}`` (read, revoke).

Keys are managed with a session or the account's own token, never with an API key: a key
with a budget must not be able to mint one without.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.json_bodies import BoundedJSONParser

from .api_keys import request_api_key
from .key_services import api_key_create, api_key_for, api_key_revoke, api_key_summary
from .models import ApiKey
from .throttling import UserRateThrottle


class ApiKeyNotAllowedError(DomainError):
    code = "api_key_not_allowed"
    status = 403
    default_message = "Sign in, or use the account's token, to do this; an API key cannot."


def refuse_api_keys(request) -> None:
    if request_api_key(request) is not None:
        raise ApiKeyNotAllowedError()


class ApiKeyOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    state = serializers.ChoiceField(choices=["active", "revoked", "expired"])
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    credit_budget = serializers.IntegerField(allow_null=True)
    credits_spent = serializers.IntegerField()
    credits_left = serializers.IntegerField(allow_null=True)


class ApiKeyCreatedSerializer(ApiKeyOutputSerializer):
    key = serializers.CharField(help_text="The key itself: shown this once, kept only hashed.")


class ApiKeyListSerializer(serializers.Serializer):
    results = ApiKeyOutputSerializer(many=True)


class _KeysApi(APIView):
    throttle_classes = [UserRateThrottle]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_api_keys(request)


class ApiKeyListCreateApi(_KeysApi):
    # JSON only: a form cannot say "no budget" (null) the way the schema and JSON do.
    parser_classes = [BoundedJSONParser]

    class ApiKeyInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        expires_at = serializers.DateTimeField(required=False, allow_null=True)
        expires_in_days = serializers.IntegerField(required=False, min_value=1, max_value=3650)
        credit_budget = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    @extend_schema(operation_id="api_keys_list", responses=ApiKeyListSerializer)
    def get(self, request):
        keys = ApiKey.objects.filter(user=request.user)
        return Response({"results": [api_key_summary(key) for key in keys]})

    @extend_schema(
        operation_id="api_keys_create",
        request=ApiKeyInputSerializer,
        responses={201: ApiKeyCreatedSerializer},
    )
    def post(self, request):
        serializer = self.ApiKeyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expires_at = data.get("expires_at")
        if expires_at is None and data.get("expires_in_days"):
            expires_at = timezone.now() + timedelta(days=data["expires_in_days"])
        created = api_key_create(
            user=request.user,
            name=data["name"],
            expires_at=expires_at,
            credit_budget=data.get("credit_budget"),
        )
        body = {**api_key_summary(created.api_key), "key": created.key}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyDetailApi(_KeysApi):
    @extend_schema(operation_id="api_keys_get", responses=ApiKeyOutputSerializer)
    def get(self, request, key_id: int):
        return Response(api_key_summary(api_key_for(user=request.user, key_id=key_id)))

    @extend_schema(
        operation_id="api_keys_revoke",
        responses={200: ApiKeyOutputSerializer},
        summary="Revoke the key (it stays listed, revoked)",
    )
    def delete(self, request, key_id: int):
        api_key = api_key_revoke(api_key=api_key_for(user=request.user, key_id=key_id))
        return Response(api_key_summary(api_key))
