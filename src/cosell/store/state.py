"""The sync's memory, in the state table: links, pending creates, pre-flight problems and the sweep's cursor
(cosell.store.keys lists every kind of item the table holds).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain.reconcile import Snapshot
from cosell.domain.synced_fields import values_of
from cosell.store import keys
from cosell.store.keys import ItemKind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class LinkConflictError(Exception):
    """The deal or the opportunity is already linked to something else."""


class LinkChangedError(Exception):
    """Another sync saved the pair's snapshot (or an erasure rewrote it) after this one read the link: this
    one's snapshot would overwrite a newer one."""


@dataclass(frozen=True)
class Link:
    deal_id: str
    opportunity_id: str
    catalog: str
    synced_fields: dict[str, Any]
    synced_at: str
    snapshot: Snapshot | None = None
    # What was found when the link was made (a possible duplicate), shown on the deal with the mapping's
    # warnings for as long as the pair lives.
    warnings: tuple[str, ...] = ()
    # The deal's HubSpot `updatedAt` (epoch ms, HubSpot's clock) as the last sync that finished read it,
    # before it read anything else: every HubSpot change older than that was seen by that sync
    # (cosell.sync.deals.echoes.seen_by_last_sync). None: not known, nothing is taken as seen.
    hubspot_seen_ms: int | None = None
    # The opportunity's LastModifiedDate (ISO) that the last sync that finished knows the whole state of (it
    # read it, and wrote nothing after): an Opportunity Updated event finding it unchanged is that sync's own
    # echo (cosell.sync.deals.echoes.partner_central_unchanged). None: not known.
    partner_central_seen: str | None = None
    # How many snapshots were saved: a save names the revision it read, so a sync that read the link before
    # another one finished (a backfill beside the worker) cannot put an older snapshot back.
    revision: int = 0

    @property
    def last_in_step(self) -> Snapshot:
        """The snapshot; links saved before snapshots existed start from their creation request."""
        if self.snapshot is not None:
            return self.snapshot
        values = values_of(self.synced_fields)
        return Snapshot(dict(values), dict(values))


# The opportunity members a link made from an existing opportunity keeps as its `synced_fields` (what
# CreateOpportunity and UpdateOpportunity can carry).
LINKED_MEMBERS = (
    "Customer",
    "Project",
    "LifeCycle",
    "OpportunityType",
    "PrimaryNeedsFromAws",
    "NationalSecurity",
)


def linked_members(opportunity: Mapping[str, Any]) -> dict[str, Any]:
    """An opportunity (GetOpportunity) as a link's `synced_fields`: its LINKED_MEMBERS, as JSON values."""
    members = {name: opportunity[name] for name in LINKED_MEMBERS if name in opportunity}
    loaded: dict[str, Any] = json.loads(json.dumps(members, default=str))  # DateTimes as ISO text
    return loaded


@dataclass(frozen=True)
class PendingCreate:
    client_token: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Census:
    """What the table holds, as `cosell status` reports it."""

    links: int  # deal ↔ opportunity, whichever side made them
    referral_deals: int  # HubSpot deals made from AWS referrals
    deals_in_error: int
    # Reason → number of deals failing for it, most common first (a deal with two problems counts under both).
    errors_by_reason: dict[str, int]


def _link_item(link: Link) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        **keys.deal_link(link.deal_id),
        "opportunity_id": {"S": link.opportunity_id},
        "catalog": {"S": link.catalog},
        "synced_fields": {"S": json.dumps(link.synced_fields, sort_keys=True)},
        "synced_at": {"S": link.synced_at},
        "revision": {"N": str(link.revision)},
    }
    if link.snapshot is not None:
        item["snapshot"] = {"S": json.dumps(link.snapshot.to_json(), sort_keys=True)}
    if link.warnings:
        item["warnings"] = {"S": json.dumps(list(link.warnings))}
    if link.hubspot_seen_ms is not None:
        item["hubspot_seen_ms"] = {"N": str(link.hubspot_seen_ms)}
    if link.partner_central_seen is not None:
        item["partner_central_seen"] = {"S": link.partner_central_seen}
    return item


