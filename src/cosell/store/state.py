"""The sync's memory, in the DynamoDB table template.yaml creates (pk/sk, TTL attribute `expires_at`).

Items, one partition per object:
- `deal#<id>` / `link`: the opportunity a deal is linked to, the fields of its creation request, and the
  snapshot of each side's values when the pair was last in step (cosell.domain.reconcile).
- `opportunity#<catalog>#<id>` / `link`: the reverse, written in the same transaction.
- `deal#<id>` / `create`: a CreateOpportunity request about to be sent. Written before the call, so a retry
  after a crash sends the identical body with the identical ClientToken and Partner Central answers with the
  same opportunity instead of a second one (or a "conflicting client token" error).
- `sweep#<catalog>` / `cursor`: the LastModifiedDate up to which the sweep has seen opportunities.
- `deal#<id>` / `problems`: why the deal last failed pre-flight, with a fingerprint of what was read, so an
  unchanged deal is not re-validated and re-written on every event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.domain.reconcile import Snapshot
from cosell.domain.synced_fields import values_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class LinkConflictError(Exception):
    """The deal or the opportunity is already linked to something else."""


@dataclass(frozen=True)
class Link:
    deal_id: str
    opportunity_id: str
    catalog: str
    synced_fields: dict[str, Any]
    synced_at: str
    snapshot: Snapshot | None = None

    @property
    def last_in_step(self) -> Snapshot:
        """The snapshot; links saved before snapshots existed start from their creation request."""
        if self.snapshot is not None:
            return self.snapshot
        values = values_of(self.synced_fields)
        return Snapshot(dict(values), dict(values))


@dataclass(frozen=True)
class PendingCreate:
    client_token: str
    fields: dict[str, Any]


def _deal_key(deal_id: str, kind: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"deal#{deal_id}"}, "sk": {"S": kind}}


def _opportunity_key(catalog: str, opportunity_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"opportunity#{catalog}#{opportunity_id}"}, "sk": {"S": "link"}}


def _link_item(link: Link) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        **_deal_key(link.deal_id, "link"),
        "opportunity_id": {"S": link.opportunity_id},
        "catalog": {"S": link.catalog},
        "synced_fields": {"S": json.dumps(link.synced_fields, sort_keys=True)},
        "synced_at": {"S": link.synced_at},
    }
    if link.snapshot is not None:
        item["snapshot"] = {"S": json.dumps(link.snapshot.to_json(), sort_keys=True)}
    return item


_TRANSACTION_ATTEMPTS = 5


def _cancelled_by_conflict(error: ClientError) -> bool:
    """DynamoDB cancels a transaction that meets another one on the same item (`TransactionConflict`): that
    says nothing about the items, unlike a failed condition."""
    reasons = error.response.get("CancellationReasons") or []
    return any(reason.get("Code") == "TransactionConflict" for reason in reasons)


def _is_condition_failure(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code")
    return code in {"ConditionalCheckFailedException", "TransactionCanceledException"}


class StateStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def _get(self, key: dict[str, AttributeValueTypeDef]) -> dict[str, Any] | None:
        item = self._db.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
        return dict(item) if item else None

    # --- links ---

    def link_for_deal(self, deal_id: str) -> Link | None:
        item = self._get(_deal_key(deal_id, "link"))
        if item is None:
            return None
        return Link(
            deal_id=deal_id,
            opportunity_id=item["opportunity_id"]["S"],
            catalog=item["catalog"]["S"],
            synced_fields=json.loads(item["synced_fields"]["S"]),
            synced_at=item["synced_at"]["S"],
            snapshot=Snapshot.from_json(json.loads(item["snapshot"]["S"])) if "snapshot" in item else None,
        )

    def deal_for_opportunity(self, catalog: str, opportunity_id: str) -> str | None:
        item = self._get(_opportunity_key(catalog, opportunity_id))
        return item["deal_id"]["S"] if item else None

    def save_link(self, link: Link) -> None:
        """Link a deal and an opportunity, once. Saving the same pair again is a no-op."""
        deal_item = _link_item(link)
        reverse_item: dict[str, AttributeValueTypeDef] = {
            **_opportunity_key(link.catalog, link.opportunity_id),
            "deal_id": {"S": link.deal_id},
        }
        for _ in range(_TRANSACTION_ATTEMPTS):
            try:
                self._db.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self._table,
                                "Item": item,
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        }
                        for item in (deal_item, reverse_item)
                    ]
                )
            except ClientError as error:
                if _cancelled_by_conflict(error):
                    continue  # another transaction on these items was in flight: try again
                if not _is_condition_failure(error):
                    raise
                existing = self.link_for_deal(link.deal_id)
                if existing is None or existing.opportunity_id != link.opportunity_id:
                    other = self.deal_for_opportunity(link.catalog, link.opportunity_id)
                    raise LinkConflictError(
                        f"deal {link.deal_id} → {existing.opportunity_id if existing else '?'}, "
                        f"opportunity {link.opportunity_id} → deal {other}"
                    ) from None
            return
        raise LinkConflictError(f"deal {link.deal_id}: concurrent link transactions kept conflicting")

    def move_link(self, from_deal_id: str, to_deal_id: str) -> Link:
        """HubSpot merged `from_deal_id` into `to_deal_id`: the link (and its snapshot) moves with it, in one
        transaction; the target must have no link of its own."""
        link = self.link_for_deal(from_deal_id)
        if link is None:
            raise LinkConflictError(f"deal {from_deal_id} has no link to move")
        moved = Link(
            to_deal_id, link.opportunity_id, link.catalog, link.synced_fields, link.synced_at, link.snapshot
        )
        item = _link_item(moved)
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": _deal_key(from_deal_id, "link"),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                **_opportunity_key(moved.catalog, moved.opportunity_id),
                                "deal_id": {"S": to_deal_id},
                            },
                        }
                    },
                ]
            )
        except ClientError as error:
            if not _is_condition_failure(error):
                raise
            raise LinkConflictError(
                f"deal {to_deal_id} is already linked; deal {from_deal_id}'s link stays"
            ) from None
        return moved

    def save_snapshot(self, deal_id: str, snapshot: Snapshot, synced_at: str) -> None:
        """The pair is in step as of `synced_at`. Only the deal's FIFO message group writes it (one at a time)."""
        self._db.update_item(
            TableName=self._table,
            Key=_deal_key(deal_id, "link"),
            UpdateExpression="SET #snapshot = :snapshot, synced_at = :synced_at",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#snapshot": "snapshot"},  # a reserved word
            ExpressionAttributeValues={
                ":snapshot": {"S": json.dumps(snapshot.to_json(), sort_keys=True)},
                ":synced_at": {"S": synced_at},
            },
        )

    # --- pending creates ---

    def claim_create(self, deal_id: str, pending: PendingCreate) -> PendingCreate:
        """Record the create about to be sent; if one was recorded before, return that one instead."""
        item: dict[str, AttributeValueTypeDef] = {
            **_deal_key(deal_id, "create"),
            "client_token": {"S": pending.client_token},
            "fields": {"S": json.dumps(pending.fields, sort_keys=True)},
        }
        try:
            self._db.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if not _is_condition_failure(error):
                raise
            existing = self._get(_deal_key(deal_id, "create"))
            if existing is not None:
                return PendingCreate(existing["client_token"]["S"], json.loads(existing["fields"]["S"]))
        return pending

    def forget_create(self, deal_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=_deal_key(deal_id, "create"))

    # --- pre-flight problems ---

    def problems_fingerprint(self, deal_id: str) -> str | None:
        item = self._get(_deal_key(deal_id, "problems"))
        return item["fingerprint"]["S"] if item else None

    def problems(self, deal_id: str) -> list[str]:
        item = self._get(_deal_key(deal_id, "problems"))
        problems: list[str] = json.loads(item["problems"]["S"]) if item else []
        return problems

    def save_problems(self, deal_id: str, fingerprint: str, problems: list[str]) -> None:
        self._db.put_item(
            TableName=self._table,
            Item={
                **_deal_key(deal_id, "problems"),
                "fingerprint": {"S": fingerprint},
                "problems": {"S": json.dumps(problems)},
            },
        )

    def clear_problems(self, deal_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=_deal_key(deal_id, "problems"))

    # --- the sweep's cursor ---

    def sweep_cursor(self, catalog: str) -> str | None:
        item = self._get({"pk": {"S": f"sweep#{catalog}"}, "sk": {"S": "cursor"}})
        return item["modified_after"]["S"] if item else None

    def save_sweep_cursor(self, catalog: str, modified_after: str) -> None:
        self._db.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": f"sweep#{catalog}"},
                "sk": {"S": "cursor"},
                "modified_after": {"S": modified_after},
            },
        )
