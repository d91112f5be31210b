"""A worker batch (cosell.sync.batch): a failing message records its failure for `cosell dlq`, and so do the
messages of its group it covered, which FIFO parks with it; a rep's edit waits out the coalescing window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

from cosell.observability import build_logger
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.sync.batch import Batch, BatchFailedError, CoalescingWindowOpenError
from cosell.sync.deferred import DeferredError

if TYPE_CHECKING:
    from cosell.queue.fifo_batch import SqsRecord
    from cosell.queue.messages import TriggerSource

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def record(
    message_id: str,
    kind: str,
    *,
    source: TriggerSource = "hubspot_webhook",
    queued: datetime = NOW,
    object_id: str = "42",
) -> SqsRecord:
    request = SyncRequest(
        subject=Subject.HUBSPOT_DEAL,
        object_id=object_id,
        triggers=(Trigger(source=source, kind=kind, occurred_at_ms=1),),
        correlation_id=message_id,
    )
    return {
        "messageId": message_id,
        "body": request.model_dump_json(),
        "receiptHandle": f"receipt-{message_id}",
        "attributes": {"SentTimestamp": str(int(queued.timestamp() * 1000))},
    }


@dataclass
class Failures:
    recorded: list[tuple[str, str]] = field(default_factory=list)

    def record(self, body: str, error: str, at: str) -> None:
        self.recorded.append((body, error))


@dataclass
class HeldQueue:
    held: list[tuple[list[str], int]] = field(default_factory=list)

    def defer(self, receipt_handles: list[str], seconds: int) -> None:
        self.held.append((list(receipt_handles), seconds))


class Unreadable:
    """Ports whose HubSpot cannot be read: every deal's reconcile fails (so a test sees it was tried)."""

    def __init__(self, failures: Failures, window: timedelta = timedelta()) -> None:
        self.failures = failures
        self.queue = HeldQueue()
        self.config = SimpleNamespace(catalog="AWS", coalescing_window=window)
        self.links = SimpleNamespace(link_for_deal=lambda deal_id: None)  # deals not linked yet

    def now(self) -> datetime:
        return NOW

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"HubSpot is down ({name})")


def test_a_failing_leader_records_its_failure_and_that_of_the_messages_it_covered() -> None:
    failures = Failures()
    records = [record("m1", "deal.creation"), record("m2", "deal.propertyChange")]
    batch = Batch(records, lambda: Unreadable(failures), build_logger())  # type: ignore[arg-type, return-value]
    with pytest.raises(RuntimeError):
        batch.handle(records[0])
    (leader, leader_error), (covered, covered_error) = failures.recorded
    assert (leader, covered) == (records[0]["body"], records[1]["body"])
    assert leader_error == "RuntimeError: HubSpot is down (deals)"
    assert (
        covered_error
        == "waited behind a failing message of its group (RuntimeError: HubSpot is down (deals))"
    )


def run_first(records: list[SqsRecord], ports: Unreadable) -> None:
    Batch(records, lambda: ports, build_logger()).handle(records[0])  # type: ignore[arg-type, return-value]


def test_a_reps_edit_younger_than_the_window_is_held_back_with_the_rest_of_its_group() -> None:
    ports = Unreadable(Failures(), window=timedelta(seconds=5))
    records = [
        record("m1", "deal.propertyChange", queued=NOW - timedelta(seconds=1.5)),
        record("m2", "deal.propertyChange", queued=NOW - timedelta(seconds=1)),
        record("m3", "deal.propertyChange", object_id="7"),  # another deal: not held with this one
    ]
    with pytest.raises(CoalescingWindowOpenError, match="back in 4 s"):
        run_first(records, ports)
    assert ports.queue.held == [(["receipt-m1", "receipt-m2"], 4)]  # 3.5 s left, in whole seconds
    assert ports.failures.recorded == []  # waiting is no failure


def test_an_edit_as_old_as_the_window_is_reconciled() -> None:
    ports = Unreadable(Failures(), window=timedelta(seconds=5))
    with pytest.raises(RuntimeError, match="HubSpot is down"):
        run_first([record("m1", "deal.propertyChange", queued=NOW - timedelta(seconds=5))], ports)
    assert ports.queue.held == []


