"""Which solutions an opportunity carries (cosell.domain.solutions): precedence, the catalog's truth, and a
matcher that explains every point it gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cosell.domain.solutions import (
    MAX_SOLUTIONS,
    ChosenBy,
    DealFacts,
    Solution,
    choose,
    facts_of,
    parse_ids,
    rank,
    score,
)

CATALOG = (
    Solution("S-1", "Managed Data Platform", "Active", "Managed Services"),
    Solution("S-2", "Migration Factory", "Active", "Consulting Services"),
    Solution("S-3", "Legacy Connector", "Inactive", "Software Product"),
    Solution("S-4", "Healthcare Analytics Suite", "Active", "Software Product", "arn:aws:aws-marketplace:x"),
    Solution("S-5", "Healthcare Analytics Kit", "Active", "Software Product"),
)
HEALTH = DealFacts(
    title="Hospital analytics rollout",
    business_problem="The hospital group needs analytics on patient flow.",
    industry="Healthcare",
    use_case="Business Intelligence & Data Warehouse",
    delivery_models=("SaaS or PaaS",),
)


def test_the_deals_own_ids_win_and_unknown_or_inactive_ones_are_named() -> None:
    choice = choose(("S-2", "S-3", "S-9"), ("S-1",), HEALTH, CATALOG, threshold=0, needed=True)
    assert (choice.ids, choice.chosen_by, choice.unknown) == (("S-2",), ChosenBy.DEAL, ("S-3", "S-9"))
    assert "S-3, S-9 are not an active solution" in choice.problems[0]


def test_defaults_come_before_the_matcher() -> None:
    choice = choose((), ("S-1",), HEALTH, CATALOG, threshold=0, needed=True)
    assert (choice.ids, choice.chosen_by, choice.problems) == (("S-1",), ChosenBy.DEFAULT, [])


def test_the_matcher_explains_its_choice_and_prefers_marketplace_on_a_tie() -> None:
    choice = choose((), (), HEALTH, CATALOG, threshold=40, needed=True)
    assert choice.chosen_by is ChosenBy.MATCHER
    assert choice.ids[:2] == ("S-4", "S-5")  # same score: the AWS Marketplace one first
    best = choice.matches[0]
    assert best.score >= 40
    assert any("industry 'Healthcare'" in reason for reason in best.reasons)
    assert any("category 'Software Product'" in reason for reason in best.reasons)
    assert "S-4 scored" in choice.explain({"S-4": "Healthcare Analytics Suite"})


def test_the_matcher_chooses_nothing_nobody_needs_and_nothing_below_its_threshold() -> None:
    assert choose((), (), HEALTH, CATALOG, threshold=40, needed=False).ids == ()
    assert choose((), (), HEALTH, CATALOG, threshold=40, needed=False).chosen_by is ChosenBy.NOT_NEEDED
    assert (
        choose((), (), DealFacts(title="x"), CATALOG, threshold=40, needed=True).chosen_by is ChosenBy.NOBODY
    )


def test_inactive_solutions_are_never_ranked() -> None:
    assert "S-3" not in {match.solution.id for match in rank(HEALTH, CATALOG)}


def test_facts_come_from_the_mapped_fields() -> None:
    fields = {
        "Project": {
            "Title": "T",
            "CustomerBusinessProblem": "P",
            "CustomerUseCase": "U",
            "DeliveryModels": ["Resell"],
        },
        "Customer": {"Account": {"Industry": "Other", "OtherIndustry": "Fishing"}},
    }
    assert facts_of(fields) == DealFacts("T", "P", "Fishing", "U", ("Resell",))


words = st.text(alphabet="abcdefghij -", max_size=30)
solutions = st.builds(
    Solution,
    id=st.from_regex(r"S-[0-9]{3}", fullmatch=True),
    name=words,
    status=st.sampled_from(["Active", "Inactive", "Draft"]),
    category=st.sampled_from(["Software Product", "Managed Services", "Consulting Services"]),
)


@given(
    st.lists(solutions, max_size=30, unique_by=lambda s: s.id),
    st.builds(DealFacts, title=words, business_problem=words, industry=words, use_case=words),
    st.integers(0, 100),
)
def test_a_choice_is_active_at_most_ten_scored_within_bounds_and_explained(
    catalog: list[Solution], deal: DealFacts, threshold: int
) -> None:
    choice = choose((), (), deal, catalog, threshold=threshold, needed=True)
    active = {solution.id for solution in catalog if solution.active}
    assert set(choice.ids) <= active
    assert len(choice.ids) <= MAX_SOLUTIONS
    for match in choice.matches:
        assert 0 <= match.score <= 100
        assert (match.score == 0) == (not match.reasons)  # every point has its reason
        assert match == score(deal, match.solution)
    assert all(m.score >= threshold for m in choice.matches if m.solution.id in choice.ids)


@given(st.lists(st.from_regex(r"S-[0-9]{1,3}", fullmatch=True), max_size=8))
def test_ids_parse_in_order_once_each(ids: list[str]) -> None:
    assert parse_ids(" ; ".join(ids)) == tuple(dict.fromkeys(ids))
