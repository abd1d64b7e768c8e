from django.urls import path

from . import views
from .api import (
    WebhookDeliveriesApi,
    WebhookDetailApi,
    WebhookEndpointDeliveriesApi,
    WebhookListCreateApi,
    WebhookSecretApi,
)

app_name = "webhooks"

api_urlpatterns = [
    path("api/v1/webhooks", WebhookListCreateApi.as_view(), name="api-webhooks"),
    path("api/v1/webhooks/secret", WebhookSecretApi.as_view(), name="api-webhook-secret"),
    path(
        "api/v1/webhooks/deliveries", WebhookDeliveriesApi.as_view(), name="api-webhook-deliveries"
    ),
    path("api/v1/webhooks/<uuid:endpoint_id>", WebhookDetailApi.as_view(), name="api-webhook"),
    path(
        "api/v1/webhooks/<uuid:endpoint_id>/deliveries",
        WebhookEndpointDeliveriesApi.as_view(),
        name="api-webhook-endpoint-deliveries",
    ),
]

urlpatterns = [
    path("settings/webhooks/", views.webhooks_page, name="settings"),
    path("settings/webhooks/<uuid:endpoint_id>/delete/", views.endpoint_delete, name="delete"),
]
