"""SearchOpportunities: the filter tree, the keyword, sorting and paging, and an account without it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.partner_central.conftest import create, error_of, update

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi


def customer(name: str) -> dict[str, Any]:
    return {
        "Account": {
            "CompanyName": name,
            "WebsiteUrl": "https://example.com",
            "Industry": "Software and Internet",
            "Address": {"CountryCode": "US", "PostalCode": "98109", "StateOrRegion": "Washington"},
        }
    }


def equals(key: str, value: str) -> dict[str, Any]:
    return {"EqualsTo": {"Key": key, "Value": {"StringValue": value}}}


def search(pc: PartnerCentralSellingAPIClient, **request: Any) -> list[str]:
    answer = pc.search_opportunities(Catalog="Sandbox", **request)  # type: ignore[attr-defined]
    return [summary["Id"] for summary in answer["OpportunitySearchSummaries"]]


@pytest.fixture
def three(pc: PartnerCentralSellingAPIClient) -> dict[str, str]:
    """Acme's open opportunity (deal 101), Acme's lost one (deal 102), Globex's (deal 103)."""
    acme = create(pc, ClientToken="a", Customer=customer("Acme Corp"), PartnerOpportunityIdentifier="101")
    lost = create(pc, ClientToken="b", Customer=customer("acme corp"), PartnerOpportunityIdentifier="102")
    update(pc, lost, LifeCycle__Stage="Closed Lost", LifeCycle__ClosedLostReason="Other")
    globex = create(pc, ClientToken="c", Customer=customer("Globex"), PartnerOpportunityIdentifier="103")
    return {"acme": acme, "lost": lost, "globex": globex}


def test_equals_on_the_partners_identifier_finds_the_one_made_for_the_deal(
    pc: PartnerCentralSellingAPIClient, three: dict[str, str]
) -> None:
    answer = pc.search_opportunities(  # type: ignore[attr-defined]
        Catalog="Sandbox", Filter=equals("PartnerOpportunityIdentifier", "101")
    )
    [summary] = answer["OpportunitySearchSummaries"]
    assert summary["Id"] == three["acme"]
    assert summary["PartnerOpportunityIdentifier"] == "101"
    assert summary["Customer"]["Account"]["CompanyName"] == "Acme Corp"
    assert summary["LifeCycle"]["Stage"] == "Prospect"
    assert summary["LifeCycle"]["ReviewStatus"] == "Pending Submission"
    # The curated summary view: the output shape only (no street address, no contacts).
    assert set(summary["Customer"]["Account"]["Address"]) == {"CountryCode"}
    assert "Contacts" not in summary["Customer"]
    assert summary["AwsOpportunitySummary"]["Origin"] == "Partner Referral"
    assert search(pc, Filter=equals("PartnerOpportunityIdentifier", "999")) == []


def test_the_same_customers_open_opportunities_case_insensitively(
    pc: PartnerCentralSellingAPIClient, three: dict[str, str]
) -> None:
    same_customer = equals("CustomerCompanyName", "ACME CORP")
    closed = {"ContainsAny": {"Key": "Stage", "Value": {"StringListValue": ["Launched", "Closed Lost"]}}}
    assert sorted(search(pc, Filter=same_customer)) == sorted([three["acme"], three["lost"]])
    assert search(pc, Filter={"AndAllFilters": [same_customer, {"NotFilter": closed}]}) == [three["acme"]]
    either = {"OrAllFilters": [equals("PartnerOpportunityIdentifier", "103"), same_customer]}
    assert sorted(search(pc, Filter=either)) == sorted(three.values())


def test_dates_compare_as_instants_and_sort_and_pages_follow_the_request(
    pc: PartnerCentralSellingAPIClient, three: dict[str, str]
) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=1)
    later = {"GreaterThan": {"Key": "CreatedDate", "Value": {"DateValue": long_ago}}}
    assert len(search(pc, Filter=later)) == 3
    assert search(pc, Filter={"LessThan": {"Key": "CreatedDate", "Value": {"DateValue": long_ago}}}) == []
    by_name = {"SortBy": "CustomerCompanyName", "SortOrder": "ASCENDING"}
    first = pc.search_opportunities(Catalog="Sandbox", Sort=by_name, MaxResults=2)  # type: ignore[attr-defined]
    rest = pc.search_opportunities(  # type: ignore[attr-defined]
        Catalog="Sandbox", Sort=by_name, MaxResults=2, NextToken=first["NextToken"]
    )
    names = [s["Customer"]["Account"]["CompanyName"].lower() for s in first["OpportunitySearchSummaries"]]
    assert names == ["acme corp", "acme corp"]
    assert [s["Id"] for s in rest["OpportunitySearchSummaries"]] == [three["globex"]]
    assert "NextToken" not in rest


def test_keyword_narrows_what_the_filter_finds(
    pc: PartnerCentralSellingAPIClient, three: dict[str, str]
) -> None:
    assert search(pc, Keyword="globex") == [three["globex"]]
    assert search(pc, Keyword="acme", Filter=equals("PartnerOpportunityIdentifier", "103")) == []


def test_a_key_the_emulator_does_not_answer_is_named(
    pc: PartnerCentralSellingAPIClient, three: dict[str, str]
) -> None:
    with pytest.raises(pc.exceptions.ClientError) as excinfo:
        search(pc, Filter=equals("OfferId", "offer-1"))
    assert error_of(excinfo)["Error"]["Code"] == "NotImplemented"
    assert "SearchOpportunities on OfferId" in error_of(excinfo)["Error"]["Message"]


def test_an_account_without_search_is_refused_as_aws_refuses_it(
    pc: PartnerCentralSellingAPIClient, control: ControlApi, three: dict[str, str]
) -> None:
    control.enable_search_opportunities(False)
    with pytest.raises(pc.exceptions.AccessDeniedException) as excinfo:
        search(pc, Filter=equals("PartnerOpportunityIdentifier", "101"))
    assert error_of(excinfo)["Reason"] == "SEARCH_OPPORTUNITIES_NOT_ENABLED"
    assert control.calls("SearchOpportunities")[-1]["Error"] == "AccessDeniedException"
    control.enable_search_opportunities()
    assert search(pc, Filter=equals("PartnerOpportunityIdentifier", "101")) == [three["acme"]]
