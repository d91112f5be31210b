"""Listing opportunities: every page of ListOpportunities, each read paced."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.partner_central.paging import paced_items

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
    return paced_items(
        client.list_opportunities, {"MaxResults": PAGE_SIZE, **request}, "OpportunitySummaries", pace=pace
    )
