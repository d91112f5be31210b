"""CRM search over plain HTTP: filterGroups, operators, one sort, paging and HubSpot's limits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from cosell_local.hubspot.account import SYSTEM_ACTOR
from cosell_local.hubspot.schema import object_type

if TYPE_CHECKING:
    from cosell_local.hubspot import HubSpotEmulator

    from .conftest import Api


def _search(api: Api, *filters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    groups = [{"filters": list(filters)}] if filters else []
    answer = api.post("/crm/v3/objects/deals/search", {"filterGroups": groups, **extra})
    assert answer.status == 200, answer.body
    result: dict[str, Any] = answer.body
    return result


def _names(result: dict[str, Any]) -> list[str]:
    return [r["properties"]["dealname"] for r in result["results"]]


@pytest.fixture
def deals(api: Api, emulator: HubSpotEmulator) -> None:
    api.post(
        "/crm/v3/properties/deals",
        {
            "name": "aws_invitation_id",
            "label": "Invitation",
            "type": "string",
            "fieldType": "text",
            "groupName": "dealinformation",
        },
    )
    for name, amount, close, invitation in [
        ("Alpha cloud migration", "100", "2026-01-10", "engi-aaa"),
        ("Beta analytics", "2500", "2026-03-01", None),
        ("Gamma CLOUD", "40", "2025-12-01", "engi-bbb"),
    ]:
        properties = {"dealname": name, "amount": amount, "closedate": close}
        if invitation:
            properties["aws_invitation_id"] = invitation
        api.create("deals", properties)
        emulator.advance_clock(1)


@pytest.mark.usefixtures("deals")
@pytest.mark.parametrize(
    ("search_filter", "expected"),
    [
        ({"propertyName": "aws_invitation_id", "operator": "EQ", "value": "engi-bbb"}, ["Gamma CLOUD"]),
        ({"propertyName": "dealname", "operator": "EQ", "value": "beta ANALYTICS"}, ["Beta analytics"]),
        ({"propertyName": "aws_invitation_id", "operator": "NEQ", "value": "engi-aaa"}, ["Beta analytics", "Gamma CLOUD"]),
        ({"propertyName": "amount", "operator": "GT", "value": "100"}, ["Beta analytics"]),
        ({"propertyName": "amount", "operator": "GTE", "value": "100"}, ["Alpha cloud migration", "Beta analytics"]),
        ({"propertyName": "amount", "operator": "LT", "value": "100"}, ["Gamma CLOUD"]),
        ({"propertyName": "amount", "operator": "LTE", "value": "40"}, ["Gamma CLOUD"]),
        ({"propertyName": "closedate", "operator": "LT", "value": "1767225600000"}, ["Gamma CLOUD"]),
        ({"propertyName": "closedate", "operator": "BETWEEN", "value": "2026-01-01", "highValue": "2026-02-01"}, ["Alpha cloud migration"]),
        ({"propertyName": "aws_invitation_id", "operator": "HAS_PROPERTY"}, ["Alpha cloud migration", "Gamma CLOUD"]),
        ({"propertyName": "aws_invitation_id", "operator": "NOT_HAS_PROPERTY"}, ["Beta analytics"]),
        ({"propertyName": "aws_invitation_id", "operator": "IN", "values": ["engi-aaa", "engi-zzz"]}, ["Alpha cloud migration"]),
        ({"propertyName": "aws_invitation_id", "operator": "NOT_IN", "values": ["engi-aaa"]}, ["Beta analytics", "Gamma CLOUD"]),
        ({"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "cloud"}, ["Alpha cloud migration", "Gamma CLOUD"]),
        ({"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "migra*"}, ["Alpha cloud migration"]),
        ({"propertyName": "dealname", "operator": "NOT_CONTAINS_TOKEN", "value": "cloud"}, ["Beta analytics"]),
    ],
)  # fmt: skip
def test_operators(api: Api, search_filter: dict[str, Any], expected: list[str]) -> None:
    assert _names(_search(api, search_filter)) == expected


@pytest.mark.usefixtures("deals")
def test_filters_in_a_group_are_anded_and_groups_ored(api: Api) -> None:
    cloud = {"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "cloud"}
    small = {"propertyName": "amount", "operator": "LT", "value": "50"}
    big = {"propertyName": "amount", "operator": "GT", "value": "1000"}

    answer = api.post(
        "/crm/v3/objects/deals/search", {"filterGroups": [{"filters": [cloud, small]}, {"filters": [big]}]}
    )

    assert _names(answer.body) == ["Beta analytics", "Gamma CLOUD"]


@pytest.mark.usefixtures("deals")
def test_sorts_paging_total_and_requested_properties(api: Api) -> None:
    first = _search(
        api, sorts=[{"propertyName": "amount", "direction": "DESCENDING"}], limit=2, properties=["amount"]
    )
    second = _search(
        api, sorts=["-amount"], limit=2, after=first["paging"]["next"]["after"], properties=["amount"]
    )

    assert first["total"] == 3
    assert [r["properties"]["amount"] for r in first["results"] + second["results"]] == ["2500", "100", "40"]
    assert set(first["results"][0]["properties"]) == {
        "amount",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }
    assert "paging" not in second


@pytest.mark.usefixtures("deals")
def test_query_matches_default_searchable_properties(api: Api) -> None:
    assert _names(_search(api, query="gam")) == ["Gamma CLOUD"]


def test_associations_pseudo_property_filters_by_linked_record(api: Api) -> None:
    company = api.create("companies", {"name": "Acme"})
    link = [
        {
            "to": {"id": company["id"]},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 341}],
        }
    ]
    api.create("deals", {"dealname": "linked"}, associations=link)
    api.create("deals", {"dealname": "alone"})

    found = _search(api, {"propertyName": "associations.company", "operator": "EQ", "value": company["id"]})

    assert _names(found) == ["linked"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 200, "after": "9801"}, "10000"),
        ({"filterGroups": [{"filters": []}] * 6}, "filterGroups"),
        (
            {"filterGroups": [{"filters": [{"propertyName": "amount", "operator": "EQ", "value": "1"}] * 7}]},
            "filters",
        ),
        (
            {"filterGroups": [{"filters": [{"propertyName": "amount", "operator": "LIKE", "value": "1"}]}]},
            "operator",
        ),
        ({"sorts": ["amount", "dealname"]}, "sort"),
    ],
)
def test_limits_are_enforced(api: Api, body: dict[str, Any], fragment: str) -> None:
    answer = api.post("/crm/v3/objects/deals/search", body)

    assert answer.status == 400
    assert answer.body["category"] == "VALIDATION_ERROR"
    assert fragment in answer.body["message"]


def test_search_stops_paging_at_10000_results(api: Api, emulator: HubSpotEmulator) -> None:
    deals = object_type("deals")
    for _ in range(10_100):  # straight into the store: 101 batch creates would only slow the test
        emulator.account.crm.create(deals, {"dealname": "d"}, SYSTEM_ACTOR)

    last_page = _search(api, limit=200, after="9800")

    assert last_page["total"] == 10_100
    assert len(last_page["results"]) == 200
    assert "paging" not in last_page
