"""What every backfill shares (`cosell backfill`, from HubSpot or from Partner Central): its options, the
cursor it resumes from, the Partner Central daily quota it leaves room in, waiting out throttling without
failing an object, and what it tells the operator as it goes.

A backfill runs on an operator's machine, beside the deployed sync, and writes through the same paths
(cosell.sync.deals.push, cosell.sync.referrals), so its writes are paced by the same shared pacer and counted
in the same daily count (cosell.store.pacer) as the sync's.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain.backfill import Outcome, finish_time, next_quota_day, writes_left_today
from cosell.store.backfill import BackfillCursor

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from concurrent.futures import Future
    from datetime import date, datetime

    from cosell.domain.audit import Cause
    from cosell.sync.ports import Ports

# Objects sent at once. The pacer still spaces their writes (one on its way at a time, a gap between); the
# objects' own work around the write (the search before a create, the recorded create, the link, the audit
# record, the pacer's own requests) overlaps, so it no longer stretches the interval between two writes.
DEFAULT_PARALLEL = 4
# Writes a day the backfill leaves to the running sync (of Partner Central's 10,000): a sync of a few hundred
# linked deals writes far less, and a backfill that took the whole day would park the sync's writes in the DLQ.
DEFAULT_RESERVE = 1_000
# A ThrottlingException that outlived botocore's retries: wait, then send the same object again.
_THROTTLED_FIRST_WAIT = 1.0
_THROTTLED_LONGEST_WAIT = 60.0
# A ServiceQuotaExceededException: Partner Central's window rolls over 24 hours, which the UTC day's count
# only approximates, so its answer wins; it says nothing of when the window frees, so look again hourly.
_QUOTA_EXCEEDED_WAIT = 3600.0
_T = TypeVar("_T")
# Objects between two reads of the day's write count.
_QUOTA_REREAD = 10


@dataclass(frozen=True)
class BackfillOptions:
    writes_per_second: float  # the pacer's rate (PARTNER_CENTRAL_WRITES_PER_SECOND), for the ETA
    daily_quota: int  # Partner Central's writes per day (cosell.store.pacer.DAILY_WRITE_QUOTA)
    dry_run: bool = False  # read and check everything, write nothing anywhere
    limit: int | None = None  # at most this many objects needing work (created, adopted or invalid)
    since: date | None = None  # only objects created on or after this UTC day
    reserve: int = DEFAULT_RESERVE
    parallel: int = DEFAULT_PARALLEL  # objects sent at once (`InOrder`)


class CursorBook(Protocol):
    """Where the backfill keeps how far it got (cosell.store.backfill.BackfillStore)."""

    def get(self, catalog: str, source: str) -> BackfillCursor | None: ...
    def save(self, catalog: str, source: str, cursor: BackfillCursor) -> None: ...


class Progress(Protocol):
    """What the operator sees as it goes (cosell.cli.backfill: a progress bar)."""

    def started(self, total: int, counts: Mapping[Outcome, int], eta: datetime, resumed: bool) -> None:
        """`total`: objects still to look at; `counts`: what earlier runs of this backfill did."""
        ...

    def done(self, object_id: str, outcome: Outcome, detail: str, eta: datetime) -> None: ...
    def passed(self, object_id: str) -> None:
        """`object_id` was counted in `total` but is not the backfill's (a name that only looks tagged)."""
        ...

    def waiting(self, until: datetime, reason: str) -> None: ...


@dataclass
class BackfillSummary:
    source: str
    dry_run: bool
    counts: Counter[Outcome] = field(default_factory=Counter)  # this run
    all_runs: Counter[Outcome] = field(default_factory=Counter)  # this backfill, resumed runs included
    finished: bool = False  # every object was looked at (not stopped by --limit)
    # Objects that cannot sync, and why (as their deal says).
    invalid: list[tuple[str, str]] = field(default_factory=list)
    throttled: int = 0  # sends that Partner Central throttled and that were sent again
    quota_waits: int = 0  # times it stopped for the daily quota and resumed

    def lines(self) -> list[str]:
        verb = "would be " if self.dry_run else ""
        done = ", ".join(f"{self.counts[outcome]} {verb}{outcome}" for outcome in Outcome)
        lines = [
            f"Backfill from {self.source}{' (dry run: nothing written)' if self.dry_run else ''}: {done}."
        ]
        if self.all_runs != self.counts:
            lines.append(
                "With the earlier runs: " + ", ".join(f"{self.all_runs[o]} {o}" for o in Outcome) + "."
            )
        lines += [f"  {object_id}: {why}" for object_id, why in self.invalid]
        if self.throttled:
            lines.append(
                f"Throttled {self.throttled} time(s) by Partner Central, each sent again: none failed."
            )
        if self.quota_waits:
            lines.append(f"Stopped {self.quota_waits} time(s) for the daily write quota, and resumed.")
        lines.append(
            "Every object was looked at."
            if self.finished
            else "Stopped before the end: run the same command again to resume."
        )
        return lines


