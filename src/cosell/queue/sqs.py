"""Sending sync requests to the queue (SQS FIFO): where every trigger lands before the worker reconciles it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from cosell.aws_errors import error_code, error_message

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

    from cosell.queue.messages import SyncRequest

_SQS_BATCH_LIMIT = 10
_ATTEMPTS = 3
# A full HubSpot delivery (100 objects) is 10 batches; sent together they cost one round trip, not ten.
_PARALLEL_BATCHES = 10


class EnqueueError(Exception):
    """Some requests could not be queued, for whatever reason SQS or the connection gave (the message says
    which); the caller must not acknowledge its trigger."""


class SyncQueue:
    def __init__(self, sqs: SQSClient, queue_url: str) -> None:
        self._sqs = sqs
        self._queue_url = queue_url

    def send(self, requests: Sequence[SyncRequest]) -> None:
        """Queue all requests or raise `EnqueueError`.

        Batches go out concurrently: each object appears once per call (requests are coalesced per object),
        so no message group's order depends on which batch lands first.
        """
        batches = [
            requests[start : start + _SQS_BATCH_LIMIT] for start in range(0, len(requests), _SQS_BATCH_LIMIT)
        ]
        if len(batches) <= 1:
            failures = [self._send_batch(batch) for batch in batches]
        else:
            with ThreadPoolExecutor(max_workers=min(len(batches), _PARALLEL_BATCHES)) as pool:
                failures = list(pool.map(self._send_batch, batches))
        unsent = [failure for failure in failures if failure]
        if unsent:
            raise EnqueueError("; ".join(unsent))

    def defer(self, receipt_handles: Sequence[str], seconds: int) -> None:
        """Make received messages visible again only in `seconds` (SQS's ChangeMessageVisibility)."""
        for start in range(0, len(receipt_handles), _SQS_BATCH_LIMIT):
            self._sqs.change_message_visibility_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": handle, "VisibilityTimeout": seconds}
                    for index, handle in enumerate(receipt_handles[start : start + _SQS_BATCH_LIMIT])
                ],
            )

    def _send_batch(self, batch: Sequence[SyncRequest]) -> str:
        """Send one batch, retrying entries SQS refuses; returns what could not be sent ("" when all was)."""
        pending: dict[str, SendMessageBatchRequestEntryTypeDef] = {
            str(index): {
                "Id": str(index),
                "MessageBody": request.model_dump_json(),
                "MessageGroupId": request.group_id,
                "MessageDeduplicationId": request.deduplication_id,
            }
            for index, request in enumerate(batch)
        }
        codes: list[str] = []
        for _ in range(_ATTEMPTS):
            try:
                response = self._sqs.send_message_batch(
                    QueueUrl=self._queue_url, Entries=list(pending.values())
                )
            # Refused (access, KMS, a missing queue: botocore retried what was transient), or no answer at all.
            except ClientError as refused:
                return f"{len(pending)} sync request(s) not queued: {error_code(refused)}: {error_message(refused)}"
            except BotoCoreError as failed:
                return f"{len(pending)} sync request(s) not queued: {failed}"
            for entry in response.get("Successful", []):
                pending.pop(entry["Id"], None)
            codes = [failure["Code"] for failure in response.get("Failed", [])]
            if not pending:
                return ""
        return f"{len(pending)} sync request(s) not queued: {', '.join(codes)}"
