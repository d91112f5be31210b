"""The message on the sync queue: "this object may have changed, reconcile it".

Every trigger (HubSpot webhook, Partner Central EventBridge event, schedule, operator) becomes a
`SyncRequest`. It names an object and why it was queued, never the changed values: the worker reads the
current state of both sides (DESIGN.md, "reconcile, don't replay"). Values would also carry personal data
into the queue and the DLQ for no gain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cosell.domain.audit import Cause

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cosell.hubspot.webhook_events import WebhookEvent


class Subject(StrEnum):
    HUBSPOT_DEAL = "hubspot.deal"
    HUBSPOT_COMPANY = "hubspot.company"
    HUBSPOT_CONTACT = "hubspot.contact"
    OPPORTUNITY = "partner_central.opportunity"
    INVITATION = "partner_central.invitation"
    ENGAGEMENT = "partner_central.engagement"


TriggerSource = Literal["hubspot_webhook", "eventbridge", "schedule", "operator"]


class Trigger(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: TriggerSource
    kind: str  # the webhook subscriptionType or the EventBridge detail-type
    occurred_at_ms: int
    change_source: str | None = None  # HubSpot's changeSource: lets the worker recognise its own echoes
    property_name: str | None = None
    merged_object_ids: tuple[str, ...] = ()  # deal.merge: the records merged into this one


class SyncRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: Subject
    object_id: str = Field(min_length=1, max_length=128)
    triggers: tuple[Trigger, ...] = Field(min_length=1)
    correlation_id: str = Field(min_length=1)
    catalog: str | None = None  # Partner Central subjects only

    @property
    def cause(self) -> Cause:
        """For the audit trail: what queued this request, and its correlation id."""
        kinds = dict.fromkeys(f"{trigger.source}:{trigger.kind}" for trigger in self.triggers)
        return Cause(trigger=", ".join(kinds), correlation_id=self.correlation_id)

    @property
    def group_id(self) -> str:
        """FIFO message group: one object's requests are handled in order, different objects in parallel."""
        return f"{self.subject}:{self.object_id}"

    @property
    def deduplication_id(self) -> str:
        """Same object and same triggers → same id, so SQS drops redeliveries within its 5-minute window."""
        material = (
            self.group_id
            + "|"
            + "|".join(f"{t.source}:{t.kind}:{t.occurred_at_ms}:{t.property_name}" for t in self.triggers)
        )
        return hashlib.sha256(material.encode()).hexdigest()


_HUBSPOT_SUBJECTS = {
    "deal": Subject.HUBSPOT_DEAL,
    "company": Subject.HUBSPOT_COMPANY,
    "contact": Subject.HUBSPOT_CONTACT,
}


class UnsupportedEventError(ValueError):
    """An event names nothing cosell synchronises."""


def from_webhook_events(
    events: Iterable[WebhookEvent], correlation_id: str
) -> tuple[list[SyncRequest], list[str]]:
    """One request per object in the delivery (five changes to one deal become one reconcile), and the
    subscription types of events about nothing cosell syncs (acknowledged, so HubSpot does not retry them)."""
    grouped: dict[tuple[Subject, str], list[Trigger]] = {}
    ignored: list[str] = []
    for event in events:
        subject = _HUBSPOT_SUBJECTS.get(event.object_type)
        if subject is None or event.subject_id is None:
            ignored.append(event.subscription_type)
            continue
        trigger = Trigger(
            source="hubspot_webhook",
            kind=event.subscription_type,
            occurred_at_ms=event.occurred_at,
            change_source=event.change_source,
            property_name=event.property_name,
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


def from_eventbridge(event: dict[str, Any]) -> SyncRequest:
    """A Partner Central event as EventBridge delivers it (reference/partner-central/events)."""
    detail = event.get("detail") or {}
    kind = str(event.get("detail-type", ""))
    if "opportunity" in detail:
        subject, object_id = Subject.OPPORTUNITY, detail["opportunity"].get("identifier")
    elif "engagementInvitation" in detail:
        subject, object_id = Subject.INVITATION, detail["engagementInvitation"].get("id")
    elif "engagement" in detail:
        engagement = detail["engagement"]
        subject, object_id = Subject.ENGAGEMENT, engagement.get("id") or engagement.get("engagementId")
    else:
        raise UnsupportedEventError(f"{kind!r} event carries no opportunity, invitation or engagement")
    if not object_id:
        raise UnsupportedEventError(f"{kind!r} event has no object id")
    occurred = _parse_event_time(str(event.get("time", "")))
    return SyncRequest(
        subject=subject,
        object_id=str(object_id),
        triggers=(Trigger(source="eventbridge", kind=kind, occurred_at_ms=occurred),),
        correlation_id=str(event.get("id", object_id)),
        catalog=detail.get("catalog"),
    )


def _parse_event_time(text: str) -> int:
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return 0


def parse_message(body: str) -> SyncRequest | dict[str, Any]:
    """A queue message body: a `SyncRequest`, or an EventBridge event as the rule delivered it."""
    data = json.loads(body)
    if isinstance(data, dict) and "detail-type" in data:
        return data
    return SyncRequest.model_validate(data)
