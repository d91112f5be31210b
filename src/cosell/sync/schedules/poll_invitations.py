"""Use case: the scheduled safety net for invitations. EventBridge delivery is best effort, so every few
minutes the pending invitations are listed and queued; the worker's reconcile makes repeats harmless.

An invitation is queued again only once its last request is done and `invitation_poll_hold` has passed
(INVITATION_POLL_HOLD_SECONDS, an hour by default: cosell.sync.schedules.held): a referral waiting for the
rep's decision stays pending for days, and re-reading each one every run (12 a hour at the default 5 minutes)
would spend Partner Central's reads for nothing. What an invitation's own events bring is not held back, and
a referral waiting for the rep's decision hears of it through the deal's webhook; the poll only catches what
was lost, and a lost event waits at most one period of the schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.queue.messages import Subject
from cosell.sync.schedules.held import queue_held

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mypy_boto3_partnercentral_selling.type_defs import EngagementInvitationSummaryTypeDef

    from cosell.sync.ports import Ports
    from cosell.sync.schedules.held import HeldReport

TRIGGER_KIND = "Invitation Poll"


def queue_pending_invitations(
    invitations: Iterable[EngagementInvitationSummaryTypeDef], ports: Ports, correlation_id: str
) -> HeldReport:
    """Queue each pending invitation whose last request is done and older than the hold."""
    return queue_held(
        Subject.INVITATION,
        (invitation["Id"] for invitation in invitations),
        kind=TRIGGER_KIND,
        ports=ports,
        correlation_id=correlation_id,
        catalog=ports.config.catalog,
        interval=ports.config.invitation_poll_hold,
    )
