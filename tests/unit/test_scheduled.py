"""When a schedule queues an object again (cosell.domain.scheduled)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from cosell.domain.scheduled import MAX_WAIT, QueuedMark, is_due

DAY_MS = int(MAX_WAIT.total_seconds() * 1000)
ages = st.integers(min_value=0, max_value=3 * DAY_MS)
intervals = st.integers(min_value=0, max_value=DAY_MS).map(lambda ms: timedelta(milliseconds=ms))
NOW = 1_800_000_000_000


def test_an_object_no_schedule_queued_is_due() -> None:
    assert is_due(None, NOW)
    assert is_due(None, NOW, timedelta(hours=1))


@given(ages, intervals, st.booleans())
def test_nothing_is_queued_again_within_the_interval(age_ms: int, interval: timedelta, done: bool) -> None:
    mark = QueuedMark(NOW - age_ms, done)
    if age_ms < interval.total_seconds() * 1000:
        assert not is_due(mark, NOW, interval)


@given(ages, intervals)
def test_a_done_request_frees_its_object_once_the_interval_has_passed(
    age_ms: int, interval: timedelta
) -> None:
    due = is_due(QueuedMark(NOW - age_ms, done=True), NOW, interval)
    assert due is (age_ms >= interval.total_seconds() * 1000)


@given(ages, intervals)
def test_a_waiting_request_holds_its_object_until_it_was_lost(age_ms: int, interval: timedelta) -> None:
    due = is_due(QueuedMark(NOW - age_ms, done=False), NOW, interval)
    assert due is (age_ms >= DAY_MS)
