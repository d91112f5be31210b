"""The stage map, both ways, and the rules that come with a stage.

`MappingRules.stage_map` sends each HubSpot stage of a pipeline to a Partner Central `LifeCycle.Stage`
(docs/MAPPING.md, "Stages"). Going back, a Partner Central stage becomes the first HubSpot stage of the deal's
pipeline that maps to it. The rules that depend on a stage live here too: which stages need a solution, which
accept a past close date, and the reason sent with Closed Lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell.domain.mapping_rules import DEFAULT_PIPELINE

if TYPE_CHECKING:
    from collections.abc import MutableMapping

    from cosell.domain.mapping_rules import MappingRules

CLOSED_LOST = "Closed Lost"
# Partner Central accepts these stages only with a solution associated (docs/CONTRACTS.md, "Opportunities").
STAGES_NEEDING_SOLUTION = frozenset({"Committed", "Launched"})
# Partner Central accepts a past target close date for these.
CLOSED_STAGES = frozenset({"Launched", CLOSED_LOST})


def partner_central_stage(stage_id: str | None, pipeline: str | None, rules: MappingRules) -> str | None:
    """The Partner Central stage a HubSpot stage of `pipeline` maps to; None when the map has none."""
    return rules.stage_map.get(pipeline or DEFAULT_PIPELINE, {}).get(stage_id or "")


def hubspot_stage(stage: str | None, rules: MappingRules, pipeline: str) -> str | None:
    """The first HubSpot stage of `pipeline` that the stage map sends to this Partner Central stage."""
    for hubspot_id, partner_central in rules.stage_map.get(pipeline, {}).items():
        if partner_central == stage:
            return hubspot_id
    return None


def stage_problem(
    stage: str | None, stage_id: str | None, pipeline: str | None, *, creating: bool, has_solution: bool
) -> str | None:
    """Why the deal's stage cannot be sent, in the rep's words; None when it can."""
    if stage is None:
        return (
            f"stage '{stage_id}' of pipeline '{pipeline or DEFAULT_PIPELINE}' has no Partner Central stage. Ask "
            f"your cosell administrator to add it to the stage map (docs/MAPPING.md)."
        )
    if stage == CLOSED_LOST and creating:
        return "is closed lost; cosell does not create Partner Central opportunities for lost deals."
    if stage in STAGES_NEEDING_SOLUTION and not has_solution:
        return (
            f"maps to {stage}, which Partner Central accepts only with a solution attached. Set the deal's AWS "
            f"solution ids (aws_solution_ids), or ask your cosell administrator for default solutions."
        )
    return None


# The last stage before those that need a solution.
BEFORE_SOLUTION = "Business Validation"


def stage_to_create(stage: str) -> str:
    """The stage a new opportunity is created at. CreateOpportunity carries no solution, so a deal already in a
    stage that needs one is created just before it, its solutions associated, then moved to its stage."""
    return BEFORE_SOLUTION if stage in STAGES_NEEDING_SOLUTION else stage


def accepts_past_close_date(stage: str | None) -> bool:
    return stage in CLOSED_STAGES


def apply_closed_lost_reason(life_cycle: MutableMapping[str, Any], rules: MappingRules) -> None:
    """A Closed Lost opportunity needs a reason: the configured one when Partner Central has none yet; any
    other stage carries none."""
    if life_cycle.get("Stage") == CLOSED_LOST:
        if not life_cycle.get("ClosedLostReason"):
            life_cycle["ClosedLostReason"] = rules.closed_lost_reason
    else:
        life_cycle.pop("ClosedLostReason", None)
