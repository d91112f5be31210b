"""How often each queue message failed, and why, in the state table (cosell.store.keys): the worker records a
message's failure before SQS retries it, so a message parked in the dead-letter queue can be shown with its
last error (`cosell dlq`). A message is known by the digest of its body, which the dead-letter queue keeps as
it was sent. Kept 14 days, the longest a dead-letter queue keeps a message.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.store import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

KEPT_SECONDS = 14 * 24 * 3600
ERROR_MAX = 1000  # characters of the last error kept


@dataclass(frozen=True)
class Failure:
    failures: int
    last_error: str
    last_at: str  # ISO 8601, UTC


def digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


class FailureStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def record(self, body: str, error: str, at: str) -> None:
        """One more failure of the message whose body is `body`; `error` already redacted."""
        self._db.update_item(
            TableName=self._table,
            Key=keys.failure(digest(body)),
            UpdateExpression="SET last_error = :error, last_at = :at, expires_at = :expires ADD failures :one",
            ExpressionAttributeValues={
                ":error": {"S": error[:ERROR_MAX]},
                ":at": {"S": at},
                ":expires": {"N": str(int(time.time()) + KEPT_SECONDS)},
                ":one": {"N": "1"},
            },
        )

    def get(self, body: str) -> Failure | None:
        item = self._db.get_item(
            TableName=self._table, Key=keys.failure(digest(body)), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        return Failure(int(item["failures"]["N"]), item["last_error"]["S"], item["last_at"]["S"])

    def forget(self, body: str) -> None:
        """The message was replayed or dropped: its next failure counts from one."""
        self._db.delete_item(TableName=self._table, Key=keys.failure(digest(body)))
