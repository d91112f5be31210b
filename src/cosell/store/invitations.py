"""What cosell remembers about each AWS referral it takes, in the state table.

One item per invitation (cosell.store.keys):
- `phase` (with a numeric `rank`): how far the referral got. Phases only move forward (a conditional write),
  so a slow worker never sets back what a faster one recorded.
- `task_id` / `task_kind`: the acceptance task to follow, once started.
- `deal_claimed_at_ms` / `deal_id`: the HubSpot deal. A worker claims the right to create it before it does
  (conditional write); the claim is a lease, so a worker that died holding it does not block the deal
  forever. Whoever takes over an expired claim first searches HubSpot for a deal carrying the invitation id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain.claims import ClaimTaken
from cosell.domain.referral import Phase
from cosell.store import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


_FIELDS = ("deal_id", "task_id", "task_kind", "opportunity_id", "engagement_id", "detail", "attempt")


@dataclass(frozen=True)
class InvitationState:
    phase: Phase | None = None
    deal_id: str | None = None
    task_id: str | None = None
    task_kind: str | None = None
    opportunity_id: str | None = None
    engagement_id: str | None = None
    detail: str | None = None
    attempt: str | None = None  # the acceptance attempt under way ("2" after a first task failed); None: 1

    @property
    def attempt_number(self) -> int:
        return int(self.attempt or 1)


class DealRecordConflictError(Exception):
    """The invitation already has another deal recorded: a claim was not respected."""


def _condition_failed(error: ClientError) -> bool:
    return error_code(error) == "ConditionalCheckFailedException"


class InvitationStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def get(self, catalog: str, invitation_id: str) -> InvitationState | None:
        item = self._db.get_item(
            TableName=self._table, Key=keys.invitation_state(catalog, invitation_id), ConsistentRead=True
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
                Key=keys.invitation_state(catalog, invitation_id),
                UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in assignments),
                ConditionExpression="attribute_not_exists(#rank) OR #rank <= :rank",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise

    def in_review(self, catalog: str) -> list[str]:
        """The referrals of `catalog` whose deal waits for the rep's decision (phase review): one scan."""
        return keys.ids_where(
            self._db, self._table, keys.ItemKind.INVITATION_STATE, catalog, "phase", (Phase.REVIEW.value,)
        )

    def claim_deal(self, catalog: str, invitation_id: str, now_ms: int, lease_ms: int) -> ClaimTaken:
        """Claim the right to create the invitation's deal for `lease_ms`."""
        try:
            old = self._db.update_item(
                TableName=self._table,
                Key=keys.invitation_state(catalog, invitation_id),
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
            return ClaimTaken.HELD
        return ClaimTaken.TAKEOVER if "deal_claimed_at_ms" in old else ClaimTaken.FIRST

    def release_deal_claim(
        self, catalog: str, invitation_id: str, claimed_at_ms: int, *, takeover: bool
    ) -> None:
        """Give up the claim taken at `claimed_at_ms`, if it is still that one and no deal is recorded. A first
        claim leaves no trace; a takeover's stays expired, so the next run searches for what its earlier
        holder may have made."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=keys.invitation_state(catalog, invitation_id),
                UpdateExpression="SET deal_claimed_at_ms = :expired"
                if takeover
                else "REMOVE deal_claimed_at_ms",
                ConditionExpression="attribute_not_exists(deal_id) AND deal_claimed_at_ms = :mine",
                ExpressionAttributeValues={":mine": {"N": str(claimed_at_ms)}}
                | ({":expired": {"N": "0"}} if takeover else {}),
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise  # another run took it over meanwhile, or recorded the deal: theirs now

    def record_deal(self, catalog: str, invitation_id: str, deal_id: str) -> None:
        """The invitation's deal, once: recording the same deal again is a no-op."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=keys.invitation_state(catalog, invitation_id),
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
