"""Finding and erasing one person's data in cosell's tables (`cosell privacy erase`).

Scans both tables: an erasure request is rare, and no index could find every kind of item that names a
person. Each change is conditional on the value read, so a sync writing the same item meanwhile is not
overwritten (the erasure then counts it as skipped; run it again).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain.pseudonyms import erased_text, mentions, without_person

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

_KEYS = ("pk", "sk")
_SNAPSHOT = "snapshot"
_DEAL_PARTITION = "deal#"  # both tables key a deal's items so (cosell.store.keys, cosell.store.audit)


@dataclass(frozen=True)
class TableErasure:
    snapshots: int = 0  # links whose last-synced values named the person (those fields forgotten)
    items: int = 0  # items whose text named the person (masked)
    skipped: int = 0  # changed by the sync while erasing: left for a second run
    deals: frozenset[str] = frozenset()  # the deals whose items named the person


class PersonalDataStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def erase(self, email: str, *, dry_run: bool) -> TableErasure:
        snapshots = items = skipped = 0
        deals: set[str] = set()
        for page in self._db.get_paginator("scan").paginate(TableName=self._table):
            for item in page.get("Items", []):
                changes = self._changes(dict(item), email)
                if not changes:
                    continue
                partition = str(item["pk"]["S"])
                if partition.startswith(_DEAL_PARTITION):
                    deals.add(partition.removeprefix(_DEAL_PARTITION))
                if _SNAPSHOT in changes:
                    snapshots += 1
                else:
                    items += 1
                if not dry_run and not self._write(dict(item), changes):
                    skipped += 1
        return TableErasure(snapshots, items, skipped, frozenset(deals))

    @staticmethod
    def _changes(item: dict[str, Any], email: str) -> dict[str, tuple[str, str]]:
        """attribute → (value read, value to write), for the string attributes that name the person."""
        changes: dict[str, tuple[str, str]] = {}
        for name, value in item.items():
            text = value.get("S")
            if name in _KEYS or text is None or not mentions(text, email):
                continue
            if name == _SNAPSHOT:
                forgotten = without_person(json.loads(text), email)
                changes[name] = (text, json.dumps(forgotten, sort_keys=True))
            else:
                changes[name] = (text, erased_text(text, email))
        return changes

    def _write(self, item: dict[str, Any], changes: dict[str, tuple[str, str]]) -> bool:
        names = {f"#a{index}": name for index, name in enumerate(changes)}
        values: dict[str, Any] = {}
        sets, conditions = [], []
        for index, (read, written) in enumerate(changes.values()):
            sets.append(f"#a{index} = :new{index}")
            conditions.append(f"#a{index} = :old{index}")
            values[f":new{index}"] = {"S": written}
            values[f":old{index}"] = {"S": read}
        try:
            self._db.update_item(
                TableName=self._table,
                Key={key: item[key] for key in _KEYS if key in item},
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            return False
        return True
