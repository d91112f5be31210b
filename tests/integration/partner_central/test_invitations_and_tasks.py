"""AWS's invitations (opportunities and leads) and the asynchronous tasks that act on them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.partner_central.conftest import TASK_DELAY, create, error_of, field_codes

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi

HIDDEN_DETAILS = {
    "Customer": {
        "Account": {"AwsAccountId": "444455556666", "Address": {"StreetAddress": "1 Secret Lane"}},
        "Contacts": [{"Email": "hidden.buyer@example.com", "FirstName": "Hidden", "LastName": "Buyer"}],
    }
}


ACCEPT_TOKEN = "accept-1"


def accept_task(pc: PartnerCentralSellingAPIClient, invitation_id: str) -> Any:
    return pc.start_engagement_by_accepting_invitation_task(
        Catalog="Sandbox", ClientToken=ACCEPT_TOKEN, Identifier=invitation_id
    )


def test_invitations_are_listed_for_the_receiver_with_filters(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    opportunity_invitation = control.create_opportunity_invitation("Sandbox")
    lead_invitation = control.create_lead_invitation("Sandbox")
    control.create_opportunity_invitation("AWS")

    def ids(**filters: Any) -> list[str]:
        answer = pc.list_engagement_invitations(Catalog="Sandbox", **filters)
        return sorted(summary["Id"] for summary in answer["EngagementInvitationSummaries"])

    assert ids(ParticipantType="RECEIVER") == sorted([opportunity_invitation["Id"], lead_invitation["Id"]])
    assert ids(ParticipantType="SENDER") == []
    sent = control.create_opportunity_invitation("Sandbox", {"ParticipantType": "SENDER"})
    assert ids(ParticipantType="SENDER") == [sent["Id"]]
    assert ids(ParticipantType="RECEIVER", PayloadType=["LeadInvitation"]) == [lead_invitation["Id"]]
    assert ids(ParticipantType="RECEIVER", Status=["ACCEPTED"]) == []
    assert ids(ParticipantType="RECEIVER", EngagementIdentifier=[lead_invitation["EngagementId"]]) == [
        lead_invitation["Id"]
    ]
    assert ids(ParticipantType="RECEIVER", SenderAwsAccountId=["aws"]) == ids(ParticipantType="RECEIVER")
    first_page = pc.list_engagement_invitations(Catalog="Sandbox", ParticipantType="RECEIVER", MaxResults=1)
    assert len(first_page["EngagementInvitationSummaries"]) == 1
    second_page = pc.list_engagement_invitations(
        Catalog="Sandbox", ParticipantType="RECEIVER", MaxResults=1, NextToken=first_page["NextToken"]
    )
    assert "NextToken" not in second_page
    summary = first_page["EngagementInvitationSummaries"][0]
    assert summary["ParticipantType"] == "RECEIVER"
    assert "Payload" not in summary


def test_an_invitation_shows_no_street_contacts_or_account_before_it_is_accepted(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    invitation = control.create_opportunity_invitation(
        "Sandbox",
        {
            "Payload": {"OpportunityInvitation": {"Customer": {"CompanyName": "Hidden Corp"}}},
            "OpportunityDetails": HIDDEN_DETAILS,
        },
    )
    shown = pc.get_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])
    as_text = json.dumps(shown, default=str)
    assert shown["Payload"]["OpportunityInvitation"]["Customer"]["CompanyName"] == "Hidden Corp"
    assert shown["Status"] == "PENDING"
    assert shown["ExistingMembers"] == [{"CompanyName": "AWS", "WebsiteUrl": "https://aws.amazon.com"}]
    for secret in ("1 Secret Lane", "hidden.buyer@example.com", "444455556666"):
        assert secret not in as_text
    with pytest.raises(pc.exceptions.AccessDeniedException):
        pc.get_engagement(Catalog="Sandbox", Identifier=invitation["EngagementId"])

    task = accept_task(pc, invitation["Id"])
    control.advance_clock(TASK_DELAY)
    done = accept_task(pc, invitation["Id"])
    opportunity = pc.get_opportunity(Catalog="Sandbox", Identifier=done["OpportunityId"])
    assert done["TaskId"] == task["TaskId"]
    assert opportunity["Customer"]["Account"]["Address"]["StreetAddress"] == "1 Secret Lane"
    assert opportunity["Customer"]["Account"]["AwsAccountId"] == "444455556666"
    assert opportunity["Customer"]["Contacts"][0]["Email"] == "hidden.buyer@example.com"
    assert opportunity["Customer"]["Account"]["CompanyName"] == "Hidden Corp"


def test_accepting_by_task_runs_asynchronously_on_the_emulator_clock(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    invitation = control.create_opportunity_invitation("Sandbox")
    started = accept_task(pc, invitation["Id"])
    assert started["TaskStatus"] == "IN_PROGRESS"
    assert started["EngagementInvitationId"] == invitation["Id"]
    assert "OpportunityId" not in started
    control.advance_clock(TASK_DELAY - 1)
    assert accept_task(pc, invitation["Id"])["TaskStatus"] == "IN_PROGRESS"
    control.advance_clock(1)
    done = accept_task(pc, invitation["Id"])
    assert (done["TaskId"], done["TaskStatus"]) == (started["TaskId"], "COMPLETE")
    assert (
        pc.get_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])["Status"] == "ACCEPTED"
    )
    summary = pc.get_aws_opportunity_summary(
        Catalog="Sandbox", RelatedOpportunityIdentifier=done["OpportunityId"]
    )
    assert summary["Origin"] == "AWS Referral"
    listed = pc.list_engagement_by_accepting_invitation_tasks(
        Catalog="Sandbox", OpportunityIdentifier=[done["OpportunityId"]]
    )
    assert [task["TaskId"] for task in listed["TaskSummaries"]] == [started["TaskId"]]
    assert (
        pc.list_engagement_by_accepting_invitation_tasks(Catalog="Sandbox", TaskStatus=["IN_PROGRESS"])[
            "TaskSummaries"
        ]
        == []
    )
    assert [event["detail-type"] for event in control.events()][-3:] == [
        "Engagement Invitation Accepted",
        "Engagement Member Added",
        "Opportunity Created",
    ]
    members = pc.list_engagement_members(Catalog="Sandbox", Identifier=invitation["EngagementId"])[
        "EngagementMemberList"
    ]
    assert {member["AccountId"] for member in members} == {"aws", "123456789012"}
    associations = pc.list_engagement_resource_associations(
        Catalog="Sandbox", ResourceIdentifier=done["OpportunityId"]
    )
    assert (
        associations["EngagementResourceAssociationSummaries"][0]["EngagementId"]
        == invitation["EngagementId"]
    )


def test_the_same_task_token_with_another_body_is_a_conflict(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    first = control.create_opportunity_invitation("Sandbox")
    second = control.create_opportunity_invitation("Sandbox")
    accept_task(pc, first["Id"])
    with pytest.raises(pc.exceptions.ConflictException):
        accept_task(pc, second["Id"])


def test_reject_with_a_reason(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    invitation = control.create_opportunity_invitation("Sandbox")
    pc.reject_engagement_invitation(
        Catalog="Sandbox", Identifier=invitation["Id"], RejectionReason="Customer not a fit"
    )
    shown = pc.get_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])
    assert (shown["Status"], shown["RejectionReason"]) == ("REJECTED", "Customer not a fit")
    assert control.events()[-1]["detail-type"] == "Engagement Invitation Rejected"
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        pc.reject_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])
    assert field_codes(excinfo) == {("Identifier", "INVALID_RESOURCE_STATE")}
    with pytest.raises(pc.exceptions.ValidationException):
        accept_task(pc, invitation["Id"])


def test_an_invitation_rejected_while_its_accept_task_runs_fails_the_task(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    invitation = control.create_opportunity_invitation("Sandbox")
    accept_task(pc, invitation["Id"])
    pc.reject_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])
    control.advance_clock(TASK_DELAY)
    done = accept_task(pc, invitation["Id"])
    assert (done["TaskStatus"], done["ReasonCode"]) == ("FAILED", "EngagementInvitationConflict")


def test_invitations_expire_and_then_cannot_be_accepted(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    invitation = control.create_opportunity_invitation("Sandbox")
    control.advance_clock(15 * 86400)
    assert control.events()[-1]["detail-type"] == "Engagement Invitation Expired"
    assert pc.get_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])["Status"] == "EXPIRED"
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        accept_task(pc, invitation["Id"])
    assert error_of(excinfo)["Reason"] == "BUSINESS_VALIDATION_FAILED"
    with pytest.raises(pc.exceptions.ValidationException):
        pc.accept_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])


def test_aws_can_expire_an_invitation_at_once(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    invitation = control.create_lead_invitation("Sandbox")
    assert control.expire_invitation("Sandbox", invitation["Id"])["Status"] == "EXPIRED"
    assert (
        control.events("Engagement Invitation Expired")[0]["detail"]["engagementInvitation"]["id"]
        == invitation["Id"]
    )


def test_a_lead_is_accepted_then_turned_into_an_opportunity(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    invitation = control.create_lead_invitation(
        "Sandbox",
        {
            "Payload": {"LeadInvitation": {"Customer": {"CompanyName": "Lead Co"}}},
            "LeadContact": {"Email": "Lead.Buyer@Example.com"},
        },
    )
    with pytest.raises(pc.exceptions.AccessDeniedException):
        pc.start_opportunity_from_engagement_task(
            Catalog="Sandbox",
            ClientToken="lead-1",
            Identifier=invitation["EngagementId"],
            ContextIdentifier="1",
        )
    pc.accept_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])
    with pytest.raises(pc.exceptions.ConflictException):
        pc.accept_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])
    engagement = pc.get_engagement(Catalog="Sandbox", Identifier=invitation["EngagementId"])
    lead = engagement["Contexts"][0]["Payload"]["Lead"]
    assert lead["Interactions"][0]["Contact"]["Email"] == "Lead.Buyer@Example.com"
    started = pc.start_opportunity_from_engagement_task(
        Catalog="Sandbox", ClientToken="lead-1", Identifier=invitation["EngagementId"], ContextIdentifier="1"
    )
    control.advance_clock(TASK_DELAY)
    listed = pc.list_opportunity_from_engagement_tasks(
        Catalog="Sandbox", EngagementIdentifier=[invitation["EngagementId"]]
    )
    task = listed["TaskSummaries"][0]
    assert (task["TaskId"], task["TaskStatus"], task["ContextId"]) == (started["TaskId"], "COMPLETE", "1")
    opportunity = pc.get_opportunity(Catalog="Sandbox", Identifier=task["OpportunityId"])
    assert opportunity["Customer"]["Account"]["CompanyName"] == "Lead Co"
    assert opportunity["Customer"]["Contacts"][0]["Email"] == "lead.buyer@example.com"
    contexts = pc.get_engagement(Catalog="Sandbox", Identifier=invitation["EngagementId"])["Contexts"]
    assert [context["Type"] for context in contexts] == ["Lead", "CustomerProject"]
    assert "Engagement Updated" in [event["detail-type"] for event in control.events()]


def test_an_unknown_engagement_context_is_not_found(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    invitation = control.create_lead_invitation("Sandbox")
    pc.accept_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])
    with pytest.raises(pc.exceptions.ResourceNotFoundException):
        pc.start_opportunity_from_engagement_task(
            Catalog="Sandbox",
            ClientToken="lead-1",
            Identifier=invitation["EngagementId"],
            ContextIdentifier="7",
        )


def submitted(pc: PartnerCentralSellingAPIClient) -> tuple[str, Any]:
    identifier = create(pc)
    pc.associate_opportunity(
        Catalog="Sandbox",
        OpportunityIdentifier=identifier,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-1234567",
    )
    task = pc.start_engagement_from_opportunity_task(
        Catalog="Sandbox",
        ClientToken="engage-1",
        Identifier=identifier,
        AwsSubmission={"InvolvementType": "Co-Sell", "Visibility": "Full"},
    )
    return identifier, task


def test_engaging_aws_from_an_opportunity(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    identifier, started = submitted(pc)
    assert started["TaskStatus"] == "IN_PROGRESS"
    assert (
        pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]["ReviewStatus"]
        == "Pending Submission"
    )
    control.advance_clock(TASK_DELAY)
    listed = pc.list_engagement_from_opportunity_tasks(Catalog="Sandbox", OpportunityIdentifier=[identifier])[
        "TaskSummaries"
    ]
    task = listed[0]
    assert (task["TaskId"], task["TaskStatus"]) == (started["TaskId"], "COMPLETE")
    assert (
        pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]["ReviewStatus"]
        == "Submitted"
    )
    engagement = pc.get_engagement(Catalog="Sandbox", Identifier=task["EngagementId"])
    assert engagement["Contexts"][0]["Type"] == "CustomerProject"
    assert engagement["MemberCount"] == 2
    job = pc.get_resource_snapshot_job(
        Catalog="Sandbox", ResourceSnapshotJobIdentifier=task["ResourceSnapshotJobId"]
    )
    assert (job["Status"], job["ResourceId"]) == ("Running", identifier)
    again = pc.start_engagement_from_opportunity_task(
        Catalog="Sandbox",
        ClientToken="engage-1",
        Identifier=identifier,
        AwsSubmission={"InvolvementType": "Co-Sell", "Visibility": "Full"},
    )
    assert (again["TaskId"], again["EngagementId"]) == (task["TaskId"], task["EngagementId"])
    detail_types = [event["detail-type"] for event in control.events()]
    assert {"Engagement Created", "Opportunity Updated"} <= set(detail_types)


def test_a_task_can_be_made_to_fail(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    control.configure_faults(task_failure_rate=1.0)
    identifier, _ = submitted(pc)
    control.advance_clock(TASK_DELAY)
    task = pc.list_engagement_from_opportunity_tasks(Catalog="Sandbox")["TaskSummaries"][0]
    assert (task["TaskStatus"], task["ReasonCode"]) == ("FAILED", "InternalError")
    assert (
        pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]["ReviewStatus"]
        == "Pending Submission"
    )


def test_the_task_delay_is_configurable(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    control.set_task_delay(0)
    _, started = submitted(pc)
    assert started["TaskStatus"] == "COMPLETE"
