"""When a backfill will be done, and what the day's quota leaves it (cosell.domain.backfill): pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cosell.domain.backfill import finish_time, next_quota_day, writes_left_today

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
MIDNIGHT = datetime(2026, 12, 3, tzinfo=UTC)


def test_the_sync_s_writes_and_the_reserve_come_off_the_day_s_quota() -> None:
    assert writes_left_today(used_today=2_500, daily_quota=10_000, reserve=1_000) == 6_500
    assert writes_left_today(used_today=9_500, daily_quota=10_000, reserve=1_000) == 0


def test_the_quota_day_starts_again_at_the_next_utc_midnight() -> None:
    assert next_quota_day(NOON) == MIDNIGHT
    assert next_quota_day(MIDNIGHT) == MIDNIGHT + timedelta(days=1)


def test_what_fits_today_ends_at_the_paced_rate() -> None:
    assert finish_time(NOON, 900, per_second=0.9, left_today=5_000, per_day=9_000) == NOON + timedelta(
        seconds=1000
    )


def test_what_does_not_fit_today_goes_on_after_midnight_a_day_at_a_time() -> None:
    # 100 today, then 9,000 a day: 9,000 on the 3rd, 900 on the 4th.
    end = finish_time(NOON, 10_000, per_second=1.0, left_today=100, per_day=9_000)
    assert end == MIDNIGHT + timedelta(days=1, seconds=900)
    # A day filled exactly ends that day, not the next.
    assert finish_time(NOON, 9_100, per_second=1.0, left_today=100, per_day=9_000) == MIDNIGHT + timedelta(
        seconds=9_000
    )


def test_a_reserve_that_leaves_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="lower the reserve"):
        finish_time(NOON, 10, per_second=1.0, left_today=0, per_day=0)
