"""Use case: the sweep, the safety net behind Partner Central's best-effort events.

Lists the opportunities modified since the last sweep (ListOpportunities by a LastModifiedDate cursor, 100
per read, paced with the worker's reads) and queues a reconcile for each linked one, in its deal's message
group. The request names the modification it saw (its trigger time is the opportunity's LastModifiedDate), so
the queue drops a repeat within its deduplication window, and a request whose event already arrived finds
the pair in step: no write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from cosell.partner_central.opportunities import opportunity_summaries
from cosell.partner_central.schema import instant
from cosell.queue.messages import Subject, SyncRequest, Trigger

if TYPE_CHECKING:
    from datetime import datetime

    from mypy_boto3_partnercentral_selling.type_defs import ListOpportunitiesRequestTypeDef

    from cosell.sync.ports import Ports

# The first sweep of a stack looks this far back; later ones start at the cursor.
FIRST_LOOKBACK = timedelta(days=1)
# Listed again at the next sweep: an opportunity changed in the same instant the list was read is not missed.
OVERLAP = timedelta(seconds=5)


@dataclass(frozen=True)
class SweepReport:
    listed: int  # opportunities modified since the cursor
    queued: int  # of those, linked to a deal: reconciled
    modified_after: str  # the cursor the next sweep starts from
    submissions_followed: int  # pairs whose submission's task had not ended: reconciled to follow it


def sweep(ports: Ports, correlation_id: str) -> SweepReport:
    catalog = ports.config.catalog
    cursor = ports.links.sweep_cursor(catalog)
    start = instant(cursor) or ports.now() - FIRST_LOOKBACK
    newest = start
    listed = 0
    requests: list[SyncRequest] = []
    changed: ListOpportunitiesRequestTypeDef = {
        "Catalog": catalog,
        "LastModifiedDate": {"AfterLastModifiedDate": start - OVERLAP},
    }
    for summary in opportunity_summaries(ports.partner_central, changed):
        listed += 1
        modified = instant(summary["LastModifiedDate"]) or start
        newest = max(newest, modified)
        deal_id = ports.links.deal_for_opportunity(catalog, summary["Id"])
        if deal_id is not None:
            requests.append(_request(deal_id, modified, correlation_id))
    queued = len(requests)
    # A submission's task that fails changes nothing on the opportunity: no event, nothing listed above.
    now = ports.now()
    for opportunity_id in ports.submissions.under_way(catalog):
        deal_id = ports.links.deal_for_opportunity(catalog, opportunity_id)
        if deal_id is not None:
            requests.append(_request(deal_id, now, correlation_id, kind="sweep: submission under way"))
    ports.queue.send(requests)
    ports.links.save_sweep_cursor(catalog, newest.isoformat())
    return SweepReport(listed, queued, newest.isoformat(), len(requests) - queued)


def _request(deal_id: str, modified: datetime, correlation_id: str, kind: str = "sweep") -> SyncRequest:
    trigger = Trigger(source="schedule", kind=kind, occurred_at_ms=int(modified.timestamp() * 1000))
    return SyncRequest(
        subject=Subject.HUBSPOT_DEAL, object_id=deal_id, triggers=(trigger,), correlation_id=correlation_id
    )
