"""Each opportunity's submission to AWS, in the state table (cosell.store.keys): the attempt, its
ClientToken and task, and how it ended.

An attempt is recorded before its task starts, so a run that stops in between starts it again with the same
ClientToken and Partner Central returns the same task. A failed attempt remembers what the deal looked like
(`fingerprint`): the rep's next change starts a new attempt, an unchanged deal is not submitted again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.store import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class SubmissionState(StrEnum):
    STARTING = "starting"  # recorded, its task maybe not started yet
    RUNNING = "running"  # the task is started and IN_PROGRESS
    SUBMITTED = "submitted"  # the task COMPLETED: AWS has the opportunity
    FAILED = "failed"  # the task FAILED (reason); the rep's next change tries again
    REJECTED = "rejected"  # AWS rejected the opportunity: nothing more is submitted


@dataclass(frozen=True)
class Submission:
    attempt: int
    client_token: str
    state: SubmissionState
    task_id: str | None = None
    engagement_id: str | None = None
    reason: str | None = None
    fingerprint: str | None = None


class SubmissionStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def get(self, catalog: str, opportunity_id: str) -> Submission | None:
        item = self._db.get_item(
            TableName=self._table, Key=keys.submission(catalog, opportunity_id), ConsistentRead=True
        ).get("Item")
        if not item:
            return None

        def text(name: str) -> str | None:
            return item[name]["S"] if name in item else None

        return Submission(
            attempt=int(item["attempt"]["N"]),
            client_token=item["client_token"]["S"],
            state=SubmissionState(item["state"]["S"]),
            task_id=text("task_id"),
            engagement_id=text("engagement_id"),
            reason=text("reason"),
            fingerprint=text("fingerprint"),
        )

    def start(self, catalog: str, opportunity_id: str, attempt: int, client_token: str) -> Submission:
        """Record attempt `attempt` before its task starts; an attempt recorded already (a concurrent or
        earlier run) wins, and is returned."""
        try:
            self._db.put_item(
                TableName=self._table,
                Item={
                    **keys.submission(catalog, opportunity_id),
                    "attempt": {"N": str(attempt)},
                    "client_token": {"S": client_token},
                    "state": {"S": SubmissionState.STARTING.value},
                },
                ConditionExpression=f"{keys.ITEM_ABSENT} OR attempt < :attempt",
                ExpressionAttributeValues={":attempt": {"N": str(attempt)}},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            current = self.get(catalog, opportunity_id)
            assert current is not None  # the condition failed on an existing item
            return current
        return Submission(attempt, client_token, SubmissionState.STARTING)

    def close_rejected(self, catalog: str, opportunity_id: str, reason: str) -> None:
        """AWS rejected the opportunity, whether or not cosell submitted it: nothing is submitted again."""
        self._db.update_item(
            TableName=self._table,
            Key=keys.submission(catalog, opportunity_id),
            UpdateExpression=(
                "SET #state = :state, reason = :reason, attempt = if_not_exists(attempt, :none), "
                "client_token = if_not_exists(client_token, :no_token)"
            ),
            ExpressionAttributeNames={"#state": "state"},  # a reserved word
            ExpressionAttributeValues={
                ":state": {"S": SubmissionState.REJECTED.value},
                ":reason": {"S": reason},
                ":none": {"N": "0"},
                ":no_token": {"S": ""},
            },
        )

    def update(self, catalog: str, opportunity_id: str, state: SubmissionState, **fields: str) -> None:
        """Move the recorded attempt to `state`, with what is known of it (task_id, engagement_id, reason,
        fingerprint)."""
        values: dict[str, AttributeValueTypeDef] = {":state": {"S": state.value}}
        values |= {f":{name}": {"S": value} for name, value in fields.items()}
        assignments = ["#state = :state", *(f"{name} = :{name}" for name in fields)]
        self._db.update_item(
            TableName=self._table,
            Key=keys.submission(catalog, opportunity_id),
            UpdateExpression="SET " + ", ".join(assignments),
            ConditionExpression=keys.ITEM_EXISTS,
            ExpressionAttributeNames={"#state": "state"},  # a reserved word
            ExpressionAttributeValues=values,
        )