def _link_from(deal_id: str, item: dict[str, Any]) -> Link:
    return Link(
        deal_id=deal_id,
        opportunity_id=item["opportunity_id"]["S"],
        catalog=item["catalog"]["S"],
        synced_fields=json.loads(item["synced_fields"]["S"]),
        synced_at=item["synced_at"]["S"],
        snapshot=Snapshot.from_json(json.loads(item["snapshot"]["S"])) if "snapshot" in item else None,
        warnings=tuple(json.loads(item["warnings"]["S"])) if "warnings" in item else (),
        hubspot_seen_ms=int(item["hubspot_seen_ms"]["N"]) if "hubspot_seen_ms" in item else None,
        partner_central_seen=item["partner_central_seen"]["S"] if "partner_central_seen" in item else None,
        revision=int(item["revision"]["N"]) if "revision" in item else 0,
    )


_TRANSACTION_ATTEMPTS = 5


def _cancelled_by_conflict(error: ClientError) -> bool:
    """DynamoDB cancels a transaction that meets another one on the same item (`TransactionConflict`): that
    says nothing about the items, unlike a failed condition."""
    reasons = error.response.get("CancellationReasons") or []
    return any(reason.get("Code") == "TransactionConflict" for reason in reasons)


def _condition_failed(error: ClientError) -> bool:
    """A conditional write, or a transaction one of whose conditions failed, was refused."""
    return error_code(error) in {"ConditionalCheckFailedException", "TransactionCanceledException"}


