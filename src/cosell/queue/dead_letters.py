"""The sync queue's dead-letter queue, as an operator reads and empties it (`cosell dlq`).

Listing receives every message it can see with a short visibility timeout, then makes them visible again: a
FIFO queue hands out a group's next message only once the one before is deleted or visible again, so a group
with more than ten parked messages shows its first ten (replaying them shows the next). A replayed message goes
back to the sync queue with its message group, so an object's requests stay in order, and a deduplication id
of its own, so replaying it twice within SQS's five-minute window sends it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

# Long enough to list the queue and act on hundreds of its messages; they are released at the end anyway.
LISTING_VISIBILITY_SECONDS = 900
# Receives that bring nothing new before the listing ends: a short receive samples some of SQS's servers only.
EMPTY_RECEIVES = 3


@dataclass(frozen=True)
class Parked:
    message_id: str
    body: str
    group_id: str | None
    sent_at: datetime
    receipt_handle: str


class DeadLetterQueue:
    def __init__(self, sqs: SQSClient, queue_url: str) -> None:
        self._sqs = sqs
        self._url = queue_url

    def parked(self) -> list[Parked]:
        """Every message visible now, oldest first; each stays invisible until `release` or `remove`."""
        found: dict[str, Parked] = {}
        empty = 0
        while empty < EMPTY_RECEIVES:
            received = self._sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=LISTING_VISIBILITY_SECONDS,
                WaitTimeSeconds=1,  # a long poll asks every server
                MessageSystemAttributeNames=["All"],
            ).get("Messages", [])
            fresh = [message for message in received if message["MessageId"] not in found]
            empty = 0 if fresh else empty + 1
            for message in fresh:
                attributes = message.get("Attributes", {})
                found[message["MessageId"]] = Parked(
                    message_id=message["MessageId"],
                    body=message["Body"],
                    group_id=attributes.get("MessageGroupId"),
                    sent_at=datetime.fromtimestamp(int(attributes.get("SentTimestamp", "0")) / 1000, UTC),
                    receipt_handle=message["ReceiptHandle"],
                )
        return sorted(found.values(), key=lambda parked: (parked.sent_at, parked.message_id))

    def release(self, messages: list[Parked]) -> None:
        """Visible again at once (what `parked` listed and nothing was done with)."""
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            self._sqs.change_message_visibility_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": parked.receipt_handle, "VisibilityTimeout": 0}
                    for index, parked in enumerate(chunk)
                ],
            )

    def replay(self, parked: Parked, sync_queue_url: str) -> None:
        """Back on the sync queue, in its message group; then out of this queue."""
        self._sqs.send_message(
            QueueUrl=sync_queue_url,
            MessageBody=parked.body,
            MessageGroupId=parked.group_id or "replayed",
            MessageDeduplicationId=f"replay-{parked.message_id}",
        )
        self.remove(parked)

    def remove(self, parked: Parked) -> None:
        self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=parked.receipt_handle)
