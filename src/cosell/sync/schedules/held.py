"""Use case: a schedule's requests, queued only for objects whose last one is done (cosell.domain.scheduled).

`queue_held` is how every per-object schedule queues (the invitation poll, the notifications check, the AWS
summary refresh, the engagement schedules): it reads the marks of the objects listed, queues the due ones
with a trigger that says it is held, and marks them queued. The worker calls `settle_held` once it reconciled
a request: each held trigger's mark becomes done, and the next run queues the object again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from cosell.domain.scheduled import is_due
from cosell.queue.messages import SyncRequest, Trigger

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cosell.queue.messages import Subject
    from cosell.sync.ports import Ports


@dataclass(frozen=True)
class HeldReport:
    queued: int
    held_back: int  # listed, but their last request is not done yet


def queue_held(
    subject: Subject,
    object_ids: Iterable[str],
    *,
    kind: str,
    ports: Ports,
    correlation_id: str,
    catalog: str | None = None,
    interval: timedelta = timedelta(0),
) -> HeldReport:
    """Queue a request of schedule `kind` for each of `object_ids` that is due (`is_due`, with `interval`),
    then mark those queued. `catalog` goes into the requests (Partner Central subjects); the marks are the
    configured catalog's."""
    marks_catalog = ports.config.catalog
    now_ms = int(ports.now().timestamp() * 1000)
    # Once each: an object made while a schedule pages can be listed on two pages (one batch write may not
    # name an item twice).
    listed = list(dict.fromkeys(object_ids))
    marks = ports.scheduled.marks(marks_catalog, kind, listed)
    due = [object_id for object_id in listed if is_due(marks.get(object_id), now_ms, interval)]
    trigger = Trigger(source="schedule", kind=kind, occurred_at_ms=now_ms, held=True)
    ports.queue.send(
        [
            SyncRequest(
                subject=subject,
                object_id=object_id,
                triggers=(trigger,),
                correlation_id=correlation_id,
                catalog=catalog,
            )
            for object_id in due
        ]
    )
    # Marked once queued: a failed send leaves them unmarked, for the next run.
    ports.scheduled.mark_queued(marks_catalog, kind, due, now_ms)
    return HeldReport(queued=len(due), held_back=len(listed) - len(due))


def settle_held(request: SyncRequest, ports: Ports) -> None:
    """The worker reconciled `request`: each schedule that held its object may queue it again."""
    for trigger in request.triggers:
        if trigger.held:
            ports.scheduled.mark_done(
                ports.config.catalog, trigger.kind, request.object_id, trigger.occurred_at_ms
            )
