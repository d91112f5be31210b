"""Seeded fault injection: scripted failures, random failures and latency on the REST API."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from .errors import ApiError
from .ratelimit import TEN_SECONDS, rate_limit_error

_MESSAGES = {
    423: ("LOCKED", "The resource is locked by another request; retry after 2 seconds."),
    500: ("INTERNAL_ERROR", "internal error"),
    502: ("BAD_GATEWAY", "Bad gateway"),
    503: ("SERVICE_UNAVAILABLE", "Service unavailable"),
    504: ("GATEWAY_TIMEOUT", "Gateway timeout"),
}


@dataclass
class _Scripted:
    status: int
    remaining: int
    path_prefix: str
    method: str | None


class FaultInjector:
    def __init__(self, seed: int = 0, time_scale: float = 1.0) -> None:
        self._seed = seed
        self._time_scale = time_scale
        self._random = random.Random(seed)
        self._scripted: list[_Scripted] = []
        self._random_failures: list[tuple[int, float]] = []
        self._latency: tuple[float, float] | None = None
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._random = random.Random(self._seed)
            self._scripted.clear()
            self._random_failures.clear()
            self._latency = None

    def fail_next(
        self, status: int, times: int = 1, path_prefix: str = "", method: str | None = None
    ) -> None:
        """The next `times` requests whose path starts with `path_prefix` answer `status` (423, 429, 5xx)."""
        if status != 429 and status not in _MESSAGES:
            raise ValueError(f"unsupported fault status {status}")
        with self._lock:
            self._scripted.append(_Scripted(status, times, path_prefix, method))

    def fail_randomly(self, status: int, probability: float) -> None:
        with self._lock:
            self._random_failures.append((status, probability))

    def add_latency(self, seconds: float, probability: float = 1.0) -> None:
        with self._lock:
            self._latency = (seconds, probability)

    def apply(self, method: str, path: str) -> None:
        """Called before a request is handled: may sleep, may raise the injected error."""
        with self._lock:
            delay = 0.0
            if self._latency is not None and self._random.random() < self._latency[1]:
                delay = self._latency[0]
            status = self._pick_status(method, path)
        if delay:
            time.sleep(delay)
        if status is not None:
            raise _error_for(status, self._time_scale)

    def _pick_status(self, method: str, path: str) -> int | None:
        for scripted in self._scripted:
            if scripted.remaining > 0 and path.startswith(scripted.path_prefix):
                if scripted.method is not None and scripted.method != method:
                    continue
                scripted.remaining -= 1
                return scripted.status
        for status, probability in self._random_failures:
            if self._random.random() < probability:
                return status
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
