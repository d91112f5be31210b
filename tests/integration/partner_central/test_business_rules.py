"""Rules beyond the model (docs/CONTRACTS.md, "Opportunity field rules", "Stages that need a solution",
"Editable fields by review status", "Catalogs"), answered with BUSINESS_VALIDATION_FAILED."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

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


def business_rejection(call: Any, **kwargs: Any) -> set[tuple[str, str]]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    assert error_of(excinfo)["Error"]["Code"] == "ValidationException"
    assert error_of(excinfo)["Reason"] == "BUSINESS_VALIDATION_FAILED"
    return field_codes(excinfo)


def test_target_close_date_in_the_past_is_refused(pc: PartnerCentralSellingAPIClient) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    body = partner_referral()
    body["LifeCycle"]["TargetCloseDate"] = yesterday
    assert business_rejection(pc.create_opportunity, **body) == {
        ("LifeCycle.TargetCloseDate", "INVALID_VALUE")
    }


def test_the_past_is_measured_on_the_emulator_clock(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = create(pc)
    control.advance_clock(200 * 86400)
    changes = {"LifeCycle__NextSteps": "Follow up"}
    assert business_rejection(pc.update_opportunity, **_update_request(pc, identifier, changes)) == {
        ("LifeCycle.TargetCloseDate", "INVALID_VALUE")
    }


def _update_request(
    pc: PartnerCentralSellingAPIClient, identifier: str, changes: dict[str, Any]
) -> dict[str, Any]:
    return update_body(dict(pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)), **changes)


def test_a_closed_opportunity_may_keep_a_past_close_date(pc: PartnerCentralSellingAPIClient) -> None:
    body = partner_referral()
    body["LifeCycle"] |= {
        "Stage": "Closed Lost",
        "ClosedLostReason": "Price",
        "TargetCloseDate": "2024-01-31",
    }
    assert pc.create_opportunity(**body)["Id"]


def test_website_is_required(pc: PartnerCentralSellingAPIClient) -> None:
    body = partner_referral()
    del body["Customer"]["Account"]["WebsiteUrl"]
    assert business_rejection(pc.create_opportunity, **body) == {
        ("Customer.Account.WebsiteUrl", "REQUIRED_FIELD_MISSING")
    }


def test_a_national_security_opportunity_needs_no_website_but_must_be_government(
    pc: PartnerCentralSellingAPIClient,
) -> None:
    body = partner_referral(NationalSecurity="Yes")
    del body["Customer"]["Account"]["WebsiteUrl"]
    assert business_rejection(pc.create_opportunity, **body) == {("NationalSecurity", "INVALID_VALUE")}
    body["Customer"]["Account"]["Industry"] = "Government"
    assert pc.create_opportunity(**body)["Id"]


def test_industry_other_needs_other_industry(pc: PartnerCentralSellingAPIClient) -> None:
    body = partner_referral()
    body["Customer"]["Account"]["Industry"] = "Other"
    assert business_rejection(pc.create_opportunity, **body) == {
        ("Customer.Account.OtherIndustry", "REQUIRED_FIELD_MISSING")
    }
    body["Customer"]["Account"]["OtherIndustry"] = "Space tourism"
    assert pc.create_opportunity(**body)["Id"]


@pytest.mark.parametrize("stage", ["Committed", "Launched"])
def test_committed_and_launched_need_a_solution(pc: PartnerCentralSellingAPIClient, stage: str) -> None:
    body = partner_referral()
    body["LifeCycle"]["Stage"] = stage
    assert business_rejection(pc.create_opportunity, **body) == {
        ("LifeCycle.Stage", "INVALID_RESOURCE_STATE")
    }
    identifier = create(pc)
    pc.associate_opportunity(
        Catalog="Sandbox",
        OpportunityIdentifier=identifier,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-1234567",
    )
    update(pc, identifier, LifeCycle__Stage=stage)
    assert pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]["Stage"] == stage


def test_the_aws_samples_competitor_name_is_no_longer_in_the_model(
    pc: PartnerCentralSellingAPIClient,
) -> None:
    body = reference_payload("createOpportunity.aws-referral-sandbox-sim.aws-samples.json")
    body["Catalog"] = "Sandbox"
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        pc.create_opportunity(**body)
    assert field_codes(excinfo) == {("Project.CompetitorName", "INVALID_ENUM_VALUE")}


def test_aws_referral_origin_only_in_the_sandbox(pc: PartnerCentralSellingAPIClient) -> None:
    body = reference_payload("createOpportunity.aws-referral-sandbox-sim.aws-samples.json")
    body["LifeCycle"]["TargetCloseDate"] = (date.today() + timedelta(days=30)).isoformat()
    body["Project"]["CompetitorName"] = "*Other"
    assert body["Catalog"] == "AWS"
    assert business_rejection(pc.create_opportunity, **body) == {("Origin", "INVALID_VALUE")}
    body["Catalog"] = "Sandbox"
    identifier = pc.create_opportunity(**body)["Id"]
    summary = pc.get_aws_opportunity_summary(Catalog="Sandbox", RelatedOpportunityIdentifier=identifier)
    assert summary["Origin"] == "AWS Referral"


def test_a_solution_is_needed_before_submitting(pc: PartnerCentralSellingAPIClient) -> None:
    identifier = create(pc)
    submission = {"InvolvementType": "Co-Sell", "Visibility": "Full"}
    expected = {("RelatedEntityIdentifiers.Solutions", "REQUIRED_FIELD_MISSING")}
    assert (
        business_rejection(
            pc.start_engagement_from_opportunity_task,
            Catalog="Sandbox",
            ClientToken="submit-1",
            Identifier=identifier,
            AwsSubmission=submission,
        )
        == expected
    )
    assert (
        business_rejection(pc.submit_opportunity, Catalog="Sandbox", Identifier=identifier, **submission)
        == expected
    )


# What a partner may change in each ReviewStatus (developer-guide/working-with-opportunity-updates.html).
EDITS = {
    "address": {"Customer__Account__Address__City": "Albany"},
    "website": {"Customer__Account__WebsiteUrl": "https://www.changed.example"},
    "close date": {"LifeCycle__TargetCloseDate": (date.today() + timedelta(days=200)).isoformat()},
    "spend": {
        "Project__ExpectedCustomerSpend": [
            {"Amount": "999", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}
        ]
    },
    "problem": {"Project__CustomerBusinessProblem": "A different and still long enough problem"},
    "partner id": {"PartnerOpportunityIdentifier": "deal-42"},
    "title": {"Project__Title": "Renamed project"},
    "country": {"Customer__Account__Address__CountryCode": "CA"},
    "postal code": {"Customer__Account__Address__PostalCode": "10002"},
    "industry": {"Customer__Account__Industry": "Retail"},
    "next steps": {"LifeCycle__NextSteps": "Book the workshop"},
    "company": {"Customer__Account__CompanyName": "Renamed Inc"},
}
ALLOWED = {
    "Pending Submission": set(EDITS),
    "Submitted": set(),
    "In review": set(),
    "Action Required": {
        "address",
        "website",
        "close date",
        "spend",
        "problem",
        "partner id",
        "country",
        "postal code",
    },
    "Approved": {"address", "close date", "spend", "next steps", "company"},
    "Rejected": set(),
}


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("edit", list(EDITS))
def test_what_may_be_edited_in_each_review_status(
    pc: PartnerCentralSellingAPIClient, control: ControlApi, status: str, edit: str
) -> None:
    identifier = create(pc)
    if status != "Pending Submission":
        control.set_review_status("Sandbox", identifier, status)
    request = _update_request(pc, identifier, EDITS[edit])
    if edit in ALLOWED[status]:
        pc.update_opportunity(**request)
        return
    codes = business_rejection(pc.update_opportunity, **request)
    assert {code for _, code in codes} == {"ACTION_NOT_PERMITTED"}
