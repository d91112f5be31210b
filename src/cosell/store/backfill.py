"""How far `cosell backfill` got, in the state table (cosell.store.keys: `backfill#<catalog>#<source>` /
`cursor`), so a run stopped by Ctrl-C, a crash or the daily quota resumes where it stopped.

The cursor names the last object whose work is complete (its Partner Central write and its HubSpot write-back
both done); the objects after it are done again on resume, which the create path makes harmless (the same
ClientToken, the same link). It holds ids and counts only, no personal data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from cosell.store import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


@dataclass(frozen=True)
class BackfillCursor:
    since: str | None  # the run's filter (an ISO date), None for every object
    after: str | None = None  # the last object done; None before the first
    counts: dict[str, int] = field(default_factory=dict)  # outcome → objects, over every run of this backfill
    started_at: str = ""  # ISO 8601, UTC
    finished_at: str | None = None  # set once every object was seen: the next run starts over
    # The object whose record on the other side is being made (a deal from an opportunity): a run that finds
    # it set after a crash looks for what its predecessor may have made before it makes one.
    creating: str | None = None

    def advanced(self, after: str, counts: dict[str, int]) -> BackfillCursor:
        return replace(self, after=after, counts=dict(counts), creating=None)


class BackfillStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def get(self, catalog: str, source: str) -> BackfillCursor | None:
        item = self._db.get_item(
            TableName=self._table, Key=keys.backfill_cursor(catalog, source), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        return BackfillCursor(
            since=item["since"]["S"] if "since" in item else None,
            after=item["after"]["S"] if "after" in item else None,
            counts={name: int(value) for name, value in json.loads(item["counts"]["S"]).items()},
            started_at=item["started_at"]["S"],
            finished_at=item["finished_at"]["S"] if "finished_at" in item else None,
            creating=item["creating"]["S"] if "creating" in item else None,
        )

    def save(self, catalog: str, source: str, cursor: BackfillCursor) -> None:
        item = {
            **keys.backfill_cursor(catalog, source),
            "counts": {"S": json.dumps(cursor.counts, sort_keys=True)},
            "started_at": {"S": cursor.started_at},
        }
        for name, value in (
            ("since", cursor.since),
            ("after", cursor.after),
            ("finished_at", cursor.finished_at),
            ("creating", cursor.creating),
        ):
            if value is not None:
                item[name] = {"S": value}
        self._db.put_item(TableName=self._table, Item=item)
