"""DynamoDB's batch calls, whole: each splits its work into requests of the size DynamoDB allows and sends
again what DynamoDB left unprocessed (it may, under load, without an error)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        KeysAndAttributesTypeDef,
        WriteRequestTypeDef,
    )

    Item = dict[str, AttributeValueTypeDef]

WRITE_LIMIT = 25  # BatchWriteItem's requests per request
READ_LIMIT = 100  # BatchGetItem's keys per request


def write_all(db: DynamoDBClient, table: str, requests: Sequence[WriteRequestTypeDef]) -> None:
    for start in range(0, len(requests), WRITE_LIMIT):
        pending = list(requests[start : start + WRITE_LIMIT])
        while pending:
            answer = db.batch_write_item(RequestItems={table: pending})
            # The answer's shapes are the request's (botocore's output typing names them apart).
            pending = cast("list[WriteRequestTypeDef]", answer.get("UnprocessedItems", {}).get(table, []))


def get_all(db: DynamoDBClient, table: str, item_keys: Sequence[Item]) -> list[Item]:
    """The items of `item_keys` that exist, in no particular order (strongly consistent reads)."""
    items: list[Item] = []
    for start in range(0, len(item_keys), READ_LIMIT):
        pending: KeysAndAttributesTypeDef | None = {
            "Keys": list(item_keys[start : start + READ_LIMIT]),
            "ConsistentRead": True,
        }
        while pending:
            answer = db.batch_get_item(RequestItems={table: pending})
            items += answer.get("Responses", {}).get(table, [])
            pending = cast("KeysAndAttributesTypeDef | None", answer.get("UnprocessedKeys", {}).get(table))
    return items
