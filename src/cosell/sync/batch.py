"""One batch of sync queue messages, as the worker receives it: coalesced per object, each message routed.

Partner Central events arrive from EventBridge in one fixed group (a FIFO rule target takes a constant group
id). They are only forwarded to the queue again as a `SyncRequest` in their object's own group, so a referral
still waiting for AWS cannot hold back every other event behind it. An event about a linked opportunity goes
to its deal's group: one pair is reconciled by one worker at a time, whichever side moved; the echo of a
pair's own creation goes nowhere (cosell.sync.deals.echoes).

Coalescing: messages of one object in the same batch are reconciled once, by the first, with all their
triggers. Their changes happened before the batch was received, so the first's reads already see them.

The coalescing window: a rep's edit is reconciled only once it is `coalescing_window` old (since it was
queued), so a burst of edits to one deal has ended when its first reconcile reads the deal, and costs one
Partner Central write. A younger one is made invisible for the rest of the window with the rest of its
group in the batch (FIFO: the group's later messages wait behind it, and come back with it, coalesced).
Only the rep's side waits: an AWS-side change is one event already, and goes straight through.

A schedule's request, once reconciled, is marked done, so the schedule may queue its object again
(cosell.sync.schedules.held). A failure marks nothing: the message is retried, and the schedule waits for it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from cosell.metrics import Metric, count
from cosell.observability import redact_text
from cosell.partner_central.events import UnsupportedEventError, from_eventbridge
from cosell.queue.messages import Subject, SyncRequest, parse_message
from cosell.sync.deals.echoes import creation_echo
from cosell.sync.deferred import DeferredError
from cosell.sync.dispatch import reconcile
from cosell.sync.schedules.held import settle_held

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from aws_lambda_powertools import Logger

    from cosell.queue.fifo_batch import SqsRecord
    from cosell.sync.ports import Ports


class BatchFailedError(Exception):
    """Every message of a worker batch failed."""


class CoalescingWindowOpenError(DeferredError):
    """A rep's edit is younger than the coalescing window: it comes back when the window has passed."""


def coalesce(
    records: Iterable[SqsRecord],
) -> tuple[dict[str, SyncRequest | None], dict[str, list[str]], dict[str, list[str]]]:
    """Message id → the request it reconciles (with the triggers of its object's later messages in the
    batch), or None when an earlier message of the same object covers it; each leader's message id → the
    bodies of the messages it covers (its failure fails them too: FIFO skips its group's rest); and each
    leader's message id → the receipt handles of its whole group in the batch. Pure."""
    plan: dict[str, SyncRequest | None] = {}
    covers: dict[str, list[str]] = {}
    receipts: dict[str, list[str]] = {}
    first: dict[str, str] = {}  # group → message id of its first request in the batch
    for record in records:
        try:
            message = parse_message(record["body"])
        except ValueError:
            continue  # reported when its turn comes
        if not isinstance(message, SyncRequest):
            continue
        leader = first.setdefault(message.group_id, record["messageId"])
        receipts.setdefault(leader, []).append(record["receiptHandle"])
        if leader == record["messageId"]:
            plan[leader] = message
            continue
        covered = plan[leader]
        assert covered is not None
        plan[leader] = covered.model_copy(update={"triggers": (*covered.triggers, *message.triggers)})
        plan[record["messageId"]] = None
        covers.setdefault(leader, []).append(record["body"])
    return plan, covers, receipts


