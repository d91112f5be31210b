"""Time that moves only when every thread using it sleeps, for pacing tests that must not depend on the
machine's speed."""

from __future__ import annotations

import heapq
import itertools
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


class VirtualClock:
    """A clock shared by `participants` threads, as a discrete-event simulation: a thread that sleeps waits
    until every participant sleeps (or has left), then the earliest sleeper wakes with the clock moved to its
    wake-up time. Work between sleeps (a DynamoDB update, a request and its answer) takes no time on this
    clock, whatever the machine's speed or load. `on_advance` moves another clock along with it (the Partner
    Central emulator's, whose quotas run on it)."""

    def __init__(
        self, start: float, on_advance: Callable[[float], object] = lambda _: None, *, participants: int = 1
    ) -> None:
        self._now = start
        self._on_advance = on_advance
        self._awake = participants
        self._sleepers: list[tuple[float, int, threading.Event]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        woken = threading.Event()
        with self._lock:
            heapq.heappush(self._sleepers, (self._now + max(0.0, seconds), next(self._order), woken))
            self._awake -= 1
            self._wake_the_earliest()
        woken.wait()

    def leave(self) -> None:
        """A participant is done: the others no longer wait for it to sleep."""
        with self._lock:
            self._awake -= 1
            self._wake_the_earliest()

    def _wake_the_earliest(self) -> None:
        if self._awake or not self._sleepers:
            return
        wake_at, _, woken = heapq.heappop(self._sleepers)
        if wake_at > self._now:
            self._on_advance(wake_at - self._now)
            self._now = wake_at
        self._awake += 1
        woken.set()
