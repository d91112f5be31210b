"""What the audit trail records: every write to either system and every decision not to write.

Pure values. The store (cosell.store.audit) keeps them for seven years; `cosell audit` prints and exports them.
A record says what happened (`action`), to which pair (deal and opportunity), when, why (`trigger`: what queued
the work), which fields changed from what to what, and the correlation id that ties it to the log lines of the
same run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

RETENTION_YEARS = 7


class AuditAction(StrEnum):
    # Writes.
    CREATE_OPPORTUNITY = "create opportunity"
    UPDATE_OPPORTUNITY = "update opportunity"
    ASSIGN_OPPORTUNITY = "assign opportunity"
    CREATE_DEAL = "create deal"
    UPDATE_DEAL = "update deal"
    ACCEPT_INVITATION = "accept invitation"
    REJECT_INVITATION = "reject invitation"
    ASSOCIATE_SOLUTION = "associate solution"
    DISASSOCIATE_SOLUTION = "disassociate solution"
    SUBMIT_OPPORTUNITY = "submit opportunity"
    NOTIFY = "notify"  # a task and a note for the rep (and the SNS topic, when set)
    # Decisions.
    SKIP = "skip"  # a change seen and deliberately not written (and why)
    HOLD = "hold"  # a change that cannot be written yet (the opportunity is under review)
    CONFLICT = "conflict"  # both sides changed a field; `detail` says how it was settled
    RESOLVE = "resolve"  # an operator settled a manual conflict
    ERROR = "error"  # a write refused or a deal that cannot sync, with the reason
    # Links made or undone without a create: an opportunity that already existed (cosell link, adoption).
    LINK = "link"  # `changes`: the fields on which the two sides differed (Partner Central → HubSpot)
    UNLINK = "unlink"  # an operator's cosell unlink
    # An operator's hand on the queue (cosell dlq).
    REPLAY = "replay"  # a dead-letter message put back on the sync queue
    DROP = "drop"  # a dead-letter message deleted
    ERASE = (
        "erase"  # one person's data removed from cosell's tables (cosell privacy erase); names the pseudonym
    )


WRITES = frozenset(
    {
        AuditAction.CREATE_OPPORTUNITY,
        AuditAction.UPDATE_OPPORTUNITY,
        AuditAction.ASSIGN_OPPORTUNITY,
        AuditAction.CREATE_DEAL,
        AuditAction.UPDATE_DEAL,
        AuditAction.ACCEPT_INVITATION,
        AuditAction.REJECT_INVITATION,
        AuditAction.ASSOCIATE_SOLUTION,
        AuditAction.DISASSOCIATE_SOLUTION,
        AuditAction.SUBMIT_OPPORTUNITY,
        AuditAction.NOTIFY,
    }
)


@dataclass(frozen=True)
class FieldChange:
    field: str  # the synced field's name (docs/MAPPING.md), or a HubSpot property / Partner Central member
    before: Any
    after: Any


@dataclass(frozen=True)
class AuditRecord:
    at: datetime  # timezone-aware UTC
    action: AuditAction
    catalog: str
    trigger: str  # "<source>:<kind>", e.g. "hubspot_webhook:deal.propertyChange", "schedule:sweep"
    correlation_id: str
    deal_id: str | None = None
    opportunity_id: str | None = None
    changes: tuple[FieldChange, ...] = ()
    detail: str = ""
    record_id: str = field(default="")  # unique per record; the store fills it when empty

    def to_json(self) -> dict[str, Any]:
        """The record as plain JSON values (the export format, one object per line)."""
        return {
            "record_id": self.record_id,
            "at": self.at.isoformat(),
            "action": self.action.value,
            "catalog": self.catalog,
            "deal_id": self.deal_id,
            "opportunity_id": self.opportunity_id,
            "trigger": self.trigger,
            "correlation_id": self.correlation_id,
            "changes": [
                {"field": change.field, "before": change.before, "after": change.after}
                for change in self.changes
            ],
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditRecord:
        return cls(
            record_id=str(data.get("record_id") or ""),
            at=datetime.fromisoformat(data["at"]),
            action=AuditAction(data["action"]),
            catalog=data["catalog"],
            deal_id=data.get("deal_id") or None,
            opportunity_id=data.get("opportunity_id") or None,
            trigger=data["trigger"],
            correlation_id=data["correlation_id"],
            changes=tuple(
                FieldChange(change["field"], change.get("before"), change.get("after"))
                for change in data.get("changes") or []
            ),
            detail=data.get("detail") or "",
        )


def value_text(value: Any) -> str:
    """A field value as one readable line (timelines, CSV)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Cause:
    """Why a use case runs: what queued it (the audit record's trigger) and the run's correlation id."""

    trigger: str
    correlation_id: str


OPERATOR = Cause("operator", "operator")


class AuditLog(Protocol):
    """Where audit records go (cosell.store.audit.AuditStore)."""

    def record(self, record: AuditRecord) -> AuditRecord: ...
