"""The sync queue (SQS FIFO): where every trigger lands before the worker reconciles it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

    from cosell.sync.requests import SyncRequest

_SQS_BATCH_LIMIT = 10
_ATTEMPTS = 3


class EnqueueError(Exception):
    """Some requests could not be queued; the caller must not acknowledge its trigger."""


class SyncQueue:
    def __init__(self, sqs: SQSClient, queue_url: str) -> None:
        self._sqs = sqs
        self._queue_url = queue_url

    def send(self, requests: Sequence[SyncRequest]) -> None:
        """Queue all requests or raise `EnqueueError`; entries SQS refuses are retried a few times."""
        for start in range(0, len(requests), _SQS_BATCH_LIMIT):
            pending: dict[str, SendMessageBatchRequestEntryTypeDef] = {
                str(index): {
                    "Id": str(index),
                    "MessageBody": request.model_dump_json(),
                    "MessageGroupId": request.group_id,
                    "MessageDeduplicationId": request.deduplication_id,
                }
                for index, request in enumerate(requests[start : start + _SQS_BATCH_LIMIT])
            }
            for _ in range(_ATTEMPTS):
                entries = list(pending.values())
                response = self._sqs.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
                for entry in response.get("Successful", []):
                    pending.pop(entry["Id"], None)
                if not pending:
                    break
            if pending:
                failures = ", ".join(f["Code"] for f in response.get("Failed", []))
                raise EnqueueError(f"{len(pending)} sync request(s) not queued: {failures}")
