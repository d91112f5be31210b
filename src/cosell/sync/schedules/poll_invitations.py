"""Use case: the scheduled safety net for invitations. EventBridge delivery is best effort, so every few
minutes the pending invitations are listed and queued; the worker's reconcile makes repeats harmless.

An invitation the poll queued is queued again only once `hold` has passed (INVITATION_POLL_HOLD_SECONDS,
an hour by default; a mark per invitation in the state table): while the worker is behind (an outage of HubSpot, its daily limit), every run queuing every
pending invitation again would pile copies in front of it, each one more to work through when it catches up.
What an invitation's own events bring is not held back, and a referral waiting for the rep's decision hears
of it through the deal's webhook; the poll only catches what was lost, and a lost event waits at most one
period of the schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.queue.messages import Subject, SyncRequest, Trigger

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import timedelta

    from mypy_boto3_partnercentral_selling.type_defs import EngagementInvitationSummaryTypeDef

    from cosell.sync.ports import ReferralStore, RequestQueue


@dataclass(frozen=True)
class PollReport:
    queued: int
    held_back: int  # queued by a poll within the hold


def queue_pending_invitations(
    invitations: Iterable[EngagementInvitationSummaryTypeDef],
    queue: RequestQueue,
    referrals: ReferralStore,
    *,
    hold: timedelta,
    catalog: str,
    now_ms: int,
    correlation_id: str,
) -> PollReport:
    """Queue one request per pending invitation not queued within `hold`, then mark those queued."""
    # Once each: an invitation made while the poll pages can be listed on two pages (one batch write may not
    # name an item twice).
    pending = list(dict.fromkeys(invitation["Id"] for invitation in invitations))
    recent = referrals.polled_after(catalog, pending, now_ms - int(hold.total_seconds() * 1000))
    due = [invitation_id for invitation_id in pending if invitation_id not in recent]
    queue.send(
        [
            SyncRequest(
                subject=Subject.INVITATION,
                object_id=invitation_id,
                triggers=(Trigger(source="schedule", kind="Invitation Poll", occurred_at_ms=now_ms),),
                correlation_id=correlation_id,
                catalog=catalog,
            )
            for invitation_id in due
        ]
    )
    # Marked once queued: a failed send leaves them unmarked, for the next run.
    referrals.mark_polled(catalog, due, now_ms)
    return PollReport(queued=len(due), held_back=len(pending) - len(due))
