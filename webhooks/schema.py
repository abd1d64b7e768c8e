"""The webhooks API's answers, as the OpenAPI schema documents them (the views answer the
selectors' dicts; these serializers only describe them)."""

from __future__ import annotations

from rest_framework import serializers

from .models import EVENTS


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENTS),
        allow_null=True,
        help_text="The events sent; null for every event.",
    )
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="Shown once: it signs this endpoint's deliveries.")


class WebhookEndpointListSerializer(serializers.Serializer):
    results = WebhookEndpointSerializer(many=True)


class WebhookAttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_blank=True, allow_null=True)


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The message id (`webhook-id`).")
    event = serializers.CharField()
    url = serializers.CharField()
    endpoint_id = serializers.UUIDField(allow_null=True)
    task_id = serializers.UUIDField(allow_null=True)
    status = serializers.CharField()
    attempts = WebhookAttemptSerializer(many=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class WebhookDeliveryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = WebhookDeliverySerializer(many=True)


class WebhookSecretSerializer(serializers.Serializer):
    secret = serializers.CharField()


class WebhookDeliveryFilterSerializer(serializers.Serializer):
    task = serializers.UUIDField(required=False, help_text="Only this task's deliveries.")
    endpoint = serializers.UUIDField(required=False, help_text="Only this endpoint's.")
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)
