"""The emulator's clock: wall time, running `scale` times as fast from the clock's start (a benchmark
compresses hours of paced calls into minutes, the quotas unchanged), plus an offset tests move forward instead
of sleeping."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class EmulatorClock:
    def __init__(self, offset_seconds: float = 0.0, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = scale
        self._started_at = datetime.now(UTC)
        self._offset = timedelta(seconds=offset_seconds)
        self._frozen_at: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            wall = self._frozen_at or datetime.now(UTC)
            return self._started_at + (wall - self._started_at) * self.scale + self._offset

    def freeze(self, frozen: bool) -> datetime:
        """Stop (or restart) wall time: only `advance` moves a frozen clock, so rate windows do not depend on
        how fast the machine runs the test."""
        with self._lock:
            if frozen and self._frozen_at is None:
                self._frozen_at = datetime.now(UTC)
            elif not frozen and self._frozen_at is not None:
                self._offset += (self._frozen_at - datetime.now(UTC)) * self.scale
                self._frozen_at = None
        return self.now()

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()

    @property
    def ahead_of_wall_seconds(self) -> float:
        """How far emulated time is ahead of the wall clock: a clock started with this offset continues this
        one's time (its compressed run included) from the wall clock's now."""
        return (self.now() - datetime.now(UTC)).total_seconds()

    def reset(self) -> None:
        with self._lock:
            self._started_at = datetime.now(UTC)
            self._offset = timedelta()
            self._frozen_at = None


def iso(instant: datetime) -> str:
    """AWS's DateTime text: UTC, millisecond precision, `Z`."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"
