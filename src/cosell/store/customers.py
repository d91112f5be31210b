"""The customer index, in the state table (cosell.store.keys): whom each deal is about as its last read found
(`deal#<id>` / `customers`) and, from the other side, each company's and contact's deals (`company#<id>` /
`deal#<deal id>`), so a company's or contact's change finds its deals without a HubSpot request.

Entries are added before the deal's record moves, and removed only after it moved, each write conditional on
the read it comes from (`read_at_ms`) being the latest: a crash or a concurrent older read leaves at most a
deal listed under a company it no longer has (its change then costs a look at the deal), never a company
missing a deal. Entries of deals deleted since stay likewise. It holds ids only, no personal data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain.deal import Customers
from cosell.store import keys
from cosell.store.batches import write_all

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, WriteRequestTypeDef

CUSTOMER_TYPES = ("companies", "contacts")


class CustomerIndex:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name
        self._built = False  # once built, always built: asked once per execution environment

    def deals_of(self, customer_type: str, customer_id: str) -> list[str]:
        """The deals a company or contact (`customer_type` "companies" or "contacts") was last read with."""
        condition, values = keys.deals_of_customer(customer_type, customer_id)
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
        )
        return sorted(
            item[keys.SORT_KEY]["S"].partition("#")[2] for page in pages for item in page.get("Items", [])
        )

    def record(self, found: Mapping[str, Customers], read_at_ms: int) -> None:
        """Deal id → whom its read found, the associations read at `read_at_ms` (epoch ms, cosell's clock).
        The entries go first; then each deal's record moves to this read unless a later read was recorded
        (readers of one deal may run at once: the worker, the solutions API, a backfill); only then are the
        entries the replaced record had and this one has not removed, unless a later read wrote them."""
        read = {deal_id: _sorted(now) for deal_id, now in found.items()}
        self._put_entries(read, read_at_ms)
        for deal_id, now in read.items():
            try:
                replaced = self._db.put_item(
                    TableName=self._table,
                    Item=_customers_item(deal_id, now, read_at_ms),
                    ConditionExpression=f"{keys.ITEM_ABSENT} OR read_at_ms < :read_at",
                    ExpressionAttributeValues={":read_at": {"N": str(read_at_ms)}},
                    ReturnValues="ALL_OLD",
                ).get("Attributes")
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                continue  # a later read of the deal was recorded: it stands
            if replaced:
                for entry in _entries(_customers_of(replaced)) - _entries(now):
                    self._delete_entry(entry, deal_id, read_at_ms)

    def record_unknown(self, found: Mapping[str, Customers], read_at_ms: int) -> int:
        """What `record` does, only for deals with no record yet (the index's first build must not undo what a
        sync recorded after the build read HubSpot); returns how many were recorded."""
        read = {deal_id: _sorted(now) for deal_id, now in found.items()}
        self._put_entries(read, read_at_ms)  # for a deal recorded meanwhile, at most a needless look
        recorded = 0
        for deal_id, now in read.items():
            try:
                self._db.put_item(
                    TableName=self._table,
                    Item=_customers_item(deal_id, now, read_at_ms),
                    ConditionExpression=keys.ITEM_ABSENT,
                )
                recorded += 1
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise  # recorded by a sync meanwhile: the newer read stands
        return recorded

    def built(self) -> bool:
        """Whether every tagged deal's customers were indexed once (cosell.sync.onboarding.customer_index):
        until then a customer's deals are read from HubSpot."""
        if not self._built:
            self._built = "Item" in self._db.get_item(
                TableName=self._table, Key=keys.customer_index(), ConsistentRead=True
            )
        return self._built

    def mark_built(self, at: str) -> None:
        self._db.put_item(TableName=self._table, Item={**keys.customer_index(), "built_at": {"S": at}})
        self._built = True

    def _put_entries(self, read: Mapping[str, Customers], read_at_ms: int) -> None:
        write_all(
            self._db,
            self._table,
            [
                _put({**keys.customer_deal(*entry, deal_id), "read_at_ms": {"N": str(read_at_ms)}})
                for deal_id, now in read.items()
                for entry in _entries(now)
            ],
        )

    def _delete_entry(self, entry: tuple[str, str], deal_id: str, read_at_ms: int) -> None:
        try:
            self._db.delete_item(
                TableName=self._table,
                Key=keys.customer_deal(*entry, deal_id),
                ConditionExpression="read_at_ms < :read_at",
                ExpressionAttributeValues={":read_at": {"N": str(read_at_ms)}},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise  # gone already, or written again by a later read: it stays


def _entries(customers: Customers) -> set[tuple[str, str]]:
    return {(kind, customer_id) for kind in CUSTOMER_TYPES for customer_id in customers.of_type(kind)}


def _sorted(customers: Customers) -> Customers:
    return Customers(customers.company_id, tuple(sorted(set(customers.contact_ids))))


def _customers_item(deal_id: str, customers: Customers, read_at_ms: int) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        **keys.deal_customers(deal_id),
        "read_at_ms": {"N": str(read_at_ms)},
    }
    if customers.company_id:
        item["company_id"] = {"S": customers.company_id}
    if customers.contact_ids:
        item["contact_ids"] = {"SS": list(customers.contact_ids)}
    return item


def _customers_of(item: Mapping[str, Any]) -> Customers:
    return Customers(
        company_id=item["company_id"]["S"] if "company_id" in item else None,
        contact_ids=tuple(sorted(item.get("contact_ids", {}).get("SS", []))),
    )


def _put(item: Mapping[str, AttributeValueTypeDef]) -> WriteRequestTypeDef:
    return {"PutRequest": {"Item": dict(item)}}
