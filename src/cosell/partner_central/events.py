"""Partner Central's EventBridge events → sync requests.

EventBridge delivers an event to the sync queue unchanged (docs/CONTRACTS.md, "Partner Central events"); the
worker turns it into a `SyncRequest` for the object it is about. An event is only a hint that the object may
have changed: the worker reads the object itself.
"""

from __future__ import annotations

from typing import Any

from cosell.partner_central.schema import instant
from cosell.queue.messages import Subject, SyncRequest, Trigger


class UnsupportedEventError(ValueError):
    """An event names nothing cosell synchronises."""


def from_eventbridge(event: dict[str, Any]) -> SyncRequest:
    """A Partner Central event as EventBridge delivers it: its `detail` names an opportunity, an engagement
    invitation, an engagement, or a resource snapshot (reconciled as its engagement)."""
    detail = event.get("detail") or {}
    kind = str(event.get("detail-type", ""))
    if "opportunity" in detail:
        subject, object_id = Subject.OPPORTUNITY, detail["opportunity"].get("identifier")
    elif "engagementInvitation" in detail:
        subject, object_id = Subject.INVITATION, detail["engagementInvitation"].get("id")
    elif "engagement" in detail:
        engagement = detail["engagement"]
        subject, object_id = Subject.ENGAGEMENT, engagement.get("id") or engagement.get("engagementId")
    elif "resourceSnapshot" in detail:
        subject, object_id = Subject.ENGAGEMENT, detail["resourceSnapshot"].get("engagementId")
    else:
        raise UnsupportedEventError(
            f"{kind!r} event carries no opportunity, invitation, engagement or resource snapshot"
        )
    if not object_id:
        raise UnsupportedEventError(f"{kind!r} event has no object id")
    occurred = instant(str(event.get("time", "")))
    return SyncRequest(
        subject=subject,
        object_id=str(object_id),
        triggers=(
            Trigger(
                source="eventbridge",
                kind=kind,
                occurred_at_ms=int(occurred.timestamp() * 1000) if occurred else 0,
            ),
        ),
        correlation_id=str(event.get("id", object_id)),
        catalog=detail.get("catalog"),
    )
