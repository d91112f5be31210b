"""Use case: the engagement schedules, the safety net behind Partner Central's best-effort events.

- `EngagementSyncRate` (members): every engagement ListEngagements names whose member count or last change
  differs from what was last reconciled, or that was never reconciled, is queued.
- `ResourceSyncRate` (snapshots): every engagement shown on a deal, or never reconciled, is queued to read its
  snapshots (ListResourceSnapshots names no change date, so each is read).
ListEngagements pages are paced reads; the worker's reconcile (cosell.sync.engagements.reconcile) does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.domain.engagement import MEMBERS_SCHEDULE, SNAPSHOTS_SCHEDULE, Part, summary_marker
from cosell.partner_central.engagements import engagement_summaries
from cosell.sync.engagements.requests import engagement_request

if TYPE_CHECKING:
    from cosell.sync.ports import Ports

_SCHEDULE_KINDS = {Part.MEMBERS: MEMBERS_SCHEDULE, Part.SNAPSHOTS: SNAPSHOTS_SCHEDULE}


@dataclass(frozen=True)
class EngagementScheduleReport:
    listed: int  # engagements the partner is a member of
    queued: int  # of those, reconciled


def queue_engagement_sync(ports: Ports, correlation_id: str, part: Part) -> EngagementScheduleReport:
    catalog = ports.config.catalog
    now_ms = int(ports.now().timestamp() * 1000)
    listed = 0
    requests = []
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
            requests.append(engagement_request(summary["Id"], _SCHEDULE_KINDS[part], correlation_id, now_ms))
    ports.queue.send(requests)
    return EngagementScheduleReport(listed, len(requests))
