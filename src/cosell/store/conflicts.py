"""Conflicts waiting for an operator (strategy `manual`), in the state table.

One item per deal, `conflicts` / `deal#<id>`, so `cosell conflicts list` is one query: the fields in conflict
with both sides' values, and the side an operator chose for each (`cosell conflicts resolve`), which the
deal's next sync applies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cosell.domain.reconcile import Side

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_PARTITION = "conflicts"


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


def _key(deal_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": _PARTITION}, "sk": {"S": f"deal#{deal_id}"}}


def _from_item(item: dict[str, Any]) -> DealConflicts:
    return DealConflicts(
        deal_id=item["deal_id"]["S"],
        opportunity_id=item["opportunity_id"]["S"],
        catalog=item["catalog"]["S"],
        detected_at=item["detected_at"]["S"],
        fields=tuple(FieldConflict(**entry) for entry in json.loads(item["fields"]["S"])),
        resolutions={name: Side(side) for name, side in json.loads(item["resolutions"]["S"]).items()},
    )


class ConflictStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def get(self, deal_id: str) -> DealConflicts | None:
        item = self._db.get_item(TableName=self._table, Key=_key(deal_id), ConsistentRead=True).get("Item")
        return _from_item(dict(item)) if item else None

    def list(self) -> list[DealConflicts]:
        found: list[DealConflicts] = []
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": _PARTITION}},
        )
        for page in pages:
            found += [_from_item(dict(item)) for item in page.get("Items", [])]
        return found

    def save(self, conflicts: DealConflicts) -> None:
        """The deal's open conflicts, as the last sync found them (the operator's choices are kept)."""
        self._db.put_item(
            TableName=self._table,
            Item={
                **_key(conflicts.deal_id),
                "deal_id": {"S": conflicts.deal_id},
                "opportunity_id": {"S": conflicts.opportunity_id},
                "catalog": {"S": conflicts.catalog},
                "detected_at": {"S": conflicts.detected_at},
                "fields": {
                    "S": json.dumps(
                        [vars(conflict) for conflict in conflicts.fields], sort_keys=True, default=str
                    )
                },
                "resolutions": {"S": json.dumps(dict(conflicts.resolutions), sort_keys=True)},
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
        resolved = DealConflicts(
            current.deal_id,
            current.opportunity_id,
            current.catalog,
            current.detected_at,
            current.fields,
            {**current.resolutions, **choices},
        )
        self.save(resolved)
        return resolved

    def clear(self, deal_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=_key(deal_id))
