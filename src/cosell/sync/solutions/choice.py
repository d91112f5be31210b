"""Which solutions a deal's opportunity should carry (cosell.domain.solutions), with the catalog read as
needed; shared by the pair's sync, which associates them, and the solutions API, which explains them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell.domain import deal_properties
from cosell.domain.solutions import ChosenBy, SolutionChoice, choose, facts_of, parse_ids
from cosell.domain.stages import STAGES_NEEDING_SOLUTION
from cosell.domain.submission import requested as requested_submission
from cosell.domain.to_partner_central import map_deal
from cosell.sync.solutions.catalog import current_catalog

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cosell.domain.deal import DealView
    from cosell.domain.solutions import Solution
    from cosell.sync.ports import CatalogPorts


def choose_solutions(
    view: DealView, ports: CatalogPorts, draft: Mapping[str, Any] | None = None, *, explaining: bool = False
) -> tuple[SolutionChoice, tuple[Solution, ...]]:
    """The choice for the deal, and the catalog it was made from. `draft`: the deal's mapped fields, when the
    caller has mapped it already. The catalog is read (and refreshed when old) only when there is something
    to choose, or when `explaining` the ranking; otherwise the cached one names the solutions shown."""
    config = ports.config
    rules = config.rules
    if draft is None:
        draft = map_deal(view, rules, config.vocabulary, ports.now().date(), creating=False).draft
    requested = parse_ids(view.overrides.get(deal_properties.SOLUTION_IDS))
    stage = (draft.get("LifeCycle") or {}).get("Stage")
    needed = stage in STAGES_NEEDING_SOLUTION or requested_submission(view, rules) is not None
    if not (requested or rules.default_solution_ids or needed or explaining):
        cached = ports.solutions.get(config.catalog)
        return SolutionChoice((), ChosenBy.NOT_NEEDED), cached.solutions if cached is not None else ()
    catalog = current_catalog(ports, wanted=requested or rules.default_solution_ids)
    choice = choose(
        requested,
        rules.default_solution_ids,
        facts_of(draft),
        catalog,
        threshold=rules.solution_match_threshold,
        needed=needed,
    )
    return choice, catalog