class Backfill:
    """One run of one backfill: the cursor, the quota gate, the counts. `source` is the side it reads."""

    def __init__(
        self,
        source: str,
        ports: Ports,
        cursors: CursorBook,
        writes_used_on: Callable[[date], int],
        options: BackfillOptions,
        progress: Progress,
        sleep: Callable[[float], None],
        cause: Cause,
    ) -> None:
        self.source = source
        self.ports = ports
        self.options = options
        self.progress = progress
        self.cause = cause
        self._cursors = cursors
        self._writes_used_on = writes_used_on
        self._sleep = sleep
        self._left_today: tuple[date, int] | None = None  # the day, and what its count left when read
        self._done_since_read = 0
        self._throttled_lock = threading.Lock()
        self.summary = BackfillSummary(source, options.dry_run)
        self.cursor = self._starting_cursor()
        self.summary.all_runs.update(Counter({Outcome(k): v for k, v in self.cursor.counts.items()}))
        self.remaining = 0  # objects still to look at, as the source last counted them

    @property
    def resumed(self) -> bool:
        return self.cursor.after is not None

    def _starting_cursor(self) -> BackfillCursor:
        since = self.options.since.isoformat() if self.options.since else None
        found = self._cursors.get(self.ports.config.catalog, self.source)
        if found is not None and found.finished_at is None and found.since == since:
            return found
        # None yet, finished (the next run looks at everything again, cheaply: linked objects cost no
        # write), or started with another --since: start over.
        return BackfillCursor(since=since, started_at=self.ports.now().isoformat())

    def limit_reached(self, on_their_way: int = 0) -> bool:
        """Whether --limit objects have needed work, `on_their_way` objects still being sent counted as if
        they had (they may turn out to be skipped)."""
        limit = self.options.limit
        worked = sum(n for outcome, n in self.summary.counts.items() if outcome is not Outcome.SKIPPED)
        return limit is not None and worked + on_their_way >= limit

    def eta(self) -> datetime:
        """When the objects left will be done, at the paced rate and within the daily quota: the worst case
        of one write each (an invalid one costs none)."""
        options = self.options
        now = self.ports.now()
        return finish_time(
            now,
            self.remaining,
            options.writes_per_second,
            self.writes_left_today(),
            writes_left_today(0, options.daily_quota, options.reserve),
        )

    def writes_left_today(self) -> int:
        """Read again every few objects (each counted as one write meanwhile), and before each one once few
        are left: the count is shared with the running sync, and reading it costs a request."""
        options = self.options
        today = self.ports.now().date()
        read = self._left_today
        if (
            read is None
            or read[0] != today
            or self._done_since_read >= _QUOTA_REREAD
            or read[1] <= _QUOTA_REREAD
        ):
            used = self._writes_used_on(today)
            read = self._left_today = (today, writes_left_today(used, options.daily_quota, options.reserve))
            self._done_since_read = 0
        return max(0, read[1] - self._done_since_read)

    def record(self, object_id: str, outcome: Outcome, detail: str) -> None:
        """One object done, in order: counted, shown, and the cursor past it (saved by `save`)."""
        self.summary.counts[outcome] += 1
        self.summary.all_runs[outcome] += 1
        if outcome is Outcome.INVALID:
            self.summary.invalid.append((object_id, detail))
        self.remaining = max(0, self.remaining - 1)
        self._done_since_read += 1
        counts = {str(o): n for o, n in self.summary.all_runs.items()}
        self.cursor = self.cursor.advanced(object_id, counts)
        self.progress.done(object_id, outcome, detail, self.eta())

    def passed(self, object_id: str) -> None:
        """An object the search returned that is not the backfill's (a deal whose name only looks tagged,
        or one deleted since): the cursor moves past it, nothing is counted."""
        self.remaining = max(0, self.remaining - 1)
        self.cursor = self.cursor.advanced(object_id, self.cursor.counts)
        self.progress.passed(object_id)

    def save(self, *, finished: bool = False) -> None:
        """Keep the cursor (never in a dry run). `finished`: every object was looked at."""
        self.summary.finished = finished
        if finished:
            self.cursor = replace(self.cursor, finished_at=self.ports.now().isoformat())
        if not self.options.dry_run:
            self._cursors.save(self.ports.config.catalog, self.source, self.cursor)

    def creating(self, object_id: str) -> bool:
        """Note, before making `object_id`'s record on the other side, that it is being made (saved at
        once); whether an earlier run had noted it already (and may have made it before it stopped)."""
        earlier = self.cursor.creating == object_id
        self.cursor = replace(self.cursor, creating=object_id)
        self.save()
        return earlier

    def room_for_a_write(self, on_their_way: int = 0) -> bool:
        """Whether the day's quota (less the reserve) leaves a write once the `on_their_way` objects still
        being sent have had theirs; if not, the caller saves and waits (`wait_for_quota`). A dry run never
        waits."""
        return self.options.dry_run or self.writes_left_today() > on_their_way

    def wait_for_quota(self) -> None:
        until = next_quota_day(self.ports.now())
        used = self._writes_used_on(self.ports.now().date())
        self.summary.quota_waits += 1
        self.progress.waiting(
            until,
            f"daily write quota: {used:,} of {self.options.daily_quota:,} Partner Central writes used today, "
            f"{self.options.reserve:,} kept for the sync",
        )
        self._sleep_until(until)

    def sending(self, send: Callable[[], _T]) -> _T:
        """`send()` until Partner Central takes it: throttling and the daily quota are waited out and the
        object sent again, through the same path, which makes the repeat harmless; never an object's
        failure."""
        wait = _THROTTLED_FIRST_WAIT
        while True:
            try:
                return send()
            except ClientError as error:
                code = error_code(error)
                if code == "ThrottlingException":
                    with self._throttled_lock:  # sends run on `InOrder`'s threads
                        self.summary.throttled += 1
                    self._sleep(wait)
                    wait = min(_THROTTLED_LONGEST_WAIT, wait * 2)
                elif code == "ServiceQuotaExceededException":
                    self.summary.quota_waits += 1
                    until = self.ports.now() + timedelta(seconds=_QUOTA_EXCEEDED_WAIT)
                    self.progress.waiting(
                        until,
                        "Partner Central answered that its daily write quota is spent (its window rolls over "
                        "24 hours)",
                    )
                    self._sleep_until(until)
                else:
                    raise

    def in_order(self) -> InOrder:
        """Objects sent `--parallel` at a time, through `sending`, done in order."""
        _build_once(self.ports)
        return InOrder(self.sending, self.options.parallel)

    def _sleep_until(self, until: datetime) -> None:
        while (left := (until - self.ports.now()).total_seconds()) > 0:
            self._sleep(left)


