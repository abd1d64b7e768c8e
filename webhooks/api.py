"""The webhooks API: endpoints (``/api/v1/webhooks``), their deliveries with every attempt,
and the secret that signs the webhook URLs single tasks carry.

Managing endpoints and secrets needs a session or the account's token; an API key (which
may be handed to other software) may only read deliveries.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import ApiViewMixin, acting_user
from accounts.api import refuse_api_keys
from core.api.problems import ApiError
from core.fields import Boolean, Text, WebUrl
from core.json_bodies import BoundedJSONParser

from . import schema
from .models import EVENTS
from .selectors import (
    deliveries_of,
    delivery_summary,
    endpoint_get,
    endpoint_summary,
    endpoints_of,
)
from .services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_set_active,
    webhook_secret_get,
    webhook_secret_rotate,
)


class DeliveryPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class _Managing(ApiViewMixin, APIView):
    # JSON only (as /api/v1/keys): a form carries booleans as words ("0", "on"), which the
    # schema's `boolean` cannot say for a form body
    parser_classes = [BoundedJSONParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_api_keys(request)

    def endpoint(self, request, endpoint_id):
        endpoint = endpoint_get(user=acting_user(request), endpoint_id=endpoint_id)
        if endpoint is None:
            raise ApiError("not_found", "No such webhook endpoint.", 404)
        return endpoint


class WebhookListCreateApi(_Managing):
    class WebhookInputSerializer(serializers.Serializer):
        url = WebUrl()
        description = Text(max_length=200, required=False, allow_blank=True)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=EVENTS), required=False, allow_empty=True
        )
        progress = Boolean(required=False, default=False)

    @extend_schema(operation_id="webhooks_list", responses=schema.WebhookEndpointListSerializer)
    def get(self, request):
        endpoints = endpoints_of(user=acting_user(request))
        return Response({"results": [endpoint_summary(endpoint) for endpoint in endpoints]})

    @extend_schema(
        operation_id="webhooks_create",
        request=WebhookInputSerializer,
        responses={201: schema.WebhookEndpointCreatedSerializer},
    )
    def post(self, request):
        serializer = self.WebhookInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = webhook_endpoint_create(
            user=acting_user(request),
            url=data["url"],
            description=data.get("description", ""),
            events=data.get("events") or (),
            progress=data["progress"],
        )
        body = {**endpoint_summary(created.endpoint), "secret": created.secret}
        return Response(body, status=status.HTTP_201_CREATED)


class WebhookDetailApi(_Managing):
    class WebhookPatchSerializer(serializers.Serializer):
        active = Boolean()

    @extend_schema(operation_id="webhooks_get", responses=schema.WebhookEndpointSerializer)
    def get(self, request, endpoint_id):
        return Response(endpoint_summary(self.endpoint(request, endpoint_id)))

    @extend_schema(
        operation_id="webhooks_set_active",
        request=WebhookPatchSerializer,
        responses=schema.WebhookEndpointSerializer,
    )
    def patch(self, request, endpoint_id):
        serializer = self.WebhookPatchSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = self.endpoint(request, endpoint_id)
        if "active" in serializer.validated_data:  # a PATCH of nothing changes nothing
            endpoint = webhook_endpoint_set_active(
                endpoint=endpoint, active=serializer.validated_data["active"]
            )
        return Response(endpoint_summary(endpoint))

    @extend_schema(operation_id="webhooks_delete", responses={204: None})
    def delete(self, request, endpoint_id):
        webhook_endpoint_delete(endpoint=self.endpoint(request, endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveriesApi(ApiViewMixin, APIView):
    """Deliveries, newest first, each with its attempts (status code, latency, error)."""

    @extend_schema(
        parameters=[schema.WebhookDeliveryFilterSerializer],
        responses=schema.WebhookDeliveryPageSerializer,
    )
    def get(self, request, endpoint_id=None):
        filters = schema.WebhookDeliveryFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        user = acting_user(request)
        endpoint = None
        wanted = endpoint_id or filters.validated_data.get("endpoint")
        if wanted:
            endpoint = endpoint_get(user=user, endpoint_id=wanted)
            if endpoint is None:
                raise ApiError("not_found", "No such webhook endpoint.", 404)
        deliveries = deliveries_of(
            user=user, endpoint=endpoint, task_id=filters.validated_data.get("task")
        )
        paginator = DeliveryPagination()
        page = paginator.paginate_queryset(deliveries, request, view=self)
        return paginator.get_paginated_response([delivery_summary(row) for row in page])


@extend_schema_view(get=extend_schema(operation_id="webhooks_endpoint_deliveries"))
class WebhookEndpointDeliveriesApi(WebhookDeliveriesApi):
    """One endpoint's deliveries (the path names it)."""


class WebhookSecretApi(_Managing):
    """The secret that signs deliveries to the webhook URL a task carries
    (``webhook`` field or ``X-AicePS-Webhook``); registered endpoints have their own."""

    @extend_schema(operation_id="webhooks_secret_get", responses=schema.WebhookSecretSerializer)
    def get(self, request):
        return Response({"secret": webhook_secret_get(user=acting_user(request))})

    @extend_schema(
        operation_id="webhooks_secret_rotate",
        request=None,
        responses=schema.WebhookSecretSerializer,
        summary="Rotate it",
    )
    def post(self, request):
        return Response({"secret": webhook_secret_rotate(user=acting_user(request))})
