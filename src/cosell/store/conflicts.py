"""Conflicts waiting for an operator (strategy `manual`), in the state table.

One item per deal, all in one partition (cosell.store.keys), so `cosell conflicts list` is one query: the
fields in conflict with both sides' values, and the side an operator chose for each (`cosell conflicts
resolve`), which the deal's next sync applies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain.reconcile import Side
from cosell.store import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


@dataclass(frozen=True)
class FieldConflict:
    field: str
    hubspot: Any
    partner_central: Any


@dataclass(frozen=True)
class DealConflicts:
    deal_id: str
    opportunity_id: str
    catalog: str
    detected_at: str
    fields: tuple[FieldConflict, ...]
    resolutions: dict[str, Side] = field(default_factory=dict)  # field → the side an operator chose


def _from_item(item: dict[str, Any]) -> DealConflicts:
    return DealConflicts(
        deal_id=item["deal_id"]["S"],
        opportunity_id=item["opportunity_id"]["S"],
        catalog=item["catalog"]["S"],
        detected_at=item["detected_at"]["S"],
        fields=tuple(FieldConflict(**entry) for entry in json.loads(item["fields"]["S"])),
        resolutions={
            name: Side(side["S"]) for name, side in item.get("resolutions", {}).get("M", {}).items()
        },
    )


class ConflictStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def get(self, deal_id: str) -> DealConflicts | None:
        item = self._db.get_item(TableName=self._table, Key=keys.conflicts(deal_id), ConsistentRead=True).get(
            "Item"
        )
        return _from_item(dict(item)) if item else None

    def list(self) -> list[DealConflicts]:
        found: list[DealConflicts] = []
        condition, values = keys.all_conflicts()
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table, KeyConditionExpression=condition, ExpressionAttributeValues=values
        )
        for page in pages:
            found += [_from_item(dict(item)) for item in page.get("Items", [])]
        return found

    def save(self, conflicts: DealConflicts) -> None:
        """The deal's open conflicts, as the last sync found them. The operator's choices are a separate
        map that only `resolve` writes, so a sync saving what it found never drops a choice made meanwhile."""
        self._db.update_item(
            TableName=self._table,
            Key=keys.conflicts(conflicts.deal_id),
            UpdateExpression=(
                "SET deal_id = :deal, opportunity_id = :opportunity, #catalog = :catalog, "
                "detected_at = :detected, #fields = :fields, "
                "resolutions = if_not_exists(resolutions, :none)"
            ),
            ExpressionAttributeNames={"#fields": "fields", "#catalog": "catalog"},  # reserved words
            ExpressionAttributeValues={
                ":deal": {"S": conflicts.deal_id},
                ":opportunity": {"S": conflicts.opportunity_id},
                ":catalog": {"S": conflicts.catalog},
                ":detected": {"S": conflicts.detected_at},
                ":fields": {
                    "S": json.dumps(
                        [vars(conflict) for conflict in conflicts.fields], sort_keys=True, default=str
                    )
                },
                ":none": {"M": {}},
            },
        )

    def resolve(self, deal_id: str, choices: dict[str, Side]) -> DealConflicts:
        """Record the operator's side for some fields in conflict; the deal's next sync applies them."""
        current = self.get(deal_id)
        if current is None:
            raise LookupError(f"deal {deal_id} has no conflicts")
        unknown = sorted(set(choices) - {conflict.field for conflict in current.fields})
        if unknown:
            raise LookupError(f"deal {deal_id} has no conflict on {', '.join(unknown)}")
        names = {f"#f{index}": name for index, name in enumerate(sorted(choices))}
        try:
            self._db.update_item(
                TableName=self._table,
                Key=keys.conflicts(deal_id),
                UpdateExpression="SET " + ", ".join(f"resolutions.{alias} = :{alias[1:]}" for alias in names),
                ConditionExpression=keys.ITEM_EXISTS,  # not cleared by a sync in between
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    f":{alias[1:]}": {"S": choices[name].value} for alias, name in names.items()
                },
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            raise LookupError(f"deal {deal_id} has no conflicts") from None
        return DealConflicts(
            current.deal_id,
            current.opportunity_id,
            current.catalog,
            current.detected_at,
            current.fields,
            {**current.resolutions, **choices},
        )

    def clear(self, deal_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=keys.conflicts(deal_id))
