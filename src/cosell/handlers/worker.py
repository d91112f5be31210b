"""Sync worker (SQS FIFO → Lambda): reconcile each queued object, report failures per message.

A failed message is retried by SQS and, after the queue's maxReceiveCount, parked in the DLQ. FIFO order is
kept per message group (one object): after a failure the rest of that group in the batch is returned
unprocessed, other groups go on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.sync.dispatch import reconcile
from cosell.sync.requests import parse_message

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

processor = SqsFifoPartialProcessor(skip_group_on_error=True)


def _handle(record: SQSRecord) -> None:
    request = parse_message(record.body)
    logger.set_correlation_id(request.correlation_id)
    outcome = reconcile(request, runtime.Contexts())
    logger.info(
        "reconciled", extra={"subject": request.subject, "object_id": request.object_id, "outcome": outcome}
    )


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_handle, processor=processor, context=context)
