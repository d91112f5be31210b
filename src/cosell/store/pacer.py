"""Partner Central request pacing, shared by every concurrent invocation.

Partner Central allows 1 write and 10 reads per second per partner account (docs/CONTRACTS.md, "Partner
Central quotas"). Each caller reserves the next free time slot with a conditional update of one item per
budget in the state table (cosell.store.keys), then sleeps until its slot. Reservations are atomic, so two
workers never get the same slot, whatever the concurrency.

Each reserved write slot is also counted against its UTC day (one counter item per budget and day, an
atomic ADD, kept a few days by the table's TTL), so `cosell status` can show how much of the 10,000-a-day
quota is used. Every write cosell sends is paced, so the count is complete; reads are paced only in part
(the referral flow), so they are not counted. Partner Central's daily window rolls over 24 hours; the UTC
day is the operator's approximation of it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.metrics import Metric, count
from cosell.store import keys

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from mypy_boto3_dynamodb.client import DynamoDBClient

_RESERVATION_ATTEMPTS = 50
WRITES = "partner-central-writes"
DAILY_WRITE_QUOTA = 10_000  # per partner account (docs/CONTRACTS.md, "Partner Central quotas")
# Long enough for an operator to look back at yesterday; the table's TTL removes older counters.
_COUNTER_LIFETIME = timedelta(days=3)

daily_counter_key = keys.daily_counter  # the key of a budget's counter for a UTC day, which `used_on` reads


def used_on(dynamodb: DynamoDBClient, table_name: str, budget: str, day: date) -> int:
    """How many slots of `budget` were reserved on UTC day `day`."""
    item = dynamodb.get_item(
        TableName=table_name, Key=daily_counter_key(budget, day), ConsistentRead=True
    ).get("Item")
    return int(item["used"]["N"]) if item else 0


class PacerBusyError(Exception):
    """No slot could be reserved (extreme contention); the caller retries later."""


class _SlotPacer:
    budget: ClassVar[str]
    counted_daily: ClassVar[bool]
    default_per_second: ClassVar[float]

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table_name: str,
        *,
        per_second: float | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = dynamodb
        self._table = table_name
        self._key = keys.pacer_slot(self.budget)
        self._interval_ms = max(1, round(1000 / (per_second or self.default_per_second)))
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
                if error_code(error) == "ConditionalCheckFailedException":
                    continue  # another caller took that slot; read again
                raise
            if self.counted_daily:
                self._count(slot)
            if slot > now_ms:
                self._sleep((slot - now_ms) / 1000)
            return
        raise PacerBusyError(f"could not reserve a slot of {self.budget}")

    def _count(self, slot_ms: int) -> None:
        slot_time = datetime.fromtimestamp(slot_ms / 1000, UTC)
        counted = self._db.update_item(
            TableName=self._table,
            Key=daily_counter_key(self.budget, slot_time.date()),
            UpdateExpression="SET expires_at = :expires ADD used :one",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":expires": {"N": str(int((slot_time + _COUNTER_LIFETIME).timestamp()))},
            },
            ReturnValues="UPDATED_NEW",
        )
        count(Metric.PARTNER_CENTRAL_WRITES)
        # A level, not an event: the quota alarm reads its Maximum.
        count(Metric.PARTNER_CENTRAL_WRITES_TODAY, int(counted["Attributes"]["used"]["N"]))


class WritePacer(_SlotPacer):
    """Create/Update/Associate, Reject, Start…Task: the quota is 1 per second per partner account. The
    default stays just under it: the pacer times a request's departure, the quota counts its arrival."""

    budget = WRITES
    counted_daily = True
    default_per_second = 0.9


class ReadPacer(_SlotPacer):
    """GetOpportunity, GetAwsOpportunitySummary, Get/ListEngagementInvitations, ...: 10 per second."""

    budget = "partner-central-reads"
    counted_daily = False
    default_per_second = 8.0
