"""Opportunities through boto3: idempotent create, read, list, full-replace update, assignment, associations."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from tests.integration.partner_central.conftest import (
    create,
    error_of,
    field_codes,
    partner_referral,
    reference_payload,
    update,
    update_body,
)

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi


def test_create_starts_pending_submission_with_an_aws_shaped_id(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    body = partner_referral()
    created = pc.create_opportunity(**body)
    record = pc.get_opportunity(Catalog="Sandbox", Identifier=created["Id"])
    assert created["Id"].startswith("O")
    assert created["Id"][1:].isdigit()
    assert record["LifeCycle"]["ReviewStatus"] == "Pending Submission"
    assert record["Customer"] == body["Customer"]
    assert record["Project"] == body["Project"]
    assert record["Arn"].endswith(f":catalog/Sandbox/opportunity/{created['Id']}")
    assert record["LastModifiedDate"] == created["LastModifiedDate"]
    assert [event["detail-type"] for event in control.events()] == ["Opportunity Created"]


def test_the_same_client_token_and_body_give_the_same_opportunity(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    first = pc.create_opportunity(**partner_referral())
    again = pc.create_opportunity(**partner_referral())
    assert again["Id"] == first["Id"]
    assert len(pc.list_opportunities(Catalog="Sandbox")["OpportunitySummaries"]) == 1
    assert len(control.events("Opportunity Created")) == 1


def test_the_same_client_token_with_another_body_is_a_conflict(pc: PartnerCentralSellingAPIClient) -> None:
    pc.create_opportunity(**partner_referral())
    changed = partner_referral()
    changed["Project"]["Title"] = "Another title"
    with pytest.raises(pc.exceptions.ConflictException) as excinfo:
        pc.create_opportunity(**changed)
    assert (
        error_of(excinfo)["Error"]["Message"] == "Conflicting client token submitted for a new request body"
    )


def test_catalogs_are_kept_apart(pc: PartnerCentralSellingAPIClient) -> None:
    sandbox_id = create(pc)
    aws_id = pc.create_opportunity(**partner_referral(Catalog="AWS"))["Id"]
    assert aws_id != sandbox_id
    with pytest.raises(pc.exceptions.ResourceNotFoundException):
        pc.get_opportunity(Catalog="AWS", Identifier=sandbox_id)
    listed = pc.list_opportunities(Catalog="AWS")["OpportunitySummaries"]
    assert [summary["Id"] for summary in listed] == [aws_id]


def test_update_replaces_the_whole_record(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    identifier = create(pc)
    update(
        pc, identifier, Marketing=None, Project__CompetitorName=None, LifeCycle__NextSteps="Workshop booked"
    )
    record = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)
    assert "Marketing" not in record
    assert "CompetitorName" not in record["Project"]
    assert record["LifeCycle"]["NextSteps"] == "Workshop booked"
    assert [step["Value"] for step in record["LifeCycle"]["NextStepsHistory"]][-1] == "Workshop booked"
    # Members UpdateOpportunity cannot carry are kept: the team changes only through AssignOpportunity.
    assert record["OpportunityTeam"] == partner_referral()["OpportunityTeam"]
    assert control.events()[-1]["detail-type"] == "Opportunity Updated"


def test_the_aws_samples_update_body_applies_to_an_existing_opportunity(
    pc: PartnerCentralSellingAPIClient,
) -> None:
    identifier = create(pc)
    record = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)
    body = reference_payload("updateOpportunity.aws-samples.json")
    body |= {"Catalog": "Sandbox", "Identifier": identifier, "LastModifiedDate": record["LastModifiedDate"]}
    body["Project"]["CompetitorName"] = "*Other"  # the sample's value is no longer in the model's enum
    body["LifeCycle"]["TargetCloseDate"] = partner_referral()["LifeCycle"]["TargetCloseDate"]
    pc.update_opportunity(**body)
    updated = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)
    assert updated["Customer"]["Account"]["CompanyName"] == "Test Investments Inc"
    assert updated["Project"]["ApnPrograms"] == ["Well-Architected", "APN Solution Space"]
    # The sample asks for Action Required: in the Sandbox that plays AWS's review.
    assert updated["LifeCycle"]["ReviewStatus"] == "Action Required"


def test_a_stale_last_modified_date_is_a_conflict(pc: PartnerCentralSellingAPIClient) -> None:
    identifier = create(pc)
    stale = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)
    update(pc, identifier, LifeCycle__NextSteps="First writer")
    with pytest.raises(pc.exceptions.ConflictException):
        pc.update_opportunity(**update_body(dict(stale), LifeCycle__NextSteps="Second writer"))
    record = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)
    assert record["LifeCycle"]["NextSteps"] == "First writer"


def test_last_modified_date_is_compared_as_an_instant_not_as_text(pc: PartnerCentralSellingAPIClient) -> None:
    identifier = create(pc)
    record = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)
    as_text = record["LastModifiedDate"].astimezone().isoformat()  # another zone and precision
    pc.update_opportunity(
        **update_body(dict(record), LifeCycle__NextSteps="Same instant") | {"LastModifiedDate": as_text}
    )
    assert (
        pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LastModifiedDate"]
        > record["LastModifiedDate"]
    )


def test_updating_an_unknown_opportunity_is_not_found(pc: PartnerCentralSellingAPIClient) -> None:
    identifier = create(pc)
    record = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)
    with pytest.raises(pc.exceptions.ResourceNotFoundException):
        pc.update_opportunity(**update_body(dict(record)) | {"Identifier": "O1"})


def test_in_aws_catalog_the_partner_cannot_set_its_own_review_status(
    pc: PartnerCentralSellingAPIClient,
) -> None:
    identifier = pc.create_opportunity(**partner_referral(Catalog="AWS"))["Id"]
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        update(pc, identifier, catalog="AWS", Catalog="AWS", LifeCycle__ReviewStatus="Approved")
    assert field_codes(excinfo) == {("LifeCycle.ReviewStatus", "ACTION_NOT_PERMITTED")}


def test_list_filters(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    first = create(pc)
    control.advance_clock(60)
    second = create(
        pc,
        ClientToken="create-2",
        Customer={
            **partner_referral()["Customer"],
            "Account": {**partner_referral()["Customer"]["Account"], "CompanyName": "Other Co"},
        },
    )
    control.set_review_status("Sandbox", second, "Submitted")

    def ids(**filters: object) -> list[str]:
        summaries = pc.list_opportunities(Catalog="Sandbox", **filters)["OpportunitySummaries"]  # type: ignore[arg-type]
        return sorted(summary["Id"] for summary in summaries)

    record = pc.get_opportunity(Catalog="Sandbox", Identifier=first)
    assert ids(LastModifiedDate={"AfterLastModifiedDate": record["LastModifiedDate"]}) == [second]
    assert ids(
        LastModifiedDate={"BeforeLastModifiedDate": record["LastModifiedDate"] + timedelta(seconds=1)}
    ) == [first]
    assert ids(Identifier=[first]) == [first]
    assert ids(LifeCycleReviewStatus=["Submitted"]) == [second]
    assert ids(LifeCycleStage=["Prospect"]) == sorted([first, second])
    assert ids(LifeCycleStage=["Qualified"]) == []
    assert ids(CustomerCompanyName=["other co"]) == [second]


def test_list_sorts_and_paginates(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    created = []
    for index in range(5):
        created.append(create(pc, ClientToken=f"create-{index}"))
        control.advance_clock(1)
    pages, token = [], None
    while True:
        arguments = {"NextToken": token} if token else {}
        answer = pc.list_opportunities(
            Catalog="Sandbox",
            MaxResults=2,
            Sort={"SortBy": "CreatedDate", "SortOrder": "ASCENDING"},
            **arguments,
        )
        pages.append([summary["Id"] for summary in answer["OpportunitySummaries"]])
        token = answer.get("NextToken")
        if not token:
            break
    assert pages == [created[0:2], created[2:4], created[4:5]]
    newest_first = pc.list_opportunities(Catalog="Sandbox")["OpportunitySummaries"]
    assert [summary["Id"] for summary in newest_first] == created[::-1]


def test_a_next_token_the_api_never_issued_is_rejected(pc: PartnerCentralSellingAPIClient) -> None:
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        pc.list_opportunities(Catalog="Sandbox", NextToken="garbage")
    assert field_codes(excinfo) == {("NextToken", "INVALID_VALUE")}


def test_assign_replaces_the_owner(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    identifier = create(pc)
    assignee = {
        "Email": "sam@partner.example",
        "FirstName": "Sam",
        "LastName": "Owner",
        "BusinessTitle": "PartnerAccountManager",
    }
    pc.assign_opportunity(Catalog="Sandbox", Identifier=identifier, Assignee=assignee)
    assert pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["OpportunityTeam"] == [assignee]
    assert control.events()[-1]["detail-type"] == "Opportunity Updated"
    with pytest.raises(pc.exceptions.ResourceNotFoundException):
        pc.assign_opportunity(Catalog="Sandbox", Identifier="O1", Assignee=assignee)


def test_associate_and_disassociate_solutions_and_products(pc: PartnerCentralSellingAPIClient) -> None:
    identifier = create(pc)

    def associate(kind: str, target: str) -> None:
        pc.associate_opportunity(
            Catalog="Sandbox",
            OpportunityIdentifier=identifier,
            RelatedEntityType=kind,
            RelatedEntityIdentifier=target,  # type: ignore[arg-type]
        )

    associate("Solutions", "S-1234567")
    associate("Solutions", "S-1234567")  # already there: no duplicate
    associate("AwsProducts", "AmazonRedshift")
    related = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["RelatedEntityIdentifiers"]
    assert (related["Solutions"], related["AwsProducts"]) == (["S-1234567"], ["AmazonRedshift"])
    pc.disassociate_opportunity(
        Catalog="Sandbox",
        OpportunityIdentifier=identifier,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-1234567",
    )
    assert (
        pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["RelatedEntityIdentifiers"]["Solutions"]
        == []
    )
    with pytest.raises(pc.exceptions.ResourceNotFoundException):
        pc.disassociate_opportunity(
            Catalog="Sandbox",
            OpportunityIdentifier=identifier,
            RelatedEntityType="Solutions",
            RelatedEntityIdentifier="S-1234567",
        )
    with pytest.raises(pc.exceptions.ResourceNotFoundException):
        associate("Solutions", "S-999")
    with pytest.raises(pc.exceptions.ValidationException):
        associate("Solutions", "S-0000003")  # Inactive


def test_at_most_twenty_aws_products(pc: PartnerCentralSellingAPIClient) -> None:
    identifier = create(pc)
    for index in range(20):
        pc.associate_opportunity(
            Catalog="Sandbox",
            OpportunityIdentifier=identifier,
            RelatedEntityType="AwsProducts",
            RelatedEntityIdentifier=f"Product{index}",
        )
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        pc.associate_opportunity(
            Catalog="Sandbox",
            OpportunityIdentifier=identifier,
            RelatedEntityType="AwsProducts",
            RelatedEntityIdentifier="Product20",
        )
    assert error_of(excinfo)["Reason"] == "BUSINESS_VALIDATION_FAILED"
    assert field_codes(excinfo) == {("RelatedEntityIdentifier", "TOO_MANY_VALUES")}


def test_at_most_ten_solutions(pc: PartnerCentralSellingAPIClient, emulator_solutions: list[str]) -> None:
    identifier = create(pc)
    for solution in emulator_solutions[:10]:
        pc.associate_opportunity(
            Catalog="Sandbox",
            OpportunityIdentifier=identifier,
            RelatedEntityType="Solutions",
            RelatedEntityIdentifier=solution,
        )
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        pc.associate_opportunity(
            Catalog="Sandbox",
            OpportunityIdentifier=identifier,
            RelatedEntityType="Solutions",
            RelatedEntityIdentifier=emulator_solutions[10],
        )
    assert field_codes(excinfo) == {("RelatedEntityIdentifier", "TOO_MANY_VALUES")}


def test_list_solutions_filters(pc: PartnerCentralSellingAPIClient) -> None:
    def ids(**filters: object) -> list[str]:
        return [s["Id"] for s in pc.list_solutions(Catalog="Sandbox", **filters)["SolutionSummaries"]]  # type: ignore[arg-type]

    assert "S-1234567" in ids(Status=["Active"])
    assert ids(Status=["Inactive"]) == ["S-0000003"]
    assert ids(Identifier=["S-1234567"]) == ["S-1234567"]
    assert ids(Category=["Consulting Services"]) == ["S-0000002"]


def test_submit_moves_to_submitted_and_records_the_involvement(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = create(pc)
    pc.associate_opportunity(
        Catalog="Sandbox",
        OpportunityIdentifier=identifier,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-1234567",
    )
    pc.submit_opportunity(Catalog="Sandbox", Identifier=identifier, InvolvementType="For Visibility Only")
    assert (
        pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]["ReviewStatus"]
        == "Submitted"
    )
    summary = pc.get_aws_opportunity_summary(Catalog="Sandbox", RelatedOpportunityIdentifier=identifier)
    assert (summary["InvolvementType"], summary["Visibility"], summary["Origin"]) == (
        "For Visibility Only",
        "Full",
        "Partner Referral",
    )
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        pc.submit_opportunity(Catalog="Sandbox", Identifier=identifier, InvolvementType="Co-Sell")
    assert field_codes(excinfo) == {("Identifier", "INVALID_RESOURCE_STATE")}


def test_the_review_flow_played_by_aws(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    identifier = create(pc)
    pc.associate_opportunity(
        Catalog="Sandbox",
        OpportunityIdentifier=identifier,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-1234567",
    )
    pc.submit_opportunity(
        Catalog="Sandbox", Identifier=identifier, InvolvementType="Co-Sell", Visibility="Full"
    )
    control.set_review_status("Sandbox", identifier, "In review")
    control.set_review_status(
        "Sandbox",
        identifier,
        "Action Required",
        review_comments="Add the customer website",
        review_status_reason="Missing info",
    )
    lifecycle = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]
    assert (lifecycle["ReviewStatus"], lifecycle["ReviewComments"], lifecycle["ReviewStatusReason"]) == (
        "Action Required",
        "Add the customer website",
        "Missing info",
    )
    # Answering AWS's review with UpdateOpportunity sends the opportunity back into validation.
    update(pc, identifier, Customer__Account__WebsiteUrl="https://www.fixed.example")
    assert (
        pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]["ReviewStatus"]
        == "Submitted"
    )
    control.set_review_status("Sandbox", identifier, "Approved")
    assert (
        pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]["ReviewStatus"]
        == "Approved"
    )
    assert len(control.events("Opportunity Updated")) >= 5


def test_aws_summary_is_what_aws_set(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    identifier = create(pc)
    before = pc.get_aws_opportunity_summary(Catalog="Sandbox", RelatedOpportunityIdentifier=identifier)
    assert "Insights" not in before
    assert "OpportunityTeam" not in before
    control.set_aws_summary(
        "Sandbox",
        identifier,
        {
            "Insights": {
                "EngagementScore": "High",
                "NextBestActions": "Book an EBC",
                "OpportunityQuality": {"Score": 87, "Trend": "Up"},
            },
            "LifeCycle": {"Stage": "Qualified", "NextSteps": "AWS SA to join the call"},
            "OpportunityTeam": [
                {
                    "Email": "rep@amazon.com",
                    "FirstName": "Rae",
                    "LastName": "Rep",
                    "BusinessTitle": "AWSSalesRep",
                }
            ],
        },
    )
    summary = pc.get_aws_opportunity_summary(Catalog="Sandbox", RelatedOpportunityIdentifier=identifier)
    assert summary["Insights"]["OpportunityQuality"]["Score"] == 87
    assert summary["OpportunityTeam"][0]["BusinessTitle"] == "AWSSalesRep"
    assert summary["LifeCycle"]["NextSteps"] == "AWS SA to join the call"
    assert summary["RelatedOpportunityId"] == identifier
    with pytest.raises(pc.exceptions.ResourceNotFoundException):
        pc.get_aws_opportunity_summary(Catalog="Sandbox", RelatedOpportunityIdentifier="O1")
