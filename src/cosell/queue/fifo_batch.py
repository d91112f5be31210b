"""An SQS FIFO batch as Lambda hands it to the worker, answered with a partial batch response.

Lambda's contract (ReportBatchItemFailures): the handler returns the ids of the messages that failed, and SQS
makes only those visible again. FIFO order holds per message group, so once a message fails, the later
messages of its group in the batch are returned unprocessed; other groups go on.

This is what Powertools' `SqsFifoPartialProcessor(skip_group_on_error=True)` does; its batch package also
imports asyncio and every Lambda event class, 30 ms of the worker's cold start for twenty lines of logic
(docs/BENCHMARKS.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


class SqsRecordAttributes(TypedDict, total=False):
    SentTimestamp: str
    MessageGroupId: str
    ApproximateReceiveCount: str


class SqsRecord(TypedDict):
    """One message of the batch, in Lambda's SQS event shape (the fields cosell reads)."""

    messageId: str
    receiptHandle: str
    body: str
    attributes: SqsRecordAttributes


class BatchItemFailure(TypedDict):
    itemIdentifier: str


class PartialBatchResponse(TypedDict):
    batchItemFailures: list[BatchItemFailure]


def process_in_group_order(
    records: Iterable[SqsRecord], handle: Callable[[SqsRecord], None]
) -> PartialBatchResponse:
    """Handle each record in order; a record that raises fails, and so does every later record of its group
    (unhandled). `handle` reports its own failures (log, metrics): here they are only counted as failed."""
    failures: list[BatchItemFailure] = []
    failed_groups: set[str] = set()
    for record in records:
        group = record["attributes"].get("MessageGroupId", "")
        if group in failed_groups:
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        try:
            handle(record)
        except Exception:  # noqa: BLE001 - a failed message is reported to SQS, which retries it
            failures.append({"itemIdentifier": record["messageId"]})
            failed_groups.add(group)
    return {"batchItemFailures": failures}
