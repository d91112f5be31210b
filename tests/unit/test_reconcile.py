"""The three-way, field-by-field decisions of a linked pair (cosell.domain.reconcile), and the canonical
values they compare (cosell.domain.synced_fields)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cosell.domain.adoption import adopted_snapshot
from cosell.domain.reconcile import (
    Action,
    ConflictPolicy,
    Side,
    Sides,
    Snapshot,
    Strategy,
    decide,
    next_snapshot,
)
from cosell.domain.synced_fields import BY_NAME, FIELDS, canonical, editable, values_of

EARLIER = datetime(2026, 11, 1, tzinfo=UTC)
LATER = EARLIER + timedelta(minutes=5)
BASE = {synced.name: None for synced in FIELDS} | {
    "title": "Cloud migration",
    "stage": "Qualified",
    "close_date": "2027-06-30",
    "city": "Berlin",
}


def sides(
    hubspot: dict[str, Any] | None = None,
    partner_central: dict[str, Any] | None = None,
    *,
    review_status: str = "Pending Submission",
    hubspot_later: bool = True,
) -> Sides:
    return Sides(
        hubspot=BASE | (hubspot or {}),
        partner_central=BASE | (partner_central or {}),
        review_status=review_status,
        hubspot_modified_at=LATER if hubspot_later else EARLIER,
        partner_central_modified_at=EARLIER if hubspot_later else LATER,
    )


IN_STEP = Snapshot(dict(BASE), dict(BASE))


def only(decisions: list[Any]) -> Any:
    assert len(decisions) == 1, decisions
    return decisions[0]


def test_nothing_changed_means_nothing_to_decide() -> None:
    assert decide(sides(), IN_STEP, ConflictPolicy()) == []


def test_a_hubspot_change_is_pushed_and_a_partner_central_change_pulled() -> None:
    pushed = only(decide(sides({"close_date": "2027-07-31"}), IN_STEP, ConflictPolicy()))
    assert (pushed.name, pushed.action, pushed.conflict) == ("close_date", Action.PUSH, False)
    pulled = only(decide(sides(partner_central={"stage": "Committed"}), IN_STEP, ConflictPolicy()))
    assert (pulled.name, pulled.action) == ("stage", Action.PULL)


def test_a_partner_central_change_to_a_field_hubspot_does_not_take_back_is_kept() -> None:
    kept = only(decide(sides(partner_central={"city": "Hamburg"}), IN_STEP, ConflictPolicy()))
    assert (kept.name, kept.action) == ("city", Action.KEEP)
    after = next_snapshot(IN_STEP, sides(partner_central={"city": "Hamburg"}), [kept], None)
    # Remembered per side: HubSpot's Berlin is not a change at the next run, so nothing ping-pongs.
    assert decide(sides(partner_central={"city": "Hamburg"}), after, ConflictPolicy()) == []


def test_both_sides_changing_to_the_same_value_is_agreement_not_conflict() -> None:
    agreed = only(decide(sides({"stage": "Committed"}, {"stage": "Committed"}), IN_STEP, ConflictPolicy()))
    assert (agreed.action, agreed.conflict) == (Action.AGREE, False)


def both_changed(policy: ConflictPolicy, *, hubspot_later: bool = True) -> Any:
    changed = sides(
        {"title": "HubSpot title"}, {"title": "Partner Central title"}, hubspot_later=hubspot_later
    )
    return only(decide(changed, IN_STEP, policy))


def test_each_conflict_strategy_picks_its_side() -> None:
    hubspot_wins = both_changed(ConflictPolicy(Strategy.HUBSPOT_WINS))
    assert (hubspot_wins.action, hubspot_wins.winner) == (Action.PUSH, Side.HUBSPOT)
    partner_central_wins = both_changed(ConflictPolicy(Strategy.PARTNER_CENTRAL_WINS))
    assert (partner_central_wins.action, partner_central_wins.winner) == (Action.PULL, Side.PARTNER_CENTRAL)
    manual = both_changed(ConflictPolicy(Strategy.MANUAL))
    assert (manual.action, manual.winner, manual.strategy) == (Action.MANUAL, None, Strategy.MANUAL)


def test_last_write_wins_compares_each_sides_modification_time() -> None:
    policy = ConflictPolicy(Strategy.LAST_WRITE_WINS)
    assert both_changed(policy, hubspot_later=True).winner is Side.HUBSPOT
    assert both_changed(policy, hubspot_later=False).winner is Side.PARTNER_CENTRAL


def test_a_per_field_strategy_overrides_the_default_and_an_operator_choice_overrides_both() -> None:
    policy = ConflictPolicy(Strategy.HUBSPOT_WINS, {"title": Strategy.MANUAL})
    assert both_changed(policy).action is Action.MANUAL
    changed = sides({"title": "HubSpot title"}, {"title": "Partner Central title"})
    chosen = only(decide(changed, IN_STEP, policy, {"title": Side.PARTNER_CENTRAL}))
    assert (chosen.action, chosen.winner) == (Action.PULL, Side.PARTNER_CENTRAL)


def test_a_change_partner_central_does_not_let_the_partner_make_now_is_held_until_it_does() -> None:
    changed = sides({"close_date": "2027-07-31", "title": "New title"}, review_status="In review")
    assert {d.name: d.action for d in decide(changed, IN_STEP, ConflictPolicy())} == {
        "close_date": Action.HOLD,
        "title": Action.HOLD,
    }
    held = decide(changed, IN_STEP, ConflictPolicy())
    assert next_snapshot(IN_STEP, changed, held, None) == IN_STEP  # still a change at the next run
    approved = sides({"close_date": "2027-07-31", "title": "New title"}, review_status="Approved")
    # Approved: the close date may change; the project title never again (not held forever: noted once).
    decisions = decide(approved, IN_STEP, ConflictPolicy())
    assert {d.name: d.action for d in decisions} == {"close_date": Action.PUSH, "title": Action.LOCKED}
    after = next_snapshot(IN_STEP, approved, decisions, None)
    assert "title" not in {d.name for d in decide(approved, after, ConflictPolicy())}
    rejected = sides({"close_date": "2027-07-31"}, review_status="Rejected")
    assert only(decide(rejected, IN_STEP, ConflictPolicy())).action is Action.LOCKED


def test_editability_follows_partner_centrals_rules_per_review_status() -> None:
    assert all(editable(synced, "Pending Submission") for synced in FIELDS)
    assert not any(editable(synced, status) for synced in FIELDS for status in ("Submitted", "In review"))
    action_required = {synced.name for synced in FIELDS if editable(synced, "Action Required")}
    assert action_required == {
        "business_problem",
        "close_date",
        "expected_spend",
        "website",
        "street_address",
        "city",
        "state",
        "postal_code",
        "country",
        "owner",
    }
    approved_locked = {synced.name for synced in FIELDS if not editable(synced, "Approved")}
    assert approved_locked == {"title", "business_problem", "website", "industry", "postal_code", "country"}


def test_a_referral_link_without_memory_of_the_deal_starts_from_what_the_deal_was_made_of() -> None:
    referral = Snapshot(hubspot={}, partner_central=dict(BASE))
    # A field the deal was made from: the rep's edit before the first sync is an edit, and is pushed.
    edited = only(decide(sides({"close_date": "2027-08-31"}), referral, ConflictPolicy()))
    assert (edited.name, edited.action) == ("close_date", Action.PUSH)
    # A field HubSpot does not take from Partner Central: the deal's own value is its starting point.
    own = sides({"city": "Hamburg"})
    assert decide(own, referral, ConflictPolicy()) == []
    after = next_snapshot(referral, own, [], None)
    assert after.hubspot["city"] == "Hamburg"
    assert only(decide(sides({"city": "Munich"}), after, ConflictPolicy())).action is Action.PUSH


def test_a_deal_that_cannot_be_mapped_decides_nothing_until_it_maps_again() -> None:
    unmappable = Sides(None, BASE | {"stage": "Committed"}, "Pending Submission", LATER, EARLIER)
    assert decide(unmappable, IN_STEP, ConflictPolicy()) == []
    assert next_snapshot(IN_STEP, unmappable, [], None) == IN_STEP  # Partner Central's change still waits
    mapped_again = sides(partner_central={"stage": "Committed"})
    assert only(decide(mapped_again, IN_STEP, ConflictPolicy())).action is Action.PULL


def test_a_pulled_value_that_does_not_survive_the_way_back_is_not_pushed_back() -> None:
    two_entries = [{"Amount": "100", "CurrencyCode": "USD"}, {"Amount": "50", "CurrencyCode": "USD"}]
    changed = sides(partner_central={"expected_spend": two_entries})
    pulled = only(decide(changed, IN_STEP, ConflictPolicy()))
    summed_back = BASE | {"expected_spend": [{"Amount": "150", "CurrencyCode": "USD"}]}
    after = next_snapshot(IN_STEP, changed, [pulled], summed_back)
    # The deal now maps to one summed entry; that is what HubSpot holds, not a change of the rep's.
    now = Sides(summed_back, BASE | {"expected_spend": two_entries}, "Pending Submission", LATER, EARLIER)
    assert decide(now, after, ConflictPolicy()) == []


def test_canonical_values_ignore_spelling_that_does_not_change_meaning() -> None:
    assert canonical("Project.Title", "  Cloud   migration ") == "Cloud migration"
    spend = [{"Amount": "1000.00", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}]
    same = [{"Amount": "1000", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}]
    assert canonical("Project.ExpectedCustomerSpend", spend) == canonical(
        "Project.ExpectedCustomerSpend", same
    )
    assert canonical("Project.DeliveryModels", ["B", "A"]) == canonical("Project.DeliveryModels", ["A", "B"])
    assert canonical("Customer.Contacts", [{"Email": "A@X.example"}, {"Email": "b@x.example"}]) == canonical(
        "Customer.Contacts", [{"Email": "b@x.example"}, {"Email": "a@x.example"}]
    )
    assert canonical("Project.Title", "") is None
    team = [{"Email": "Ada@Example.com", "FirstName": "Ada", "LastName": "Rep", "BusinessTitle": "X"}]
    assert canonical("OpportunityTeam", team) == {
        "Email": "ada@example.com",
        "FirstName": "Ada",
        "LastName": "Rep",
    }


def test_values_are_read_from_an_opportunity_shaped_record() -> None:
    record = {
        "Project": {"Title": "T", "ExpectedCustomerSpend": [{"Amount": "5.50", "CurrencyCode": "EUR"}]},
        "LifeCycle": {"Stage": "Prospect", "TargetCloseDate": "2027-01-31", "ReviewStatus": "Approved"},
        "Customer": {"Account": {"Industry": "Other", "OtherIndustry": "Space", "Address": {"City": "Bonn"}}},
    }
    values = values_of(record)
    assert values["title"] == "T"
    assert values["expected_spend"] == [{"Amount": "5.5", "CurrencyCode": "EUR"}]
    assert values["industry"] == {
        "Customer.Account.Industry": "Other",
        "Customer.Account.OtherIndustry": "Space",
    }
    assert values["city"] == "Bonn"
    assert values["owner"] is None
    assert set(values) == set(BY_NAME)


# --- properties ------------------------------------------------------------------------------------------

field_names = st.sampled_from(sorted(BY_NAME))
values = st.none() | st.sampled_from(["a", "b", "c"])
strategies = st.sampled_from(list(Strategy))
statuses = st.sampled_from(["Pending Submission", "Submitted", "In review", "Approved", "Action Required"])


@st.composite
def situations(draw: st.DrawFn) -> tuple[Snapshot, Sides, ConflictPolicy]:
    names = draw(st.lists(field_names, unique=True, max_size=6))
    remembered = {name: draw(values) for name in names}
    snapshot = Snapshot(dict(BASE) | remembered, dict(BASE) | remembered)
    now_hubspot = dict(snapshot.hubspot) | {name: draw(values) for name in names if draw(st.booleans())}
    now_partner_central = dict(snapshot.partner_central) | {
        name: draw(values) for name in names if draw(st.booleans())
    }
    hubspot_later = draw(st.booleans())
    situation = Sides(
        now_hubspot,
        now_partner_central,
        draw(statuses),
        LATER if hubspot_later else EARLIER,
        EARLIER if hubspot_later else LATER,
    )
    policy = ConflictPolicy(
        draw(strategies), {name: draw(strategies) for name in names if draw(st.booleans())}
    )
    return snapshot, situation, policy


@settings(max_examples=300, deadline=None)
@given(situations())
def test_carrying_out_the_decisions_settles_the_pair(
    situation: tuple[Snapshot, Sides, ConflictPolicy],
) -> None:
    """After the writes, a second run has nothing to write: no echo, no ping-pong. Only what waits (held
    changes, manual conflicts) is decided again, and nothing else."""
    snapshot, now, policy = situation
    decisions = decide(now, snapshot, policy)
    hubspot = dict(now.hubspot or {})
    partner_central = dict(now.partner_central)
    for decision in decisions:
        if decision.action is Action.PUSH:
            partner_central[decision.name] = decision.hubspot
        elif decision.action is Action.PULL:
            hubspot[decision.name] = decision.partner_central
    after = next_snapshot(snapshot, now, decisions, hubspot)
    again = decide(
        Sides(
            hubspot,
            partner_central,
            now.review_status,
            now.hubspot_modified_at,
            now.partner_central_modified_at,
        ),
        after,
        policy,
    )
    waiting = {d.name for d in decisions if d.action in (Action.HOLD, Action.MANUAL)}
    assert {d.name for d in again} == waiting
    assert all(d.action in (Action.HOLD, Action.MANUAL) for d in again)


@settings(max_examples=300, deadline=None)
@given(situations())
def test_only_changed_fields_are_decided_and_a_one_sided_change_is_never_a_conflict(
    situation: tuple[Snapshot, Sides, ConflictPolicy],
) -> None:
    snapshot, now, policy = situation
    for decision in decide(now, snapshot, policy):
        hubspot_changed = (now.hubspot or {}).get(decision.name) != snapshot.hubspot.get(decision.name)
        partner_central_changed = now.partner_central.get(decision.name) != snapshot.partner_central.get(
            decision.name
        )
        assert hubspot_changed or partner_central_changed
        assert decision.conflict == (
            hubspot_changed and partner_central_changed and decision.action is not Action.AGREE
        )


def test_an_adopted_pair_decides_each_difference_as_a_conflict_until_it_is_settled() -> None:
    now = sides({"title": "Cloud move"}, {"stage": "Prospect"})
    adopted = adopted_snapshot(now.hubspot, now.partner_central)
    assert adopted.unsettled == {"title", "stage"}
    assert Snapshot.from_json(adopted.to_json()) == adopted

    decisions = decide(now, adopted, ConflictPolicy(Strategy.HUBSPOT_WINS, {"stage": Strategy.MANUAL}))
    by_name = {d.name: d for d in decisions}
    assert set(by_name) == {"title", "stage"}  # the fields both sides hold alike are not decided
    assert (by_name["title"].action, by_name["title"].winner) == (Action.PUSH, Side.HUBSPOT)
    assert by_name["stage"].action is Action.MANUAL
    after = next_snapshot(adopted, now, decisions, None)
    assert after.unsettled == {"stage"}  # waits for an operator; the title is settled
    pushed = sides({"title": "Cloud move"}, {"title": "Cloud move", "stage": "Prospect"})
    assert [d.name for d in decide(pushed, after, ConflictPolicy(Strategy.HUBSPOT_WINS))] == ["stage"]


def test_an_adopted_deal_that_cannot_be_mapped_compares_every_field_once_it_can() -> None:
    now = sides(partner_central={"city": "Hamburg"})
    adopted = adopted_snapshot(None, now.partner_central)
    assert adopted.unsettled == {synced.name for synced in FIELDS}
    (decision,) = [d for d in decide(now, adopted, ConflictPolicy()) if d.action is not Action.AGREE]
    assert (decision.name, decision.conflict) == ("city", True)


def test_a_snapshot_without_unsettled_fields_keeps_its_stored_form() -> None:
    assert IN_STEP.to_json() == {"hubspot": BASE, "partner_central": BASE}


def test_a_referrals_title_with_control_characters_is_the_same_title_as_its_cleaned_deal_name() -> None:
    """The deal made from an AWS referral has the title without its control characters; comparing them is
    no rep's change (which Partner Central would refuse once the opportunity is approved)."""
    raw = {"Project": {"Title": "Data\u0000 platform\u001b[31m"}}
    cleaned = {"Project": {"Title": "Data platform[31m"}}
    assert values_of(raw)["title"] == values_of(cleaned)["title"] == "Data platform[31m"
