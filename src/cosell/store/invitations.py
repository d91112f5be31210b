"""What cosell remembers about each AWS referral it takes, in the state table.

One item per invitation, `invitation#<catalog>#<id>` / `state`:
- `phase` (with a numeric `rank`): how far the referral got. Phases only move forward (a conditional write),
  so a slow worker never sets back what a faster one recorded.
- `task_id` / `task_kind`: the acceptance task to follow, once started.
- `deal_claimed_at_ms` / `deal_id`: the HubSpot deal. A worker claims the right to create it before it does
  (conditional write); the claim is a lease, so a worker that died holding it does not block the deal
  forever. Whoever takes over an expired claim first searches HubSpot for a deal carrying the invitation id.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class Phase(StrEnum):
    REVIEW = "review"  # a deal waits for the rep's decision
    ACCEPTING = "accepting"  # acceptance started; its task is followed
    ACCEPTED = "accepted"  # the task completed: the opportunity exists, the deal may not yet
    DONE = "done"  # the deal is complete and linked to the opportunity
    CLOSED = "closed"  # rejected, expired, failed or accepted outside cosell: nothing more to do

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Phase.REVIEW: 1, Phase.ACCEPTING: 2, Phase.ACCEPTED: 3, Phase.DONE: 4, Phase.CLOSED: 4}
_FIELDS = ("deal_id", "task_id", "task_kind", "opportunity_id", "engagement_id", "detail")


class DealClaim(Enum):
    FIRST = "first"  # nobody tried before: no deal can exist yet
    TAKEOVER = "takeover"  # an earlier claim expired: its holder may have created the deal
    HELD = "held"  # another worker holds a live claim, or the deal is recorded already


@dataclass(frozen=True)
class InvitationState:
    phase: Phase | None = None
    deal_id: str | None = None
    task_id: str | None = None
    task_kind: str | None = None
    opportunity_id: str | None = None
    engagement_id: str | None = None
    detail: str | None = None


class DealRecordConflictError(Exception):
    """The invitation already has another deal recorded: a claim was not respected."""


def _key(catalog: str, invitation_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"invitation#{catalog}#{invitation_id}"}, "sk": {"S": "state"}}


def _condition_failed(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class InvitationStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def get(self, catalog: str, invitation_id: str) -> InvitationState | None:
        item = self._db.get_item(
            TableName=self._table, Key=_key(catalog, invitation_id), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        values: dict[str, Any] = {name: item[name]["S"] for name in _FIELDS if name in item}
        phase = Phase(item["phase"]["S"]) if "phase" in item else None
        return InvitationState(phase=phase, **values)

    def advance(self, catalog: str, invitation_id: str, phase: Phase, **fields: str) -> None:
        """Record `phase` and `fields`, unless the invitation is already further along."""
        assignments: dict[str, AttributeValueTypeDef] = {
            "phase": {"S": phase.value},
            "rank": {"N": str(phase.rank)},
        }
        assignments |= {name: {"S": value} for name, value in fields.items()}
        names = {f"#{name}": name for name in assignments}
        values: dict[str, AttributeValueTypeDef] = {f":{name}": value for name, value in assignments.items()}
        try:
            self._db.update_item(
                TableName=self._table,
                Key=_key(catalog, invitation_id),
                UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in assignments),
                ConditionExpression="attribute_not_exists(#rank) OR #rank <= :rank",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise

    def claim_deal(self, catalog: str, invitation_id: str, now_ms: int, lease_ms: int) -> DealClaim:
        """Claim the right to create the invitation's deal for `lease_ms`."""
        try:
            old = self._db.update_item(
                TableName=self._table,
                Key=_key(catalog, invitation_id),
                UpdateExpression="SET deal_claimed_at_ms = :now",
                ConditionExpression=(
                    "attribute_not_exists(deal_id) AND "
                    "(attribute_not_exists(deal_claimed_at_ms) OR deal_claimed_at_ms < :expired)"
                ),
                ExpressionAttributeValues={
                    ":now": {"N": str(now_ms)},
                    ":expired": {"N": str(now_ms - lease_ms)},
                },
                ReturnValues="UPDATED_OLD",
            ).get("Attributes", {})
        except ClientError as error:
            if not _condition_failed(error):
                raise
            return DealClaim.HELD
        return DealClaim.TAKEOVER if "deal_claimed_at_ms" in old else DealClaim.FIRST

    def record_deal(self, catalog: str, invitation_id: str, deal_id: str) -> None:
        """The invitation's deal, once: recording the same deal again is a no-op."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=_key(catalog, invitation_id),
                UpdateExpression="SET deal_id = :deal",
                ConditionExpression="attribute_not_exists(deal_id) OR deal_id = :deal",
                ExpressionAttributeValues={":deal": {"S": deal_id}},
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise
            raise DealRecordConflictError(
                f"invitation {invitation_id} already has a deal other than {deal_id}"
            ) from None
