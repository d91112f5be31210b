"""`cosell solutions`: the partner's solution catalog, and which solutions a deal's opportunity would carry.

    cosell solutions list [--all] [--json] [--refresh]   active solutions (--all: every status), by name
    cosell solutions match DEAL_ID [--json]              the matcher's ranking for a deal, and the choice

The same use cases as the solutions API (cosell.sync.solutions.browse), with the same ports as the functions
(cosell.handlers.runtime.Runtime), so they answer what the API and the sync would: the catalog cached in the
state table, read again from Partner Central when older than a day (now, with `--refresh`: that assumes the
Partner Central service role, as the functions do); for `match`, the deal read from HubSpot. Neither writes to
HubSpot or Partner Central. Where things are: the functions' environment (`load_settings`: STATE_TABLE_NAME,
the HubSpot token source, the Partner Central role; SYNC_QUEUE_URL and AUDIT_TABLE_NAME are required there
too, though never used here).

Exit status: 0; `match` 1 when the deal names solution ids that are not active solutions of the catalog;
2 for a configuration error, a malformed id or an unknown deal.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING, TypeVar

from cosell.domain.solution_search import InvalidRequestError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from cosell.config.sync import FunctionSettings
    from cosell.domain.solutions import Solution
    from cosell.handlers.runtime import Runtime
    from cosell.sync.solutions.browse import DealMatches


_Ports = TypeVar("_Ports")


class _StandardError:
    """Whatever sys.stderr is when a line is written."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def operator_ports(kind: Callable[[FunctionSettings], _Ports]) -> _Ports:
    """The functions' ports (`kind`: `Runtime` or a kind of it), from the functions' environment. Their JSON
    log lines (a HubSpot retry, say) go to stderr: stdout is the command's answer."""
    from cosell.config.sync import load_settings
    from cosell.handlers.runtime import logger

    handler = logger.registered_handler
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(_StandardError())
    return kind(load_settings())


def render_catalog(catalog: str, solutions: Sequence[Solution], *, every_status: bool) -> str:
    kind = "solutions" if every_status else "active solutions"
    if not solutions:
        return f"The {catalog} catalog has no {kind}."
    width = max(len(solution.category) for solution in solutions)
    lines = [f"{len(solutions)} {kind} in the {catalog} catalog:"]
    lines += [
        f"  {solution.id:<12}{solution.status:<10}{solution.category:<{width + 2}}{solution.name}"
        + ("  (AWS Marketplace)" if solution.marketplace_arn else "")
        for solution in solutions
    ]
    if not every_status:
        lines.append("Only active solutions can be associated with an opportunity (--all lists the others).")
    return "\n".join(lines)


def render_matches(matches: DealMatches) -> str:
    choice = matches.choice
    names = {match.solution.id: match.solution.name for match in matches.ranking}
    chosen = ", ".join(f"{solution_id} ({names.get(solution_id, '?')})" for solution_id in choice.ids)
    lines = [
        f"Deal {matches.deal_id}, {matches.catalog} catalog.",
        f"Solutions: {chosen}, chosen by {choice.chosen_by.value}."
        if chosen
        else f"Solutions: none ({choice.chosen_by.value}).",
        *choice.problems,
        f"The matcher's ranking (it chooses solutions scoring {matches.threshold} or more):",
    ]
    for match in matches.ranking:
        mark = "  ← chosen" if match.solution.id in choice.ids else ""
        lines.append(f"  {match.score:>3}  {match.solution.id:<12}{match.solution.name}{mark}")
        lines += [f"         {reason}" for reason in match.reasons or ("no evidence",)]
    if not matches.ranking:
        lines.append("  (the catalog has no active solution)")
    return "\n".join(lines)


def configure(parser: argparse.ArgumentParser) -> None:
    views = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = views.add_parser(
        "list", help="the solution catalog, by name", description="The solution catalog, by name."
    )
    listing.add_argument("--all", action="store_true", help="every status, not only Active")
    listing.add_argument("--json", action="store_true", help="one JSON object, for machines")
    listing.add_argument(
        "--refresh", action="store_true", help="read the catalog from Partner Central now (ListSolutions)"
    )
    listing.set_defaults(act=_list)
    match = views.add_parser(
        "match",
        help="which solutions a deal's opportunity would carry, and the matcher's ranking",
        description="Which solutions a deal's opportunity would carry, and the matcher's ranking behind it.",
    )
    match.add_argument("deal_id", metavar="DEAL_ID", help="HubSpot deal id")
    match.add_argument("--json", action="store_true", help="one JSON object, for machines")
    match.set_defaults(act=_match)


def run(args: argparse.Namespace) -> int:
    from cosell.sync.solutions.browse import NotFoundError

    try:
        from cosell.handlers.runtime import Runtime

        exit_code: int = args.act(args, operator_ports(Runtime))
    except (InvalidRequestError, NotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    return exit_code


def _list(args: argparse.Namespace, ports: Runtime) -> int:
    from cosell.sync.solutions.browse import catalog_solutions, solution_body

    solutions = catalog_solutions(ports, every_status=args.all, refresh=args.refresh)
    catalog = ports.config.catalog
    if args.json:
        print(json.dumps({"catalog": catalog, "solutions": [solution_body(s) for s in solutions]}, indent=2))
    else:
        print(render_catalog(catalog, solutions, every_status=args.all))
    return 0


def _match(args: argparse.Namespace, ports: Runtime) -> int:
    from cosell.sync.solutions.browse import solution_matches

    matches = solution_matches(ports, args.deal_id)
    print(json.dumps(matches.body(), indent=2) if args.json else render_matches(matches))
    return 1 if matches.choice.problems else 0
