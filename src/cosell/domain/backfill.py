"""What a backfill counts, and when it will be done: pure.

A backfill sends the deals (or opportunities) that existed before cosell through the sync's own paths. Each
object ends in one outcome. Partner Central writes are its pace: a paced rate, and a daily quota shared with
the running sync, of which the backfill leaves `reserve` writes a day to the sync.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum


class Outcome(StrEnum):
    CREATED = "created"  # an opportunity (or, from Partner Central, a deal) made and linked
    ADOPTED = "adopted"  # linked to what already existed on the other side, nothing created
    INVALID = "invalid"  # cannot sync as it is: why is on the deal
    SKIPPED = "skipped"  # nothing to do: linked already, not tagged, an AWS referral's deal


def writes_left_today(used_today: int, daily_quota: int, reserve: int) -> int:
    """How many more writes the backfill may send today: the quota, less what was used (the sync's writes
    and the backfill's own), less what it leaves to the sync."""
    return max(0, daily_quota - reserve - used_today)


def next_quota_day(now: datetime) -> datetime:
    """When the day's write count starts again at zero: the next UTC midnight."""
    return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(), UTC)


def finish_time(now: datetime, writes: int, per_second: float, left_today: int, per_day: int) -> datetime:
    """When `writes` more writes will have been sent at `per_second`: `left_today` of them today, then
    `per_day` each day from the next UTC midnight on."""
    if writes <= left_today:
        return now + timedelta(seconds=writes / per_second)
    if per_day <= 0:
        raise ValueError("no write left for the backfill on any day: lower the reserve")
    days, rest = divmod(writes - left_today, per_day)
    if rest == 0:  # the last day's writes fill it exactly
        days, rest = days - 1, per_day
    return next_quota_day(now) + timedelta(days=days, seconds=rest / per_second)
