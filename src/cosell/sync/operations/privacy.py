"""Erasing one person from cosell's tables: the state table (pairs' last-synced values, and any item whose
text names them) and the audit trail (their pseudonym, or their address in records older than pseudonyms).
One audit record says it happened, naming only the pseudonym. HubSpot and Partner Central are erased in
those systems, first: otherwise a deal's next reconcile stores the person again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.domain.audit import AuditAction, AuditRecord
from cosell.domain.pseudonyms import pseudonym

if TYPE_CHECKING:
    from datetime import datetime

    from cosell.store.audit import AuditStore
    from cosell.store.erasure import PersonalDataStore, TableErasure


@dataclass(frozen=True)
class Erasure:
    pseudonym: str
    state: TableErasure
    audit: TableErasure
    dry_run: bool

    @property
    def summary(self) -> str:
        return (
            f"{self.pseudonym}: {self.state.snapshots} pair(s) left them out of their last-synced values, "
            f"{self.state.items} state item(s) and {self.audit.items} audit record(s) masked"
            + (
                f", {self.state.skipped + self.audit.skipped} changed meanwhile (run again)"
                if self.state.skipped + self.audit.skipped
                else ""
            )
        )


def erase_person(
    email: str,
    *,
    state: PersonalDataStore,
    trail: PersonalDataStore,
    audit: AuditStore,
    catalog: str,
    now: datetime,
    correlation_id: str,
    dry_run: bool,
) -> Erasure:
    erasure = Erasure(
        pseudonym(email),
        state.erase(email, dry_run=dry_run),
        trail.erase(email, dry_run=dry_run),
        dry_run,
    )
    if not dry_run:
        # One record in the timeline of each deal whose data named the person, naming only the pseudonym.
        audit.record_all(
            AuditRecord(
                at=now,
                action=AuditAction.ERASE,
                catalog=catalog,
                trigger="operator:privacy erase",
                correlation_id=correlation_id,
                deal_id=deal_id,
                detail=erasure.summary,
            )
            for deal_id in sorted(erasure.state.deals | erasure.audit.deals)
        )
    return erasure
