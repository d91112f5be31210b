"""`cosell plan`'s arithmetic (cosell.domain.plan) and the two in-process stand-ins that keep it from writing
(cosell.cli.plan): the read pacer and the solution catalog."""

from __future__ import annotations

from datetime import UTC, datetime

from cosell.cli.plan import CatalogInMemory, ProcessPacer
from cosell.domain.plan import Budget, Step, create_writes, field_plans, pair_step, pair_writes
from cosell.domain.reconcile import Action, FieldDecision, Side, Strategy
from cosell.domain.solutions import Solution
from cosell.domain.synced_fields import BY_NAME
from cosell.store.solutions import CachedCatalog


def decision(
    name: str, action: Action, strategy: Strategy | None = None, winner: Side | None = None
) -> FieldDecision:
    return FieldDecision(BY_NAME[name], action, "hubspot value", "partner central value", strategy, winner)


def test_pushed_fields_cost_one_update_and_a_new_owner_one_assignment_when_partner_central_can_take_them() -> (
    None
):
    pushes = [decision("title", Action.PUSH), decision("stage", Action.PUSH)]
    assert pair_writes(pushes, 0, assignable=True) == 1
    owner = [decision("owner", Action.PUSH)]
    assert pair_writes(owner, 0, assignable=True) == 1
    assert pair_writes(owner, 0, assignable=False) == 0  # reported, not sent
    assert pair_writes([*pushes, *owner], 2, assignable=True) == 4  # and each solution step
    assert (
        pair_writes([decision("stage", Action.PULL), decision("city", Action.KEEP)], 0, assignable=True) == 0
    )


def test_a_pairs_step_is_what_it_would_do() -> None:
    assert pair_step([decision("stage", Action.PULL)], 0) is Step.UPDATE
    assert pair_step([decision("title", Action.PUSH)], 1) is Step.UPDATE
    assert pair_step([decision("title", Action.HOLD), decision("city", Action.KEEP)], 0) is Step.WAIT
    assert pair_step([decision("stage", Action.MANUAL)], 0) is Step.WAIT
    assert pair_step([decision("city", Action.KEEP), decision("title", Action.AGREE)], 0) is Step.IN_STEP


def test_a_create_costs_its_solutions_and_the_move_to_a_stage_that_needed_them() -> None:
    assert create_writes(0, stage_moved=False) == 1
    assert create_writes(2, stage_moved=True) == 4


def test_a_conflict_says_how_it_is_settled() -> None:
    settled, waiting = field_plans(
        [
            decision("stage", Action.PULL, strategy=Strategy.LAST_WRITE_WINS, winner=Side.PARTNER_CENTRAL),
            decision("close_date", Action.MANUAL, strategy=Strategy.MANUAL),
        ]
    )
    assert (settled.move, settled.settled_by) == ("pull", "last-write-wins: partner-central")
    assert (waiting.move, waiting.label, waiting.settled_by) == (
        "conflict",
        "Close date",
        "manual: an operator",
    )


def test_the_budget_is_what_is_left_of_the_day() -> None:
    assert Budget(writes=5, used_today=9_990, daily_quota=10_000).to_json() == {
        "writes": 5,
        "used_today": 9_990,
        "daily_quota": 10_000,
        "left_today": 10,
        "fits": True,
    }
    assert not Budget(writes=11, used_today=9_990, daily_quota=10_000).fits
    assert Budget(writes=0, used_today=10_500, daily_quota=10_000).left == 0


def test_the_process_pacer_spaces_its_own_requests_and_nothing_else() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = ProcessPacer(2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        pacer.reserve()
    assert slept == [0.5, 0.5]
    now[0] += 10  # idle: the next one goes at once
    pacer.reserve()
    assert slept == [0.5, 0.5]


class _Stored:
    def __init__(self, cached: CachedCatalog | None) -> None:
        self.cached = cached
        self.saved = 0

    def get(self, catalog: str) -> CachedCatalog | None:
        return self.cached

    def save(self, catalog: str, solutions: object, read_at: datetime) -> None:
        self.saved += 1


def test_a_catalog_read_again_stays_in_memory() -> None:
    old = CachedCatalog((), datetime(2026, 11, 1, tzinfo=UTC))
    stored = _Stored(old)
    catalog = CatalogInMemory(stored)
    assert catalog.get("Sandbox") is old
    fresh = (Solution(id="S-1", name="Data", status="Active", category="Software", marketplace_arn=None),)
    catalog.save("Sandbox", fresh, datetime(2026, 12, 2, tzinfo=UTC))
    cached = catalog.get("Sandbox")
    assert cached is not None
    assert cached.solutions == fresh
    assert stored.saved == 0
