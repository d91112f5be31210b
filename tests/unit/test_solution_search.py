"""Searching the solution catalog (cosell.domain.solution_search): filters, order, pages, and what a bad query
is told. Properties over generated catalogs and queries, then the validation's words."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosell.domain.solution_search import (
    ALL,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    STATUSES,
    InvalidRequestError,
    SolutionQuery,
    deal_id,
    order_key,
    parse_query,
    search,
    select,
    solution_id,
)
from cosell.domain.solutions import Solution

# Few words, so that names and categories share them, tie, and differ only in case.
WORDS = ["data", "Data", "cloud", "managed", "migration", "platform", "software", "zeta", "Ünïcode"]
CATEGORIES = ["Software Product", "Managed Services", "Consulting Services", "software product"]

names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)


@st.composite
def catalogs(draw: st.DrawFn, max_size: int = 25) -> list[Solution]:
    ids = draw(st.lists(st.integers(1, 10**6), max_size=max_size, unique=True))
    return [
        Solution(
            id=f"S-{number:07d}",
            name=draw(names),
            status=draw(st.sampled_from(STATUSES)),
            category=draw(st.sampled_from(CATEGORIES)),
        )
        for number in ids
    ]


@st.composite
def queries(draw: st.DrawFn) -> dict[str, str]:
    parameters: dict[str, str] = {}
    if draw(st.booleans()):
        parameters["q"] = " ".join(draw(st.lists(st.sampled_from([*WORDS, "ata", "SERV"]), max_size=2)))
    if draw(st.booleans()):
        parameters["category"] = draw(st.sampled_from(CATEGORIES))
    if draw(st.booleans()):
        parameters["status"] = draw(st.sampled_from([*STATUSES, ALL, "ACTIVE", "all"]))
    parameters["limit"] = str(draw(st.integers(1, 7)))
    return parameters


def _pages(catalog: list[Solution], parameters: dict[str, str]) -> list[list[Solution]]:
    pages, token = [], None
    while True:
        page = search(catalog, parse_query({**parameters, **({"next": token} if token else {})}))
        pages.append(list(page.solutions))
        token = page.next
        if token is None:
            return pages
        assert len(pages) <= len(catalog) + 1, "paging does not end"


def _matches(solution: Solution, parameters: dict[str, str]) -> bool:
    """The filter, said again independently of the module."""
    status = parameters.get("status", "Active")
    if status.casefold() != ALL and solution.status.casefold() != status.casefold():
        return False
    category = parameters.get("category")
    if category is not None and category.casefold() != solution.category.casefold():
        return False
    text = f"{solution.name} {solution.category}".casefold()
    return all(word.casefold() in text for word in parameters.get("q", "").split())


@given(catalogs(), queries())
def test_paging_through_every_page_yields_each_matching_solution_once_in_order(
    catalog: list[Solution], parameters: dict[str, str]
) -> None:
    pages = _pages(catalog, parameters)
    seen = [solution for page in pages for solution in page]
    expected = sorted((s for s in catalog if _matches(s, parameters)), key=order_key)
    assert seen == expected
    limit = int(parameters["limit"])
    assert all(len(page) == limit for page in pages[:-1])
    assert len(pages) == max(1, math.ceil(len(expected) / limit))
    assert search(catalog, parse_query(parameters)).total == len(expected)


@given(catalogs(), queries())
def test_a_filter_never_returns_a_solution_that_does_not_match(
    catalog: list[Solution], parameters: dict[str, str]
) -> None:
    query = parse_query({**parameters, "limit": str(MAX_LIMIT)})
    for solution in search(catalog, query).solutions:
        assert _matches(solution, parameters)
        assert query.matches(solution)


@given(catalogs(max_size=15), catalogs(max_size=10), queries(), st.integers(0, 20))
def test_a_catalog_changing_between_pages_never_repeats_or_skips_what_stayed(
    before: list[Solution], added: list[Solution], parameters: dict[str, str], change_after: int
) -> None:
    """Solutions added (or removed) while paging: each solution is seen at most once, and every solution in
    the catalog all along is seen."""
    known = {solution.id for solution in before}
    after = [s for s in before if int(s.id[2:]) % 3] + [s for s in added if s.id not in known]
    stayed = {s.id for s in before if int(s.id[2:]) % 3 and _matches(s, parameters)}
    seen: list[str] = []
    token, page_number = None, 0
    while True:
        catalog = before if page_number < change_after else after
        page = search(catalog, parse_query({**parameters, **({"next": token} if token else {})}))
        seen += [solution.id for solution in page.solutions]
        token, page_number = page.next, page_number + 1
        if token is None:
            break
    assert len(seen) == len(set(seen))
    assert stayed <= set(seen)


def test_an_id_listed_twice_is_one_solution_the_first_entry() -> None:
    first = Solution("S-1", "Data Lake", "Active", "Software Product")
    again = Solution("S-1", "Data Lake (renamed)", "Active", "Software Product")
    assert select([first, again], SolutionQuery()) == [first]


def test_the_order_is_by_name_whatever_its_case_then_by_id() -> None:
    catalog = [
        Solution("S-3", "beta", "Active", "x"),
        Solution("S-2", "Alpha", "Active", "x"),
        Solution("S-1", "beta", "Active", "x"),
    ]
    assert [s.id for s in search(catalog, parse_query({})).solutions] == ["S-2", "S-1", "S-3"]


def test_defaults_are_active_solutions_25_a_page() -> None:
    query = parse_query(None)
    assert (query.q, query.category, query.status, query.limit, query.next) == (
        None,
        None,
        "Active",
        DEFAULT_LIMIT,
        None,
    )
    assert parse_query({"q": "  ", "status": "inactive", "limit": " 7 "}).model_dump() == {
        "q": None,
        "category": None,
        "status": "Inactive",
        "limit": 7,
        "next": None,
    }


def _problems(parameters: dict[str, str]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRequestError) as raised:
        parse_query(parameters)
    body: dict[str, Any] = raised.value.body()
    assert body["message"] == "; ".join(f"{e['parameter']}: {e['problem']}" for e in body["errors"])
    return [(error["parameter"], error["problem"]) for error in body["errors"]]


@given(st.integers().filter(lambda n: not 1 <= n <= MAX_LIMIT))
def test_a_limit_out_of_range_is_named(limit: int) -> None:
    assert _problems({"limit": str(limit)}) == [
        ("limit", f"must be a whole number from 1 to 100 (got '{limit}')")
    ]


@pytest.mark.parametrize("limit", ["", "ten", "2.5", "1e2", "0x10", "+5", "٣"])
def test_a_limit_that_is_not_a_number_is_named(limit: str) -> None:
    ((parameter, problem),) = _problems({"limit": limit})
    assert parameter == "limit"
    assert problem.startswith("must be a whole number from 1 to 100")


def test_an_unknown_status_is_named_with_the_known_ones() -> None:
    assert _problems({"status": "Retired"}) == [
        ("status", "must be one of Active, Inactive, Draft or all (got 'Retired')")
    ]


@pytest.mark.parametrize(
    "token", ["x", "not-a-token", "eyJmb28iOiAxfQ", "WzIsICJhIiwgIlMtMSIsICJ4Il0", "%%%"]
)
def test_a_malformed_paging_token_is_named(token: str) -> None:
    ((parameter, problem),) = _problems({"next": token})
    assert parameter == "next"
    assert "not a paging token" in problem


def test_a_paging_token_belongs_to_its_search() -> None:
    catalog = [Solution(f"S-{n}", f"Data {n}", "Active", "Software Product") for n in range(5)]
    token = search(catalog, parse_query({"q": "data", "limit": "2"})).next
    assert token is not None
    # Another limit is the same search; q spelled otherwise too.
    assert search(catalog, parse_query({"q": " DATA ", "limit": "3", "next": token})).solutions
    for other in ({"q": "lake"}, {"category": "Software Product", "q": "data"}, {"q": "data", "status": ALL}):
        ((parameter, problem),) = _problems({**other, "next": token})
        assert (parameter, problem.split(":")[0]) == ("next", "belongs to another search")


def test_every_problem_of_a_query_is_named_at_once_and_unknown_parameters_too() -> None:
    assert dict(_problems({"limit": "0", "status": "x", "sort": "name"})) == {
        "limit": "must be a whole number from 1 to 100 (got '0')",
        "status": "must be one of Active, Inactive, Draft or all (got 'x')",
        "sort": "not a parameter of this route (it takes q, category, status, limit, next)",
    }


def test_free_text_is_at_most_200_characters() -> None:
    assert _problems({"q": "x" * 201}) == [("q", "at most 200 characters (got 201)")]


@pytest.mark.parametrize("good", ["S-1", "S-1234567", "S-" + "9" * 19])
def test_a_solution_id_is_s_and_digits(good: str) -> None:
    assert solution_id(good) == good


@pytest.mark.parametrize("bad", ["", "s-1", "S-", "S-12a", "1234567", "S-" + "9" * 20, "S-1/../x"])
def test_anything_else_is_not_a_solution_id(bad: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        solution_id(bad)
    assert raised.value.problems[0].parameter == "id"


def test_a_deal_id_is_digits() -> None:
    assert deal_id("10000000001") == "10000000001"
    for bad in ("", "abc", "12 3", "-1", "1" * 21):
        with pytest.raises(InvalidRequestError) as raised:
            deal_id(bad)
        assert raised.value.problems[0].parameter == "dealId"