class StateStore:
    def __init__(self, dynamodb: DynamoDBClient, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def _get(self, key: dict[str, AttributeValueTypeDef]) -> dict[str, Any] | None:
        item = self._db.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
        return dict(item) if item else None

    # --- links ---

    def link_for_deal(self, deal_id: str) -> Link | None:
        item = self._get(keys.deal_link(deal_id))
        return None if item is None else _link_from(deal_id, item)

    def all_links(self) -> list[Link]:
        """Every deal's link, by deal id: one consistent scan (an operator's question, `cosell plan`)."""
        condition, values = keys.scan_filter(ItemKind.DEAL_LINK)
        pages = self._db.get_paginator("scan").paginate(
            TableName=self._table,
            FilterExpression=condition,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
        )
        found = [
            _link_from(keys.object_ids(item)[0], dict(item))
            for page in pages
            for item in page.get("Items", [])
            if keys.kind_of(item) is ItemKind.DEAL_LINK
        ]
        return sorted(found, key=lambda link: link.deal_id)

    def deal_for_opportunity(self, catalog: str, opportunity_id: str) -> str | None:
        item = self._get(keys.opportunity_link(catalog, opportunity_id))
        return item["deal_id"]["S"] if item else None

    def save_link(self, link: Link) -> None:
        """Link a deal and an opportunity, once. Saving the same pair again is a no-op."""
        deal_item = _link_item(link)
        reverse_item: dict[str, AttributeValueTypeDef] = {
            **keys.opportunity_link(link.catalog, link.opportunity_id),
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
                                "ConditionExpression": keys.ITEM_ABSENT,
                            }
                        }
                        for item in (deal_item, reverse_item)
                    ]
                )
            except ClientError as error:
                if _cancelled_by_conflict(error):
                    continue  # another transaction on these items was in flight: try again
                if not _condition_failed(error):
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
        moved = replace(link, deal_id=to_deal_id)
        item = _link_item(moved)
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": keys.deal_link(from_deal_id),
                            "ConditionExpression": keys.ITEM_EXISTS,
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item,
                            "ConditionExpression": keys.ITEM_ABSENT,
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                **keys.opportunity_link(moved.catalog, moved.opportunity_id),
                                "deal_id": {"S": to_deal_id},
                            },
                        }
                    },
                ]
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise
            raise LinkConflictError(
                f"deal {to_deal_id} is already linked; deal {from_deal_id}'s link stays"
            ) from None
        return moved

    def save_snapshot(
        self,
        link: Link,
        snapshot: Snapshot,
        synced_at: str,
        hubspot_seen_ms: int | None,
        partner_central_seen: str | None = None,
    ) -> Link:
        """The pair `link` (as this sync read it) is in step as of `synced_at`, having seen HubSpot as of
        `hubspot_seen_ms` and Partner Central as of `partner_central_seen` (Link); returns the link as saved.
        LinkChangedError when the link is no longer the one read: another sync saved in between (the deal's
        FIFO message group runs one at a time, but a backfill or an operator's command runs beside it)."""
        saved = replace(
            link,
            snapshot=snapshot,
            synced_at=synced_at,
            hubspot_seen_ms=hubspot_seen_ms,
            partner_central_seen=partner_central_seen,
            revision=link.revision + 1,
        )
        values: dict[str, AttributeValueTypeDef] = {
            ":snapshot": {"S": json.dumps(snapshot.to_json(), sort_keys=True)},
            ":synced_at": {"S": synced_at},
            ":opportunity": {"S": link.opportunity_id},
            ":read": {"N": str(link.revision)},
            ":revision": {"N": str(saved.revision)},
        }
        sets = ["#snapshot = :snapshot", "synced_at = :synced_at", "revision = :revision"]
        removes = []
        marks: list[tuple[str, AttributeValueTypeDef | None]] = [
            ("hubspot_seen_ms", None if hubspot_seen_ms is None else {"N": str(hubspot_seen_ms)}),
            ("partner_central_seen", None if partner_central_seen is None else {"S": partner_central_seen}),
        ]
        for name, value in marks:
            if value is None:
                removes.append(name)  # not known: nothing is taken as seen
            else:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = value
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        # Links saved before revisions existed have none: they read as revision 0.
        unrevised = " OR attribute_not_exists(revision)" if link.revision == 0 else ""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=keys.deal_link(link.deal_id),
                UpdateExpression=expression,
                ConditionExpression=f"opportunity_id = :opportunity AND (revision = :read{unrevised})",
                ExpressionAttributeNames={"#snapshot": "snapshot"},  # a reserved word
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise
            raise LinkChangedError(
                f"deal {link.deal_id}: its link changed after revision {link.revision} was read"
            ) from None
        return saved

    def unlink(self, deal_id: str, at: str) -> Link:
        """An operator's unlink: both link items go, in one transaction with a record of the opportunity the
        deal was unlinked from (keys.unlinked). LinkConflictError when the deal has no link, or it changed
        meanwhile."""
        link = self.link_for_deal(deal_id)
        if link is None:
            raise LinkConflictError(f"deal {deal_id} is linked to no opportunity")
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": keys.deal_link(deal_id),
                            "ConditionExpression": "opportunity_id = :opportunity",
                            "ExpressionAttributeValues": {":opportunity": {"S": link.opportunity_id}},
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": keys.opportunity_link(link.catalog, link.opportunity_id),
                            "ConditionExpression": "deal_id = :deal",
                            "ExpressionAttributeValues": {":deal": {"S": deal_id}},
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                **keys.unlinked(deal_id),
                                "opportunity_id": {"S": link.opportunity_id},
                                "catalog": {"S": link.catalog},
                                "unlinked_at": {"S": at},
                            },
                        }
                    },
                ]
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise
            raise LinkConflictError(
                f"deal {deal_id}'s link changed meanwhile; nothing was unlinked"
            ) from None
        return link

    def unlinked_from(self, deal_id: str) -> str | None:
        """The opportunity an operator last unlinked the deal from, if any."""
        item = self._get(keys.unlinked(deal_id))
        return item["opportunity_id"]["S"] if item else None

    def forget_unlinked(self, deal_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=keys.unlinked(deal_id))

    # --- pending creates ---

    def claim_create(self, deal_id: str, pending: PendingCreate) -> PendingCreate:
        """Record the create about to be sent; if one was recorded before, return that one instead."""
        item: dict[str, AttributeValueTypeDef] = {
            **keys.pending_create(deal_id),
            "client_token": {"S": pending.client_token},
            "fields": {"S": json.dumps(pending.fields, sort_keys=True)},
        }
        try:
            self._db.put_item(TableName=self._table, Item=item, ConditionExpression=keys.ITEM_ABSENT)
        except ClientError as error:
            if not _condition_failed(error):
                raise
            existing = self._get(keys.pending_create(deal_id))
            if existing is not None:
                return PendingCreate(existing["client_token"]["S"], json.loads(existing["fields"]["S"]))
        return pending

    def forget_create(self, deal_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=keys.pending_create(deal_id))

    # --- pre-flight problems ---

    def problems_fingerprint(self, deal_id: str) -> str | None:
        item = self._get(keys.problems(deal_id))
        return item["fingerprint"]["S"] if item else None

    def problems(self, deal_id: str) -> list[str]:
        item = self._get(keys.problems(deal_id))
        problems: list[str] = json.loads(item["problems"]["S"]) if item else []
        return problems

    def save_problems(self, deal_id: str, fingerprint: str, problems: list[str]) -> None:
        self._db.put_item(
            TableName=self._table,
            Item={
                **keys.problems(deal_id),
                "fingerprint": {"S": fingerprint},
                "problems": {"S": json.dumps(problems)},
            },
        )

    def clear_problems(self, deal_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=keys.problems(deal_id))

    # --- the sweeps' cursors: Partner Central's per catalog, HubSpot's per object type ---

    def sweep_cursor(self, catalog: str) -> str | None:
        return self._cursor(keys.sweep_cursor(catalog))

    def save_sweep_cursor(self, catalog: str, modified_after: str) -> None:
        self._save_cursor(keys.sweep_cursor(catalog), modified_after)

    def hubspot_sweep_cursor(self, object_type: str) -> tuple[str | None, dict[str, int]]:
        """Where the HubSpot sweep of `object_type` goes on from, and the records it listed near there (id →
        modification time, epoch ms), which its overlap lists again."""
        item = self._get(keys.hubspot_sweep_cursor(object_type))
        if not item:
            return None, {}
        listed = json.loads(item["listed"]["S"]) if "listed" in item else {}
        return item["modified_after"]["S"], {str(key): int(value) for key, value in listed.items()}

    def save_hubspot_sweep_cursor(
        self, object_type: str, modified_after: str, listed: dict[str, int]
    ) -> None:
        self._save_cursor(
            keys.hubspot_sweep_cursor(object_type),
            modified_after,
            {"listed": {"S": json.dumps(listed, sort_keys=True)}},
        )

    def _cursor(self, key: dict[str, AttributeValueTypeDef]) -> str | None:
        item = self._get(key)
        return item["modified_after"]["S"] if item else None

    def _save_cursor(
        self,
        key: dict[str, AttributeValueTypeDef],
        modified_after: str,
        more: dict[str, AttributeValueTypeDef] | None = None,
    ) -> None:
        item = {**key, "modified_after": {"S": modified_after}, **(more or {})}
        self._db.put_item(TableName=self._table, Item=item)

    # --- the whole table ---

    def census(self) -> Census:
        """Links, referral deals and deals in error, counted in one consistent scan: an operator asks rarely
        and the table is small."""
        condition, values = keys.scan_filter(ItemKind.DEAL_LINK, ItemKind.PROBLEMS, ItemKind.INVITATION_STATE)
        pages = self._db.get_paginator("scan").paginate(
            TableName=self._table,
            ProjectionExpression=f"{keys.PARTITION_KEY}, {keys.SORT_KEY}, problems, deal_id",
            FilterExpression=condition,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
        )
        links = referral_deals = deals_in_error = 0
        reasons: Counter[str] = Counter()
        for item in (item for page in pages for item in page.get("Items", [])):
            kind = keys.kind_of(item)
            if kind is ItemKind.DEAL_LINK:
                links += 1
            elif kind is ItemKind.PROBLEMS:
                deals_in_error += 1
                reasons.update(set(json.loads(item["problems"]["S"])))
            elif kind is ItemKind.INVITATION_STATE and "deal_id" in item:  # its deal exists (.invitations)
                referral_deals += 1
        return Census(links, referral_deals, deals_in_error, dict(reasons.most_common()))
