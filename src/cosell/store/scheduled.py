"""The marks of what the schedules queued (cosell.domain.scheduled): one item per schedule and object, kept
as long as it matters (`MAX_WAIT`, by the table's TTL); read 100 and written 25 at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.domain.scheduled import MAX_WAIT, QueuedMark
from cosell.store import keys
from cosell.store.batches import get_all, write_all

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class ScheduledRequestStore:
    def __init__(self, db: DynamoDBClient, table: str) -> None:
        self._db = db
        self._table = table

    def marks(self, catalog: str, kind: str, object_ids: Sequence[str]) -> dict[str, QueuedMark]:
        """The marks of schedule `kind` on those of `object_ids` it queued."""
        found = get_all(self._db, self._table, [keys.scheduled(catalog, kind, i) for i in object_ids])
        return {
            str(item["object_id"]["S"]): QueuedMark(int(item["queued_at_ms"]["N"]), item["done"]["BOOL"])
            for item in found
        }

    def mark_queued(self, catalog: str, kind: str, object_ids: Sequence[str], now_ms: int) -> None:
        write_all(
            self._db,
            self._table,
            [
                {"PutRequest": {"Item": _mark(catalog, kind, i, QueuedMark(now_ms, done=False))}}
                for i in object_ids
            ],
        )

    def mark_done(self, catalog: str, kind: str, object_id: str, queued_at_ms: int) -> None:
        """The worker reconciled the request queued at `queued_at_ms`. Unconditional: should a later run
        have queued the object again meanwhile, the next run queues one more, which is harmless."""
        mark = _mark(catalog, kind, object_id, QueuedMark(queued_at_ms, done=True))
        self._db.put_item(TableName=self._table, Item=mark)


def _mark(catalog: str, kind: str, object_id: str, mark: QueuedMark) -> dict[str, AttributeValueTypeDef]:
    return {
        **keys.scheduled(catalog, kind, object_id),
        "object_id": {"S": object_id},
        "queued_at_ms": {"N": str(mark.queued_at_ms)},
        "done": {"BOOL": mark.done},
        "expires_at": {"N": str(mark.queued_at_ms // 1000 + int(MAX_WAIT.total_seconds()))},
    }
