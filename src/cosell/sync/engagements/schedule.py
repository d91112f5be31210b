"""Use case: the engagement schedules, the safety net behind Partner Central's best-effort events.

- `EngagementSyncRate` (members): every engagement ListEngagements names whose member count or last change
  differs from what was last reconciled, or that was never reconciled, is queued.
- `ResourceSyncRate` (snapshots): every engagement shown on a deal, or never reconciled, is queued to read its
  snapshots (ListResourceSnapshots names no change date, so each is read).
An engagement whose last request of the same schedule still waits is not queued again (cosell.sync.schedules.held).
ListEngagements pages are paced reads; the worker's reconcile (cosell.sync.engagements.reconcile) does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.domain.engagement import MEMBERS_SCHEDULE, SNAPSHOTS_SCHEDULE, Part, summary_marker
from cosell.partner_central.engagements import engagement_summaries
from cosell.queue.messages import Subject
from cosell.sync.schedules.held import queue_held

if TYPE_CHECKING:
    from cosell.sync.ports import Ports

_SCHEDULE_KINDS = {Part.MEMBERS: MEMBERS_SCHEDULE, Part.SNAPSHOTS: SNAPSHOTS_SCHEDULE}


@dataclass(frozen=True)
class EngagementScheduleReport:
    listed: int  # engagements the partner is a member of
    queued: int  # of those, reconciled
    held_back: int  # due, but their last request of this schedule is not done yet


def queue_engagement_sync(ports: Ports, correlation_id: str, part: Part) -> EngagementScheduleReport:
    catalog = ports.config.catalog
    listed = 0
    due_ids = []
    for summary in engagement_summaries(ports.partner_central, catalog):
        listed += 1
        stored = ports.engagements.get(catalog, summary["Id"])
        if stored is None:
            due = True
        elif part is Part.MEMBERS:
            due = stored.summary != summary_marker(summary)
        else:
            due = bool(stored.shown)
        if due:
            due_ids.append(summary["Id"])
    report = queue_held(
        Subject.ENGAGEMENT,
        due_ids,
        kind=_SCHEDULE_KINDS[part],
        ports=ports,
        correlation_id=correlation_id,
    )
    return EngagementScheduleReport(listed, report.queued, report.held_back)
