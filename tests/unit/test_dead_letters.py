"""The dead-letter queue's messages in words, replayed oldest first and audited (cosell.sync.operations)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from cosell.domain.audit import AuditAction
from cosell.queue.dead_letters import Parked
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.store.failures import Failure
from cosell.sync.operations.dead_letters import OperatorRun, describe, drop, replay

if TYPE_CHECKING:
    from cosell.domain.audit import AuditRecord

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


def request_body(subject: Subject, object_id: str, kind: str = "deal.propertyChange") -> str:
    request = SyncRequest(
        subject=subject,
        object_id=object_id,
        triggers=(Trigger(source="hubspot_webhook", kind=kind, occurred_at_ms=1),),
        correlation_id="c-1",
    )
    return request.model_dump_json()


def parked(message_id: str, body: str, minutes: int, group: str | None = "g") -> Parked:
    return Parked(message_id, body, group, T0 + timedelta(minutes=minutes), f"receipt-{message_id}")


@dataclass
class Fakes:
    known: dict[str, Failure] = field(default_factory=dict)
    forgotten: list[str] = field(default_factory=list)
    records: list[AuditRecord] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def get(self, body: str) -> Failure | None:
        return self.known.get(body)

    def forget(self, body: str) -> None:
        self.forgotten.append(body)

    def deal_for_opportunity(self, catalog: str, opportunity_id: str) -> str | None:
        return {"O7": "77"}.get(opportunity_id)

    def record(self, record: AuditRecord) -> AuditRecord:
        self.records.append(record)
        return record

    def replay(self, message: Parked, sync_queue_url: str) -> None:
        self.sent.append((message.message_id, sync_queue_url))

    def remove(self, message: Parked) -> None:
        self.removed.append(message.message_id)


def run(fakes: Fakes) -> OperatorRun:
    return OperatorRun(audit=fakes, failures=fakes, catalog="AWS", now=T0, correlation_id="op-1")


def test_a_deal_request_names_its_deal_trigger_and_last_failure() -> None:
    fakes = Fakes()
    body = request_body(Subject.HUBSPOT_DEAL, "42")
    fakes.known[body] = Failure(5, "HubSpotUnavailableError: HubSpot 500", "2026-12-01T12:00:00+00:00")
    message = describe(parked("m1", body, 0), fakes, fakes, "AWS")
    assert (message.about, message.deal_id, message.trigger) == (
        "hubspot.deal 42",
        "42",
        "hubspot_webhook:deal.propertyChange",
    )
    assert (message.failures, message.last_error) == (5, "HubSpotUnavailableError: HubSpot 500")


def test_an_eventbridge_event_is_described_as_the_object_it_concerns() -> None:
    event = {
        "id": "e-1",
        "detail-type": "Opportunity Updated",
        "source": "aws.partnercentral-selling",
        "time": "2026-12-01T12:00:00Z",
        "detail": {"catalog": "AWS", "opportunity": {"identifier": "O7"}},
    }
    message = describe(parked("m2", json.dumps(event), 0), Fakes(), Fakes(), "AWS")
    assert (message.about, message.deal_id, message.opportunity_id) == (
        "partner_central.opportunity O7",
        "77",
        "O7",
    )
    assert message.trigger == "eventbridge:Opportunity Updated"
    assert message.failures is None


@pytest.mark.parametrize(
    "body",
    ["not json", '{"detail-type": "Engagement Updated", "detail": {"engagement": "eng-as-a-string"}}',
     '{"detail-type": "Opportunity Updated", "detail": "a string"}', "[1, 2]"],
)  # fmt: skip
def test_a_body_that_is_no_request_is_still_listed_so_it_can_be_dropped(body: str) -> None:
    message = describe(parked("m3", body, 0), Fakes(), Fakes(), "AWS")
    assert (message.about, message.deal_id) == ("a message that is not a sync request", None)


def test_replay_goes_oldest_first_and_audits_each_and_forgets_its_failures() -> None:
    fakes = Fakes()
    newer = describe(parked("m-new", request_body(Subject.HUBSPOT_DEAL, "2"), 5), fakes, fakes, "AWS")
    older = describe(parked("m-old", request_body(Subject.HUBSPOT_DEAL, "1"), 1), fakes, fakes, "AWS")
    replayed = list(replay([newer, older], fakes, "https://sqs/sync.fifo", run(fakes)))
    assert [message.message_id for message in replayed] == ["m-old", "m-new"]
    assert fakes.sent == [("m-old", "https://sqs/sync.fifo"), ("m-new", "https://sqs/sync.fifo")]
    assert [(r.action, r.deal_id, r.trigger) for r in fakes.records] == [
        (AuditAction.REPLAY, "1", "operator:dlq replay"),
        (AuditAction.REPLAY, "2", "operator:dlq replay"),
    ]
    assert fakes.forgotten == [older.parked.body, newer.parked.body]


def test_drop_removes_without_sending_and_audits() -> None:
    fakes = Fakes()
    message = describe(parked("m4", request_body(Subject.HUBSPOT_DEAL, "9"), 0), fakes, fakes, "AWS")
    drop(message, fakes, run(fakes))
    assert (fakes.sent, fakes.removed) == ([], ["m4"])
    (record,) = fakes.records
    assert (record.action, record.deal_id) == (AuditAction.DROP, "9")
    assert "dead-letter message m4 about hubspot.deal 9" in record.detail
