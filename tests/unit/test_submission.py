"""When a deal asks AWS to review its opportunity, and what AWS needs first (cosell.domain.submission)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from cosell.domain.deal import DealView
from cosell.domain.mapping_rules import MappingRules
from cosell.domain.submission import SubmissionRequest, requested, submission_problems

TODAY = date(2026, 12, 1)
CO_SELL = SubmissionRequest("Co-Sell", "Full")
COMPLETE: dict[str, Any] = {
    "NationalSecurity": "No",
    "PrimaryNeedsFromAws": ["Co-Sell - Deal Support"],
    "Customer": {
        "Account": {
            "CompanyName": "BigCorp",
            "WebsiteUrl": "https://bigcorp.example",
            "Industry": "Software and Internet",
            "Address": {"CountryCode": "US", "PostalCode": "94105", "StateOrRegion": "California"},
        },
        "Contacts": [{"Email": "cto@bigcorp.example"}],
    },
    "Project": {
        "Title": "Data platform",
        "CustomerUseCase": "Business Intelligence & Data Warehouse",
        "CustomerBusinessProblem": "Move the data warehouse to AWS within two quarters.",
        "ExpectedCustomerSpend": [{"Amount": "5000.00", "CurrencyCode": "USD"}],
        "DeliveryModels": ["SaaS or PaaS"],
        "SalesActivities": ["Initialized discussions with customer"],
    },
    "LifeCycle": {"Stage": "Qualified", "TargetCloseDate": "2027-06-30"},
}


def without(path: str) -> dict[str, Any]:
    opportunity = copy.deepcopy(COMPLETE)
    *parents, last = path.split(".")
    node = opportunity
    for part in parents:
        node = node[part]
    del node[last]
    return opportunity


def test_a_complete_opportunity_with_a_solution_has_no_problem() -> None:
    assert submission_problems(COMPLETE, ["S-1"], CO_SELL, TODAY) == []


@pytest.mark.parametrize(
    ("opportunity", "solutions", "named"),
    [
        (COMPLETE, [], "AWS solutions"),
        (without("Customer.Account.WebsiteUrl"), ["S-1"], "Company website"),
        (without("Customer.Account.Industry"), ["S-1"], "Company industry"),
        (without("Customer.Account.Address.PostalCode"), ["S-1"], "Company postal code"),
        (without("Customer.Account.Address.StateOrRegion"), ["S-1"], "Company state"),
        (without("Project.CustomerUseCase"), ["S-1"], "AWS customer use case"),
        (without("Project.DeliveryModels"), ["S-1"], "AWS delivery models"),
        (without("Project.SalesActivities"), ["S-1"], "AWS sales activities"),
        (without("PrimaryNeedsFromAws"), ["S-1"], "AWS primary needs"),
        (without("Customer.Contacts"), ["S-1"], "Deal contacts"),
        (without("LifeCycle.TargetCloseDate"), ["S-1"], "Close date"),
    ],
)
def test_each_gap_is_named_by_the_field_to_fix(
    opportunity: dict[str, Any], solutions: list[str], named: str
) -> None:
    problems = submission_problems(opportunity, solutions, CO_SELL, TODAY)
    assert len(problems) == 1
    assert problems[0].startswith(named)


def test_every_gap_is_reported_at_once_and_visibility_only_asks_less() -> None:
    empty = {"LifeCycle": {"Stage": "Closed Lost", "TargetCloseDate": "2026-01-01"}}
    co_sell = submission_problems(empty, [], CO_SELL, TODAY)
    visibility = submission_problems(empty, [], SubmissionRequest("For Visibility Only", "Full"), TODAY)
    assert len(co_sell) == len(visibility) + 2  # primary needs and a contact
    assert any("is in the past" in line for line in co_sell)
    assert any("closed lost" in line for line in co_sell)


def test_countries_without_postal_codes_and_national_security_waive_what_they_do_not_have() -> None:
    hong_kong = copy.deepcopy(COMPLETE)
    hong_kong["Customer"]["Account"]["Address"] = {"CountryCode": "HK"}
    assert submission_problems(hong_kong, ["S-1"], CO_SELL, TODAY) == []
    secret = without("Customer.Account.WebsiteUrl")
    secret["NationalSecurity"] = "Yes"
    del secret["Customer"]["Account"]["Address"]["StateOrRegion"]
    assert submission_problems(secret, ["S-1"], CO_SELL, TODAY) == []


def test_a_deal_asks_by_its_involvement_type_or_by_a_stage_that_submits() -> None:
    rules = MappingRules(submit_stages={"default": ("contractsent",)}, submission_visibility="Limited")
    deal = DealView(deal_id="1", name="x", stage_id="qualifiedtobuy")
    assert requested(deal, rules) is None
    assert requested(DealView("1", "x", involvement_type="Co-Sell", visibility="Full"), rules) == CO_SELL
    assert requested(DealView("1", "x", stage_id="contractsent"), rules) == SubmissionRequest(
        "Co-Sell", "Limited"
    )
    assert requested(DealView("1", "x", involvement_type="maybe"), rules) is None