def test_a_partner_central_change_goes_straight_through() -> None:
    """An AWS-side change is one event already: it never waits for the window, however young."""
    ports = Unreadable(Failures(), window=timedelta(seconds=5))
    with pytest.raises(RuntimeError, match="HubSpot is down"):
        run_first([record("m1", "Opportunity Updated", source="eventbridge")], ports)
    assert ports.queue.held == []


def test_a_batch_held_back_whole_is_no_failure_and_one_failing_whole_is() -> None:
    held = Unreadable(Failures(), window=timedelta(seconds=5))
    records = [record("m1", "deal.propertyChange")]
    batch = Batch(records, lambda: held, build_logger())  # type: ignore[arg-type, return-value]
    with pytest.raises(CoalescingWindowOpenError):
        batch.handle(records[0])
    batch.fail_if_all_failed(1)  # every message failed, but only by waiting: the invocation succeeds

    failing = Unreadable(Failures())
    batch = Batch(records, lambda: failing, build_logger())  # type: ignore[arg-type, return-value]
    with pytest.raises(RuntimeError):
        batch.handle(records[0])
    with pytest.raises(BatchFailedError, match="the first: RuntimeError: HubSpot is down"):
        batch.fail_if_all_failed(1)


def test_a_message_that_must_wait_a_known_time_is_hidden_until_then_and_is_no_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another worker holds a referral's deal claim: its message comes back when the lease has run out,
    instead of being retried (and parked in the DLQ) while it could only fail again."""

    def waits(request: SyncRequest, ports: object) -> str:
        raise DeferredError("another worker is creating the deal", 120)

    monkeypatch.setattr("cosell.sync.batch.reconcile", waits)
    ports = Unreadable(Failures())
    records = [record("m1", "Opportunity Created", source="eventbridge"), record("m2", "deal.propertyChange")]
    batch = Batch(records, lambda: ports, build_logger())  # type: ignore[arg-type, return-value]
    with pytest.raises(DeferredError):
        batch.handle(records[0])
    assert ports.queue.held == [(["receipt-m1", "receipt-m2"], 120)]
    assert ports.failures.recorded == []
    batch.fail_if_all_failed(2)  # held back, not failed: the invocation succeeds


@dataclass
class Marks:
    done: list[tuple[str, str, str, int]] = field(default_factory=list)

    def mark_done(self, catalog: str, kind: str, object_id: str, queued_at_ms: int) -> None:
        self.done.append((catalog, kind, object_id, queued_at_ms))


def held_record(message_id: str, kind: str, queued_at_ms: int) -> SqsRecord:
    """A schedule's request (cosell.sync.schedules.held)."""
    trigger = Trigger(source="schedule", kind=kind, occurred_at_ms=queued_at_ms, held=True)
    request = SyncRequest(
        subject=Subject.HUBSPOT_DEAL, object_id="42", triggers=(trigger,), correlation_id=message_id
    )
    return {**record(message_id, "unused"), "body": request.model_dump_json()}


@pytest.mark.parametrize("reconciled", [True, False])
def test_a_schedules_request_is_marked_done_once_reconciled_and_not_when_it_failed(
    reconciled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reconcile(request: SyncRequest, ports: object) -> str:
        if not reconciled:
            raise RuntimeError("HubSpot is down")
        return "in step"

    monkeypatch.setattr("cosell.sync.batch.reconcile", reconcile)
    marks = Marks()
    config = SimpleNamespace(catalog="AWS", coalescing_window=timedelta())
    ports = SimpleNamespace(scheduled=marks, config=config, failures=Failures())
    ports.now = lambda: NOW
    # Two schedules' requests for one deal, and a rep's edit, coalesced into the first.
    records = [
        held_record("m1", "aws summary refresh", 1_000),
        record("m2", "deal.propertyChange"),
        held_record("m3", "another schedule", 2_000),
    ]
    batch = Batch(records, lambda: ports, build_logger())  # type: ignore[arg-type, return-value]
    if reconciled:
        for each in records:
            batch.handle(each)
        assert marks.done == [
            ("AWS", "aws summary refresh", "42", 1_000),
            ("AWS", "another schedule", "42", 2_000),
        ]
    else:
        with pytest.raises(RuntimeError):
            batch.handle(records[0])
        assert marks.done == []  # retried: the schedules still wait for it
