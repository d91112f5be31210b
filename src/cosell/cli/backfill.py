"""`cosell backfill`: what existed before cosell, through the sync's own paths, paced within Partner Central's
write quota, shown as it goes (docs/OPERATIONS.md, "Backfill").

    cosell backfill [--dry-run] [--limit N] [--since YYYY-MM-DD] [--reserve N] [--parallel N]
        the deals tagged #AWS that have no opportunity get one, as a webhook would have made it
    cosell backfill --from partner-central [...]
        the opportunities that have no deal are matched to their deal, or become one

Resumable: the cursor lives in the state table, so after Ctrl-C, a crash or the daily quota the same command
goes on where it stopped. Runs with the functions' environment (`load_settings`, as `cosell solutions`):
the state and audit tables, the HubSpot token source, the Partner Central role. The progress bar (rich, the
`cli` extra) goes to stderr; the summary to stdout.

Exit status: 0 every object looked at; 1 stopped by --limit before the end; 2 a configuration error;
130 interrupted (the cursor is saved).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from cosell.domain.audit import Cause
from cosell.domain.backfill import Outcome
from cosell.handlers.runtime import Runtime
from cosell.store.pacer import DAILY_WRITE_QUOTA, WRITES, used_on
from cosell.sync.onboarding.backfill import DEFAULT_PARALLEL, DEFAULT_RESERVE, Backfill, BackfillOptions

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from rich.console import Console
    from rich.progress import Progress as RichBar
    from rich.progress import TaskID

    from cosell.hubspot.batched import BatchingHubSpotClient
    from cosell.hubspot.deal_reader import DealReader
    from cosell.sync.onboarding.backfill import BackfillSummary

SOURCES = ("hubspot", "partner-central")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="source",
        choices=SOURCES,
        default="hubspot",
        help="hubspot (default): tagged deals without an opportunity; partner-central: opportunities "
        "without a deal",
    )
    parser.add_argument("--dry-run", action="store_true", help="read and check everything; write nothing")
    parser.add_argument("--limit", type=_positive, metavar="N", help="stop after N objects that needed work")
    parser.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="created on or after")
    parser.add_argument(
        "--reserve",
        type=_reserve,
        default=DEFAULT_RESERVE,
        metavar="N",
        help=f"Partner Central writes a day left to the running sync (default {DEFAULT_RESERVE:,} of "
        f"{DAILY_WRITE_QUOTA:,})",
    )
    parser.add_argument(
        "--parallel",
        type=_positive,
        default=DEFAULT_PARALLEL,
        metavar="N",
        help=f"deals sent at once from HubSpot (default {DEFAULT_PARALLEL}); the shared pacer still spaces "
        "their writes",
    )


class BackfillRuntime(Runtime):
    """The functions' ports, with deal updates sent 100 to a request."""

    @cached_property
    def hubspot(self) -> BatchingHubSpotClient:
        from cosell import secrets
        from cosell.hubspot.batched import BatchingHubSpotClient

        settings = self.settings
        return BatchingHubSpotClient(
            lambda: secrets.hubspot_access_token(settings), base_url=str(settings.hubspot_api_base_url)
        )


class DryRunBackfillRuntime(BackfillRuntime):
    """A dry run's ports: its reads of deals keep no customer index either (it writes nothing anywhere)."""

    @cached_property
    def deals(self) -> DealReader:
        from cosell.hubspot.deal_reader import DealReader

        return DealReader(self.hubspot)


def run(args: argparse.Namespace) -> int:
    try:
        import rich  # noqa: F401 - the progress bar's, in the cli extra
    except ImportError as error:
        print(f"cosell backfill needs the cli extra: pip install 'cosell[cli]' ({error})", file=sys.stderr)
        return 2
    from cosell.cli.solutions import operator_ports

    return execute(
        operator_ports(DryRunBackfillRuntime if args.dry_run else BackfillRuntime), args, time.sleep
    )


