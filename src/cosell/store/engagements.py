"""Each engagement as cosell last saw it, in the state table (cosell.store.keys): its members (who joined
since is new), the summary ListEngagements gave (unchanged: the schedule skips it), what each of its deals
shows (unchanged: HubSpot is not written) and the last snapshot revision noted for each resource.

One item per engagement, written whole: an engagement is reconciled in its own message group, one run at a
time (cosell.queue.messages), so a run never overwrites another's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cosell.store import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


@dataclass(frozen=True)
class EngagementState:
    members: tuple[str, ...] | None  # account ids; None until shown on a deal
    summary: str = ""  # ListEngagements' MemberCount and ModifiedAt when last reconciled
    shown: dict[str, str] = field(default_factory=dict)  # deal id → fingerprint of its engagement properties
    revisions: dict[str, int] = field(default_factory=dict)  # snapshot resource key → last revision noted
    snapshots_read: bool = False  # its snapshots were read once: every later revision is noted


class EngagementStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def get(self, catalog: str, engagement_id: str) -> EngagementState | None:
        item = self._db.get_item(
            TableName=self._table, Key=keys.engagement(catalog, engagement_id), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        return EngagementState(
            members=None if (members := json.loads(item["members"]["S"])) is None else tuple(members),
            summary=item.get("summary", {}).get("S", ""),
            shown=json.loads(item["shown"]["S"]),
            revisions=json.loads(item["revisions"]["S"]),
            snapshots_read=item.get("snapshots_read", {}).get("BOOL", False),
        )

    def save(self, catalog: str, engagement_id: str, state: EngagementState) -> None:
        self._db.put_item(
            TableName=self._table,
            Item={
                **keys.engagement(catalog, engagement_id),
                "members": {"S": json.dumps(None if state.members is None else list(state.members))},
                "summary": {"S": state.summary},
                "shown": {"S": json.dumps(state.shown, sort_keys=True)},
                "revisions": {"S": json.dumps(state.revisions, sort_keys=True)},
                "snapshots_read": {"BOOL": state.snapshots_read},
            },
        )
