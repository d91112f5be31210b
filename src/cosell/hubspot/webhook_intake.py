"""Turning one HubSpot webhook POST into sync requests: authenticate, parse, coalesce per object.

Pure: the handler supplies the request and the clock, and maps the two exceptions to 401 and 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from cosell.domain.deal_properties import OPPORTUNITY_ID
from cosell.hubspot.signature import verify_v3
from cosell.hubspot.webhook_events import WebhookDelivery
from cosell.queue.messages import Subject, SyncRequest, Trigger

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from cosell.hubspot.webhook_events import WebhookEvent

# 100 events of a few hundred bytes each fit many times over; anything larger is not HubSpot.
MAX_BODY_BYTES = 256 * 1024


class MalformedDeliveryError(ValueError):
    """The body is not a HubSpot webhook delivery; the message says what is wrong."""


@dataclass(frozen=True)
class AcceptedDelivery:
    requests: list[SyncRequest]
    ignored_event_types: list[str]  # events about nothing cosell syncs (acknowledged all the same)
    signed_with_previous_secret: bool  # HubSpot still signs with the secret a rotation replaced


def accept_delivery(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    client_secrets: Sequence[str],
    now_ms: int,
    correlation_id: str,
) -> AcceptedDelivery:
    """The sync requests of a delivery signed by one of `client_secrets` (the current one first); raises
    `SignatureError` or `MalformedDeliveryError`."""
    if len(body) > MAX_BODY_BYTES:
        # Checked before the signature, so an oversized body costs no HMAC.
        raise MalformedDeliveryError(f"body is {len(body)} bytes; HubSpot sends at most {MAX_BODY_BYTES}")
    lowered = {name.lower(): value for name, value in headers.items()}
    signed_by = verify_v3(
        secrets=client_secrets,
        method=method,
        uri=url,
        body=body,
        timestamp=lowered.get("x-hubspot-request-timestamp"),
        signature=lowered.get("x-hubspot-signature-v3"),
        now_ms=now_ms,
    )
    try:
        events = WebhookDelivery.validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise MalformedDeliveryError(
            f"not a HubSpot webhook delivery: {where}: {first['msg']} ({error.error_count()} problem(s))"
        ) from None
    requests, ignored = from_webhook_events(events, correlation_id)
    return AcceptedDelivery(requests, ignored, signed_with_previous_secret=signed_by > 0)


_HUBSPOT_SUBJECTS = {
    "deal": Subject.HUBSPOT_DEAL,
    "company": Subject.HUBSPOT_COMPANY,
    "contact": Subject.HUBSPOT_CONTACT,
}


def from_webhook_events(
    events: Iterable[WebhookEvent], correlation_id: str
) -> tuple[list[SyncRequest], list[str]]:
    """One request per object in the delivery (five changes to one deal become one reconcile), and the
    subscription types of events about nothing cosell syncs (acknowledged, so HubSpot does not retry them)."""
    grouped: dict[tuple[Subject, str], list[Trigger]] = {}
    ignored: list[str] = []
    for event in events:
        subject = _HUBSPOT_SUBJECTS.get(event.object_type)
        if subject is None or event.subject_id is None or event.about_an_activity:
            ignored.append(event.subscription_type)
            continue
        trigger = Trigger(
            source="hubspot_webhook",
            kind=event.subscription_type,
            occurred_at_ms=event.occurred_at,
            change_source=event.change_source,
            property_name=event.property_name,
            property_value=event.property_value if event.property_name == OPPORTUNITY_ID else None,
            merged_object_ids=tuple(str(merged) for merged in event.merged_object_ids),
        )
        grouped.setdefault((subject, str(event.subject_id)), []).append(trigger)
    requests = [
        SyncRequest(
            subject=subject,
            object_id=object_id,
            triggers=tuple(sorted(triggers, key=lambda t: t.occurred_at_ms)),
            correlation_id=correlation_id,
        )
        for (subject, object_id), triggers in grouped.items()
    ]
    return requests, ignored
