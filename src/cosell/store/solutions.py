"""The partner's solution catalog, as ListSolutions last returned it, in the state table (cosell.store.keys).

One item per catalog: the solutions as JSON and when they were read. A partner has tens of solutions, a few
hundred bytes each, far below DynamoDB's 400 KB item limit.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cosell.domain.solutions import Solution
from cosell.store import keys

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_dynamodb.client import DynamoDBClient


@dataclass(frozen=True)
class CachedCatalog:
    solutions: tuple[Solution, ...]
    read_at: datetime


class SolutionStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def get(self, catalog: str) -> CachedCatalog | None:
        item = self._db.get_item(
            TableName=self._table, Key=keys.solution_catalog(catalog), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        solutions = tuple(Solution(**entry) for entry in json.loads(item["solutions"]["S"]))
        return CachedCatalog(solutions, datetime.fromisoformat(item["read_at"]["S"]))

    def save(self, catalog: str, solutions: Sequence[Solution], read_at: datetime) -> None:
        self._db.put_item(
            TableName=self._table,
            Item={
                **keys.solution_catalog(catalog),
                "solutions": {"S": json.dumps([asdict(solution) for solution in solutions], sort_keys=True)},
                "read_at": {"S": read_at.isoformat()},
            },
        )
