"""Use case: the AWS summary's schedule (`AwsSummarySyncRate`). AWS documents that Opportunity Updated also
fires when its summary changes, so this is the safety net: every linked opportunity AWS has seen and not
closed is reconciled in its deal's group (unless its last refresh still waits: cosell.sync.schedules.held),
where the pair's sync reads the summary (a paced read) and writes only what changed. ListOpportunities
filtered to the review statuses AWS has seen, 100 per paced read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.domain.stages import CLOSED_LOST
from cosell.partner_central.opportunities import opportunity_summaries
from cosell.queue.messages import Subject
from cosell.sync.schedules.held import queue_held

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling.type_defs import ListOpportunitiesRequestTypeDef

    from cosell.sync.ports import Ports

# Review statuses of opportunities AWS has a summary of and may still change (Rejected is read-only).
SEEN = ["Submitted", "In review", "Approved", "Action Required"]
TRIGGER_KIND = "aws summary refresh"


@dataclass(frozen=True)
class SummaryRefreshReport:
    listed: int  # opportunities AWS has seen
    queued: int  # of those, linked to a deal and not closed lost: reconciled
    held_back: int  # linked and open, but their last refresh is not done yet


def queue_summary_refresh(ports: Ports, correlation_id: str) -> SummaryRefreshReport:
    catalog = ports.config.catalog
    listed = 0
    deal_ids: list[str] = []
    seen: ListOpportunitiesRequestTypeDef = {"Catalog": catalog, "LifeCycleReviewStatus": SEEN}  # type: ignore[typeddict-item]
    for summary in opportunity_summaries(ports.partner_central, seen):
        listed += 1
        if (summary.get("LifeCycle") or {}).get("Stage") == CLOSED_LOST:
            continue
        deal_id = ports.links.deal_for_opportunity(catalog, summary["Id"])
        if deal_id is not None:
            deal_ids.append(deal_id)
    report = queue_held(
        Subject.HUBSPOT_DEAL,
        deal_ids,
        kind=TRIGGER_KIND,
        ports=ports,
        correlation_id=correlation_id,
    )
    return SummaryRefreshReport(listed, report.queued, report.held_back)
