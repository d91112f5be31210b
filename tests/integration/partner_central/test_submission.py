"""Submitting an opportunity to AWS: what an incomplete one gets back (SubmitOpportunity at once, the
engagement task as a FAILED task), the engagement an opportunity already has, and re-entering validation
after an Action Required update. Sources: docs/EMULATORS.md, "What an opportunity needs to be submitted"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.partner_central.conftest import (
    TASK_DELAY,
    create,
    error_of,
    field_codes,
    partner_referral,
    update,
    update_body,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi

Json = dict[str, Any]
MISSING = "REQUIRED_FIELD_MISSING"
ADDRESS = "Customer.Account.Address"
# A near-empty opportunity (what CreateOpportunity accepts) lacks all of these for a submission.
NEAR_EMPTY_GAPS = {
    ("Customer.Account.Industry", MISSING),
    (f"{ADDRESS}.CountryCode", MISSING),
    (f"{ADDRESS}.PostalCode", MISSING),
    ("Project.Title", MISSING),
    ("Project.CustomerBusinessProblem", MISSING),
    ("Project.CustomerUseCase", MISSING),
    ("Project.ExpectedCustomerSpend", MISSING),
    ("Project.DeliveryModels", MISSING),
    ("Project.SalesActivities", MISSING),
    ("LifeCycle.Stage", MISSING),
    ("LifeCycle.TargetCloseDate", MISSING),
}
CO_SELL_GAPS = {
    ("PrimaryNeedsFromAws", MISSING),
    ("Customer.Contacts", MISSING),
}
COMPLETING_MEMBERS = ("Customer", "Project", "LifeCycle", "PrimaryNeedsFromAws", "OpportunityType")


def associate_solution(pc: PartnerCentralSellingAPIClient, identifier: str, catalog: str = "Sandbox") -> None:
    pc.associate_opportunity(
        Catalog=catalog,
        OpportunityIdentifier=identifier,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-1234567",
    )


def near_empty(pc: PartnerCentralSellingAPIClient) -> str:
    """All CreateOpportunity asks for: a company (its name and website); a solution associated."""
    identifier: str = pc.create_opportunity(
        Catalog="Sandbox",
        ClientToken="near-empty",
        Customer={"Account": {"CompanyName": "Bare Co", "WebsiteUrl": "https://www.bare.example"}},
    )["Id"]
    associate_solution(pc, identifier)
    return identifier


def review_status(pc: PartnerCentralSellingAPIClient, identifier: str, catalog: str = "Sandbox") -> str:
    status: str = pc.get_opportunity(Catalog=catalog, Identifier=identifier)["LifeCycle"]["ReviewStatus"]
    return status


def submission_refusal(
    pc: PartnerCentralSellingAPIClient, identifier: str, involvement: str = "Co-Sell"
) -> set[tuple[str, str]]:
    """SubmitOpportunity's ErrorList as (FieldName, Code); empty if it was submitted."""
    try:
        pc.submit_opportunity(Catalog="Sandbox", Identifier=identifier, InvolvementType=involvement)  # type: ignore[arg-type]
    except ClientError as error:
        response: Json = error.response  # type: ignore[assignment]
        assert (response["Error"]["Code"], response["Reason"]) == (
            "ValidationException",
            "BUSINESS_VALIDATION_FAILED",
        )
        return {(item["FieldName"], item["Code"]) for item in response["ErrorList"]}
    assert review_status(pc, identifier) == "Submitted"
    return set()


def engage(pc: PartnerCentralSellingAPIClient, identifier: str, token: str, catalog: str = "Sandbox") -> Any:
    return pc.start_engagement_from_opportunity_task(
        Catalog=catalog,
        ClientToken=token,
        Identifier=identifier,
        AwsSubmission={"InvolvementType": "Co-Sell", "Visibility": "Full"},
    )


def finished_task(
    pc: PartnerCentralSellingAPIClient, control: ControlApi, task_id: str, catalog: str = "Sandbox"
) -> Json:
    control.advance_clock(TASK_DELAY)
    listed = pc.list_engagement_from_opportunity_tasks(Catalog=catalog, TaskIdentifier=[task_id])
    task: Json = dict(listed["TaskSummaries"][0])
    return task


def completed(pc: PartnerCentralSellingAPIClient, identifier: str) -> None:
    """The aws-samples partner referral's details written over the opportunity (UpdateOpportunity)."""
    reference = partner_referral()
    record = dict(pc.get_opportunity(Catalog="Sandbox", Identifier=identifier))
    pc.update_opportunity(**update_body(record, **{name: reference[name] for name in COMPLETING_MEMBERS}))


