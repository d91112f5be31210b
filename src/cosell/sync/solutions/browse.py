"""Use cases: the solution catalog browsed (search, one solution) and a deal's solution matches explained.
Served by the solutions API (cosell.handlers.solutions_api) and the `cosell solutions` commands.

The catalog is the cached one (cosell.sync.solutions.catalog.current_catalog), read again from Partner Central
when it is old: a search costs a DynamoDB read, not a ListSolutions. A deal's matches are what the pair's sync
would choose for it (cosell.sync.solutions.choice), with the matcher's whole ranking as evidence. Nothing here
writes to HubSpot or Partner Central.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cosell.domain.solution_search import (
    ALL,
    SolutionQuery,
    deal_id,
    parse_query,
    search,
    select,
    solution_id,
)
from cosell.domain.solutions import ACTIVE, facts_of, rank
from cosell.domain.to_partner_central import map_deal
from cosell.hubspot.client import HubSpotNotFoundError
from cosell.sync.solutions.catalog import current_catalog, refresh_catalog
from cosell.sync.solutions.choice import choose_solutions

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cosell.domain.solution_search import Page
    from cosell.domain.solutions import Solution, SolutionChoice, SolutionMatch
    from cosell.sync.ports import CatalogPorts, Ports


class NotFoundError(LookupError):
    """What the request names does not exist (the API answers 404 with the message)."""


def solution_body(solution: Solution) -> dict[str, Any]:
    return {
        "id": solution.id,
        "name": solution.name,
        "status": solution.status,
        "category": solution.category,
        "marketplace_arn": solution.marketplace_arn,
    }


@dataclass(frozen=True)
class SolutionPage:
    catalog: str
    page: Page

    def body(self) -> dict[str, Any]:
        return {
            "catalog": self.catalog,
            "solutions": [solution_body(solution) for solution in self.page.solutions],
            "total": self.page.total,
            "next": self.page.next,
        }


@dataclass(frozen=True)
class FoundSolution:
    catalog: str
    solution: Solution

    def body(self) -> dict[str, Any]:
        return {"catalog": self.catalog, **solution_body(self.solution)}


@dataclass(frozen=True)
class DealMatches:
    """What the sync would associate with the deal's opportunity, and the matcher's ranking behind it."""

    deal_id: str
    catalog: str
    choice: SolutionChoice
    ranking: tuple[SolutionMatch, ...]  # every active solution of the catalog, best first
    threshold: int  # the matcher chooses solutions scoring at least this

    def body(self) -> dict[str, Any]:
        chosen = set(self.choice.ids)
        return {
            "deal_id": self.deal_id,
            "catalog": self.catalog,
            "solution_ids": list(self.choice.ids),
            "chosen_by": self.choice.chosen_by.name.lower(),
            "chosen_by_description": self.choice.chosen_by.value,
            "unknown_ids": list(self.choice.unknown),
            "problems": self.choice.problems,
            "threshold": self.threshold,
            "matches": [
                {
                    "id": match.solution.id,
                    "name": match.solution.name,
                    "category": match.solution.category,
                    "score": match.score,
                    "reasons": list(match.reasons),
                    "chosen": match.solution.id in chosen,
                }
                for match in self.ranking
            ],
        }


def list_solutions(ports: CatalogPorts, parameters: Mapping[str, str] | None) -> SolutionPage:
    """GET /solutions: one page of the search the query parameters describe (InvalidRequestError if bad)."""
    query = parse_query(parameters)
    return SolutionPage(ports.config.catalog, search(current_catalog(ports), query))


def get_solution(ports: CatalogPorts, identifier: str) -> FoundSolution:
    """GET /solutions/{id}, whatever its status. An id the cache does not know reads the catalog again (at most
    once per catalog.MIN_AGE)."""
    wanted = solution_id(identifier)
    catalog = ports.config.catalog
    for solution in current_catalog(ports, wanted=(wanted,)):
        if solution.id == wanted:
            return FoundSolution(catalog, solution)
    raise NotFoundError(f"no solution {wanted} in the {catalog} catalog")


def catalog_solutions(ports: CatalogPorts, *, every_status: bool, refresh: bool) -> tuple[Solution, ...]:
    """The whole catalog in the search's order (`cosell solutions list`): active solutions, or all of them;
    read from Partner Central first when `refresh`."""
    solutions = refresh_catalog(ports) if refresh else current_catalog(ports)
    return tuple(select(solutions, SolutionQuery(status=ALL if every_status else ACTIVE)))


def solution_matches(ports: Ports, identifier: str) -> DealMatches:
    """GET /deals/{dealId}/solution-matches: the choice for the deal, as the sync makes it, and the ranking."""
    wanted = deal_id(identifier)
    try:
        view = ports.deals.view(ports.deals.read_deal(wanted))
    except HubSpotNotFoundError:
        raise NotFoundError(f"no deal {wanted} in HubSpot") from None
    config = ports.config
    # Mapped once, as a linked opportunity (what the pair's sync maps): the choice and the ranking read the
    # same facts.
    draft = map_deal(view, config.rules, config.vocabulary, ports.now().date(), creating=False).draft
    choice, catalog = choose_solutions(view, ports, draft, explaining=True)
    return DealMatches(
        deal_id=wanted,
        catalog=config.catalog,
        choice=choice,
        ranking=tuple(rank(facts_of(draft), catalog)),
        threshold=config.rules.solution_match_threshold,
    )