class Batch:
    """The worker's plan for one batch; `handle` handles one record (cosell.queue.fifo_batch). `ports` is called
    when a message needs them, so a failure to build them (a setting missing) fails that message, logged,
    and acknowledges nothing it should not."""

    def __init__(self, records: Iterable[SqsRecord], ports: Callable[[], Ports], logger: Logger) -> None:
        records = list(records)
        self._plan, self._covered, self._receipts = coalesce(records)
        self._size = len(records)
        self._first_failure: Exception | None = None  # not counting messages held back (DeferredError)
        self._ports = ports
        self._logger = logger

    def handle(self, record: SqsRecord) -> None:
        logger = self._logger
        if record["messageId"] in self._plan and self._plan[record["messageId"]] is None:
            logger.info("coalesced: an earlier message of the same object in this batch reconciled it")
            return
        try:
            message = self._plan.get(record["messageId"]) or parse_message(record["body"])
            if not isinstance(message, SyncRequest):
                self._forward(message)
                return
            logger.set_correlation_id(message.correlation_id)
            self._wait_for_the_window(record, message)
            outcome = reconcile(message, self._ports())
            settle_held(message, self._ports())
        except DeferredError as held:
            # Hidden with the rest of its group in the batch (FIFO: they wait behind it) until it may go on.
            receipts = self._receipts.get(record["messageId"], [record["receiptHandle"]])
            self._ports().queue.defer(receipts, held.seconds)
            logger.info(str(held), extra=_about(record["body"]))
            raise
        except Exception as error:
            # Logged here, through the redacting logger: the batch loop only counts the failure.
            logger.exception("reconcile failed", extra=_about(record["body"]))
            self._first_failure = self._first_failure or error
            count(Metric.RECONCILE_FAILURES)
            self._record_failure(record["body"], error)
            for body in self._covered.get(record["messageId"], []):
                self._record_failure(body, error, behind=True)
            raise
        if message.subject is Subject.HUBSPOT_DEAL:
            count(Metric.DEALS_SYNCED)
        logger.info(
            "reconciled",
            extra={"subject": message.subject, "object_id": message.object_id, "outcome": outcome},
        )

    def fail_if_all_failed(self, failures: int) -> None:
        """After the batch: raise when every message failed and one of them really did, so that the worker's
        invocation fails (Lambda's Errors metric, WorkerErrorsAlarm), as the batch processor would have it. A
        batch only held back for the coalescing window is no failure."""
        first = self._first_failure
        if first is not None and failures >= self._size:
            reason = redact_text(f"{type(first).__name__}: {first}")
            raise BatchFailedError(
                f"all {failures} message(s) of the batch failed; the first: {reason}"
            ) from first

    def _wait_for_the_window(self, record: SqsRecord, message: SyncRequest) -> None:
        """Raise CoalescingWindowOpenError, which holds the message's group back until the window has passed,
        while a rep's edit is younger than the coalescing window."""
        if not any(trigger.source == "hubspot_webhook" for trigger in message.triggers):
            return
        ports = self._ports()
        window_ms = ports.config.coalescing_window.total_seconds() * 1000
        if not window_ms:
            return
        left_ms = int(record["attributes"]["SentTimestamp"]) + window_ms - ports.now().timestamp() * 1000
        if left_ms <= 0:
            return
        seconds = math.ceil(left_ms / 1000)
        raise CoalescingWindowOpenError(f"held for the coalescing window: back in {seconds} s", seconds)

    def _record_failure(self, body: str, error: Exception, *, behind: bool = False) -> None:
        """For `cosell dlq`: the message's last error (`behind`: that of the message of its group that
        covered it). Never in the way of the failure itself."""
        reason = redact_text(f"{type(error).__name__}: {error}")
        if behind:
            reason = f"waited behind a failing message of its group ({reason})"
        try:
            ports = self._ports()
            ports.failures.record(body, reason, ports.now().isoformat())
        except Exception:
            self._logger.warning("the failure could not be recorded", exc_info=True)

    def _forward(self, event: dict[str, Any]) -> None:
        try:
            request = from_eventbridge(event)
        except UnsupportedEventError as unsupported:
            # An event about nothing cosell syncs (e.g. a resource snapshot): acknowledged, not retried.
            self._logger.info(
                "event ignored", extra={"detail_type": event.get("detail-type"), "reason": str(unsupported)}
            )
            return
        ports = self._ports()
        if request.subject is Subject.OPPORTUNITY:
            catalog = request.catalog or ports.config.catalog
            deal_id = ports.links.deal_for_opportunity(catalog, request.object_id)
            if deal_id is not None and creation_echo(request, deal_id, ports):
                self._logger.info(
                    "creation echo: the pair was synced since the opportunity was made",
                    extra={"deal_id": deal_id, "opportunity_id": request.object_id},
                )
                return
            if deal_id is not None:
                request = request.model_copy(update={"subject": Subject.HUBSPOT_DEAL, "object_id": deal_id})
        ports.queue.send([request])
        self._logger.info(
            "event forwarded", extra={"subject": request.subject, "object_id": request.object_id}
        )


def _about(body: str) -> dict[str, Any]:
    """What a failing message is about, for its log line (a body that does not parse says so)."""
    try:
        message = parse_message(body)
    except ValueError:
        return {"body": "not a sync request or an EventBridge event"}
    if isinstance(message, SyncRequest):
        return {"subject": message.subject, "object_id": message.object_id}
    return {"detail_type": message.get("detail-type")}
