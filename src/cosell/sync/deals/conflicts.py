"""Use case: an operator settles conflicts waiting on a deal (strategy `manual`, `cosell conflicts resolve`).

The choice is audited first (a wrong audit table stops it before anything is recorded), then recorded on the
deal's conflict, then a reconcile of the deal is queued: the deal's sync (cosell.sync.deals.pair) applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.domain.audit import AuditAction, AuditRecord, FieldChange
from cosell.domain.reconcile import Side
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.queue.sqs import EnqueueError

if TYPE_CHECKING:
    from datetime import datetime

    from cosell.domain.audit import AuditLog
    from cosell.store.conflicts import DealConflicts, FieldConflict
    from cosell.sync.ports import ConflictBook, RequestQueue

TRIGGER_KIND = "conflicts resolve"


@dataclass(frozen=True)
class Resolution:
    resolved: DealConflicts  # the deal's conflicts with every choice made so far
    not_queued: str | None = None  # why the deal's reconcile could not be queued (the choice is recorded)


def resolve_conflicts(
    current: DealConflicts,
    choices: dict[str, Side],
    *,
    conflicts: ConflictBook,
    audit: AuditLog,
    queue: RequestQueue,
    now: datetime,
    correlation_id: str,
) -> Resolution:
    """Audit, record and apply the operator's side for fields of `current`; LookupError when a sync settled
    the conflict in between."""
    audit.record(resolution_record(current, choices, now, correlation_id))
    resolved = conflicts.resolve(current.deal_id, choices)
    try:
        queue.send([reconcile_request(resolved.deal_id, now, correlation_id)])
    except EnqueueError as error:
        return Resolution(resolved, str(error))
    return Resolution(resolved)


def _value(conflict: FieldConflict, side: Side) -> object:
    return conflict.hubspot if side is Side.HUBSPOT else conflict.partner_central


def resolution_record(
    resolved: DealConflicts, choices: dict[str, Side], at: datetime, correlation_id: str
) -> AuditRecord:
    """The audit record of an operator's choice: per field, the losing side's value → the chosen one."""
    by_field = {conflict.field: conflict for conflict in resolved.fields}
    changes = []
    for name, side in choices.items():
        loser = Side.PARTNER_CENTRAL if side is Side.HUBSPOT else Side.HUBSPOT
        changes.append(FieldChange(name, _value(by_field[name], loser), _value(by_field[name], side)))
    sides: dict[Side, list[str]] = {}
    for name, side in choices.items():
        sides.setdefault(side, []).append(name)
    detail = "; ".join(f"operator chose {side.value} for {', '.join(names)}" for side, names in sides.items())
    return AuditRecord(
        at=at,
        action=AuditAction.RESOLVE,
        catalog=resolved.catalog,
        trigger=f"operator:{TRIGGER_KIND}",
        correlation_id=correlation_id,
        deal_id=resolved.deal_id,
        opportunity_id=resolved.opportunity_id,
        changes=tuple(changes),
        detail=detail,
    )


def reconcile_request(
    deal_id: str, at: datetime, correlation_id: str, kind: str = TRIGGER_KIND
) -> SyncRequest:
    """A reconcile of the deal an operator's command queues (`kind`: the command)."""
    return SyncRequest(
        subject=Subject.HUBSPOT_DEAL,
        object_id=deal_id,
        triggers=(Trigger(source="operator", kind=kind, occurred_at_ms=int(at.timestamp() * 1000)),),
        correlation_id=correlation_id,
    )
