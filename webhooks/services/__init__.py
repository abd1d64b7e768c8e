"""Every write to webhook endpoints, secrets and deliveries goes through these functions."""

from .delivery import webhook_deliveries_due, webhook_delivery_attempt
from .endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_set_active,
    webhook_secret_get,
    webhook_secret_rotate,
)
from .events import webhook_deliveries_create

__all__ = [
    "webhook_deliveries_create",
    "webhook_deliveries_due",
    "webhook_delivery_attempt",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_set_active",
    "webhook_secret_get",
    "webhook_secret_rotate",
]
