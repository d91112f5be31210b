"""Partner Central write pacing, shared by every concurrent invocation.

Partner Central allows 1 write per second per partner account (FACTS.md). Each writer reserves the next free
time slot with a conditional update of one DynamoDB item (`pacer#partner-central-writes`), then sleeps until
its slot. Reservations are atomic, so two workers never get the same slot, whatever the concurrency.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_dynamodb.client import DynamoDBClient

_KEY = {"pk": {"S": "pacer#partner-central-writes"}, "sk": {"S": "slot"}}
_RESERVATION_ATTEMPTS = 50


class PacerBusyError(Exception):
    """No slot could be reserved (extreme contention); the caller retries later."""


class WritePacer:
    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table_name: str,
        *,
        writes_per_second: float = 1.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = dynamodb
        self._table = table_name
        self._interval_ms = max(1, round(1000 / writes_per_second))
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> None:
        """Block until this caller may send one Partner Central write."""
        for _ in range(_RESERVATION_ATTEMPTS):
            now_ms = int(self._clock() * 1000)
            item = self._db.get_item(TableName=self._table, Key=_KEY, ConsistentRead=True).get("Item")
            current = int(item["next_slot_ms"]["N"]) if item else None
            slot = max(now_ms, current or 0)
            condition = "attribute_not_exists(next_slot_ms)" if current is None else "next_slot_ms = :current"
            values = {":next": {"N": str(slot + self._interval_ms)}}
            if current is not None:
                values[":current"] = {"N": str(current)}
            try:
                self._db.update_item(
                    TableName=self._table,
                    Key=_KEY,
                    UpdateExpression="SET next_slot_ms = :next",
                    ConditionExpression=condition,
                    ExpressionAttributeValues=values,
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                    continue  # another writer took that slot; read again
                raise
            if slot > now_ms:
                self._sleep((slot - now_ms) / 1000)
            return
        raise PacerBusyError("could not reserve a Partner Central write slot")
