"""Seeded fault injection: scripted failures and malformed answers, random failures, dropped connections and
latency on the REST API."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ApiError
from .ratelimit import TEN_SECONDS, rate_limit_error

if TYPE_CHECKING:
    from cosell_local.malformed import MalformedAnswer

_MESSAGES = {
    423: ("LOCKED", "The resource is locked by another request; retry after 2 seconds."),
    500: ("INTERNAL_ERROR", "internal error"),
    502: ("BAD_GATEWAY", "Bad gateway"),
    503: ("SERVICE_UNAVAILABLE", "Service unavailable"),
    504: ("GATEWAY_TIMEOUT", "Gateway timeout"),
}


class DroppedConnection(Exception):  # noqa: N818 - what happens, not an error HubSpot answers
    """The connection is closed before the request is handled: the client gets no answer at all."""


@dataclass
class _Scripted:
    remaining: int
    path_prefix: str
    method: str | None
    status: int | None = None  # HubSpot's error answer of this status
    answer: MalformedAnswer | None = None  # or this instead of the real answer


class FaultInjector:
    def __init__(self, seed: int = 0, time_scale: float = 1.0) -> None:
        self._seed = seed
        self._time_scale = time_scale
        self._random = random.Random(seed)
        self._scripted: list[_Scripted] = []
        self._random_failures: list[tuple[int, float]] = []
        self._latency: tuple[float, float] | None = None
        self._drops = 0  # scripted: the next requests' connections dropped
        self._drop_rate = 0.0
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._random = random.Random(self._seed)
            self._scripted.clear()
            self._random_failures.clear()
            self._latency = None
            self._drops, self._drop_rate = 0, 0.0

    def fail_next(
        self, status: int, times: int = 1, path_prefix: str = "", method: str | None = None
    ) -> None:
        """The next `times` requests whose path starts with `path_prefix` answer `status` (423, 429, 5xx)."""
        if status != 429 and status not in _MESSAGES:
            raise ValueError(f"unsupported fault status {status}")
        with self._lock:
            self._scripted.append(_Scripted(times, path_prefix, method, status=status))

    def answer_next(
        self, answer: MalformedAnswer, times: int = 1, path_prefix: str = "", method: str | None = None
    ) -> None:
        """The next `times` requests whose path starts with `path_prefix` are answered `answer`
        (cosell_local.malformed)."""
        with self._lock:
            self._scripted.append(_Scripted(times, path_prefix, method, answer=answer))

    def answers_left(self) -> int:
        """How many scripted malformed answers are still to be served."""
        with self._lock:
            return sum(s.remaining for s in self._scripted if s.answer is not None)

    def drop_next(self, times: int = 1) -> None:
        """The next `times` requests of the integration lose their connection before they are handled."""
        with self._lock:
            self._drops += times

    def drop_randomly(self, probability: float) -> None:
        """Each request of the integration loses its connection, before it is handled, with `probability`."""
        with self._lock:
            self._drop_rate = probability

    def fail_randomly(self, status: int, probability: float) -> None:
        with self._lock:
            self._random_failures.append((status, probability))

    def add_latency(self, seconds: float, probability: float = 1.0) -> None:
        with self._lock:
            self._latency = (seconds, probability)

    def apply(self, method: str, path: str, *, by_rep: bool = False) -> MalformedAnswer | None:
        """Called before a request is handled: may sleep, may raise the injected error; returns the malformed
        answer to serve instead of the real one, if one is scripted. Random failures and latency hit the
        integration's requests, not a rep's (`by_rep`): a person clicking again is no part of the sync."""
        with self._lock:
            # No draw without a drop rate: the seeded sequence of the other faults stays as it was.
            if not by_rep and (self._drops or (self._drop_rate and self._random.random() < self._drop_rate)):
                self._drops = max(0, self._drops - 1)
                raise DroppedConnection(f"{method} {path}")
            delay = 0.0
            if not by_rep and self._latency is not None and self._random.random() < self._latency[1]:
                delay = self._latency[0]
            scripted = self._pick(method, path, random_failures=not by_rep)
        if delay:
            time.sleep(delay)
        if scripted is not None and scripted.status is not None:
            raise _error_for(scripted.status, self._time_scale)
        return scripted.answer if scripted is not None else None

    def _pick(self, method: str, path: str, *, random_failures: bool) -> _Scripted | None:
        for scripted in self._scripted:
            if scripted.remaining > 0 and path.startswith(scripted.path_prefix):
                if scripted.method is not None and scripted.method != method:
                    continue
                scripted.remaining -= 1
                return scripted
        for status, probability in self._random_failures if random_failures else []:
            if self._random.random() < probability:
                return _Scripted(0, "", None, status=status)
        return None


def _error_for(status: int, time_scale: float) -> ApiError:
    if status == 429:
        # A burst from other apps in the same account: the ten-second window is spent. The interval is in
        # real milliseconds, so on a compressed clock the client waits the compressed window.
        return rate_limit_error(
            "TEN_SECONDLY_ROLLING",
            "You have reached your ten_secondly_rolling limit.",
            {
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(
                    max(1, int(TEN_SECONDS * 1000 / time_scale))
                ),
                "X-HubSpot-RateLimit-Max": "100",
                "X-HubSpot-RateLimit-Remaining": "0",
            },
        )
    category, message = _MESSAGES[status]
    return ApiError(status, category, message)
