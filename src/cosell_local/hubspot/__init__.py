"""A local HubSpot: CRM v3 objects, schema, associations v4, rate limits, faults and signed webhooks."""

from .auth import AccessToken
from .server import HubSpotEmulator, LoggedRequest
from .webhooks import DeliveryAttempt, Subscription, WebhookSettings

__all__ = [
    "AccessToken",
    "DeliveryAttempt",
    "HubSpotEmulator",
    "LoggedRequest",
    "Subscription",
    "WebhookSettings",
]
