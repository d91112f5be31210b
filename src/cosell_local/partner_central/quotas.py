"""Per-operation rate (token bucket) and rolling 24 h quotas, measured on the emulator clock."""

from __future__ import annotations

import threading
from collections import deque
from datetime import timedelta
from typing import TYPE_CHECKING

from cosell_local.partner_central.errors import ApiError

if TYPE_CHECKING:
    from datetime import datetime

    from cosell_local.partner_central.config import QuotaConfig

_DAY = timedelta(hours=24)


class _Bucket:
    def __init__(self, rate: float, now: datetime) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.updated = now

    def take(self, now: datetime) -> bool:
        elapsed = max(0.0, (now - self.updated).total_seconds())
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


class QuotaTracker:
    def __init__(self, config: QuotaConfig) -> None:
        self._lock = threading.Lock()
        self.configure(config)

    def configure(self, config: QuotaConfig) -> None:
        with self._lock:
            self._config = config
            self._buckets: dict[str, _Bucket] = {}
            self._calls: dict[str, deque[datetime]] = {}

    def admit(self, operation: str, now: datetime) -> None:
        """Count one call, or raise the error AWS raises when the quota is spent (the call is not counted)."""
        with self._lock:
            quota = self._config.limits.get(operation)
            if not self._config.enabled or quota is None:
                return
            daily_limit = max(1, int(quota.per_day * self._config.scale))
            calls = self._calls.setdefault(operation, deque())
            while calls and now - calls[0] >= _DAY:
                calls.popleft()
            if len(calls) >= daily_limit:
                raise ApiError(
                    "ServiceQuotaExceededException",
                    f"Daily quota of {daily_limit} {operation} requests per rolling 24 hours exceeded",
                )
            rate = quota.per_second * self._config.scale
            bucket = self._buckets.setdefault(operation, _Bucket(rate, now))
            if not bucket.take(now):
                raise ApiError("ThrottlingException", f"Rate exceeded for {operation} ({rate:g} requests/s)")
            calls.append(now)
