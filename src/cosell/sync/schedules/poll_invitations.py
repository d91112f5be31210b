"""Use case: the scheduled safety net for invitations. EventBridge delivery is best effort, so every few
minutes each pending invitation is queued again; the worker's reconcile makes repeats harmless."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.queue.messages import Subject, SyncRequest, Trigger

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mypy_boto3_partnercentral_selling.type_defs import EngagementInvitationSummaryTypeDef

    from cosell.sync.ports import RequestQueue


def queue_pending_invitations(
    invitations: Iterable[EngagementInvitationSummaryTypeDef],
    queue: RequestQueue,
    *,
    catalog: str,
    now_ms: int,
    correlation_id: str,
) -> int:
    """Queue one request per invitation; returns how many were queued."""
    requests = [
        SyncRequest(
            subject=Subject.INVITATION,
            object_id=invitation["Id"],
            triggers=(Trigger(source="schedule", kind="Invitation Poll", occurred_at_ms=now_ms),),
            correlation_id=correlation_id,
            catalog=catalog,
        )
        for invitation in invitations
    ]
    queue.send(requests)
    return len(requests)
