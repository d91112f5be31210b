"""Reading engagement invitations from Partner Central."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient
    from mypy_boto3_partnercentral_selling.type_defs import EngagementInvitationSummaryTypeDef

    from cosell.config import Catalog


def pending_received_invitations(
    client: PartnerCentralSellingAPIClient, catalog: Catalog
) -> Iterator[EngagementInvitationSummaryTypeDef]:
    """Every PENDING invitation addressed to this partner, all pages (100 per call, the API's maximum)."""
    paginator = client.get_paginator("list_engagement_invitations")
    for page in paginator.paginate(
        Catalog=catalog,
        ParticipantType="RECEIVER",
        Status=["PENDING"],
        PaginationConfig={"PageSize": 100},
    ):
        yield from page.get("EngagementInvitationSummaries", [])
