"""Use case: the messages parked in the dead-letter queue, each with what it concerns and why it failed, and
putting them back on the sync queue (once the cause is fixed) or dropping them, each audited.

A parked message is a sync request (an object to reconcile, and what queued it) or a Partner Central event as
EventBridge delivered it. The worker recorded each failure (cosell.store.failures): how many times it failed
and its last error. Replay goes in the order the messages were first sent, each in its message group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from cosell.domain.audit import AuditAction, AuditRecord
from cosell.partner_central.events import from_eventbridge
from cosell.queue.messages import Subject, SyncRequest, parse_message

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import datetime

    from cosell.domain.audit import AuditLog
    from cosell.queue.dead_letters import Parked
    from cosell.store.failures import Failure


class Failures(Protocol):
    def get(self, body: str) -> Failure | None: ...
    def forget(self, body: str) -> None: ...


class Links(Protocol):
    def deal_for_opportunity(self, catalog: str, opportunity_id: str) -> str | None: ...


class DeadLetters(Protocol):
    def replay(self, parked: Parked, sync_queue_url: str) -> None: ...
    def remove(self, parked: Parked) -> None: ...


@dataclass(frozen=True)
class ParkedMessage:
    parked: Parked
    about: str  # what it concerns, in words
    trigger: str  # what queued it
    deal_id: str | None
    opportunity_id: str | None
    failures: int | None  # None: no failure was recorded (e.g. parked before cosell recorded them)
    last_error: str | None

    @property
    def message_id(self) -> str:
        return self.parked.message_id


def describe(parked: Parked, failures: Failures, links: Links, catalog: str) -> ParkedMessage:
    failure = failures.get(parked.body)
    request = _request(parked.body)
    if request is None:
        about, trigger, deal_id, opportunity_id = (
            "a message that is not a sync request",
            "unknown",
            None,
            None,
        )
    else:
        deal_id, opportunity_id = _ids(request, links, catalog)
        about = f"{request.subject} {request.object_id}"
        trigger = request.cause.trigger
    return ParkedMessage(
        parked=parked,
        about=about,
        trigger=trigger,
        deal_id=deal_id,
        opportunity_id=opportunity_id,
        failures=failure.failures if failure else None,
        last_error=failure.last_error if failure else None,
    )


@dataclass(frozen=True)
class OperatorRun:
    """Who acts, when, and where the audit goes."""

    audit: AuditLog
    failures: Failures
    catalog: str
    now: datetime
    correlation_id: str


def replay(
    messages: Sequence[ParkedMessage], queue: DeadLetters, sync_queue_url: str, run: OperatorRun
) -> Iterator[ParkedMessage]:
    """Each message back on the sync queue, oldest first, yielded once it is (so a failure midway leaves
    the caller knowing which went)."""
    for message in sorted(messages, key=lambda message: (message.parked.sent_at, message.message_id)):
        queue.replay(message.parked, sync_queue_url)
        _audit(message, AuditAction.REPLAY, run)
        run.failures.forget(message.parked.body)
        yield message


def drop(message: ParkedMessage, queue: DeadLetters, run: OperatorRun) -> None:
    """The message deleted, not replayed (it concerns something that no longer matters)."""
    queue.remove(message.parked)
    _audit(message, AuditAction.DROP, run)
    run.failures.forget(message.parked.body)


def _audit(message: ParkedMessage, action: AuditAction, run: OperatorRun) -> None:
    failed = (
        f"failed {message.failures} time(s); last: {message.last_error}"
        if message.failures
        else "no failure recorded"
    )
    run.audit.record(
        AuditRecord(
            at=run.now,
            action=action,
            catalog=run.catalog,
            trigger=f"operator:dlq {action.value}",
            correlation_id=run.correlation_id,
            deal_id=message.deal_id,
            opportunity_id=message.opportunity_id,
            detail=f"dead-letter message {message.message_id} about {message.about} ({message.trigger}); {failed}",
        )
    )


def _request(body: str) -> SyncRequest | None:
    try:
        message: SyncRequest | dict[str, Any] = parse_message(body)
        return message if isinstance(message, SyncRequest) else from_eventbridge(message)
    except Exception:  # noqa: BLE001 - whatever the body is, it is listed, shown and can be dropped
        return None


def _ids(request: SyncRequest, links: Links, catalog: str) -> tuple[str | None, str | None]:
    if request.subject is Subject.HUBSPOT_DEAL:
        return request.object_id, None
    if request.subject is Subject.OPPORTUNITY:
        return links.deal_for_opportunity(request.catalog or catalog, request.object_id), request.object_id
    return None, None
