"""Listing opportunities: every page of ListOpportunities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.partner_central.paging import all_items

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient
    from mypy_boto3_partnercentral_selling.type_defs import (
        ListOpportunitiesRequestTypeDef,
        OpportunitySummaryTypeDef,
    )

PAGE_SIZE = 100  # ListOpportunities' maximum


def opportunity_summaries(
    client: PartnerCentralSellingAPIClient,
    request: ListOpportunitiesRequestTypeDef,
) -> Iterator[OpportunitySummaryTypeDef]:
    """Every opportunity `request` lists, page after page."""
    return all_items(client.list_opportunities, {"MaxResults": PAGE_SIZE, **request}, "OpportunitySummaries")
