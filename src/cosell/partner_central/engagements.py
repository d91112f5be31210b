"""Reading engagements: the ones the partner is a member of, their members, the opportunities associated with
them and the resource snapshots shared in them. Every page paced; page sizes are each operation's maximum."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell.partner_central.paging import paced_items

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    Pace = Callable[[], None]


def engagement_summaries(
    client: PartnerCentralSellingAPIClient, catalog: str, *, pace: Pace
) -> Iterator[Any]:
    """Every engagement the partner is a member of (ListEngagements)."""
    return paced_items(
        client.list_engagements, {"Catalog": catalog, "MaxResults": 100}, "EngagementSummaryList", pace=pace
    )


def engagement_members(
    client: PartnerCentralSellingAPIClient, catalog: str, engagement_id: str, *, pace: Pace
) -> list[Any]:
    return list(
        paced_items(
            client.list_engagement_members,
            {"Catalog": catalog, "Identifier": engagement_id, "MaxResults": 10},
            "EngagementMemberList",
            pace=pace,
        )
    )


def associated_opportunities(
    client: PartnerCentralSellingAPIClient, catalog: str, engagement_id: str, *, pace: Pace
) -> list[str]:
    """The ids of the opportunities associated with the engagement (the partner's own, and others')."""
    associations = paced_items(
        client.list_engagement_resource_associations,
        {
            "Catalog": catalog,
            "EngagementIdentifier": engagement_id,
            "ResourceType": "Opportunity",
            "MaxResults": 1000,
        },
        "EngagementResourceAssociationSummaries",
        pace=pace,
    )
    return list(dict.fromkeys(str(association["ResourceId"]) for association in associations))


def snapshot_summaries(
    client: PartnerCentralSellingAPIClient, catalog: str, engagement_id: str, *, pace: Pace
) -> list[Any]:
    """Every revision of every resource snapshot in the engagement (ListResourceSnapshots)."""
    return list(
        paced_items(
            client.list_resource_snapshots,
            {"Catalog": catalog, "EngagementIdentifier": engagement_id, "MaxResults": 1000},
            "ResourceSnapshotSummaries",
            pace=pace,
        )
    )


def snapshot_payload(
    client: PartnerCentralSellingAPIClient,
    catalog: str,
    engagement_id: str,
    summary: Any,
    revision: int,
    *,
    pace: Pace,
) -> Any:
    """One revision's payload (GetResourceSnapshot)."""
    pace()
    snapshot = client.get_resource_snapshot(
        Catalog=catalog,
        EngagementIdentifier=engagement_id,
        ResourceType=summary["ResourceType"],
        ResourceIdentifier=summary["ResourceId"],
        ResourceSnapshotTemplateIdentifier=summary["ResourceSnapshotTemplateName"],
        Revision=revision,
    )
    return snapshot.get("Payload") or {}
