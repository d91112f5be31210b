"""Engagement requests: what the submission and the referral's acceptance queue when a deal gets its
engagement, so it shows at once (cosell.sync.engagements.reconcile does the work; the schedules queue theirs
through cosell.sync.schedules.held)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.domain.engagement import ENGAGEMENT_STARTED
from cosell.queue.messages import Subject, SyncRequest, Trigger

if TYPE_CHECKING:
    from cosell.sync.ports import Ports


def queue_engagement_started(engagement_id: str, ports: Ports, correlation_id: str) -> None:
    """An engagement the deal now has (a submission completed, a referral accepted): show it at once."""
    now_ms = int(ports.now().timestamp() * 1000)
    trigger = Trigger(source="schedule", kind=ENGAGEMENT_STARTED, occurred_at_ms=now_ms)
    ports.queue.send(
        [
            SyncRequest(
                subject=Subject.ENGAGEMENT,
                object_id=engagement_id,
                triggers=(trigger,),
                correlation_id=correlation_id,
            )
        ]
    )
