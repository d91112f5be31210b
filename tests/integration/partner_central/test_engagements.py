"""Engagements, members, resource snapshots and their jobs, tags and settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.partner_central.conftest import TASK_DELAY, create, field_codes

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi


def engaged(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> tuple[str, dict[str, Any]]:
    """An opportunity submitted through StartEngagementFromOpportunityTask, the task completed."""
    identifier = create(pc)
    pc.associate_opportunity(
        Catalog="Sandbox",
        OpportunityIdentifier=identifier,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-1234567",
    )
    pc.start_engagement_from_opportunity_task(
        Catalog="Sandbox",
        ClientToken="engage",
        Identifier=identifier,
        AwsSubmission={"InvolvementType": "Co-Sell"},
    )
    control.advance_clock(TASK_DELAY)
    task = pc.list_engagement_from_opportunity_tasks(Catalog="Sandbox")["TaskSummaries"][0]
    return identifier, dict(task)


def test_list_engagements_shows_only_the_partners_with_filters(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    _, task = engaged(pc, control)
    control.create_lead_invitation("Sandbox")  # AWS's engagement, not joined yet

    def ids(**filters: Any) -> list[str]:
        return [
            summary["Id"]
            for summary in pc.list_engagements(Catalog="Sandbox", **filters)["EngagementSummaryList"]
        ]

    assert ids() == [task["EngagementId"]]
    assert ids(ContextTypes=["CustomerProject"]) == [task["EngagementId"]]
    assert ids(ContextTypes=["Lead"]) == []
    assert ids(ExcludeContextTypes=["CustomerProject"]) == []
    assert ids(CreatedBy=["123456789012"]) == [task["EngagementId"]]
    assert ids(ExcludeCreatedBy=["123456789012"]) == []
    assert ids(EngagementIdentifier=[task["EngagementId"]]) == [task["EngagementId"]]
    summary = pc.list_engagements(Catalog="Sandbox")["EngagementSummaryList"][0]
    assert (summary["MemberCount"], summary["ContextTypes"]) == (2, ["CustomerProject"])


def test_aws_adds_members(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    _, task = engaged(pc, control)
    control.add_engagement_member(
        "Sandbox", task["EngagementId"], "210987654321", "Distributor Ltd", "https://distributor.example"
    )
    members = pc.list_engagement_members(Catalog="Sandbox", Identifier=task["EngagementId"])[
        "EngagementMemberList"
    ]
    assert {member["CompanyName"] for member in members} == {"AWS", "Example Partner", "Distributor Ltd"}
    event = control.events("Engagement Member Added")[-1]
    assert event["detail"]["engagementMember"] == {
        "accountId": "210987654321",
        "companyName": "Distributor Ltd",
    }
    page = pc.list_engagement_members(Catalog="Sandbox", Identifier=task["EngagementId"], MaxResults=2)
    assert len(page["EngagementMemberList"]) == 2
    assert page["NextToken"]


def test_snapshots_are_revisioned_copies_of_the_opportunity(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier, task = engaged(pc, control)
    engagement_id = task["EngagementId"]
    created = pc.create_resource_snapshot(
        Catalog="Sandbox",
        EngagementIdentifier=engagement_id,
        ResourceType="Opportunity",
        ResourceIdentifier=identifier,
        ResourceSnapshotTemplateIdentifier="OpportunitySummaryView",
        ClientToken="snap-1",
    )
    snapshot = pc.get_resource_snapshot(
        Catalog="Sandbox",
        EngagementIdentifier=engagement_id,
        ResourceType="Opportunity",
        ResourceIdentifier=identifier,
        ResourceSnapshotTemplateIdentifier="OpportunitySummaryView",
    )
    assert snapshot["Revision"] == created["Revision"]
    view = snapshot["Payload"]["OpportunitySummary"]
    assert view["Lifecycle"]["ReviewStatus"] == "Submitted"
    assert view["RelatedEntityIdentifiers"]["Solutions"] == ["S-1234567"]
    first = pc.get_resource_snapshot(
        Catalog="Sandbox",
        EngagementIdentifier=engagement_id,
        ResourceType="Opportunity",
        ResourceIdentifier=identifier,
        ResourceSnapshotTemplateIdentifier="OpportunitySummaryView",
        Revision=1,
    )
    assert first["Revision"] == 1
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        pc.create_resource_snapshot(
            Catalog="Sandbox",
            EngagementIdentifier=engagement_id,
            ResourceType="Opportunity",
            ResourceIdentifier=identifier,
            ResourceSnapshotTemplateIdentifier="NoSuchTemplate",
            ClientToken="snap-2",
        )
    assert field_codes(excinfo) == {("ResourceSnapshotTemplateIdentifier", "INVALID_VALUE")}


def test_aws_snapshots_its_summary(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    identifier, task = engaged(pc, control)
    control.set_aws_summary("Sandbox", identifier, {"Insights": {"EngagementScore": "Medium"}})
    control.add_resource_snapshot("Sandbox", task["EngagementId"], identifier)
    listed = pc.list_resource_snapshots(
        Catalog="Sandbox",
        EngagementIdentifier=task["EngagementId"],
        ResourceSnapshotTemplateIdentifier="AwsOpportunitySummaryFullView",
    )["ResourceSnapshotSummaries"]
    assert [(item["CreatedBy"], item["Revision"]) for item in listed] == [("aws", 1)]
    snapshot = pc.get_resource_snapshot(
        Catalog="Sandbox",
        EngagementIdentifier=task["EngagementId"],
        ResourceType="Opportunity",
        ResourceIdentifier=identifier,
        ResourceSnapshotTemplateIdentifier="AwsOpportunitySummaryFullView",
    )
    assert snapshot["Payload"]["AwsOpportunitySummaryFullView"]["Insights"]["EngagementScore"] == "Medium"
    assert control.events()[-1]["detail-type"] == "Engagement Resource Snapshot Created"


def test_a_running_job_snapshots_every_change(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier, task = engaged(pc, control)
    job_id = task["ResourceSnapshotJobId"]

    def revisions() -> int:
        listed = pc.list_resource_snapshots(
            Catalog="Sandbox", EngagementIdentifier=task["EngagementId"], ResourceIdentifier=identifier
        )["ResourceSnapshotSummaries"]
        return len(listed)

    before = revisions()
    control.set_review_status("Sandbox", identifier, "Approved")
    assert revisions() == before  # no job role in the selling system settings: the job takes nothing
    assert (
        "job role"
        in pc.get_resource_snapshot_job(Catalog="Sandbox", ResourceSnapshotJobIdentifier=job_id)[
            "LastFailure"
        ]
    )
    pc.put_selling_system_settings(
        Catalog="Sandbox", ResourceSnapshotJobRoleIdentifier="ResourceSnapshotJobRole"
    )
    control.set_review_status("Sandbox", identifier, "Approved")
    assert revisions() == before + 1
    pc.stop_resource_snapshot_job(Catalog="Sandbox", ResourceSnapshotJobIdentifier=job_id)
    control.set_review_status("Sandbox", identifier, "Approved")
    assert revisions() == before + 1
    jobs = pc.list_resource_snapshot_jobs(Catalog="Sandbox", Status="Stopped")["ResourceSnapshotJobSummaries"]
    assert [job["Id"] for job in jobs] == [job_id]
    pc.start_resource_snapshot_job(Catalog="Sandbox", ResourceSnapshotJobIdentifier=job_id)
    assert revisions() == before + 2
    with pytest.raises(pc.exceptions.ConflictException):
        pc.delete_resource_snapshot_job(Catalog="Sandbox", ResourceSnapshotJobIdentifier=job_id)
    pc.stop_resource_snapshot_job(Catalog="Sandbox", ResourceSnapshotJobIdentifier=job_id)
    pc.delete_resource_snapshot_job(Catalog="Sandbox", ResourceSnapshotJobIdentifier=job_id)
    with pytest.raises(pc.exceptions.ResourceNotFoundException):
        pc.get_resource_snapshot_job(Catalog="Sandbox", ResourceSnapshotJobIdentifier=job_id)


def test_create_a_snapshot_job(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    identifier, task = engaged(pc, control)
    created = pc.create_resource_snapshot_job(
        Catalog="Sandbox",
        ClientToken="job-1",
        EngagementIdentifier=task["EngagementId"],
        ResourceType="Opportunity",
        ResourceIdentifier=identifier,
        ResourceSnapshotTemplateIdentifier="OpportunitySummaryView",
        Tags=[{"Key": "team", "Value": "alliances"}],
    )
    job = pc.get_resource_snapshot_job(Catalog="Sandbox", ResourceSnapshotJobIdentifier=created["Id"])
    assert (job["Status"], job["EngagementId"]) == ("Stopped", task["EngagementId"])
    assert pc.list_tags_for_resource(ResourceArn=created["Arn"])["Tags"] == [
        {"Key": "team", "Value": "alliances"}
    ]
    other = create(pc, ClientToken="other")
    with pytest.raises(pc.exceptions.ValidationException):
        pc.create_resource_snapshot_job(
            Catalog="Sandbox",
            ClientToken="job-2",
            EngagementIdentifier=task["EngagementId"],
            ResourceType="Opportunity",
            ResourceIdentifier=other,
            ResourceSnapshotTemplateIdentifier="OpportunitySummaryView",
        )


def test_tags(pc: PartnerCentralSellingAPIClient) -> None:
    identifier = create(pc, Tags=[{"Key": "source", "Value": "hubspot"}])
    arn = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["Arn"]
    pc.tag_resource(ResourceArn=arn, Tags=[{"Key": "deal", "Value": "42"}])
    assert pc.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "deal", "Value": "42"},
        {"Key": "source", "Value": "hubspot"},
    ]
    pc.untag_resource(ResourceArn=arn, TagKeys=["source"])
    assert pc.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "deal", "Value": "42"}]
    with pytest.raises(pc.exceptions.ResourceNotFoundException):
        pc.tag_resource(
            ResourceArn="arn:aws:partnercentral:us-east-1:123456789012:catalog/Sandbox/opportunity/O1",
            Tags=[{"Key": "k", "Value": "v"}],
        )


def test_selling_system_settings(pc: PartnerCentralSellingAPIClient) -> None:
    assert "ResourceSnapshotJobRoleArn" not in pc.get_selling_system_settings(Catalog="Sandbox")
    pc.put_selling_system_settings(Catalog="Sandbox", ResourceSnapshotJobRoleIdentifier="SnapshotRole")
    settings = pc.get_selling_system_settings(Catalog="Sandbox")
    assert settings["ResourceSnapshotJobRoleArn"] == "arn:aws:iam::123456789012:role/SnapshotRole"
    assert "ResourceSnapshotJobRoleArn" not in pc.get_selling_system_settings(Catalog="AWS")
