"""Sync worker (SQS FIFO → Lambda): reconcile each queued object, report failures per message.

A failed message is retried by SQS and, after the queue's maxReceiveCount, parked in the DLQ. FIFO order is
kept per message group (one object): after a failure the rest of that group in the batch is returned
unprocessed, other groups go on. What one batch does is cosell.sync.batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.metrics import metrics
from cosell.queue.fifo_batch import process_in_group_order
from cosell.sync.batch import Batch

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from cosell.queue.fifo_batch import PartialBatchResponse


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialBatchResponse:
    records = event.get("Records") or []
    batch = Batch(records, runtime.ports, logger)
    response = process_in_group_order(records, batch.handle)
    # A batch only held back (the coalescing window, another worker's claim) is no failure: Batch decides.
    batch.fail_if_all_failed(len(response["batchItemFailures"]))
    return response
