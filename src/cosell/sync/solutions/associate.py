"""The solutions an opportunity carries, converged to the deal's choice (cosell.domain.solutions): only the
difference is sent (AssociateOpportunity / DisassociateOpportunity, each paced as a write and audited).

A choice someone made (the deal's own ids, or the configured defaults) is converged exactly: what it does not
name is disassociated, unless the deal names an id the catalog does not know (a typo never strips the
opportunity of its solutions). The matcher only fills an opportunity that has no solution yet, so it never
undoes what a rep or a Partner Central user associated. Nothing is sent while AWS reviews the opportunity, once
it rejected it, or once the opportunity is closed lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from cosell.aws_errors import TRANSIENT, error_code, error_message
from cosell.domain.audit import AuditAction, FieldChange
from cosell.domain.solutions import MAX_SOLUTIONS, ChosenBy
from cosell.domain.stages import CLOSED_LOST
from cosell.metrics import Refusal

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cosell.domain.solutions import Solution, SolutionChoice
    from cosell.store.state import Link
    from cosell.sync.ports import Ports

RELATED_ENTITY_TYPE = "Solutions"
# Where an opportunity's solutions are: the partner's own, and AWS Marketplace ones.
CARRIED = (RELATED_ENTITY_TYPE, "AwsMarketplaceSolutions")
# Review statuses under which the partner does not change the opportunity (docs/CONTRACTS.md,
# "Editable fields by review status").
_LOCKED = frozenset({"Submitted", "In review", "Rejected"})


class Audit(Protocol):
    def __call__(
        self,
        action: AuditAction,
        changes: Sequence[FieldChange] = (),
        detail: str = "",
        refusal: Refusal | None = None,
    ) -> None: ...


@dataclass
class Convergence:
    changed: bool = False
    refused: list[str] = field(default_factory=list)


def associated(opportunity: Mapping[str, Any]) -> tuple[str, ...]:
    """The solutions an opportunity carries (GetOpportunity's RelatedEntityIdentifiers), AWS Marketplace
    ones included."""
    related = opportunity.get("RelatedEntityIdentifiers") or {}
    return tuple(identifier for kind in CARRIED for identifier in related.get(kind) or ())


def shown(solution_ids: Sequence[str], catalog: Sequence[Solution]) -> str:
    """The deal's `aws_solutions`: each associated solution by name, with its id."""
    names = {solution.id: solution.name for solution in catalog}
    return "; ".join(f"{names[i]} ({i})" if i in names else i for i in solution_ids)


def converge(
    opportunity: Mapping[str, Any], choice: SolutionChoice, link: Link, ports: Ports, audit: Audit, why: str
) -> Convergence:
    current = associated(opportunity)
    result = Convergence()
    life_cycle = opportunity.get("LifeCycle") or {}
    if (
        life_cycle.get("ReviewStatus") in _LOCKED
        or life_cycle.get("Stage") == CLOSED_LOST  # nothing left to co-sell: no write for it
        or choice.chosen_by in (ChosenBy.NOBODY, ChosenBy.NOT_NEEDED)
        or (choice.chosen_by is ChosenBy.MATCHER and current)
    ):
        return result
    wanted = choice.ids
    additions = [(True, solution_id) for solution_id in wanted if solution_id not in current]
    removals = [] if choice.unknown else [(False, i) for i in current if i not in wanted]
    # Added first, so the opportunity is never without a solution in between; unless that would take it past
    # the 10 an opportunity may carry.
    fits = len(current) + len(additions) <= MAX_SOLUTIONS
    steps = additions + removals if fits else removals + additions
    for adding, solution_id in steps:
        request = {
            "Catalog": link.catalog,
            "OpportunityIdentifier": link.opportunity_id,
            "RelatedEntityType": RELATED_ENTITY_TYPE,
            "RelatedEntityIdentifier": solution_id,
        }
        try:
            if adding:
                ports.partner_central.associate_opportunity(**request)  # type: ignore[arg-type]
            else:
                ports.partner_central.disassociate_opportunity(**request)  # type: ignore[arg-type]
        except ClientError as error:
            if error_code(error) in TRANSIENT:
                raise
            verb = "associate" if adding else "disassociate"
            reason = f"Partner Central refused to {verb} solution {solution_id}: {error_message(error)}"
            result.refused.append(reason)
            audit(
                AuditAction.ERROR,
                [FieldChange("solutions", solution_id, None)],
                reason,
                Refusal.PARTNER_CENTRAL,
            )
            continue
        result.changed = True
        if adding:
            audit(AuditAction.ASSOCIATE_SOLUTION, [FieldChange("solutions", None, solution_id)], why)
        else:
            audit(AuditAction.DISASSOCIATE_SOLUTION, [FieldChange("solutions", solution_id, None)], why)
    return result