# --- 1. an incomplete opportunity is refused -----------------------------------------------------------


def test_submit_opportunity_refuses_a_near_empty_opportunity_naming_every_missing_field(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = near_empty(pc)
    assert submission_refusal(pc, identifier) == NEAR_EMPTY_GAPS | CO_SELL_GAPS
    assert submission_refusal(pc, identifier, "For Visibility Only") == NEAR_EMPTY_GAPS
    assert review_status(pc, identifier) == "Pending Submission"
    completed(pc, identifier)
    assert submission_refusal(pc, identifier) == set()


def _without(*paths: str) -> Callable[[Json], None]:
    def change(body: Json) -> None:
        for path in paths:
            *parents, leaf = path.split(".")
            target = body
            for parent in parents:
                target = target[parent]
            del target[leaf]

    return change


def _with(path: str, value: Any) -> Callable[[Json], None]:
    def change(body: Json) -> None:
        *parents, leaf = path.split(".")
        target = body
        for parent in parents:
            target = target[parent]
        target[leaf] = value

    return change


def _both(*changes: Callable[[Json], None]) -> Callable[[Json], None]:
    def change(body: Json) -> None:
        for each in changes:
            each(body)

    return change


SPEND_WITHOUT_AMOUNT = [{"CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}]
SUBMISSION_RULES = [
    pytest.param(
        _without("Customer.Account.Address.StateOrRegion"),
        "Co-Sell",
        {(f"{ADDRESS}.StateOrRegion", MISSING)},
        id="a US customer needs its state",
    ),
    pytest.param(
        _both(
            _with("Customer.Account.Address.CountryCode", "GB"),
            _without("Customer.Account.Address.StateOrRegion"),
        ),
        "Co-Sell",
        set(),
        id="outside the US no state is needed",
    ),
    pytest.param(
        _without("Customer.Account.Address.PostalCode"),
        "Co-Sell",
        {(f"{ADDRESS}.PostalCode", MISSING)},
        id="a postal code is needed",
    ),
    pytest.param(
        _both(
            _with("Customer.Account.Address.CountryCode", "AE"),
            _without("Customer.Account.Address.StateOrRegion", "Customer.Account.Address.PostalCode"),
        ),
        "Co-Sell",
        set(),
        id="except where the country has none",
    ),
    pytest.param(
        _with("Project.ExpectedCustomerSpend", SPEND_WITHOUT_AMOUNT),
        "Co-Sell",
        {("Project.ExpectedCustomerSpend", MISSING)},
        id="the expected spend needs an amount",
    ),
    pytest.param(
        _with("Project.ExpectedCustomerSpend", [SPEND_WITHOUT_AMOUNT[0] | {"Amount": "0"}]),
        "Co-Sell",
        {("Project.ExpectedCustomerSpend", MISSING)},
        id="greater than zero",
    ),
    pytest.param(
        _without("Project.CustomerUseCase"),
        "Co-Sell",
        {("Project.CustomerUseCase", MISSING)},
        id="a use case is needed",
    ),
    pytest.param(
        _with(
            "LifeCycle",
            {"Stage": "Closed Lost", "ClosedLostReason": "Price", "TargetCloseDate": "2024-01-31"},
        ),
        "For Visibility Only",
        {("LifeCycle.Stage", "INVALID_VALUE")},
        id="a closed lost opportunity is not submitted",
    ),
    pytest.param(
        _with("OpportunityType", "Flat Renewal"),
        "Co-Sell",
        {("Project.RelatedOpportunityIdentifier", MISSING)},
        id="a flat renewal names the opportunity it renews",
    ),
    pytest.param(
        _both(
            _with("OpportunityType", "Flat Renewal"), _with("Project.RelatedOpportunityIdentifier", "O1234")
        ),
        "Co-Sell",
        set(),
        id="and then is submitted",
    ),
    pytest.param(
        _without("OpportunityType"),
        "Co-Sell",
        set(),
        id="no opportunity type is needed (AWS takes Net New Business)",
    ),
    pytest.param(
        _without("PrimaryNeedsFromAws", "LifeCycle.NextSteps", "Customer.Contacts"),
        "Co-Sell",
        CO_SELL_GAPS,
        id="co-sell needs the needs from AWS and a customer contact, not next steps",
    ),
    pytest.param(
        _without("PrimaryNeedsFromAws", "LifeCycle.NextSteps", "Customer.Contacts"),
        "For Visibility Only",
        set(),
        id="for visibility only does not",
    ),
    pytest.param(
        _both(
            _with("NationalSecurity", "Yes"),
            _with("Customer.Account.Industry", "Government"),
            _without("Customer.Account.WebsiteUrl", "Customer.Account.Address.StateOrRegion"),
        ),
        "Co-Sell",
        set(),
        id="a national security opportunity needs no website or state",
    ),
]


@pytest.mark.parametrize(("change", "involvement", "refused"), SUBMISSION_RULES)
def test_what_a_submission_needs(
    pc: PartnerCentralSellingAPIClient,
    change: Callable[[Json], None],
    involvement: str,
    refused: set[tuple[str, str]],
) -> None:
    body = partner_referral()
    change(body)
    identifier: str = pc.create_opportunity(**body)["Id"]
    associate_solution(pc, identifier)
    assert submission_refusal(pc, identifier, involvement) == refused


def test_a_close_date_that_has_passed_since_creation_is_refused_at_submission(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = create(pc)
    associate_solution(pc, identifier)
    control.advance_clock(200 * 86400)
    assert submission_refusal(pc, identifier) == {("LifeCycle.TargetCloseDate", "INVALID_VALUE")}


def test_the_engagement_task_fails_an_incomplete_opportunity_and_names_every_missing_field(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = near_empty(pc)
    started = engage(pc, identifier, "engage-1")
    assert started["TaskStatus"] == "IN_PROGRESS"  # the details are checked by the task's submission step
    task = finished_task(pc, control, started["TaskId"])
    assert (task["TaskStatus"], task["ReasonCode"], task["OpportunityId"]) == (
        "FAILED",
        "OpportunityValidationFailed",
        identifier,
    )
    for field_name, _ in NEAR_EMPTY_GAPS | CO_SELL_GAPS:
        assert f"{field_name}:" in task["Message"]
    assert "EngagementId" not in task
    assert review_status(pc, identifier) == "Pending Submission"
    assert pc.list_engagements(Catalog="Sandbox")["EngagementSummaryList"] == []
    assert control.events("Engagement Created") == []

    completed(pc, identifier)
    retried = finished_task(pc, control, engage(pc, identifier, "engage-2")["TaskId"])
    assert retried["TaskStatus"] == "COMPLETE"
    assert review_status(pc, identifier) == "Submitted"


def test_what_is_known_when_the_task_is_called_is_refused_at_once(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = create(pc)
    associate_solution(pc, identifier)
    control.set_review_status("Sandbox", identifier, "In review")
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        engage(pc, identifier, "engage-1")
    assert error_of(excinfo)["Reason"] == "BUSINESS_VALIDATION_FAILED"
    assert field_codes(excinfo) == {("Identifier", "INVALID_RESOURCE_STATE")}


# --- 2. an opportunity keeps its engagement ------------------------------------------------------------


def test_a_new_engagement_task_reuses_the_engagement_the_opportunity_has(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = create(pc)
    associate_solution(pc, identifier)
    first = finished_task(pc, control, engage(pc, identifier, "engage-1")["TaskId"])
    assert first["TaskStatus"] == "COMPLETE"
    control.set_review_status("Sandbox", identifier, "Action Required", review_comments="Check the spend")

    second = finished_task(pc, control, engage(pc, identifier, "engage-2")["TaskId"])
    assert second["TaskId"] != first["TaskId"]
    assert (second["TaskStatus"], second["EngagementId"]) == ("COMPLETE", first["EngagementId"])
    assert [summary["Id"] for summary in pc.list_engagements(Catalog="Sandbox")["EngagementSummaryList"]] == [
        first["EngagementId"]
    ]
    assert len(control.events("Engagement Created")) == 1
    associations = pc.list_engagement_resource_associations(Catalog="Sandbox", ResourceIdentifier=identifier)
    assert len(associations["EngagementResourceAssociationSummaries"]) == 1
    assert review_status(pc, identifier) == "Submitted"


def test_an_opportunity_made_from_a_lead_is_submitted_in_the_leads_engagement(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    """aws-samples' leadToOpportunity workflow: the opportunity made from the lead is incomplete, the
    partner completes it, and the engagement task answers with the lead's engagement."""
    invitation = control.create_lead_invitation("Sandbox")
    pc.accept_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])
    pc.start_opportunity_from_engagement_task(
        Catalog="Sandbox", ClientToken="lead-1", Identifier=invitation["EngagementId"], ContextIdentifier="1"
    )
    control.advance_clock(TASK_DELAY)
    identifier = pc.list_opportunity_from_engagement_tasks(Catalog="Sandbox")["TaskSummaries"][0][
        "OpportunityId"
    ]
    associate_solution(pc, identifier)

    incomplete = finished_task(pc, control, engage(pc, identifier, "engage-1")["TaskId"])
    assert (incomplete["TaskStatus"], incomplete["ReasonCode"]) == ("FAILED", "OpportunityValidationFailed")
    for field_name in (
        "LifeCycle.TargetCloseDate",
        "Project.ExpectedCustomerSpend",
        f"{ADDRESS}.CountryCode",
    ):
        assert field_name in incomplete["Message"]

    completed(pc, identifier)
    task = finished_task(pc, control, engage(pc, identifier, "engage-2")["TaskId"])
    assert (task["TaskStatus"], task["EngagementId"]) == ("COMPLETE", invitation["EngagementId"])
    assert [summary["Id"] for summary in pc.list_engagements(Catalog="Sandbox")["EngagementSummaryList"]] == [
        invitation["EngagementId"]
    ]
    assert control.events("Engagement Created") == []
    job = pc.get_resource_snapshot_job(
        Catalog="Sandbox", ResourceSnapshotJobIdentifier=task["ResourceSnapshotJobId"]
    )
    assert (job["EngagementId"], job["ResourceId"], job["Status"]) == (
        invitation["EngagementId"],
        identifier,
        "Running",
    )
    assert review_status(pc, identifier) == "Submitted"


# --- 3. answering Action Required re-enters validation -------------------------------------------------


def action_required(pc: PartnerCentralSellingAPIClient, control: ControlApi, catalog: str) -> str:
    identifier = create(pc, Catalog=catalog, ClientToken=f"create-{catalog}")
    associate_solution(pc, identifier, catalog)
    pc.submit_opportunity(Catalog=catalog, Identifier=identifier, InvolvementType="Co-Sell")
    control.set_review_status(catalog, identifier, "In review")
    control.set_review_status(
        catalog,
        identifier,
        "Action Required",
        review_comments="Confirm the customer's website",
        review_status_reason="Missing information",
    )
    control.clear_events()
    return identifier


def test_an_update_in_action_required_sends_the_opportunity_back_into_validation(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = action_required(pc, control, "AWS")
    before = pc.get_opportunity(Catalog="AWS", Identifier=identifier)
    update(pc, identifier, catalog="AWS", Customer__Account__WebsiteUrl="https://www.fixed.example")
    after = pc.get_opportunity(Catalog="AWS", Identifier=identifier)
    assert after["LifeCycle"]["ReviewStatus"] == "Submitted"
    assert after["Customer"]["Account"]["WebsiteUrl"] == "https://www.fixed.example"
    # AWS's last feedback stays until it reviews again.
    assert (after["LifeCycle"]["ReviewComments"], after["LifeCycle"]["ReviewStatusReason"]) == (
        "Confirm the customer's website",
        "Missing information",
    )
    assert after["LastModifiedDate"] > before["LastModifiedDate"]
    events = control.events()
    assert [event["detail-type"] for event in events] == ["Opportunity Updated"]
    assert events[0]["detail"]["opportunity"]["identifier"] == identifier

    # Back in validation the partner cannot edit; AWS moves the review on as before.
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        update(pc, identifier, catalog="AWS", Customer__Account__WebsiteUrl="https://www.again.example")
    assert field_codes(excinfo) == {("Customer.Account.WebsiteUrl", "ACTION_NOT_PERMITTED")}
    control.set_review_status("AWS", identifier, "In review")
    control.set_review_status("AWS", identifier, "Approved")
    assert review_status(pc, identifier, "AWS") == "Approved"


def test_a_refused_action_required_update_leaves_the_review_where_it_was(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = action_required(pc, control, "AWS")
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        update(pc, identifier, catalog="AWS", Project__Title="Not editable in Action Required")
    assert field_codes(excinfo) == {("Project.Title", "ACTION_NOT_PERMITTED")}
    assert review_status(pc, identifier, "AWS") == "Action Required"
    assert control.events() == []


def test_in_the_sandbox_an_update_may_still_play_the_next_review_outcome(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = action_required(pc, control, "Sandbox")
    update(pc, identifier, LifeCycle__ReviewStatus="Approved", LifeCycle__ReviewComments="Approved after fix")
    lifecycle = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]
    assert (lifecycle["ReviewStatus"], lifecycle["ReviewComments"]) == ("Approved", "Approved after fix")
    assert [event["detail-type"] for event in control.events()] == ["Opportunity Updated"]
