"""The message on the sync queue: "this object may have changed, reconcile it".

Every trigger (HubSpot webhook, Partner Central EventBridge event, schedule, operator) becomes a
`SyncRequest`. It names an object and why it was queued, never the changed values: the worker reads the
current state of both sides (docs/ARCHITECTURE.md: reconcile, don't replay). Values would also carry
personal data into the queue and the DLQ for no gain.

Translations into requests live with their sources: HubSpot webhooks in `cosell.hubspot.webhook_intake`,
Partner Central's EventBridge events in `cosell.partner_central.events`.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from cosell.domain.audit import Cause


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
    # The value a property change set, kept for `aws_opportunity_id` alone: what tells cosell's own write-back
    # of the link (or a rep typing the linked id again) from a rep naming another opportunity.
    property_value: str | None = Field(default=None, max_length=128)
    merged_object_ids: tuple[str, ...] = ()  # deal.merge: the records merged into this one
    # A schedule holds the object back until this request is reconciled: the worker says when it is
    # (cosell.sync.schedules.held).
    held: bool = False


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
        # Imported here: the webhook, which only queues requests, then loads no audit code.
        from cosell.domain.audit import Cause

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


def parse_message(body: str) -> SyncRequest | dict[str, Any]:
    """A queue message body: a `SyncRequest`, or an EventBridge event as the rule delivered it."""
    data = json.loads(body)
    if isinstance(data, dict) and "detail-type" in data:
        return data
    return SyncRequest.model_validate(data)
