"""Issue 13 end to end: the solutions API, served by the real handler behind the local API Gateway as
template.yaml deploys it (SolutionsApi, AWS_IAM on every route), over the Partner Central emulator's catalog
and deals made in the HubSpot emulator. Requests are signed with botocore's SigV4 (the stack's testing keys).

The emulator seeds five solutions: Sandbox Test Solution (S-1234567), Managed Data Platform (S-0000001),
Migration Factory (S-0000002), all Active; Legacy Connector (S-0000003, Inactive); Analytics Accelerator
(S-0000004, Draft).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import pytest

from cosell.handlers import runtime

if TYPE_CHECKING:
    from collections.abc import Iterator

    import urllib3

    from tests.e2e.conftest import World

ACTIVE_BY_NAME = ["S-0000001", "S-0000002", "S-1234567"]
ALL_BY_NAME = ["S-0000004", "S-0000003", "S-0000001", "S-0000002", "S-1234567"]


def _get(world: World, path: str, query: dict[str, str] | None = None) -> urllib3.BaseHTTPResponse:
    # SigV4 signs spaces as %20, never +.
    url = f"{world.stack.api_url}{path}{'?' + urlencode(query, quote_via=quote) if query else ''}"
    return world.http.request("GET", url, headers=world.stack.signed_headers("GET", url))


def _json(response: urllib3.BaseHTTPResponse, status: int = 200) -> Any:
    assert response.status == status, response.data
    assert response.headers["Content-Type"] == "application/json"
    return json.loads(response.data)


def _ids(body: dict[str, Any]) -> list[str]:
    return [solution["id"] for solution in body["solutions"]]


def test_an_unsigned_request_never_reaches_the_function(world: World) -> None:
    invoked = len(world.stack.invocations("SolutionsApiFunction"))
    for path in ("/solutions", "/solutions/S-1234567", "/deals/1/solution-matches"):
        response = world.http.request("GET", f"{world.stack.api_url}{path}")
        assert _json(response, 403) == {"message": "Missing Authentication Token"}
    wrong = f"{world.stack.api_url}/solutions"
    response = world.http.request(
        "GET", wrong, headers=world.stack.signed_headers("GET", wrong, secret_key="guessed")
    )
    assert _json(response, 403)["message"].startswith("The request signature we calculated does not match")
    assert len(world.stack.invocations("SolutionsApiFunction")) == invoked


def test_signed_the_catalog_lists_its_active_solutions_by_name(world: World) -> None:
    body = _json(_get(world, "/solutions"))
    assert body["catalog"] == "Sandbox"
    assert _ids(body) == ACTIVE_BY_NAME
    assert body["total"] == 3
    assert body["next"] is None
    assert body["solutions"][0] == {
        "id": "S-0000001",
        "name": "Managed Data Platform",
        "status": "Active",
        "category": "Managed Services",
        "marketplace_arn": None,
    }


def test_paging_through_every_status_yields_each_solution_once_in_order(world: World) -> None:
    seen: list[str] = []
    query = {"status": "all", "limit": "2"}
    pages = 0
    while True:
        body = _json(_get(world, "/solutions", query))
        assert body["total"] == 5
        assert len(body["solutions"]) <= 2
        seen += _ids(body)
        pages += 1
        if body["next"] is None:
            break
        query = {"status": "all", "limit": "2", "next": body["next"]}
    assert seen == ALL_BY_NAME
    assert pages == 3


def test_search_by_free_text_and_by_category(world: World) -> None:
    assert _ids(_json(_get(world, "/solutions", {"q": "data"}))) == ["S-0000001"]
    # q reads the category too; every word must match.
    assert _ids(_json(_get(world, "/solutions", {"q": "software"}))) == ["S-1234567"]
    assert _ids(_json(_get(world, "/solutions", {"q": "software", "status": "all"}))) == [
        "S-0000004",
        "S-0000003",
        "S-1234567",
    ]
    assert _ids(_json(_get(world, "/solutions", {"q": "migration factory"}))) == ["S-0000002"]
    assert _ids(_json(_get(world, "/solutions", {"q": "migration data"}))) == []
    assert _ids(_json(_get(world, "/solutions", {"category": "consulting services"}))) == ["S-0000002"]


def test_one_solution_by_id_whatever_its_status_and_404_for_an_unknown_one(world: World) -> None:
    body = _json(_get(world, "/solutions/S-0000003"))
    assert (body["id"], body["name"], body["status"]) == ("S-0000003", "Legacy Connector", "Inactive")
    assert _json(_get(world, "/solutions/S-7777777"), 404) == {
        "message": "no solution S-7777777 in the Sandbox catalog"
    }


def _data_platform_deal(world: World, **properties: str) -> str:
    return world.create_deal(
        "BigCorp managed data platform",
        description="Consolidate the customer's data warehouses on a managed data platform on AWS.",
        aws_customer_use_case="Data Warehouse",
        **properties,
    )


@pytest.fixture
def low_threshold(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A deployment whose MAPPING_RULES lower the matcher's threshold (the functions read it at start)."""
    threshold = 10
    monkeypatch.setenv("MAPPING_RULES", json.dumps({"solution_match_threshold": threshold}))
    runtime.reset()
    yield threshold
    monkeypatch.undo()
    runtime.reset()


