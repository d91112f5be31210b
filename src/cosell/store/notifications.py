"""Notifications sent, by key (cosell.domain.notifications), in the state table (cosell.store.keys): a key is
claimed once, before its notification is sent, so an event delivered twice or a schedule run again notifies
once. A notification HubSpot refuses releases its key, so the message's retry sends it; a run that stops
outright between the claim and the sending leaves that one unsent (the rep still sees the change on the deal). Kept 90 days (TTL): long enough for any redelivery."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.store import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

KEPT_SECONDS = 90 * 24 * 3600


class NotificationStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def claim(self, key: str) -> bool:
        """True for the first claim of `key`; False when it was notified already."""
        try:
            self._db.put_item(
                TableName=self._table,
                Item={
                    **keys.notification(key),
                    "expires_at": {"N": str(int(time.time()) + KEPT_SECONDS)},
                },
                ConditionExpression=keys.ITEM_ABSENT,
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def release(self, key: str) -> None:
        """The notification could not be sent: its next run sends it."""
        self._db.delete_item(TableName=self._table, Key=keys.notification(key))
