"""When a schedule queues an object again.

The schedules are the safety net behind events that may be lost: each run lists what may have changed and
queues a request per object. While the worker is behind (a burst of edits, an outage of HubSpot, its daily
limit), a run that queued every object again would pile copies in front of it, each one more to work through
when it catches up: a 1,000-deal chaos run's schedules queued about 170 requests a minute for 200 referrals,
as fast as the worker got through them. So a schedule marks what it queued, the worker marks the request
done once it reconciled it, and the next run queues an object only when its last request is done (or waited
so long that it was lost to the dead-letter queue). Pure: cosell.sync.schedules.held keeps the marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

# A request still not reconciled after a day went to the dead-letter queue (five receives of a few minutes
# each, behind any backlog the queue's alarms report long before): the schedule queues its object again. A
# mark matters no longer (the state table's TTL ends it then), so no hold is longer.
MAX_WAIT = timedelta(days=1)


@dataclass(frozen=True)
class QueuedMark:
    """What a schedule's last request for an object came to."""

    queued_at_ms: int
    done: bool  # the worker reconciled it


def is_due(mark: QueuedMark | None, now_ms: int, interval: timedelta = timedelta(0)) -> bool:
    """Whether a schedule that finds `mark` on an object queues it now. `interval`: queued this recently, it
    is not queued again, done or not (the invitation poll re-reads a pending invitation at most hourly); at
    most MAX_WAIT."""
    if mark is None:
        return True
    age_ms = now_ms - mark.queued_at_ms
    if age_ms < interval.total_seconds() * 1000:
        return False
    return mark.done or age_ms >= MAX_WAIT.total_seconds() * 1000
