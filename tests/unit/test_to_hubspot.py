"""Partner Central → HubSpot (AWS referrals): every mapped field, and properties: what the push mapping
sends back to Partner Central is what Partner Central said (amount, stage, industry)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosell.domain.deal import CompanyView, DealView
from cosell.domain.mapping_rules import DEFAULT_INDUSTRY_MAP, DEFAULT_STAGE_MAP, MappingRules
from cosell.domain.referral import rejection_reason
from cosell.domain.stages import hubspot_stage
from cosell.domain.tag import is_tagged, without_tag
from cosell.domain.to_hubspot import (
    CompanyFields,
    ContactFields,
    close_date,
    deal_from_invitation,
    deal_from_opportunity,
    domain_of,
    hubspot_industry,
    total_amount,
)
from cosell.domain.to_partner_central import map_deal
from cosell.hubspot.models import Deal
from cosell.partner_central.schema import vocabulary

RULES = MappingRules()
VOCABULARY = vocabulary()
MODEL = botocore.session.get_session().get_service_model("partnercentral-selling")
REASON_PATTERN = MODEL.shape_for("RejectionReasonString").metadata["pattern"]

OPPORTUNITY = {
    "Id": "O1234567890",
    "Customer": {
        "Account": {
            "CompanyName": "Example Customer Inc",
            "Industry": "Healthcare",
            "WebsiteUrl": "https://www.Example.com/about",
            "AwsAccountId": "111122223333",
            "Address": {
                "StreetAddress": "410 Terry Ave N",
                "City": "Seattle",
                "StateOrRegion": "Washington",
                "PostalCode": "98109",
                "CountryCode": "US",
            },
        },
        "Contacts": [
            {"Email": "Pat.Customer@Example.com", "FirstName": "Pat", "LastName": "Customer", "BusinessTitle": "CTO", "Phone": "+12065550123"},
            {"Email": "pat.customer@example.com", "FirstName": "Duplicate"},
            {"FirstName": "No e-mail"},
        ],
    },
    "Project": {
        "Title": "Data platform modernisation",
        "CustomerBusinessProblem": "The customer needs to modernise its data platform on AWS.",
        "ExpectedCustomerSpend": [
            {"Amount": "5000", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"},
            {"Amount": "250.50", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"},
            {"Amount": "900", "CurrencyCode": "EUR", "Frequency": "Monthly", "TargetCompany": "AWS"},
        ],
    },
    "LifeCycle": {"Stage": "Technical Validation", "TargetCloseDate": "2027-03-31", "ReviewStatus": "Approved"},
}  # fmt: skip
SUMMARY = {"Origin": "AWS Referral", "InvolvementType": "Co-Sell"}


def test_an_accepted_referral_maps_to_deal_company_and_contacts() -> None:
    referral = deal_from_opportunity(OPPORTUNITY, SUMMARY, RULES, "default")
    assert referral.deal == {
        "dealname": "Data platform modernisation #AWS",
        "description": "The customer needs to modernise its data platform on AWS.",
        "amount": "63006",  # (5,000 + 250.50) a month × 12; the EUR entry cannot be added
        "deal_currency_code": "USD",
        "closedate": "2027-03-31T00:00:00.000Z",
        "pipeline": "default",
        "dealstage": "presentationscheduled",
        "aws_origin": "AWS Referral",
    }
    assert referral.company == CompanyFields(
        domain="example.com",
        properties={
            "name": "Example Customer Inc",
            "domain": "example.com",
            "website": "https://www.Example.com/about",
            "industry": "HOSPITAL_HEALTH_CARE",
            "address": "410 Terry Ave N",
            "city": "Seattle",
            "state": "Washington",
            "zip": "98109",
            "country": "US",
        },
    )
    assert referral.contacts == (
        ContactFields(
            "pat.customer@example.com",
            {
                "email": "pat.customer@example.com",
                "firstname": "Pat",
                "lastname": "Customer",
                "jobtitle": "CTO",
                "phone": "+12065550123",
            },
        ),
    )


def test_what_an_opportunity_lacks_is_left_out() -> None:
    referral = deal_from_opportunity(
        {"Project": {}, "LifeCycle": {"Stage": "Launched"}}, {}, RULES, "default"
    )
    assert referral.deal == {
        "dealname": "AWS referral #AWS",
        "pipeline": "default",
        "dealstage": "closedwon",
        "aws_origin": "AWS Referral",
    }
    assert referral.company is None
    assert referral.contacts == ()


def test_an_opportunity_invitation_shows_what_aws_shares_before_acceptance() -> None:
    invitation = {
        "PayloadType": "OpportunityInvitation",
        "Payload": {
            "OpportunityInvitation": {
                "Customer": {"Industry": "Retail", "CompanyName": "Shop Co", "WebsiteUrl": "shop.example", "CountryCode": "DE"},
                "Project": {
                    "Title": "Checkout on AWS",
                    "BusinessProblem": "Checkout falls over on sale days; it must scale.",
                    "TargetCompletionDate": "2027-01-15",
                    "ExpectedCustomerSpend": [{"Amount": "1000.25", "CurrencyCode": "EUR", "Frequency": "Monthly", "TargetCompany": "AWS"}],
                },
            }
        },
    }  # fmt: skip
    referral = deal_from_invitation(invitation, RULES, "default", "appointmentscheduled")
    assert referral.deal == {
        "dealname": "Checkout on AWS #AWS",
        "description": "Checkout falls over on sale days; it must scale.",
        "amount": "12003",
        "deal_currency_code": "EUR",
        "closedate": "2027-01-15T00:00:00.000Z",
        "pipeline": "default",
        "dealstage": "appointmentscheduled",
        "aws_origin": "AWS Referral",
    }
    assert referral.company == CompanyFields(
        "shop.example",
        {
            "name": "Shop Co",
            "domain": "shop.example",
            "website": "shop.example",
            "industry": "RETAIL",
            "country": "DE",
        },
    )


def test_a_lead_invitation_describes_the_lead() -> None:
    invitation = {
        "PayloadType": "LeadInvitation",
        "Payload": {
            "LeadInvitation": {
                "Customer": {"CompanyName": "Lead Co", "WebsiteUrl": "https://lead.example", "AwsMaturity": "Intermediate"},
                "Interaction": {"SourceType": "Marketing", "SourceName": "AWS Summit", "Usecase": "Analytics", "ContactBusinessTitle": "CIO"},
            }
        },
    }  # fmt: skip
    referral = deal_from_invitation(invitation, RULES, "default", "appointmentscheduled")
    assert referral.deal["dealname"] == "Lead Co #AWS"
    assert referral.deal["description"] == (
        "AWS lead source: AWS Summit; Use case: Analytics; Contact's title: CIO; AWS maturity: Intermediate"
    )
    assert "amount" not in referral.deal
    assert referral.company is not None
    assert referral.company.domain == "lead.example"


def test_the_longest_title_partner_central_holds_is_the_deals_title_whole() -> None:
    """Cut, the deal's title would differ from the opportunity's, and the pair's sync would send the cut one
    to Partner Central as the rep's edit (or hold it as one, AWS's review permitting)."""
    longest = "x" * 255
    name = deal_from_opportunity({"Project": {"Title": longest}}, {}, RULES, "default").deal["dealname"]
    assert name == f"{longest} #AWS"
    assert without_tag(name) == longest


def test_a_company_name_longer_than_a_title_is_cut_to_one() -> None:
    invitation = {
        "PayloadType": "LeadInvitation",
        "Payload": {"LeadInvitation": {"Customer": {"CompanyName": "y" * 300}}},
    }
    name = deal_from_invitation(invitation, RULES, "default", "appointmentscheduled").deal["dealname"]
    assert is_tagged(name)
    assert without_tag(name) == "y" * 255


def test_what_hubspot_should_not_hold_is_left_out_and_said() -> None:
    """Control characters, a website that is no web address, a contact without a usable e-mail (HubSpot
    would refuse that contact and the referral's deal with it)."""
    opportunity = {
        "Customer": {
            "Account": {"CompanyName": " Ex\x00ample\x1b Inc ", "WebsiteUrl": "javascript:alert(1)"},
            "Contacts": [
                {"Email": "not an e-mail", "FirstName": "Ann", "LastName": "Lee"},
                {"Email": "bo@example.com", "FirstName": "\x07Bo", "LastName": "\x1b"},
                {"Email": "@", "BusinessTitle": "CTO"},
            ],
        },
        "Project": {"Title": "\x07\x08", "CustomerBusinessProblem": "Move\x00 the ERP to AWS, cut costs by 40 %."},
    }  # fmt: skip
    referral = deal_from_opportunity(opportunity, {}, RULES, "default")
    assert referral.deal["dealname"] == "Example Inc #AWS"  # a title of control characters is none
    assert referral.deal["description"] == "Move the ERP to AWS, cut costs by 40 %."
    assert referral.company == CompanyFields(None, {"name": "Example Inc"})
    assert referral.contacts == (
        ContactFields("bo@example.com", {"email": "bo@example.com", "firstname": "Bo"}),
    )
    assert referral.left_out == (
        "Contact Ann Lee left out: AWS gave no usable e-mail address",
        "Contact without a name left out: AWS gave no usable e-mail address",
    )


def test_a_company_name_of_blanks_is_no_company() -> None:
    referral = deal_from_invitation(
        {
            "Payload": {
                "OpportunityInvitation": {"Customer": {"CompanyName": " \x07 ", "WebsiteUrl": "a.example"}}
            }
        },
        RULES,
        "default",
        "appointmentscheduled",
    )
    assert referral.company is None
    assert referral.deal["dealname"] == "AWS referral #AWS"


@pytest.mark.parametrize(
    ("website", "domain"),
    [
        ("https://www.BigCorp.example/path?q=1", "bigcorp.example"),
        ("bigcorp.example", "bigcorp.example"),
        ("http://shop.bigcorp.example:8080", "shop.bigcorp.example"),
        ("localhost", None),
        ("", None),
        (None, None),
    ],
)
def test_domain_of_a_website(website: str | None, domain: str | None) -> None:
    assert domain_of(website) == domain


@given(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]{1,10}){1,3}", fullmatch=True))
def test_domain_of_any_website_of_a_host_is_the_host(host: str) -> None:
    assert domain_of(f"https://www.{host}/some/page") == host.removeprefix("www.")


