"""HubSpot's private-app rate limits: rolling ten-second and daily windows per app, search at 5/s."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ApiError

if TYPE_CHECKING:
    from .clock import Clock

TEN_SECONDS = 10.0
DAY = 86_400.0
SECOND = 1.0
SEARCH_PER_SECOND = 5


@dataclass(frozen=True)
class Tier:
    per_ten_seconds: int
    per_day: int


# docs/CONTRACTS.md, "HubSpot rate limits": Free/Starter 100/10 s and 250k/day; Professional 190/10 s and
# 650k/day; Enterprise 190/10 s and 1M/day.
TIERS = {
    "free": Tier(100, 250_000),
    "starter": Tier(100, 250_000),
    "professional": Tier(190, 650_000),
    "enterprise": Tier(190, 1_000_000),
}


class RollingWindow:
    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._hits: deque[float] = deque()

    def remaining(self, now: float) -> int:
        while self._hits and self._hits[0] <= now - self.seconds:
            self._hits.popleft()
        return max(0, self.limit - len(self._hits))

    def take(self, now: float) -> bool:
        if self.remaining(now) == 0:
            return False
        self._hits.append(now)
        return True


class _AppWindows:
    def __init__(self, tier: Tier) -> None:
        self.ten_secondly = RollingWindow(tier.per_ten_seconds, TEN_SECONDS)
        self.daily = RollingWindow(tier.per_day, DAY)
        self.search = RollingWindow(SEARCH_PER_SECOND, SECOND)


class RateLimiter:
    """Counts each authenticated call against its token's windows; raises HubSpot's 429 when one is spent."""

    def __init__(self, clock: Clock, tier: str = "starter") -> None:
        if tier not in TIERS:
            raise ValueError(f"unknown tier {tier!r}; one of {', '.join(TIERS)}")
        self.tier = self._configured_tier = TIERS[tier]
        self.enabled = True
        self._clock = clock
        self._apps: dict[str, _AppWindows] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._apps.clear()
            self.enabled = True
            self.tier = self._configured_tier

    def check(self, token: str, *, is_search: bool) -> dict[str, str]:
        """Record one call; return the rate-limit headers for the response."""
        with self._lock:
            windows = self._apps.setdefault(token, _AppWindows(self.tier))
            now = self._clock.now()
            if not self.enabled:
                return {}
            if windows.daily.remaining(now) == 0:
                raise _rate_limited("DAILY", "daily", self._headers(windows, now))
            if is_search and windows.search.remaining(now) == 0:
                raise _rate_limited("SECONDLY", "secondly", self._headers(windows, now, interval=SECOND))
            if not windows.ten_secondly.take(now):
                raise _rate_limited(
                    "TEN_SECONDLY_ROLLING", "ten_secondly_rolling", self._headers(windows, now)
                )
            windows.daily.take(now)
            if is_search:
                windows.search.take(now)
            return self._headers(windows, now)

    def _headers(self, windows: _AppWindows, now: float, interval: float = TEN_SECONDS) -> dict[str, str]:
        # The interval header is in real milliseconds: on a compressed clock, clients wait the compressed window.
        scale = self._clock.scale
        return {
            "X-HubSpot-RateLimit-Daily": str(windows.daily.limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(windows.daily.remaining(now)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(max(1, int(interval * 1000 / scale))),
            "X-HubSpot-RateLimit-Max": str(windows.ten_secondly.limit),
            "X-HubSpot-RateLimit-Remaining": str(windows.ten_secondly.remaining(now)),
        }


def _rate_limited(policy_name: str, policy_label: str, headers: dict[str, str]) -> ApiError:
    return rate_limit_error(policy_name, f"You have reached your {policy_label} limit.", headers)


def rate_limit_error(policy_name: str, message: str, headers: dict[str, str]) -> ApiError:
    return ApiError(
        429,
        "",
        message,
        extra={"errorType": "RATE_LIMIT", "policyName": policy_name, "groupName": "cosell-emulator"},
        headers=headers,
    )
