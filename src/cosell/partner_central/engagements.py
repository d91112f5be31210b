"""Reading engagements: the ones the partner is a member of, their members, the opportunities associated with
them and the resource snapshots shared in them. Page sizes are each operation's maximum."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell.partner_central.paging import all_items

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient


def engagement_summaries(client: PartnerCentralSellingAPIClient, catalog: str) -> Iterator[Any]:
    """Every engagement the partner is a member of (ListEngagements)."""
    return all_items(
        client.list_engagements, {"Catalog": catalog, "MaxResults": 100}, "EngagementSummaryList"
    )


def engagement_members(client: PartnerCentralSellingAPIClient, catalog: str, engagement_id: str) -> list[Any]:
    return list(
        all_items(
            client.list_engagement_members,
            {"Catalog": catalog, "Identifier": engagement_id, "MaxResults": 10},
            "EngagementMemberList",
        )
    )


def associated_opportunities(
    client: PartnerCentralSellingAPIClient, catalog: str, engagement_id: str
) -> list[str]:
    """The ids of the opportunities associated with the engagement (the partner's own, and others')."""
    associations = all_items(
        client.list_engagement_resource_associations,
        {
            "Catalog": catalog,
            "EngagementIdentifier": engagement_id,
            "ResourceType": "Opportunity",
            "MaxResults": 1000,
        },
        "EngagementResourceAssociationSummaries",
    )
    return list(dict.fromkeys(str(association["ResourceId"]) for association in associations))


def snapshot_summaries(client: PartnerCentralSellingAPIClient, catalog: str, engagement_id: str) -> list[Any]:
    """Every revision of every resource snapshot in the engagement (ListResourceSnapshots)."""
    return list(
        all_items(
            client.list_resource_snapshots,
            {"Catalog": catalog, "EngagementIdentifier": engagement_id, "MaxResults": 1000},
            "ResourceSnapshotSummaries",
        )
    )


def snapshot_payload(
    client: PartnerCentralSellingAPIClient,
    catalog: str,
    engagement_id: str,
    summary: Any,
    revision: int,
) -> Any:
    """One revision's payload (GetResourceSnapshot)."""
    snapshot = client.get_resource_snapshot(
        Catalog=catalog,
        EngagementIdentifier=engagement_id,
        ResourceType=summary["ResourceType"],
        ResourceIdentifier=summary["ResourceId"],
        ResourceSnapshotTemplateIdentifier=summary["ResourceSnapshotTemplateName"],
        Revision=revision,
    )
    return snapshot.get("Payload") or {}