def test_every_partner_central_stage_of_the_default_pipeline_maps_back_to_itself() -> None:
    stage_map = DEFAULT_STAGE_MAP["default"]
    for stage in set(stage_map.values()):
        hubspot_id = hubspot_stage(stage, RULES, "default")
        assert hubspot_id is not None
        assert stage_map[hubspot_id] == stage
    assert hubspot_stage("Prospect", RULES, "default") == "appointmentscheduled"  # the first of the pipeline
    assert hubspot_stage("Prospect", RULES, "889123") is None
    assert hubspot_stage(None, RULES, "default") is None


def test_every_mapped_industry_maps_back_to_itself() -> None:
    for industry in set(DEFAULT_INDUSTRY_MAP.values()):
        hubspot_value = hubspot_industry(industry, RULES)
        assert hubspot_value is not None
        assert DEFAULT_INDUSTRY_MAP[hubspot_value] == industry
    assert hubspot_industry("Other", RULES) is None


BASE_DEAL = DealView(
    deal_id="1",
    name="Referral #AWS",
    description="The customer needs to modernise its data platform on AWS.",
    pipeline_id="default",
    stage_id="qualifiedtobuy",
    close_date=date(2027, 3, 31),
    currency_code="USD",
    company=CompanyView(company_id="2", name="Example", domain="example.com", industry="RETAIL"),
)


