"""Each opportunity's submission to AWS, in the state table (cosell.store.keys): the attempt, its
ClientToken and task, and how it ended.

An attempt is recorded, with what it asks of AWS, before its task starts, so a run that stops in between
starts it again with the same ClientToken and the same request, and Partner Central returns the same task. A failed attempt remembers what the deal looked like
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
    involvement: str = ""  # what the attempt asks of AWS (AwsSubmission)
    visibility: str = ""
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
            involvement=text("involvement") or "",
            visibility=text("visibility") or "",
            task_id=text("task_id"),
            engagement_id=text("engagement_id"),
            reason=text("reason"),
            fingerprint=text("fingerprint"),
        )

    def start(self, catalog: str, opportunity_id: str, attempt: Submission) -> Submission:
        """Record `attempt` before its task starts; an attempt recorded already with its number or a later one
        (a concurrent or earlier run) wins, and is returned."""
        try:
            self._db.put_item(
                TableName=self._table,
                Item={
                    **keys.submission(catalog, opportunity_id),
                    "attempt": {"N": str(attempt.attempt)},
                    "client_token": {"S": attempt.client_token},
                    "state": {"S": SubmissionState.STARTING.value},
                    "involvement": {"S": attempt.involvement},
                    "visibility": {"S": attempt.visibility},
                },
                ConditionExpression=f"{keys.ITEM_ABSENT} OR attempt < :attempt",
                ExpressionAttributeValues={":attempt": {"N": str(attempt.attempt)}},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            current = self.get(catalog, opportunity_id)
            assert current is not None  # the condition failed on an existing item
            return current
        return attempt

    def close_rejected(self, catalog: str, opportunity_id: str, reason: str) -> bool:
        """AWS rejected the opportunity, whether or not cosell submitted it: nothing is submitted again.
        Whether this call recorded it (a second one, or a concurrent one, did not)."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=keys.submission(catalog, opportunity_id),
                UpdateExpression=(
                    "SET #state = :state, reason = :reason, attempt = if_not_exists(attempt, :none), "
                    "client_token = if_not_exists(client_token, :no_token)"
                ),
                ConditionExpression="attribute_not_exists(#state) OR #state <> :state",
                ExpressionAttributeNames={"#state": "state"},  # a reserved word
                ExpressionAttributeValues={
                    ":state": {"S": SubmissionState.REJECTED.value},
                    ":reason": {"S": reason},
                    ":none": {"N": "0"},
                    ":no_token": {"S": ""},
                },
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def update(
        self, catalog: str, opportunity_id: str, attempt: int, state: SubmissionState, **fields: str
    ) -> None:
        """Move attempt `attempt` to `state`, with what is known of it (task_id, engagement_id, reason,
        fingerprint); a later attempt recorded meanwhile is left as it is."""
        values: dict[str, AttributeValueTypeDef] = {
            ":state": {"S": state.value},
            ":attempt": {"N": str(attempt)},
        }
        values |= {f":{name}": {"S": value} for name, value in fields.items()}
        assignments = ["#state = :state", *(f"{name} = :{name}" for name in fields)]
        try:
            self._db.update_item(
                TableName=self._table,
                Key=keys.submission(catalog, opportunity_id),
                UpdateExpression="SET " + ", ".join(assignments),
                ConditionExpression="attempt = :attempt",
                ExpressionAttributeNames={"#state": "state"},  # a reserved word
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    def under_way(self, catalog: str) -> list[str]:
        """The opportunities of `catalog` whose submission's task has not ended: the sweep follows them (a
        task that fails changes nothing Partner Central would send an event for)."""
        return keys.ids_where(
            self._db,
            self._table,
            keys.ItemKind.SUBMISSION,
            catalog,
            "state",
            (SubmissionState.STARTING.value, SubmissionState.RUNNING.value),
            consistent_read=True,
        )
