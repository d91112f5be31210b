"""Engagement requests: what the schedules queue, and what the submission and the referral's acceptance queue
when a deal gets its engagement, so it shows at once (cosell.sync.engagements.reconcile does the work)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.domain.engagement import ENGAGEMENT_STARTED
from cosell.queue.messages import Subject, SyncRequest, Trigger

if TYPE_CHECKING:
    from cosell.sync.ports import Ports


def engagement_request(engagement_id: str, kind: str, correlation_id: str, now_ms: int) -> SyncRequest:
    return SyncRequest(
        subject=Subject.ENGAGEMENT,
        object_id=engagement_id,
        triggers=(Trigger(source="schedule", kind=kind, occurred_at_ms=now_ms),),
        correlation_id=correlation_id,
    )


def queue_engagement_started(engagement_id: str, ports: Ports, correlation_id: str) -> None:
    """An engagement the deal now has (a submission completed, a referral accepted): show it at once."""
    now_ms = int(ports.now().timestamp() * 1000)
    ports.queue.send([engagement_request(engagement_id, ENGAGEMENT_STARTED, correlation_id, now_ms)])
