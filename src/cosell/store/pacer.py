"""Partner Central request pacing, shared by every concurrent invocation.

Partner Central allows 1 write and 10 reads per second per partner account (docs/CONTRACTS.md, "Partner
Central quotas"). The Partner Central client (cosell.partner_central.client.paced) calls `acquire` before
every attempt of every request, retries included, so nothing reaches Partner Central past its pacer. Each
budget's state is one item of the state table (cosell.store.keys), changed only by conditional updates, so two
workers never take the same slot, whatever the concurrency.

A request takes its slot in three steps. `reserve`: the next free slot of a queue, one gap after the last,
keeps callers in order and mostly asleep. `depart`, right before sending: the caller leaves only when no
other request of the budget is on its way and the last one left at least a gap ago, holding the budget
while its own is. `answered`: it records when it left and frees the budget. Every departure is timed where
it happens, just before the request is sent, so whatever a caller does between asking and sending (a
DynamoDB call, a pause of its machine), Partner Central sees requests at least a gap apart.

A ThrottlingException (Partner Central counted differently, or something else spends the partner's quota
too) slows the whole budget down at once, and the slowdown wears off within a minute or two.

Each write sent is also counted against its UTC day (one counter item per budget and day, an atomic ADD,
kept a few days by the table's TTL), so `cosell status` can show how much of the 10,000-a-day quota is used.
Partner Central's daily window rolls over 24 hours; the UTC day is the operator's approximation of it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.metrics import Metric, count
from cosell.store import keys

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import date

    from mypy_boto3_dynamodb.client import DynamoDBClient

_ATTEMPTS = 50  # conditional updates lost to other callers before giving up (PacerBusyError)
WRITES = "partner-central-writes"
DAILY_WRITE_QUOTA = 10_000  # per partner account (docs/CONTRACTS.md, "Partner Central quotas")
# Long enough for an operator to look back at yesterday; the table's TTL removes older counters.
_COUNTER_LIFETIME = timedelta(days=3)
# Each ThrottlingException adds a tenth of an interval to every caller's gap (at most two intervals more);
# the extra halves every 30 s. One throttle (a request that took long to arrive) costs little; a steady
# stream of them (something else spending the partner's quota) soon slows the budget to what is left.
_SLOWDOWN_STEP = 0.1
_MAX_SLOWDOWN = 2.0
_SLOWDOWN_HALF_LIFE_MS = 30_000
# A request on its way holds its budget at most this long (the client's connect and read timeouts, 25 s,
# and some): a caller that died mid-request frees it by itself.
_IN_FLIGHT_LEASE_MS = 40_000
# What a request's round trip usually takes, learnt per execution environment (a moving average), starting
# from 50 ms: longer than that, and the request may have arrived late (see `answered`).
_USUAL_ROUND_TRIP = 0.05
_ROUND_TRIP_WEIGHT = 0.2

daily_counter_key = keys.daily_counter  # the key of a budget's counter for a UTC day, which `used_on` reads


def _number(item: Mapping[str, Any], name: str) -> int:
    return int(item[name]["N"]) if name in item else 0


def _wait_ms(on_its_way: Mapping[str, Any], gap_ms: int, now_ms: int) -> int:
    """How long a caller waits while another request of its budget is on its way: until half a gap after
    that one left (its lease was taken as it left; its answer is usually back by then), so that the caller
    holds the budget before its own departure is due; at least a tenth of a gap."""
    leaving_ms = _number(on_its_way, "in_flight_until_ms") - _IN_FLIGHT_LEASE_MS
    return max(gap_ms // 10, leaving_ms + gap_ms // 2 - now_ms, 1)


def used_on(dynamodb: DynamoDBClient, table_name: str, budget: str, day: date) -> int:
    """How many slots of `budget` were reserved on UTC day `day`."""
    item = dynamodb.get_item(
        TableName=table_name, Key=daily_counter_key(budget, day), ConsistentRead=True
    ).get("Item")
    return int(item["used"]["N"]) if item else 0


class PacerBusyError(Exception):
    """No slot could be taken (extreme contention); the caller retries later."""


@dataclass(frozen=True)
class _Budget:
    """What `reserve` reads of a budget's shared state (its pacer item): where the queue of reservations
    ends, and how much a recent ThrottlingException slowed the budget down."""

    next_slot_ms: int | None
    slowdown: float
    throttled_ms: int

    @classmethod
    def of(cls, item: Mapping[str, Any] | None) -> _Budget:
        numbers = {name: value["N"] for name, value in (item or {}).items() if "N" in value}
        return cls(
            next_slot_ms=int(numbers["next_slot_ms"]) if "next_slot_ms" in numbers else None,
            slowdown=float(numbers.get("slowdown", 0)),
            throttled_ms=int(numbers.get("throttled_ms", 0)),
        )

    def slowdown_at(self, now_ms: int) -> float:
        """The slowdown left at `now_ms`: it halves every SLOWDOWN_HALF_LIFE after the last throttle."""
        elapsed = max(0, now_ms - self.throttled_ms)
        return float(self.slowdown * 0.5 ** (elapsed / _SLOWDOWN_HALF_LIFE_MS))


class _SlotPacer:
    budget: ClassVar[str]
    counted_daily: ClassVar[bool]

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table_name: str,
        *,
        per_second: float,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = dynamodb
        self._table = table_name
        self._key = keys.pacer_slot(self.budget)
        self._interval_ms = 1000 / per_second
        self._clock = clock
        self._sleep = sleep
        self._usual_round_trip = _USUAL_ROUND_TRIP

    def acquire(self) -> float:
        """Take a slot and return at once (for a request sent right away); returns when (clock seconds)."""
        sent = self.depart(self.reserve())
        self.answered(sent)
        return sent

    def throttled(self) -> float:
        """Partner Central answered ThrottlingException: slow the whole budget down (every caller's gap grows
        by a tenth of an interval, up to two intervals); the slowdown wears off by itself. Returns the slowdown
        now."""
        now_ms = self._now_ms()
        state = _Budget.of(self._read())
        slowdown = min(_MAX_SLOWDOWN, state.slowdown_at(now_ms) + _SLOWDOWN_STEP)
        self._db.update_item(
            TableName=self._table,
            Key=self._key,
            UpdateExpression="SET slowdown = :slowdown, throttled_ms = :now",
            ExpressionAttributeValues={":slowdown": {"N": f"{slowdown:.4f}"}, ":now": {"N": str(now_ms)}},
        )
        return slowdown

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _read(self) -> Mapping[str, Any] | None:
        return self._db.get_item(TableName=self._table, Key=self._key, ConsistentRead=True).get("Item")

    def _gap_ms(self, state: _Budget, now_ms: int) -> int:
        return max(1, round(self._interval_ms * (1 + state.slowdown_at(now_ms))))

    def reserve(self) -> int:
        """Step 1: take the next free slot of the queue and sleep until it; returns the gap in force (for
        `depart`). Counted here, for the daily quota, outside the moment of sending."""
        for _ in range(_ATTEMPTS):
            now_ms = self._now_ms()
            state = _Budget.of(self._read())
            gap_ms = self._gap_ms(state, now_ms)
            slot = max(now_ms, state.next_slot_ms or 0)
            if state.next_slot_ms is None:
                condition, values = "attribute_not_exists(next_slot_ms)", {}
            else:
                condition, values = "next_slot_ms = :current", {":current": {"N": str(state.next_slot_ms)}}
            try:
                self._db.update_item(
                    TableName=self._table,
                    Key=self._key,
                    UpdateExpression="SET next_slot_ms = :next",
                    ConditionExpression=condition,
                    ExpressionAttributeValues={":next": {"N": str(slot + gap_ms)}, **values},
                )
            except ClientError as error:
                if error_code(error) == "ConditionalCheckFailedException":
                    continue  # another caller took that slot; read again
                raise
            if self.counted_daily:
                self._count(slot)
            if slot > now_ms:
                self._sleep((slot - now_ms) / 1000)
            return gap_ms
        raise PacerBusyError(f"could not reserve a slot of {self.budget}")

    def depart(self, gap_ms: int) -> float:
        """Step 2, right before sending: hold the budget once no other request of it is on its way, sleep
        until a gap after the last one left, and return now, the departure (clock seconds), for `answered`.

        Waits by time, not by turns: with many senders queued (a backfill's parallel deals beside the sync)
        a sender may lose many turns to those ahead of it, each of them rightly. Past one in-flight lease,
        the longest any one request may hold the budget, something is wrong: PacerBusyError."""
        give_up_ms = self._now_ms() + _IN_FLIGHT_LEASE_MS + gap_ms
        while (now_ms := self._now_ms()) < give_up_ms:
            try:
                previous = self._db.update_item(
                    TableName=self._table,
                    Key=self._key,
                    UpdateExpression="SET in_flight_until_ms = :lease",
                    ConditionExpression="attribute_not_exists(in_flight_until_ms) OR in_flight_until_ms < :now",
                    ExpressionAttributeValues={
                        ":now": {"N": str(now_ms)},
                        ":lease": {"N": str(now_ms + _IN_FLIGHT_LEASE_MS)},
                    },
                    ReturnValues="ALL_OLD",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                ).get("Attributes", {})
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                on_its_way: Mapping[str, Any] = error.response.get("Item") or {}  # type: ignore[assignment]
                self._sleep(_wait_ms(on_its_way, gap_ms, now_ms) / 1000)
                continue
            wait_ms = _number(previous, "sent_ms") + gap_ms - self._now_ms()
            if wait_ms > 0:
                self._sleep(wait_ms / 1000)
            return self._clock()  # after the waits: the request leaves now
        raise PacerBusyError(f"could not send a request of {self.budget}")

    def answered(self, sent: float) -> None:
        """Step 3, once the request is answered (or failed): record when it left and free the budget.

        A request answered later than usual may have arrived late (a new connection's handshake, a slow
        network): the next one could then arrive less than a gap after it. So the lateness counts as if it
        had left that much later, and the next one leaves that much later too."""
        round_trip = max(0.0, self._clock() - sent)
        late = max(0.0, round_trip - self._usual_round_trip)
        self._usual_round_trip += (round_trip - self._usual_round_trip) * _ROUND_TRIP_WEIGHT
        self._db.update_item(
            TableName=self._table,
            Key=self._key,
            UpdateExpression="SET sent_ms = :sent REMOVE in_flight_until_ms",
            ExpressionAttributeValues={":sent": {"N": str(int((sent + late) * 1000))}},
        )

    def _count(self, sent_ms: int) -> None:
        sent_at = datetime.fromtimestamp(sent_ms / 1000, UTC)
        counted = self._db.update_item(
            TableName=self._table,
            Key=daily_counter_key(self.budget, sent_at.date()),
            UpdateExpression="SET expires_at = :expires ADD used :one",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":expires": {"N": str(int((sent_at + _COUNTER_LIFETIME).timestamp()))},
            },
            ReturnValues="UPDATED_NEW",
        )
        count(Metric.PARTNER_CENTRAL_WRITES)
        # A level, not an event: the quota alarm reads its Maximum.
        count(Metric.PARTNER_CENTRAL_WRITES_TODAY, int(counted["Attributes"]["used"]["N"]))


class WritePacer(_SlotPacer):
    """Create/Update/Associate, Reject, Start…Task: the quota is 1 per second per partner account."""

    budget = WRITES
    counted_daily = True


class ReadPacer(_SlotPacer):
    """GetOpportunity, GetAwsOpportunitySummary, Get/ListEngagementInvitations, ...: 10 per second."""

    budget = "partner-central-reads"
    counted_daily = False
