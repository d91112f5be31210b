"""Sync worker (SQS FIFO → Lambda): reconcile each queued object, report failures per message.

A failed message is retried by SQS and, after the queue's maxReceiveCount, parked in the DLQ. FIFO order is
kept per message group (one object): after a failure the rest of that group in the batch is returned
unprocessed, other groups go on.

Partner Central events arrive from EventBridge in one fixed group (a FIFO rule target takes a constant group
id). The worker only forwards each to the queue again as a `SyncRequest` in its object's own group, so a
referral still waiting for AWS cannot hold back every other event behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.sync.dispatch import reconcile
from cosell.sync.requests import SyncRequest, UnsupportedEventError, from_eventbridge, parse_message

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
    runtime.sync_queue().send([request])
    logger.info("event forwarded", extra={"subject": request.subject, "object_id": request.object_id})


def _handle(record: SQSRecord) -> None:
    message = parse_message(record.body)
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
    return process_partial_response(event=event, record_handler=_handle, processor=processor, context=context)
