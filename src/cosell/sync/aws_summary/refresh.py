"""Use case: the AWS summary's schedule (`AwsSummarySyncRate`). AWS documents that Opportunity Updated also
fires when its summary changes, so this is the safety net: every linked opportunity AWS has seen and not
closed is reconciled in its deal's group, where the pair's sync reads the summary (a paced read) and writes
only what changed. ListOpportunities filtered to the review statuses AWS has seen, 100 per paced read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.domain.stages import CLOSED_LOST
from cosell.queue.messages import Subject, SyncRequest, Trigger

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling.type_defs import ListOpportunitiesRequestTypeDef

    from cosell.sync.ports import Ports

PAGE_SIZE = 100
# Review statuses of opportunities AWS has a summary of and may still change (Rejected is read-only).
SEEN = ["Submitted", "In review", "Approved", "Action Required"]
TRIGGER_KIND = "aws summary refresh"


@dataclass(frozen=True)
class SummaryRefreshReport:
    listed: int  # opportunities AWS has seen
    queued: int  # of those, linked to a deal and not closed lost: reconciled


def queue_summary_refresh(ports: Ports, correlation_id: str) -> SummaryRefreshReport:
    catalog = ports.config.catalog
    now_ms = int(ports.now().timestamp() * 1000)
    listed = 0
    requests: list[SyncRequest] = []
    token: str | None = None
    while True:
        ports.read_pacer.acquire()
        request: ListOpportunitiesRequestTypeDef = {
            "Catalog": catalog,
            "LifeCycleReviewStatus": SEEN,  # type: ignore[typeddict-item]
            "MaxResults": PAGE_SIZE,
        }
        if token:
            request["NextToken"] = token
        page = ports.partner_central.list_opportunities(**request)
        for summary in page.get("OpportunitySummaries", []):
            listed += 1
            if (summary.get("LifeCycle") or {}).get("Stage") == CLOSED_LOST:
                continue
            deal_id = ports.links.deal_for_opportunity(catalog, summary["Id"])
            if deal_id is not None:
                trigger = Trigger(source="schedule", kind=TRIGGER_KIND, occurred_at_ms=now_ms)
                requests.append(
                    SyncRequest(
                        subject=Subject.HUBSPOT_DEAL,
                        object_id=deal_id,
                        triggers=(trigger,),
                        correlation_id=correlation_id,
                    )
                )
        token = page.get("NextToken")
        if not token:
            break
    ports.queue.send(requests)
    return SummaryRefreshReport(listed, len(requests))
