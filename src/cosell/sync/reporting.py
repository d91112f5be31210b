"""Telling people what the sync did: the audit record, and the deal the rep reads.

Every use case audits through `audit` and writes what the deal shows through `show_on_deal`; the words
themselves come from cosell.domain.deal_status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.domain import deal_properties
from cosell.domain.audit import AuditAction, AuditRecord
from cosell.metrics import Metric, count, count_by

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cosell.domain.audit import Cause, FieldChange
    from cosell.metrics import Refusal
    from cosell.store.state import Link
    from cosell.sync.ports import Ports


def audit(
    ports: Ports,
    cause: Cause,
    action: AuditAction,
    deal_id: str | None,
    link: Link | None = None,
    changes: Sequence[FieldChange] = (),
    detail: str = "",
    refusal: Refusal | None = None,
) -> None:
    """One audit record of a deal (and its opportunity, once linked), stamped with what caused the run, and
    its metric (an error's by `refusal`, its reason)."""
    ports.audit.record(
        AuditRecord(
            at=ports.now(),
            action=action,
            catalog=link.catalog if link else ports.config.catalog,
            trigger=cause.trigger,
            correlation_id=cause.correlation_id,
            deal_id=deal_id,
            opportunity_id=link.opportunity_id if link else None,
            changes=tuple(changes),
            detail=detail,
        )
    )
    if action is AuditAction.ERROR:
        count_by(Metric.DEALS_REFUSED, "Reason", refusal or "other")
    elif action in _COUNTED:
        count(_COUNTED[action])


# The audited actions an operator watches, as metrics (cosell.metrics).
_COUNTED = {
    AuditAction.CREATE_OPPORTUNITY: Metric.OPPORTUNITIES_CREATED,
    AuditAction.CREATE_DEAL: Metric.DEALS_CREATED,
    AuditAction.CONFLICT: Metric.CONFLICTS,
    AuditAction.HOLD: Metric.HOLDS,
    AuditAction.ACCEPT_INVITATION: Metric.REFERRALS_TAKEN,
    AuditAction.REJECT_INVITATION: Metric.REFERRALS_TAKEN,
    AuditAction.NOTIFY: Metric.NOTIFICATIONS_SENT,
}


def show_on_deal(ports: Ports, deal_id: str, values: Mapping[str, str], *, synced: bool = True) -> None:
    """One deal update. `synced`: it reports a sync, so it carries when (`aws_last_synced_at`)."""
    stamp = {deal_properties.LAST_SYNCED_AT: ports.now().isoformat()} if synced else {}
    ports.hubspot.update_deal(deal_id, {**values, **stamp})
