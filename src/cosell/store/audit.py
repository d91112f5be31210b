"""The audit trail, in the DynamoDB table template.yaml creates as AuditTable (cosell.domain.audit says what a
record holds).

Items, append only (the functions' roles may only PutItem; the TTL alone removes them):
- pk `deal#<deal id>`, or `opportunity#<catalog>#<id>` for a record that names no deal;
- sk `<UTC time, microseconds>#<record id>`: fixed width, so a partition reads in time order;
- `opportunity_key` `<catalog>#<opportunity id>` (index `by_opportunity`, sparse: only records naming an
  opportunity) and `day` `YYYY-MM-DD` UTC (index `by_day`, for exports);
- `expires_at`: the record's time plus RETENTION_YEARS, in epoch seconds (the table's TTL attribute).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain.audit import RETENTION_YEARS, AuditAction, AuditRecord, FieldChange
from cosell.domain.pseudonyms import pseudonymised_record

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

BY_OPPORTUNITY = "by_opportunity"
BY_DAY = "by_day"

# DynamoDB refuses items over 400 KB. A field value is kept whole up to this many characters; longer ones
# (a pasted document in a description) are cut, with a marker saying how long they were.
MAX_VALUE_CHARS = 10_000
# What the changes and the detail may take of an item together, in UTF-8 bytes; the keys and the other
# attributes are short.
_TEXT_BUDGET_BYTES = 300_000
_MIN_VALUE_CHARS = 100


def retention_end(at: datetime) -> datetime:
    """When a record written at `at` may go: RETENTION_YEARS calendar years later (29 February → 28)."""
    try:
        return at.replace(year=at.year + RETENTION_YEARS)
    except ValueError:
        return at.replace(year=at.year + RETENTION_YEARS, day=28)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        # A naive time is ambiguous (local or UTC?); guessing would misplace records by hours.
        raise ValueError(f"audit times must be timezone-aware: {at.isoformat()}")
    return at.astimezone(UTC)


def _time_key(at: datetime) -> str:
    """A UTC time as fixed-width text, so that text order is time order."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _opportunity_key(catalog: str, opportunity_id: str) -> str:
    return f"{catalog}#{opportunity_id}"


def _partition(record: AuditRecord) -> str:
    if record.deal_id:
        return f"deal#{record.deal_id}"
    if record.opportunity_id:
        return f"opportunity#{record.catalog}#{record.opportunity_id}"
    raise ValueError(f"an audit record names a deal or an opportunity ({record.action.value})")


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [truncated: {len(text):,} characters]"


def _bounded_value(value: Any, limit: int) -> Any:
    """`value`, or when its text is longer than `limit`, the start of that text with a marker (a clipped list
    or object becomes text: it is no longer whole JSON, but a reader sees what it began with)."""
    if isinstance(value, str):
        return _clip(value, limit)
    if isinstance(value, list | dict):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
        return value if len(text) <= limit else _clip(text, limit)
    return value


def _bounded(record: AuditRecord) -> AuditRecord:
    """The record as it can be stored: long values clipped, tighter and tighter until the item fits."""
    limit = MAX_VALUE_CHARS
    while True:
        bounded = replace(
            record,
            detail=_clip(record.detail, limit),
            changes=tuple(
                FieldChange(c.field, _bounded_value(c.before, limit), _bounded_value(c.after, limit))
                for c in record.changes
            ),
        )
        size = len(_changes_text(bounded.changes).encode()) + len(bounded.detail.encode())
        if size <= _TEXT_BUDGET_BYTES or limit <= _MIN_VALUE_CHARS:
            return bounded
        limit //= 2


def _changes_text(changes: tuple[FieldChange, ...]) -> str:
    # default=str: a value JSON cannot hold (a Decimal, a datetime) is kept as its text rather than failing
    # the write it describes.
    return json.dumps(
        [{"field": c.field, "before": c.before, "after": c.after} for c in changes],
        ensure_ascii=False,
        default=str,
    )


