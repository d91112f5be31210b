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
    snapshots: int = 0  # links whose last-synced values named the person (their entries left out)
    items: int = 0  # items whose text named the person (masked)
    skipped: int = 0  # changed by the sync while erasing: left for a second run
    deals: frozenset[str] = frozenset()  # the deals whose items named the person


class PersonalDataStore:
    """`entries`: the person's entries in JSON values are left out whole (the state table: what is left is
    what the systems hold once they are erased there); otherwise their address and pseudonym are masked in
    place (the audit trail: a record keeps its shape, the person shows as `person:erased`)."""

    def __init__(self, dynamodb: DynamoDBClient, table_name: str, *, entries: bool) -> None:
        self._db = dynamodb
        self._table = table_name
        self._entries = entries

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

    def _changes(self, item: dict[str, Any], email: str) -> dict[str, tuple[str, str]]:
        """attribute → (value read, value to write), for the string attributes that name the person."""
        changes: dict[str, tuple[str, str]] = {}
        for name, value in item.items():
            text = value.get("S")
            if name in _KEYS or text is None or not mentions(text, email):
                continue
            try:
                parsed = json.loads(text) if self._entries else None
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict | list):
                changes[name] = (text, erased_text(text, email))
                continue
            # JSON (last-synced values, a creation request, conflict values): the person's entries go whole.
            changes[name] = (
                text,
                json.dumps(without_person(parsed, email), sort_keys=True, ensure_ascii=False),
            )
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
        expression = "SET " + ", ".join(sets)
        if _SNAPSHOT in changes:
            # A sync that read the link before the erasure must not put the person back (Link.revision).
            expression += " ADD revision :one"
            values[":one"] = {"N": "1"}
        try:
            self._db.update_item(
                TableName=self._table,
                Key={key: item[key] for key in _KEYS if key in item},
                UpdateExpression=expression,
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            return False
        return True