def test_a_deals_matches_rank_the_active_catalog_with_reasons(world: World) -> None:
    deal_id = _data_platform_deal(world)  # at a stage AWS needs no solution in yet
    body = _json(_get(world, f"/deals/{deal_id}/solution-matches"))
    assert body["deal_id"] == deal_id
    assert body["catalog"] == "Sandbox"
    assert sorted(match["id"] for match in body["matches"]) == sorted(ACTIVE_BY_NAME)  # active ones only
    scores = [match["score"] for match in body["matches"]]
    assert scores == sorted(scores, reverse=True)
    best = body["matches"][0]
    assert (best["id"], best["name"], best["category"]) == (
        "S-0000001",
        "Managed Data Platform",
        "Managed Services",
    )
    assert best["score"] > 0
    assert any("Data Warehouse" in reason for reason in best["reasons"])
    assert any("data" in reason and "managed" in reason for reason in best["reasons"])
    # Nothing is associated before AWS needs a solution, whatever the matcher would choose.
    assert body["chosen_by"] == ("not_needed" if best["score"] >= body["threshold"] else "nobody")
    assert body["solution_ids"] == []
    assert not any(match["chosen"] for match in body["matches"])
    assert body["unknown_ids"] == body["problems"] == []


def test_at_a_stage_that_needs_a_solution_the_matcher_chooses_from_its_ranking(
    world: World, low_threshold: int
) -> None:
    deal_id = _data_platform_deal(world, dealstage="contractsent")  # Committed needs a solution
    body = _json(_get(world, f"/deals/{deal_id}/solution-matches"))
    assert body["threshold"] == low_threshold
    assert body["chosen_by"] == "matcher"
    assert body["chosen_by_description"] == "the matcher"
    above = [match["id"] for match in body["matches"] if match["score"] >= low_threshold]
    assert body["solution_ids"] == above
    assert above[0] == "S-0000001"
    assert [match["id"] for match in body["matches"] if match["chosen"]] == above


def test_a_deal_naming_its_solutions_chooses_them_and_names_the_unknown_ones(world: World) -> None:
    deal_id = world.create_deal("BigCorp migration", aws_solution_ids="S-0000002; S-0000099")
    body = _json(_get(world, f"/deals/{deal_id}/solution-matches"))
    assert body["chosen_by"] == "deal"
    assert body["solution_ids"] == ["S-0000002"]
    assert body["unknown_ids"] == ["S-0000099"]
    assert "S-0000099" in body["problems"][0]
    assert len(body["matches"]) == 3  # the ranking is there as evidence all the same


def test_an_unknown_deal_is_404(world: World) -> None:
    assert _json(_get(world, "/deals/987654321987/solution-matches"), 404) == {
        "message": "no deal 987654321987 in HubSpot"
    }


def test_a_bad_request_is_400_naming_the_parameter_and_what_is_wrong(world: World) -> None:
    invoked = len(world.stack.invocations("SolutionsApiFunction"))
    cases = [
        ("/solutions", {"limit": "0"}, "limit", "from 1 to 100"),
        ("/solutions", {"limit": "101"}, "limit", "from 1 to 100"),
        ("/solutions", {"limit": "ten"}, "limit", "whole number"),
        ("/solutions", {"status": "Retired"}, "status", "Active, Inactive, Draft or all"),
        ("/solutions", {"next": "not-a-token"}, "next", "paging token"),
        ("/solutions", {"sort": "name"}, "sort", "not a parameter"),
        ("/solutions/solution-1", None, "id", "S- and 1 to 19 digits"),
        ("/deals/abc/solution-matches", None, "dealId", "digits only"),
    ]
    for path, query, parameter, words in cases:
        body = _json(_get(world, path, query), 400)
        (error,) = body["errors"]
        assert error["parameter"] == parameter, body
        assert words in error["problem"], body
        assert body["message"].startswith(f"{parameter}: ")
    # A token is for the search it came from.
    first = _json(_get(world, "/solutions", {"status": "all", "limit": "1"}))
    body = _json(_get(world, "/solutions", {"status": "Active", "limit": "1", "next": first["next"]}), 400)
    assert body["errors"][0]["parameter"] == "next"
    assert len(world.stack.invocations("SolutionsApiFunction")) == invoked + len(cases) + 2  # all handled
