"""Emulated time: runs `scale` times faster than the wall clock and can be advanced by hand.

Rate-limit windows and webhook retry back-off read this clock, so tests compress hours into milliseconds.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = scale
        self._epoch_at_start = time.time()
        self._monotonic_at_start = time.monotonic()
        self._advanced = 0.0
        self._frozen_at: float | None = None  # monotonic instant wall time stopped at
        self._lock = threading.Lock()

    def now(self) -> float:
        """Emulated seconds since the Unix epoch."""
        with self._lock:
            running_until = self._frozen_at if self._frozen_at is not None else time.monotonic()
            elapsed = (running_until - self._monotonic_at_start) * self.scale
            return self._epoch_at_start + elapsed + self._advanced

    def freeze(self, frozen: bool = True) -> None:
        """Stop (or restart) the passing of real time; `advance` still moves the clock. Tests of rate windows
        freeze it so that their outcome does not depend on how fast the machine runs."""
        with self._lock:
            if frozen and self._frozen_at is None:
                self._frozen_at = time.monotonic()
            elif not frozen and self._frozen_at is not None:
                self._monotonic_at_start += time.monotonic() - self._frozen_at
                self._frozen_at = None

    def __getstate__(self) -> dict[str, float]:
        return {"scale": self.scale, "now": self.now()}

    def __setstate__(self, saved: dict[str, float]) -> None:
        """A restored clock continues from the instant it was saved at, whatever the wall clock says now."""
        self.__init__(saved["scale"])  # type: ignore[misc]
        self._advanced = saved["now"] - self._epoch_at_start

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def now_iso(self) -> str:
        return iso_from_ms(self.now_ms())

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._advanced += seconds

    def real_seconds(self, emulated_seconds: float) -> float:
        return max(0.0, emulated_seconds / self.scale)


def iso_from_ms(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"
