"""SyncQueue: batches of 10, refused entries retried, and nothing acknowledged unless everything is queued."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.queue.sqs import EnqueueError, SyncQueue


class RecordingSqs:
    """Stands in for the SQS client: refuses the entries named in `refuse` the first `times` times."""

    def __init__(self, refuse: set[str] | None = None, times: int = 0) -> None:
        self.refuse = refuse or set()
        self.times = times
        self.batches: list[list[dict[str, Any]]] = []
        self._lock = threading.Lock()

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        with self._lock:
            self.batches.append(Entries)
            refusing = self.times > 0
            if refusing:
                self.times -= 1
        failed = [e for e in Entries if refusing and e["MessageGroupId"] in self.refuse]
        return {
            "Successful": [{"Id": e["Id"]} for e in Entries if e not in failed],
            "Failed": [{"Id": e["Id"], "Code": "InternalError", "SenderFault": False} for e in failed],
        }


def requests(count: int) -> list[SyncRequest]:
    trigger = Trigger(source="hubspot_webhook", kind="deal.propertyChange", occurred_at_ms=1)
    return [
        SyncRequest(subject=Subject.HUBSPOT_DEAL, object_id=str(i), triggers=(trigger,), correlation_id="c")
        for i in range(count)
    ]


def test_a_full_delivery_goes_out_in_ten_batches_of_ten() -> None:
    sqs = RecordingSqs()
    SyncQueue(sqs, "q").send(requests(100))  # type: ignore[arg-type]
    assert sorted(len(batch) for batch in sqs.batches) == [10] * 10
    sent = {entry["MessageGroupId"] for batch in sqs.batches for entry in batch}
    assert sent == {f"hubspot.deal:{i}" for i in range(100)}


def test_refused_entries_are_retried_alone() -> None:
    sqs = RecordingSqs(refuse={"hubspot.deal:3"}, times=1)
    SyncQueue(sqs, "q").send(requests(5))  # type: ignore[arg-type]
    assert [len(batch) for batch in sqs.batches] == [5, 1]


def test_entries_refused_every_time_raise_so_the_webhook_is_not_acknowledged() -> None:
    sqs = RecordingSqs(refuse={"hubspot.deal:42"}, times=100)
    with pytest.raises(EnqueueError, match="1 sync request\\(s\\) not queued: InternalError"):
        SyncQueue(sqs, "q").send(requests(50))  # type: ignore[arg-type]
