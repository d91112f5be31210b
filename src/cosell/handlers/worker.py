"""Sync worker (SQS FIFO → Lambda): reconcile each queued object, report failures per message.

A failed message is retried by SQS and, after the queue's maxReceiveCount, parked in the DLQ. FIFO order is
kept per message group (one object): after a failure the rest of that group in the batch is returned
unprocessed, other groups go on.

Partner Central events arrive from EventBridge in one fixed group (a FIFO rule target takes a constant group
id). The worker only forwards each to the queue again as a `SyncRequest` in its object's own group, so a
referral still waiting for AWS cannot hold back every other event behind it. An event about a linked
opportunity goes to its deal's group: one pair is reconciled by one worker at a time, whichever side moved.

Coalescing: messages of one object in the same batch are reconciled once, by the first, with all their
triggers. Their changes happened before the batch was received, so the first's reads already see them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.sync.dispatch import reconcile
from cosell.sync.requests import (
    Subject,
    SyncRequest,
    UnsupportedEventError,
    from_eventbridge,
    parse_message,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

processor = SqsFifoPartialProcessor(skip_group_on_error=True)


def _forward(event: dict[str, Any]) -> None:
    try:
        request = from_eventbridge(event)
    except UnsupportedEventError as unsupported:
        # An event about nothing cosell syncs (e.g. a resource snapshot): acknowledged, not retried.
        logger.info(
            "event ignored", extra={"detail_type": event.get("detail-type"), "reason": str(unsupported)}
        )
        return
    if request.subject is Subject.OPPORTUNITY:
        context = runtime.push_deal_context()
        deal_id = context.store.deal_for_opportunity(request.catalog or context.catalog, request.object_id)
        if deal_id is not None:
            request = request.model_copy(update={"subject": Subject.HUBSPOT_DEAL, "object_id": deal_id})
    runtime.sync_queue().send([request])
    logger.info("event forwarded", extra={"subject": request.subject, "object_id": request.object_id})


# The current batch's plan: message id → the request it reconciles, or None when an earlier message of the
# same object in the batch covers it.
_plan: dict[str, SyncRequest | None] = {}


def _coalesce(records: list[dict[str, Any]]) -> dict[str, SyncRequest | None]:
    plan: dict[str, SyncRequest | None] = {}
    first: dict[str, str] = {}  # group → message id of its first request in the batch
    for record in records:
        try:
            message = parse_message(record["body"])
        except ValueError:
            continue  # reported when its turn comes
        if not isinstance(message, SyncRequest):
            continue
        leader = first.setdefault(message.group_id, record["messageId"])
        if leader == record["messageId"]:
            plan[leader] = message
            continue
        covered = plan[leader]
        assert covered is not None
        plan[leader] = covered.model_copy(update={"triggers": (*covered.triggers, *message.triggers)})
        plan[record["messageId"]] = None
    return plan


def _handle(record: SQSRecord) -> None:
    if record.message_id in _plan and _plan[record.message_id] is None:
        logger.info("coalesced: an earlier message of the same object in this batch reconciled it")
        return
    message = _plan.get(record.message_id) or parse_message(record.body)
    if not isinstance(message, SyncRequest):
        _forward(message)
        return
    logger.set_correlation_id(message.correlation_id)
    try:
        outcome = reconcile(message, runtime.Contexts())
    except Exception:
        # Logged here, through the redacting logger: the batch processor itself reports only at DEBUG.
        logger.exception(
            "reconcile failed", extra={"subject": message.subject, "object_id": message.object_id}
        )
        raise
    logger.info(
        "reconciled", extra={"subject": message.subject, "object_id": message.object_id, "outcome": outcome}
    )


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    _plan.clear()
    _plan.update(_coalesce(event.get("Records") or []))
    return process_partial_response(event=event, record_handler=_handle, processor=processor, context=context)
