"""Sync worker (SQS FIFO → Lambda): reconcile each queued object, report failures per message.

A failed message is retried by SQS and, after the queue's maxReceiveCount, parked in the DLQ. FIFO order is
kept per message group (one object): after a failure the rest of that group in the batch is returned
unprocessed, other groups go on. What one batch does is cosell.sync.batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.metrics import metrics
from cosell.sync.batch import Batch

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    batch = Batch(event.get("Records") or [], runtime.ports, logger)
    processor = SqsFifoPartialProcessor(skip_group_on_error=True)
    # Not raised by the processor: a batch only held back for the coalescing window is no failure (Batch).
    processor.raise_on_entire_batch_failure = False
    response = process_partial_response(
        event=event, record_handler=batch.handle, processor=processor, context=context
    )
    batch.fail_if_all_failed(len(response["batchItemFailures"]))
    return response
