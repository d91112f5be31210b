"""A worker batch: a failing message records its failure for `cosell dlq`, and so do the messages of its
group it covered, which FIFO parks with it (cosell.sync.batch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from cosell.observability import build_logger
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.sync.batch import Batch


def record(message_id: str, kind: str) -> dict[str, Any]:
    request = SyncRequest(
        subject=Subject.HUBSPOT_DEAL,
        object_id="42",
        triggers=(Trigger(source="hubspot_webhook", kind=kind, occurred_at_ms=1),),
        correlation_id=message_id,
    )
    return {"messageId": message_id, "body": request.model_dump_json(), "receiptHandle": message_id}


@dataclass
class Failures:
    recorded: list[tuple[str, str]] = field(default_factory=list)

    def record(self, body: str, error: str, at: str) -> None:
        self.recorded.append((body, error))


class Unreadable:
    """Ports whose HubSpot cannot be read: every deal's reconcile fails."""

    def __init__(self, failures: Failures) -> None:
        self.failures = failures
        self.config = SimpleNamespace(catalog="AWS")

    def now(self) -> datetime:
        return datetime(2026, 12, 1, tzinfo=UTC)

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"HubSpot is down ({name})")


def test_a_failing_leader_records_its_failure_and_that_of_the_messages_it_covered() -> None:
    failures = Failures()
    records = [record("m1", "deal.creation"), record("m2", "deal.propertyChange")]
    batch = Batch(records, lambda: Unreadable(failures), build_logger())  # type: ignore[arg-type, return-value]
    with pytest.raises(RuntimeError):
        batch.handle(SQSRecord(records[0]))
    (leader, leader_error), (covered, covered_error) = failures.recorded
    assert (leader, covered) == (records[0]["body"], records[1]["body"])
    assert leader_error == "RuntimeError: HubSpot is down (deals)"
    assert (
        covered_error
        == "waited behind a failing message of its group (RuntimeError: HubSpot is down (deals))"
    )