@given(
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    st.integers(min_value=1, max_value=120),
)
def test_the_amount_pushed_back_is_the_monthly_spend_aws_gave(monthly: Decimal, months: int) -> None:
    rules = MappingRules(contract_term_months=months)
    spend = [
        {"Amount": f"{monthly:f}", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}
    ]
    amount, currency = total_amount(spend, rules)
    assert currency == "USD"
    assert amount is not None
    deal = replace(BASE_DEAL, amount=Decimal(amount))
    result = map_deal(deal, rules, VOCABULARY, date(2026, 11, 29))
    assert result.fields is not None, result.problems
    assert Decimal(result.fields["Project"]["ExpectedCustomerSpend"][0]["Amount"]) == monthly


def test_amounts_that_are_not_numbers_are_left_out() -> None:
    assert total_amount([{"Amount": "", "CurrencyCode": "USD"}], RULES) == (None, None)
    assert total_amount([], RULES) == (None, None)


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_close_date_reads_back_as_the_same_day(day: date) -> None:
    value = close_date(day.isoformat())
    assert value is not None
    deal = Deal.model_validate(
        {
            "id": "1",
            "properties": {"closedate": value},
            "createdAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z",
        }
    )
    assert deal.close_date is not None
    assert deal.close_date.date() == day


@pytest.mark.parametrize("target", [None, "", "31/03/2027", "2027-3-31", "2027-02-30", "2027-13-01"])
def test_close_date_without_a_date_is_left_out(target: str | None) -> None:
    assert close_date(target) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("  Customer is\noutside our region  ", "Customer is outside our region"),
        ("x" * 100, "x" * 80),
        ("   ", None),
        (None, None),
        ("Out of scope \U0001f600", "Out of scope"),
    ],
)
def test_rejection_reason_is_what_partner_central_takes(text: str | None, reason: str | None) -> None:
    assert rejection_reason(text) == reason


@given(st.text())
def test_any_rejection_reason_matches_the_model_or_is_none(text: str) -> None:
    reason = rejection_reason(text)
    assert reason is None or re.fullmatch(REASON_PATTERN, reason)


def test_amounts_beyond_decimal_precision_stay_exact() -> None:
    monthly = "9" * 31 + ".99"
    amount, _ = total_amount(
        [{"Amount": monthly, "CurrencyCode": "USD"}], MappingRules(contract_term_months=12)
    )
    assert amount == "11" + "9" * 31 + ".88"  # 999…9.99 × 12, every digit kept
    assert total_amount([{"Amount": "NaN", "CurrencyCode": "USD"}], RULES) == (None, None)
