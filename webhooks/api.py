"""The webhooks API: endpoints (``/api/v1/webhooks``), their deliveries with every attempt,
and the secret that signs the webhook URLs single tasks carry.

Managing endpoints and secrets needs a session or the account's token; an API key (which
may be handed to other software) may only read deliveries.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import refuse_api_keys
from generation.api.access import ApiViewMixin, acting_user
from generation.api.errors import ApiError

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
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_api_keys(request)

    def endpoint(self, request, endpoint_id):
        endpoint = endpoint_get(user=acting_user(request), endpoint_id=endpoint_id)
        if endpoint is None:
            raise ApiError("not_found", "No such webhook endpoint.", 404)
        return endpoint


class WebhookListCreateApi(_Managing):
    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=2000)
        description = serializers.CharField(max_length=200, required=False, allow_blank=True)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=EVENTS), required=False, allow_empty=True
        )
        progress = serializers.BooleanField(required=False, default=False)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        endpoints = endpoints_of(user=acting_user(request))
        return Response({"results": [endpoint_summary(endpoint) for endpoint in endpoints]})

    @extend_schema(request=InputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
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
    class PatchSerializer(serializers.Serializer):
        active = serializers.BooleanField()

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, endpoint_id):
        return Response(endpoint_summary(self.endpoint(request, endpoint_id)))

    @extend_schema(request=PatchSerializer, responses={200: OpenApiTypes.OBJECT})
    def patch(self, request, endpoint_id):
        serializer = self.PatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_set_active(
            endpoint=self.endpoint(request, endpoint_id),
            active=serializer.validated_data["active"],
        )
        return Response(endpoint_summary(endpoint))

    @extend_schema(responses={204: None})
    def delete(self, request, endpoint_id):
        webhook_endpoint_delete(endpoint=self.endpoint(request, endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveriesApi(ApiViewMixin, APIView):
    """Deliveries, newest first, each with its attempts (status code, latency, error)."""

    @extend_schema(
        parameters=[OpenApiParameter("task", str), OpenApiParameter("endpoint", str)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, endpoint_id=None):
        user = acting_user(request)
        endpoint = None
        wanted = endpoint_id or request.query_params.get("endpoint")
        if wanted:
            endpoint = endpoint_get(user=user, endpoint_id=wanted)
            if endpoint is None:
                raise ApiError("not_found", "No such webhook endpoint.", 404)
        deliveries = deliveries_of(
            user=user, endpoint=endpoint, task_id=request.query_params.get("task") or None
        )
        paginator = DeliveryPagination()
        page = paginator.paginate_queryset(deliveries, request, view=self)
        return paginator.get_paginated_response([delivery_summary(row) for row in page])


class WebhookSecretApi(_Managing):
    """The secret that signs deliveries to the webhook URL a task carries
    (``webhook`` field or ``X-AicePS-Webhook``); registered endpoints have their own."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"secret": webhook_secret_get(user=acting_user(request))})

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT}, summary="Rotate it")
    def post(self, request):
        return Response({"secret": webhook_secret_rotate(user=acting_user(request))})
