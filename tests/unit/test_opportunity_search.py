"""What cosell asks SearchOpportunities before a create, and how it reads the answer (pure)."""

from __future__ import annotations

from typing import Any

import botocore.session
from botocore.validate import ParamValidator

from cosell.domain.opportunity_search import found_by_search, search_filter


def summary(
    identifier: str, company: str, stage: str = "Qualified", review: str = "Pending Submission", **more: Any
) -> dict[str, Any]:
    return {
        "Id": identifier,
        "Customer": {"Account": {"CompanyName": company}},
        "LifeCycle": {"Stage": stage, "ReviewStatus": review},
        **more,
    }


def test_the_filter_asks_for_the_deals_own_opportunity_or_the_customers_open_ones() -> None:
    assert search_filter("101", None) == {
        "EqualsTo": {"Key": "PartnerOpportunityIdentifier", "Value": {"StringValue": "101"}}
    }
    either = search_filter("101", "Acme")["OrAllFilters"]
    assert either[0] == search_filter("101", None)
    same_customer, still_open = either[1]["AndAllFilters"]
    assert same_customer == {"EqualsTo": {"Key": "CustomerCompanyName", "Value": {"StringValue": "Acme"}}}
    closed = still_open["NotFilter"]["OrAllFilters"]
    assert closed[0]["ContainsAny"] == {
        "Key": "Stage",
        "Value": {"StringListValue": ["Launched", "Closed Lost"]},
    }
    assert closed[1]["ContainsAny"]["Key"] == "ReviewStatus"


def test_the_filter_is_a_valid_request_for_botocores_model() -> None:
    model = botocore.session.get_session().get_service_model("partnercentral-selling")
    shape = model.operation_model("SearchOpportunities").input_shape
    report = ParamValidator().validate({"Catalog": "AWS", "Filter": search_filter("101", "Acme")}, shape)
    assert not report.has_errors(), report.generate_report()


def test_the_deals_own_opportunity_is_found_unless_another_deal_has_it() -> None:
    mine = summary("O1", "Acme", PartnerOpportunityIdentifier="101")
    assert found_by_search([mine], "101", "Acme", frozenset()).made_for_deal == "O1"
    assert found_by_search([mine], "101", "Acme", frozenset({"O1"})).made_for_deal is None
    # Its own opportunity is never its duplicate.
    assert found_by_search([mine], "101", "Acme", frozenset()).duplicates == ()


def test_only_the_same_customers_open_opportunities_are_duplicates() -> None:
    summaries = [
        summary("O2", "ACME"),
        summary("O3", "Acme", stage="Launched"),
        summary("O4", "Acme", review="Rejected"),
        summary("O5", "Acme Holdings"),
    ]
    (warning,) = found_by_search(summaries, "101", "acme", frozenset()).duplicates
    assert warning.startswith("possible duplicate: opportunity O2 (Qualified, Pending Submission)")
    assert found_by_search(summaries, "101", None, frozenset()).duplicates == ()