class InOrder:
    """Objects sent `parallel` at a time (each through `sending`) and done in the order they came:
    what each one's send said is recorded by its `then` on the caller's thread, only once every object
    before it is done, so the cursor never moves past an object still being sent. A run stopped in between
    leaves the objects on their way to the next run, which finds what they did (the paths are idempotent).
    """

    def __init__(self, sending: Callable[[Callable[[], str]], str], parallel: int) -> None:
        self._sending_through = sending
        self._parallel = max(1, parallel)
        self._pool = ThreadPoolExecutor(self._parallel, thread_name_prefix="backfill")
        self._queue: deque[tuple[Future[str] | None, Callable[[str], None]]] = deque()
        self._sending = 0

    @property
    def on_their_way(self) -> int:
        """Objects sent and not yet done."""
        return self._sending

    def send(self, send: Callable[[], str], then: Callable[[str], None]) -> None:
        """Send in the background; once at most `parallel` sends are left on their way, return."""
        self._queue.append((self._pool.submit(self._sending_through, send), then))
        self._sending += 1
        while self._sending >= self._parallel:
            self._finish_first()

    def record(self, then: Callable[[], None]) -> None:
        """Something done without a send: recorded now, or after the objects before it."""
        if not self._queue:
            then()
        else:
            self._queue.append((None, lambda _: then()))

    def finish(self) -> None:
        """Wait for every object on its way, and record each."""
        while self._queue:
            self._finish_first()

    def close(self) -> None:
        """Stop sending (a run stopping, Ctrl-C included): what is on its way ends by itself."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _finish_first(self) -> None:
        sent, then = self._queue.popleft()
        if sent is None:
            then("")
            return
        self._sending -= 1
        then(sent.result())


def _build_once(ports: Ports) -> None:
    """Build the ports' clients before threads share them (the runtime builds each on first use)."""
    for port in (
        "config",
        "partner_central",
        "opportunity_search",
        "hubspot",
        "deals",
        "links",
        "conflicts",
        "solutions",
        "submissions",
        "audit",
        "notifications",
        "partner_account_id",
    ):
        getattr(ports, port)
