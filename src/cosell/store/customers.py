"""The customer index, in the state table (cosell.store.keys): whom each deal is about as its last read found
(`deal#<id>` / `customers`) and, from the other side, each company's and contact's deals (`company#<id>` /
`deal#<deal id>`), so a company's or contact's change finds its deals without a HubSpot request.

Entries are added before the entries they replace are removed: a crash in between leaves a deal listed under
a company it no longer has (its change then costs one needless look at the deal), never a company missing a
deal. It holds ids only, no personal data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain.deal import Customers
from cosell.store import keys

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, WriteRequestTypeDef

CUSTOMER_TYPES = ("companies", "contacts")
_GET_LIMIT = 100  # BatchGetItem's keys per request
_WRITE_LIMIT = 25  # BatchWriteItem's requests per request


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

    def record(self, found: Mapping[str, Customers]) -> None:
        """Deal id → whom its read found: the entries of deals whose customers changed are replaced."""
        known = self._recorded(list(found))
        read = {deal_id: _sorted(now) for deal_id, now in found.items()}
        changed = {deal_id: now for deal_id, now in read.items() if known.get(deal_id) != now}
        self._write(
            [
                *(_put(keys.customer_deal(*entry, deal_id)) for deal_id, now in changed.items()
                  for entry in _entries(now)),
                *(_put(_customers_item(deal_id, now)) for deal_id, now in changed.items()),
            ]
        )  # fmt: skip
        self._write(
            [
                {"DeleteRequest": {"Key": keys.customer_deal(*entry, deal_id)}}
                for deal_id, now in changed.items()
                if deal_id in known
                for entry in _entries(known[deal_id]) - _entries(now)
            ]
        )

    def record_unknown(self, found: Mapping[str, Customers]) -> int:
        """What `record` does, only for deals the index does not know yet (the index's first build must not
        undo what a sync recorded after the build read HubSpot); returns how many were recorded."""
        known = self._recorded(list(found))
        unknown = {deal_id: now for deal_id, now in found.items() if deal_id not in known}
        self._write(
            [
                _put(keys.customer_deal(*entry, deal_id))
                for deal_id, now in unknown.items()
                for entry in _entries(now)
            ]
        )
        recorded = 0
        for deal_id, now in unknown.items():
            try:
                self._db.put_item(
                    TableName=self._table,
                    Item=_customers_item(deal_id, now),
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

    def _recorded(self, deal_ids: Sequence[str]) -> dict[str, Customers]:
        recorded: dict[str, Customers] = {}
        for start in range(0, len(deal_ids), _GET_LIMIT):
            wanted: list[Mapping[str, AttributeValueTypeDef]] = [
                keys.deal_customers(deal_id) for deal_id in deal_ids[start : start + _GET_LIMIT]
            ]
            while wanted:
                answer = self._db.batch_get_item(
                    RequestItems={self._table: {"Keys": wanted, "ConsistentRead": True}}
                )
                for item in answer["Responses"].get(self._table, []):
                    deal_id = keys.object_ids(item)[0]
                    recorded[deal_id] = Customers(
                        company_id=item["company_id"]["S"] if "company_id" in item else None,
                        contact_ids=tuple(item.get("contact_ids", {}).get("SS", [])),
                    )
                unprocessed = answer.get("UnprocessedKeys", {}).get(self._table)
                wanted = list(unprocessed["Keys"]) if unprocessed else []
        return {deal_id: _sorted(customers) for deal_id, customers in recorded.items()}

    def _write(self, requests: Sequence[WriteRequestTypeDef]) -> None:
        for start in range(0, len(requests), _WRITE_LIMIT):
            pending = list(requests[start : start + _WRITE_LIMIT])
            while pending:
                answer = self._db.batch_write_item(RequestItems={self._table: pending})
                # The answer's shapes are the request's (botocore's output typing names them apart).
                pending = cast(
                    "list[WriteRequestTypeDef]", answer.get("UnprocessedItems", {}).get(self._table, [])
                )


def _entries(customers: Customers) -> set[tuple[str, str]]:
    return {(kind, customer_id) for kind in CUSTOMER_TYPES for customer_id in customers.of_type(kind)}


def _sorted(customers: Customers) -> Customers:
    return Customers(customers.company_id, tuple(sorted(set(customers.contact_ids))))


def _customers_item(deal_id: str, customers: Customers) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = dict(keys.deal_customers(deal_id))
    if customers.company_id:
        item["company_id"] = {"S": customers.company_id}
    if customers.contact_ids:
        item["contact_ids"] = {"SS": list(_sorted(customers).contact_ids)}
    return item


def _put(item: Mapping[str, AttributeValueTypeDef]) -> WriteRequestTypeDef:
    return {"PutRequest": {"Item": dict(item)}}
