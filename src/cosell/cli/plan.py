"""`cosell plan [--json]`: what a sync would do now, per deal and opportunity, and what it would cost; a dry
run that writes nothing anywhere.

Reads HubSpot (the tagged deals, each linked deal), Partner Central (each linked opportunity, the catalog's
list) and the state table (links, conflicts, the solution cache, today's write count), and decides with the
sync's own code (cosell.sync.onboarding.plan). Nothing is written to HubSpot, Partner Central or DynamoDB:
the ports it runs on hold no writer, its reads are paced in this process only (2 a second: the running
sync keeps most of Partner Central's 10), and a solution catalog read again stays in memory.

Where things are: the functions' environment, as for `cosell solutions`. Exit status: 0; 2 for a
configuration error.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cosell.cli.conflicts import one_line
from cosell.cli.solutions import operator_ports
from cosell.domain.plan import Budget, Step
from cosell.store.pacer import DAILY_WRITE_QUOTA, WRITES, used_on

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    from cosell.config.sync import FunctionSettings
    from cosell.domain.plan import Plan, PlanEntry
    from cosell.domain.solutions import Solution
    from cosell.handlers.runtime import Runtime
    from cosell.hubspot.deal_reader import DealReader
    from cosell.store.conflicts import ConflictStore
    from cosell.store.solutions import CachedCatalog
    from cosell.store.state import StateStore
    from cosell.sync.ports import SolutionCache, SyncConfig

READS_PER_SECOND = 2.0


class ProcessPacer:
    """Paces this process's requests, and only them (cosell.partner_central.client.paced): no slot shared with
    the functions is written, so the plan writes nothing anywhere. Its reads are few and slow enough that the
    functions' own pacing keeps the quota."""

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0

    def reserve(self) -> int:
        now = self._clock()
        if self._next > now:
            self._sleep(self._next - now)
        self._next = max(now, self._next) + self._interval
        return 0

    def depart(self, gap_ms: int) -> float:
        return self._clock()  # one request at a time in this process: nothing else to wait for

    def answered(self, sent: float) -> None:
        """Nothing to record: no other process reads this pacer."""

    def throttled(self) -> float:
        self._interval *= 1.5  # the functions are busy: the plan leaves them the quota
        return 0.0


class CatalogInMemory:
    """The state table's solution catalog; one read again from Partner Central is kept here, not stored."""

    def __init__(self, stored: SolutionCache) -> None:
        self._stored = stored
        self._read: dict[str, CachedCatalog] = {}

    def get(self, catalog: str) -> CachedCatalog | None:
        return self._read.get(catalog) or self._stored.get(catalog)

    def save(self, catalog: str, solutions: Sequence[Solution], read_at: datetime) -> None:
        from cosell.store.solutions import CachedCatalog

        self._read[catalog] = CachedCatalog(tuple(solutions), read_at)


@dataclass(frozen=True)
class ReadOnlyPorts:
    """cosell.sync.ports.PlanPorts on the functions' adapters: their readers, and no writer."""

    runtime: Runtime
    partner_central: PartnerCentralSellingAPIClient
    solutions: CatalogInMemory
    deals: DealReader  # the functions' reader keeps the customer index: this one only reads

    @classmethod
    def of(cls, settings: FunctionSettings) -> ReadOnlyPorts:
        from cosell.handlers.runtime import Runtime
        from cosell.partner_central.client import paced, partner_central_client

        runtime = Runtime(settings)
        pacer = ProcessPacer(READS_PER_SECOND)  # reads only: no write goes out, so none is paced
        client = paced(partner_central_client(settings, "cosell-plan"), writes=pacer, reads=pacer)
        from cosell.hubspot.deal_reader import DealReader

        return cls(runtime, client, CatalogInMemory(runtime.solutions), DealReader(runtime.hubspot))

    @property
    def config(self) -> SyncConfig:
        return self.runtime.config

    @property
    def links(self) -> StateStore:
        return self.runtime.links

    @property
    def conflicts(self) -> ConflictStore:
        return self.runtime.conflicts

    def now(self) -> datetime:
        return datetime.now(UTC)

    def writes_used_today(self) -> int:
        settings = self.runtime.settings
        return used_on(self.runtime.dynamodb, settings.state_table_name, WRITES, self.now().date())


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object, for scripts")


def run(args: argparse.Namespace) -> int:
    from cosell.sync.onboarding.plan import plan

    ports = operator_ports(ReadOnlyPorts.of)
    planned = plan(ports)
    budget = Budget(planned.writes, ports.writes_used_today(), DAILY_WRITE_QUOTA)
    if args.json:
        print(json.dumps(planned.to_json(budget), indent=2, ensure_ascii=False, default=str))
    else:
        print(render(planned, budget))
    return 0


# --- rendering ---


def _heading(entry: PlanEntry) -> str:
    subject = f"Deal {entry.deal_id}" if entry.deal_id else f"Opportunity {entry.opportunity_id}"
    if entry.deal_id and entry.opportunity_id:
        subject += f" ↔ {entry.opportunity_id}" if entry.linked else f" (names {entry.opportunity_id})"
    name = f" {entry.name!r}" if entry.name else ""
    cost = (
        f" ({entry.writes} Partner Central write{'s' if entry.writes != 1 else ''})" if entry.writes else ""
    )
    return f"{subject}{name}: {entry.step.value}{cost}"


def _entry(entry: PlanEntry) -> list[str]:
    lines = [_heading(entry)]
    for field in entry.fields:
        settled = f" [{field.settled_by}]" if field.settled_by else ""
        lines.append(
            f"  {field.move} {field.name} ({field.label}){settled}: HubSpot {one_line(field.hubspot)}, "
            f"Partner Central {one_line(field.partner_central)}"
        )
    if entry.solutions:
        lines.append(f"  solutions: {' '.join(entry.solutions)}")
    lines += [f"  problem: {one_line(problem)}" for problem in entry.problems]
    if entry.note:
        lines.append(f"  {entry.note}")
    return lines


def render(planned: Plan, budget: Budget) -> str:
    if not planned.entries:
        return "Nothing to sync: no link, no tagged deal, no opportunity."
    lines = [line for entry in planned.entries for line in _entry(entry)]
    steps = ", ".join(f"{count} {step}" for step, count in planned.steps().items())
    moves = ", ".join(f"{count} {move}" for move, count in planned.moves().items()) or "none"
    lines += [
        "",
        f"Totals: {steps}; fields: {moves}.",
        f"Partner Central writes: {budget.writes}, against {budget.left:,} left of today's {budget.daily_quota:,} "
        f"({budget.used_today:,} used, UTC day)"
        + ("." if budget.fits else ": more than is left; the rest waits for tomorrow's quota."),
        "Not foreseen here: submissions to AWS, notifications, engagements, AWS's summary on the deal.",
    ]
    if any(entry.step is Step.BLOCKED for entry in planned.entries):
        lines.append("Blocked deals show their problems on the deal once a sync reaches them.")
    return "\n".join(lines)