def _item(record: AuditRecord) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        "pk": {"S": _partition(record)},
        "sk": {"S": f"{_time_key(record.at)}#{record.record_id}"},
        "day": {"S": record.at.date().isoformat()},
        "record_id": {"S": record.record_id},
        "at": {"S": record.at.isoformat()},
        "action": {"S": record.action.value},
        "catalog": {"S": record.catalog},
        "trigger": {"S": record.trigger},
        "correlation_id": {"S": record.correlation_id},
        "changes": {"S": _changes_text(record.changes)},
        "detail": {"S": record.detail},
        "expires_at": {"N": str(int(retention_end(record.at).timestamp()))},
    }
    if record.deal_id:
        item["deal_id"] = {"S": record.deal_id}
    if record.opportunity_id:
        item["opportunity_id"] = {"S": record.opportunity_id}
        item["opportunity_key"] = {"S": _opportunity_key(record.catalog, record.opportunity_id)}
    return item


def _record(item: dict[str, Any]) -> AuditRecord:
    def text(name: str) -> str | None:
        value = item.get(name)
        return str(value["S"]) if value else None

    return AuditRecord(
        record_id=item["record_id"]["S"],
        at=datetime.fromisoformat(item["at"]["S"]),
        action=AuditAction(item["action"]["S"]),
        catalog=item["catalog"]["S"],
        trigger=item["trigger"]["S"],
        correlation_id=item["correlation_id"]["S"],
        deal_id=text("deal_id"),
        opportunity_id=text("opportunity_id"),
        changes=tuple(
            FieldChange(change["field"], change.get("before"), change.get("after"))
            for change in json.loads(item["changes"]["S"])
        ),
        detail=text("detail") or "",
    )


class AuditStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def record(self, record: AuditRecord) -> AuditRecord:
        """Append one record and return it as stored: with a record id, its time in UTC, long values clipped.

        Recording the same record again (same id and time, a retried invocation) leaves the first one as it
        was: records are never overwritten."""
        # People only as pseudonyms: the trail outlives what a person may ask to have forgotten.
        named = pseudonymised_record(record)
        stored = _bounded(replace(named, record_id=record.record_id or uuid.uuid4().hex, at=_utc(record.at)))
        try:
            self._db.put_item(
                TableName=self._table,
                Item=_item(stored),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
        return stored

    def record_all(self, records: Iterable[AuditRecord]) -> None:
        # One conditional put each: BatchWriteItem takes no conditions (it would overwrite a record) and is
        # an IAM action the functions are not granted.
        for record in records:
            self.record(record)

    def for_deal(self, deal_id: str) -> list[AuditRecord]:
        """Every record of a deal, oldest first."""
        return list(
            self._query(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"deal#{deal_id}"}},
                ConsistentRead=True,
            )
        )

    def for_opportunity(self, catalog: str, opportunity_id: str) -> list[AuditRecord]:
        """Every record naming an opportunity, with or without a deal, oldest first."""
        return list(
            self._query(
                IndexName=BY_OPPORTUNITY,
                KeyConditionExpression="opportunity_key = :key",
                ExpressionAttributeValues={":key": {"S": _opportunity_key(catalog, opportunity_id)}},
            )
        )

    def since(self, start: datetime, end: datetime | None = None) -> Iterator[AuditRecord]:
        """Every record with start <= time < end (default: now), oldest first: one query per UTC day."""
        start = _utc(start)
        end = _utc(end) if end is not None else datetime.now(UTC)
        day = start.date()
        while day <= end.date():
            records = self._query(
                IndexName=BY_DAY,
                # The sort key starts with the record's time: the range is narrowed by key, then exactly.
                KeyConditionExpression="#day = :day AND sk BETWEEN :start AND :end",
                ExpressionAttributeNames={"#day": "day"},  # DAY is a reserved word
                ExpressionAttributeValues={
                    ":day": {"S": day.isoformat()},
                    ":start": {"S": _time_key(start)},
                    ":end": {"S": _time_key(end)},  # before any record at `end` itself
                },
            )
            yield from (record for record in records if start <= record.at < end)
            day += timedelta(days=1)

    def _query(self, **query: Any) -> Iterator[AuditRecord]:
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table, ScanIndexForward=True, **query
        )
        for page in pages:
            for item in page.get("Items", []):
                yield _record(dict(item))