def execute(runtime: BackfillRuntime, args: argparse.Namespace, sleep: Callable[[float], None]) -> int:
    """The backfill `args` ask for, on `runtime`'s ports; `sleep` waits out the daily quota and throttling."""
    from rich.console import Console

    from cosell.store.backfill import BackfillStore

    settings = runtime.settings
    options = BackfillOptions(
        writes_per_second=settings.partner_central_writes_per_second,
        daily_quota=DAILY_WRITE_QUOTA,
        dry_run=args.dry_run,
        limit=args.limit,
        since=args.since,
        reserve=args.reserve,
        parallel=args.parallel,
    )
    with BarProgress(Console(stderr=True), args.source) as progress:
        backfill = Backfill(
            args.source,
            runtime,
            BackfillStore(runtime.dynamodb, settings.state_table_name),
            lambda day: used_on(runtime.dynamodb, settings.state_table_name, WRITES, day),
            options,
            progress,
            sleep,
            Cause(f"operator:backfill:{args.source}", str(uuid.uuid4())),
        )
        try:
            summary = _run(backfill, runtime)
        except KeyboardInterrupt:
            progress.stop()
            print("\n".join(backfill.summary.lines()[:-1]))
            print("Interrupted: what was done is kept; run the same command again to resume.")
            return 130
    print("\n".join(summary.lines()))
    return 0 if summary.finished else 1


def _run(backfill: Backfill, runtime: BackfillRuntime) -> BackfillSummary:
    if backfill.source == "hubspot":
        from cosell.sync.onboarding.backfill_deals import backfill_deals

        return backfill_deals(backfill, runtime.hubspot)
    from cosell.sync.onboarding.backfill_opportunities import backfill_opportunities

    return backfill_opportunities(backfill, runtime.hubspot)


class BarProgress:
    """The run as a rich progress bar (on stderr): done of total, what each outcome counts, and when it will
    end at the paced rate within the daily quota."""

    def __init__(self, console: Console, source: str) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._bar: RichBar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TextColumn("ETA {task.fields[eta]}"),
            console=console,
            transient=False,
        )
        self._source = source
        self._task: TaskID | None = None
        self._counts: dict[Outcome, int] = {}

    def __enter__(self) -> BarProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._bar.stop()

    def started(self, total: int, counts: Mapping[Outcome, int], eta: datetime, resumed: bool) -> None:
        self._counts = {outcome: counts.get(outcome, 0) for outcome in Outcome}
        if resumed:
            self._bar.console.print(f"Resuming the backfill from {self._source}: {self._text()} so far.")
        self._task = self._bar.add_task(self._source, total=total, counts=self._text(), eta=_when(eta))

    def done(self, object_id: str, outcome: Outcome, detail: str, eta: datetime) -> None:
        self._counts[outcome] = self._counts.get(outcome, 0) + 1
        if self._task is not None:
            self._bar.update(self._task, advance=1, counts=self._text(), eta=_when(eta))

    def passed(self, object_id: str) -> None:
        if self._task is not None:
            task = self._bar.tasks[self._task]
            self._bar.update(
                self._task, total=max(task.completed, (task.total or 1) - 1), counts=self._text()
            )

    def waiting(self, until: datetime, reason: str) -> None:
        self._bar.console.print(f"Paused: {reason}. Resuming at {_when(until)} by itself (Ctrl-C stops).")

    def _text(self) -> str:
        counts = [f"{n} {outcome}" for outcome, n in self._counts.items()]
        if self._task is not None:
            task = self._bar.tasks[self._task]
            counts.append(f"{int((task.total or 0) - task.completed)} remaining")
        return " · ".join(counts)


def _when(moment: datetime) -> str:
    """UTC, to the second; the day too when it is not today."""
    moment = moment.astimezone(UTC)
    today = datetime.now(UTC).date()
    return moment.strftime("%H:%M:%S UTC" if moment.date() == today else "%Y-%m-%d %H:%M UTC")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def _reserve(text: str) -> int:
    """At least 0, and less than the quota: the backfill needs a write a day."""
    if not text.isdigit() or int(text) >= DAILY_WRITE_QUOTA:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number from 0 to {DAILY_WRITE_QUOTA - 1:,}")
    return int(text)
