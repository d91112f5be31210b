"""What a sync would do now, per deal and opportunity, and the Partner Central writes it would cost
(`cosell plan`). Pure: made of the sync's own decisions (cosell.domain.reconcile, the pre-flight, the
solutions' difference) by cosell.sync.onboarding.plan, which writes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cosell.domain.reconcile import Action

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cosell.domain.reconcile import FieldDecision


class Step(StrEnum):
    CREATE = "create"  # a tagged deal without an opportunity: CreateOpportunity
    LINK = "link"  # a tagged deal naming an opportunity that exists: adopted, then kept in step
    UPDATE = "update"  # a linked pair with something to write
    WAIT = "wait"  # a linked pair whose changes wait (AWS's review, an operator's choice)
    IN_STEP = "in step"  # a linked pair with nothing to write
    BLOCKED = "blocked"  # problems stop it: nothing is created or linked (the deal says why)
    NOTHING = "nothing"  # the sync leaves it alone


# What each field decision does, in the plan's words.
_MOVES = {
    Action.PUSH: "push",
    Action.PULL: "pull",
    Action.KEEP: "keep",
    Action.HOLD: "hold",
    Action.LOCKED: "locked",
    Action.MANUAL: "conflict",
    Action.AGREE: "agree",
}
_WAITING = frozenset({Action.HOLD, Action.MANUAL})


@dataclass(frozen=True)
class FieldPlan:
    """One synced field that changed on either side, and what the sync does with it."""

    name: str
    label: str
    move: str  # push, pull, keep, hold, locked, conflict (waiting for an operator), agree
    hubspot: Any
    partner_central: Any
    settled_by: str | None = None  # both sides changed it: the strategy, and the side it picks ("manual")

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.name,
            "label": self.label,
            "move": self.move,
            "hubspot": self.hubspot,
            "partner_central": self.partner_central,
            "settled_by": self.settled_by,
        }


def field_plans(decisions: Sequence[FieldDecision]) -> tuple[FieldPlan, ...]:
    plans = []
    for decision in decisions:
        settled_by = None
        if decision.conflict:
            settled_by = f"{decision.strategy}: {decision.winner or 'an operator'}"
        plans.append(
            FieldPlan(
                decision.name,
                decision.synced.label,
                _MOVES[decision.action],
                decision.hubspot,
                decision.partner_central,
                settled_by,
            )
        )
    return tuple(plans)


def pair_writes(decisions: Sequence[FieldDecision], solution_steps: int, *, assignable: bool) -> int:
    """A pair's Partner Central writes: each solution associated or disassociated, one UpdateOpportunity for
    every pushed field, one AssignOpportunity for a new owner Partner Central can take."""
    pushed = [decision for decision in decisions if decision.action is Action.PUSH]
    update = any(not decision.synced.assigned for decision in pushed)
    assign = assignable and any(decision.synced.assigned for decision in pushed)
    return solution_steps + int(update) + int(assign)


def pair_step(decisions: Sequence[FieldDecision], writes: int) -> Step:
    if writes or any(decision.action is Action.PULL for decision in decisions):
        return Step.UPDATE
    if any(decision.action in _WAITING for decision in decisions):
        return Step.WAIT
    return Step.IN_STEP


def create_writes(solution_steps: int, *, stage_moved: bool) -> int:
    """CreateOpportunity, its solutions, and the update to a stage that needed them (created one lower)."""
    return 1 + solution_steps + int(stage_moved)


@dataclass(frozen=True)
class PlanEntry:
    step: Step
    deal_id: str | None
    opportunity_id: str | None  # linked, or named by the deal (none yet for `create`)
    name: str  # the deal's name, or the opportunity's customer
    linked: bool = False  # the deal and the opportunity are a linked pair
    fields: tuple[FieldPlan, ...] = ()
    solutions: tuple[str, ...] = ()  # "+S-…" associated, "-S-…" disassociated
    problems: tuple[str, ...] = ()  # as the deal shows them
    note: str = ""
    writes: int = 0  # Partner Central writes

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step.value,
            "deal_id": self.deal_id,
            "opportunity_id": self.opportunity_id,
            "linked": self.linked,
            "name": self.name,
            "fields": [plan.to_json() for plan in self.fields],
            "solutions": list(self.solutions),
            "problems": list(self.problems),
            "note": self.note,
            "partner_central_writes": self.writes,
        }


@dataclass(frozen=True)
class Budget:
    """The writes against today's quota (the pacer's count of the UTC day, cosell.store.pacer)."""

    writes: int
    used_today: int
    daily_quota: int

    @property
    def left(self) -> int:
        return max(0, self.daily_quota - self.used_today)

    @property
    def fits(self) -> bool:
        return self.writes <= self.left

    def to_json(self) -> dict[str, Any]:
        return {
            "writes": self.writes,
            "used_today": self.used_today,
            "daily_quota": self.daily_quota,
            "left_today": self.left,
            "fits": self.fits,
        }


@dataclass(frozen=True)
class Plan:
    entries: tuple[PlanEntry, ...]

    @property
    def writes(self) -> int:
        return sum(entry.writes for entry in self.entries)

    def steps(self) -> dict[str, int]:
        """How many entries of each step, in Step's order."""
        counted = Counter(entry.step for entry in self.entries)
        return {step.value: counted[step] for step in Step if counted[step]}

    def moves(self) -> dict[str, int]:
        """How many fields of each move (push, pull, ...), in the order of first appearance."""
        counted = Counter(plan.move for entry in self.entries for plan in entry.fields)
        return dict(counted)

    def to_json(self, budget: Budget) -> dict[str, Any]:
        return {
            "entries": [entry.to_json() for entry in self.entries],
            "totals": {
                "steps": self.steps(),
                "fields": self.moves(),
                "problems": sum(len(entry.problems) for entry in self.entries),
            },
            "partner_central": budget.to_json(),
        }
