"""Listing opportunities: every page of ListOpportunities, each read paced."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient
    from mypy_boto3_partnercentral_selling.type_defs import (
        ListOpportunitiesRequestTypeDef,
        OpportunitySummaryTypeDef,
    )

PAGE_SIZE = 100  # ListOpportunities' maximum


def opportunity_summaries(
    client: PartnerCentralSellingAPIClient,
    request: ListOpportunitiesRequestTypeDef,
    *,
    pace: Callable[[], None],
) -> Iterator[OpportunitySummaryTypeDef]:
    """Every opportunity `request` lists, page after page (`pace` is called before each page)."""
    page_request: ListOpportunitiesRequestTypeDef = {"MaxResults": PAGE_SIZE, **request}
    while True:
        pace()
        page = client.list_opportunities(**page_request)
        yield from page.get("OpportunitySummaries", [])
        token = page.get("NextToken")
        if not token:
            return
        page_request["NextToken"] = token
