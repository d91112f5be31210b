"""Three-way reconciliation of a linked deal and opportunity, field by field. Pure.

Each link remembers, per synced field, the value each side had when they were last in step (`Snapshot`).
A side *changed* a field when its value now differs from its own remembered one. Two memories, not one
agreed value: a field HubSpot cannot take back (a customer address edited in Partner Central) or a value
that does not survive the round trip exactly (two spend entries summed into one amount) would otherwise
look like a change on the other side at the next run, and ping-pong.

- Only HubSpot changed → push it to Partner Central, if the opportunity's ReviewStatus lets the partner edit
  that field now; otherwise hold it (it stays a change until it can be written).
- Only Partner Central changed → pull it into the deal (pulled fields), or keep it (the others: noted, the
  deal is left as it is).
- Both changed to the same value → agreed. Both changed differently → a conflict, settled by the field's
  strategy: last-write-wins (each side's modification time), hubspot-wins, partner-central-wins, or manual
  (nothing is written until an operator picks a side with `cosell conflicts resolve`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cosell.domain.audit import FieldChange
from cosell.domain.synced_fields import FIELDS, editable, locked_for_good

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from cosell.domain.synced_fields import SyncedField, Values


class Strategy(StrEnum):
    LAST_WRITE_WINS = "last-write-wins"
    HUBSPOT_WINS = "hubspot-wins"
    PARTNER_CENTRAL_WINS = "partner-central-wins"
    MANUAL = "manual"


class Side(StrEnum):
    HUBSPOT = "hubspot"
    PARTNER_CENTRAL = "partner-central"


class Action(StrEnum):
    PUSH = "push"  # HubSpot's value → Partner Central
    PULL = "pull"  # Partner Central's value → HubSpot
    KEEP = "keep"  # Partner Central's value stays; HubSpot does not take this field back
    HOLD = "hold"  # HubSpot's value waits until the opportunity may be edited
    LOCKED = "locked"  # HubSpot's value can never be sent (approved or rejected): noted, not retried
    MANUAL = "manual"  # a conflict waiting for an operator
    AGREE = "agree"  # both sides changed to the same value


@dataclass(frozen=True)
class ConflictPolicy:
    default: Strategy = Strategy.LAST_WRITE_WINS
    per_field: Mapping[str, Strategy] = field(default_factory=dict)

    def strategy(self, name: str) -> Strategy:
        return self.per_field.get(name, self.default)


@dataclass(frozen=True)
class Snapshot:
    """Each side's values when the pair was last in step. A field missing from `hubspot` has no memory yet
    (a link made from an AWS referral): pulled fields start from Partner Central's value (the deal was made
    from it), the others from the deal's current value.

    `unsettled`: fields the two sides have never agreed on (a deal and an opportunity that both existed before
    they were linked, cosell.sync.deals.adopt). Each is decided as changed on both sides, so a difference is a
    conflict its strategy settles, until it is settled."""

    hubspot: Values
    partner_central: Values
    unsettled: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"hubspot": self.hubspot, "partner_central": self.partner_central}
        if self.unsettled:
            data["unsettled"] = sorted(self.unsettled)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot:
        return cls(
            dict(data.get("hubspot") or {}),
            dict(data.get("partner_central") or {}),
            frozenset(data.get("unsettled") or ()),
        )


@dataclass(frozen=True)
class Sides:
    """What each side holds now. `hubspot` is None when the deal cannot be mapped (its problems are shown on
    the deal): nothing is decided until it maps again."""

    hubspot: Values | None
    partner_central: Values
    review_status: str | None
    hubspot_modified_at: datetime
    partner_central_modified_at: datetime


@dataclass(frozen=True)
class FieldDecision:
    synced: SyncedField
    action: Action
    hubspot: Any
    partner_central: Any
    strategy: Strategy | None = None  # set when both sides changed: the strategy that settled it
    winner: Side | None = None

    @property
    def name(self) -> str:
        return self.synced.name

    @property
    def conflict(self) -> bool:
        return self.strategy is not None


def decide(
    sides: Sides,
    snapshot: Snapshot,
    policy: ConflictPolicy,
    resolutions: Mapping[str, Side] | None = None,
) -> list[FieldDecision]:
    """One decision per field that changed on either side; unchanged fields are left out.

    `resolutions`: an operator's choice for fields in manual conflict (`cosell conflicts resolve`).
    A deal that cannot be mapped decides nothing: without its values, a change on both sides would look like
    Partner Central's alone. Partner Central's changes wait, unchanged in the snapshot, until it maps again.
    """
    if sides.hubspot is None:
        return []
    decisions = []
    for synced in FIELDS:
        name = synced.name
        hubspot = sides.hubspot.get(name)
        if name in snapshot.unsettled:
            hubspot_changed = True  # never in step: as if both sides had changed it (see Snapshot)
        elif name in snapshot.hubspot:
            hubspot_changed = hubspot != snapshot.hubspot[name]
        elif synced.pulled:
            # No memory of the deal yet (a link made from an AWS referral): the deal was made from the
            # opportunity, so for the fields that came from it, Partner Central's value is where it started.
            hubspot_changed = hubspot != snapshot.partner_central.get(name)
        else:
            hubspot_changed = False  # the deal's own value is the starting point
        partner_central = sides.partner_central.get(name)
        partner_central_changed = (
            name in snapshot.unsettled or partner_central != snapshot.partner_central.get(name)
        )
        if hubspot_changed or partner_central_changed:
            decisions.append(
                _decide_field(
                    synced,
                    hubspot,
                    partner_central,
                    hubspot_changed=hubspot_changed,
                    partner_central_changed=partner_central_changed,
                    sides=sides,
                    policy=policy,
                    resolutions=resolutions or {},
                )
            )
    return decisions


def _decide_field(
    synced: SyncedField,
    hubspot: Any,
    partner_central: Any,
    *,
    hubspot_changed: bool,
    partner_central_changed: bool,
    sides: Sides,
    policy: ConflictPolicy,
    resolutions: Mapping[str, Side],
) -> FieldDecision:
    def decided(
        action: Action, strategy: Strategy | None = None, winner: Side | None = None
    ) -> FieldDecision:
        return FieldDecision(synced, action, hubspot, partner_central, strategy, winner)

    if hubspot == partner_central:
        return decided(Action.AGREE)
    if hubspot_changed and partner_central_changed:
        strategy = policy.strategy(synced.name)
        winner = resolutions.get(synced.name) or _winner(strategy, sides)
        if winner is None:
            return decided(Action.MANUAL, strategy)
        return decided(_apply(synced, winner, sides), strategy, winner)
    winner = Side.HUBSPOT if hubspot_changed else Side.PARTNER_CENTRAL
    return decided(_apply(synced, winner, sides))


def _winner(strategy: Strategy, sides: Sides) -> Side | None:
    if strategy is Strategy.HUBSPOT_WINS:
        return Side.HUBSPOT
    if strategy is Strategy.PARTNER_CENTRAL_WINS:
        return Side.PARTNER_CENTRAL
    if strategy is Strategy.LAST_WRITE_WINS:
        # A tie goes to HubSpot, where the rep works.
        if sides.partner_central_modified_at > sides.hubspot_modified_at:
            return Side.PARTNER_CENTRAL
        return Side.HUBSPOT
    return None


def _apply(synced: SyncedField, winner: Side, sides: Sides) -> Action:
    if winner is Side.HUBSPOT:
        if editable(synced, sides.review_status):
            return Action.PUSH
        return Action.LOCKED if locked_for_good(synced, sides.review_status) else Action.HOLD
    return Action.PULL if synced.pulled else Action.KEEP


def next_snapshot(
    snapshot: Snapshot,
    sides: Sides,
    decisions: list[FieldDecision],
    hubspot_after_pull: Values | None,
) -> Snapshot:
    """What each side holds once the decisions are carried out.

    `hubspot_after_pull`: the deal's values mapped again after the pulled properties were written (a pulled
    value need not survive the way back exactly); None when nothing was pulled.
    """
    hubspot = dict(snapshot.hubspot)
    partner_central = dict(snapshot.partner_central)
    if sides.hubspot is not None:
        for synced in FIELDS:  # fields without a memory start from the deal's current value
            hubspot.setdefault(synced.name, sides.hubspot.get(synced.name))
    for decision in decisions:
        name = decision.name
        if decision.action is Action.PUSH:
            hubspot[name] = partner_central[name] = decision.hubspot
        elif decision.action is Action.PULL:
            partner_central[name] = decision.partner_central
            after = hubspot_after_pull if hubspot_after_pull is not None else sides.hubspot
            hubspot[name] = (after or {}).get(name, decision.partner_central)
        elif decision.action is Action.KEEP:
            partner_central[name] = decision.partner_central
            if decision.conflict:
                hubspot[name] = decision.hubspot  # HubSpot's side of the conflict is settled, not pending
        elif decision.action is Action.AGREE:
            hubspot[name] = decision.hubspot
            partner_central[name] = decision.partner_central
        elif decision.action is Action.LOCKED:
            # Refused for good and said so: each side keeps its value, neither is a change at the next run.
            hubspot[name] = decision.hubspot
            partner_central[name] = decision.partner_central
        # HOLD and MANUAL: neither memory moves, so the change is still a change at the next run.
    settled = {d.name for d in decisions if d.action not in (Action.HOLD, Action.MANUAL)}
    return Snapshot(hubspot, partner_central, snapshot.unsettled - settled)


def changes_of(decisions: Sequence[FieldDecision], *, to_partner_central: bool) -> list[FieldChange]:
    """The decided fields as audit changes, from the side that loses its value to the one that wins."""
    if to_partner_central:
        return [FieldChange(d.name, d.partner_central, d.hubspot) for d in decisions]
    return [FieldChange(d.name, d.hubspot, d.partner_central) for d in decisions]


def why(decisions: Sequence[FieldDecision]) -> str:
    """Why these fields were written: changed on one side, or a conflict settled by its strategy."""
    settled = [f"{d.name}: {d.strategy}, {d.winner} wins" for d in decisions if d.conflict]
    return "; ".join(["changed on one side", *settled]) if settled else "changed on one side"
