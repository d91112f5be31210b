"""Partner Central request pacing, shared by every concurrent invocation.

Partner Central allows 1 write and 10 reads per second per partner account (FACTS.md). Each caller reserves
the next free time slot with a conditional update of one DynamoDB item per budget
(`pacer#partner-central-writes`, `pacer#partner-central-reads`), then sleeps until its slot. Reservations
are atomic, so two workers never get the same slot, whatever the concurrency.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_RESERVATION_ATTEMPTS = 50


class PacerBusyError(Exception):
    """No slot could be reserved (extreme contention); the caller retries later."""


class _SlotPacer:
    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table_name: str,
        *,
        budget: str,
        per_second: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self._db = dynamodb
        self._table = table_name
        self._key: dict[str, AttributeValueTypeDef] = {"pk": {"S": f"pacer#{budget}"}, "sk": {"S": "slot"}}
        self._interval_ms = max(1, round(1000 / per_second))
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> None:
        """Block until this caller may send one request of this budget."""
        for _ in range(_RESERVATION_ATTEMPTS):
            now_ms = int(self._clock() * 1000)
            item = self._db.get_item(TableName=self._table, Key=self._key, ConsistentRead=True).get("Item")
            current = int(item["next_slot_ms"]["N"]) if item else None
            slot = max(now_ms, current or 0)
            condition = "attribute_not_exists(next_slot_ms)" if current is None else "next_slot_ms = :current"
            values = {":next": {"N": str(slot + self._interval_ms)}}
            if current is not None:
                values[":current"] = {"N": str(current)}
            try:
                self._db.update_item(
                    TableName=self._table,
                    Key=self._key,
                    UpdateExpression="SET next_slot_ms = :next",
                    ConditionExpression=condition,
                    ExpressionAttributeValues=values,
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                    continue  # another caller took that slot; read again
                raise
            if slot > now_ms:
                self._sleep((slot - now_ms) / 1000)
            return
        raise PacerBusyError(f"could not reserve a slot of {self._key['pk']['S']}")


class WritePacer(_SlotPacer):
    """Create/Update/Associate, Reject, Start…Task: 1 per second per partner account."""

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table_name: str,
        *,
        writes_per_second: float = 1.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            dynamodb,
            table_name,
            budget="partner-central-writes",
            per_second=writes_per_second,
            clock=clock,
            sleep=sleep,
        )


class ReadPacer(_SlotPacer):
    """GetOpportunity, GetAwsOpportunitySummary, Get/ListEngagementInvitations, ...: 10 per second."""

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table_name: str,
        *,
        reads_per_second: float = 8.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            dynamodb,
            table_name,
            budget="partner-central-reads",
            per_second=reads_per_second,
            clock=clock,
            sleep=sleep,
        )
