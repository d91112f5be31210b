"""The state table's key schema (template.yaml creates the table: `pk`/`sk`, TTL attribute `expires_at`).

Items, one partition per object unless said otherwise (pk / sk):
- `deal#<id>` / `link`: the opportunity a deal is linked to, the fields of its creation request, and the
  snapshot of each side's values when the pair was last in step (cosell.domain.reconcile).
- `opportunity#<catalog>#<id>` / `link`: the reverse, written in the same transaction.
- `deal#<id>` / `create`: a CreateOpportunity request about to be sent. Written before the call, so a retry
  after a crash sends the identical body with the identical ClientToken and Partner Central answers with the
  same opportunity instead of a second one (or a "conflicting client token" error).
- `deal#<id>` / `problems`: why the deal last failed pre-flight, with a fingerprint of what was read, so an
  unchanged deal is not re-validated and re-written on every event.
- `sweep#<catalog>` / `cursor`: the LastModifiedDate up to which the sweep has seen opportunities.
- `conflicts` / `deal#<id>`: the deal's fields in conflict, waiting for an operator. One partition for every
  deal, so listing them is one query.
- `invitation#<catalog>#<id>` / `state`: how far cosell got with an AWS referral.
- `pacer#<budget>` / `slot`: the next free time slot of a Partner Central request budget.
- `quota#<budget>#<YYYY-MM-DD>` / `count`: how many slots of a budget were reserved on a UTC day.
- `solutions#<catalog>` / `catalog`: the partner's solutions as ListSolutions last returned them.
- `opportunity#<catalog>#<id>` / `submission`: the opportunity's submission to AWS: its task and attempts.
- `notification#<key>` / `sent`: a notification sent (cosell.domain.notifications), kept 90 days.
- `engagement#<catalog>#<id>` / `state`: an engagement as last seen: its members, the deals it is shown on and
  what they show, and the last snapshot revision noted on them for each resource.
- `failure#<digest>` / `last`: how often a queue message (by the digest of its body) failed and its last error,
  kept 14 days (a dead-letter queue's longest retention), for `cosell dlq`.
- `deal#<id>` / `unlinked`: the opportunity an operator unlinked the deal from (`cosell unlink`), so the deal,
  still naming it, is not linked to it again on its own.
- `backfill#<catalog>#<source>` / `cursor`: how far `cosell backfill` got from one side (`hubspot`,
  `partner-central`): the last object done, its filter and counts, so a stopped run resumes there.
- `deal#<id>` / `customers`: the primary company and the contacts the deal's last read found.
- `company#<id>` / `deal#<deal id>` and `contact#<id>` / `deal#<deal id>`: the same, from the company's or
  contact's side (one partition per company or contact, so its deals are one query).
- `hubspot-sweep#<object type>` / `cursor`: the modification time up to which the HubSpot sweep has seen
  deals, companies or contacts (HubSpot's clock).
- `customers#` / `index`: when the customer index was first built from every tagged deal; until then a
  company's or contact's deals are read from HubSpot.
- `scheduled#<catalog>#<schedule>#<id>` / `queued`: when a schedule last queued the object, and whether the
  worker has reconciled that request (cosell.domain.scheduled), kept as long as it holds the object back.

These keys are what existing tables hold: changing one orphans every item written with it. What an item holds
besides its key is its store's business (cosell.store.state, .conflicts, .invitations, .pacer, .solutions,
.submissions, .notifications, .engagements, .failures, .backfill, .scheduled).
"""

from __future__ import annotations

from enum import Enum, auto
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

PARTITION_KEY = "pk"
SORT_KEY = "sk"
# Every item has both key attributes: testing one says whether the item exists.
ITEM_EXISTS = f"attribute_exists({PARTITION_KEY})"
ITEM_ABSENT = f"attribute_not_exists({PARTITION_KEY})"


class ItemKind(Enum):
    """The kinds of item listed above, in that order."""

    DEAL_LINK = auto()
    OPPORTUNITY_LINK = auto()
    PENDING_CREATE = auto()
    PROBLEMS = auto()
    SWEEP_CURSOR = auto()
    CONFLICTS = auto()
    INVITATION_STATE = auto()
    PACER_SLOT = auto()
    DAILY_COUNTER = auto()
    SOLUTION_CATALOG = auto()
    SUBMISSION = auto()
    NOTIFICATION = auto()
    ENGAGEMENT = auto()
    FAILURE = auto()
    UNLINKED = auto()
    BACKFILL_CURSOR = auto()
    DEAL_CUSTOMERS = auto()
    CUSTOMER_DEAL = auto()
    CUSTOMER_INDEX = auto()
    HUBSPOT_SWEEP_CURSOR = auto()
    SCHEDULED = auto()


_CONFLICTS_PARTITION = "conflicts"
_CONFLICTS_SORT_PREFIX = "deal#"
# A customer's deals: `company#<id>` or `contact#<id>`, one item per deal sorted under `deal#<deal id>`.
_CUSTOMER_PARTITIONS = {"companies": "company#", "contacts": "contact#"}
_CUSTOMER_SORT_PREFIX = "deal#"
# Every other kind: the start of its partition key (the object's ids follow, `#`-separated) and its sort key.
_LAYOUTS: dict[ItemKind, tuple[str, str]] = {
    ItemKind.DEAL_LINK: ("deal#", "link"),
    ItemKind.OPPORTUNITY_LINK: ("opportunity#", "link"),
    ItemKind.PENDING_CREATE: ("deal#", "create"),
    ItemKind.PROBLEMS: ("deal#", "problems"),
    ItemKind.SWEEP_CURSOR: ("sweep#", "cursor"),
    ItemKind.INVITATION_STATE: ("invitation#", "state"),
    ItemKind.PACER_SLOT: ("pacer#", "slot"),
    ItemKind.DAILY_COUNTER: ("quota#", "count"),
    ItemKind.SOLUTION_CATALOG: ("solutions#", "catalog"),
    ItemKind.SUBMISSION: ("opportunity#", "submission"),
    ItemKind.NOTIFICATION: ("notification#", "sent"),
    ItemKind.ENGAGEMENT: ("engagement#", "state"),
    ItemKind.FAILURE: ("failure#", "last"),
    ItemKind.UNLINKED: ("deal#", "unlinked"),
    ItemKind.BACKFILL_CURSOR: ("backfill#", "cursor"),
    ItemKind.DEAL_CUSTOMERS: ("deal#", "customers"),
    ItemKind.CUSTOMER_INDEX: ("customers#", "index"),
    ItemKind.HUBSPOT_SWEEP_CURSOR: ("hubspot-sweep#", "cursor"),
    ItemKind.SCHEDULED: ("scheduled#", "queued"),
}
_KINDS_BY_LAYOUT = {layout: kind for kind, layout in _LAYOUTS.items()}


def _key(partition: str, sort: str) -> dict[str, AttributeValueTypeDef]:
    return {PARTITION_KEY: {"S": partition}, SORT_KEY: {"S": sort}}


def _object_key(kind: ItemKind, *ids: str) -> dict[str, AttributeValueTypeDef]:
    partition_prefix, sort = _LAYOUTS[kind]
    return _key(partition_prefix + "#".join(ids), sort)


def deal_link(deal_id: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.DEAL_LINK, deal_id)


def opportunity_link(catalog: str, opportunity_id: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.OPPORTUNITY_LINK, catalog, opportunity_id)


def pending_create(deal_id: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.PENDING_CREATE, deal_id)


def problems(deal_id: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.PROBLEMS, deal_id)


def sweep_cursor(catalog: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.SWEEP_CURSOR, catalog)


def conflicts(deal_id: str) -> dict[str, AttributeValueTypeDef]:
    return _key(_CONFLICTS_PARTITION, _CONFLICTS_SORT_PREFIX + deal_id)


def invitation_state(catalog: str, invitation_id: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.INVITATION_STATE, catalog, invitation_id)


def scheduled(catalog: str, schedule: str, object_id: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.SCHEDULED, catalog, schedule, object_id)


def pacer_slot(budget: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.PACER_SLOT, budget)


def daily_counter(budget: str, day: date) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.DAILY_COUNTER, budget, day.isoformat())


def solution_catalog(catalog: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.SOLUTION_CATALOG, catalog)


def submission(catalog: str, opportunity_id: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.SUBMISSION, catalog, opportunity_id)


def notification(key: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.NOTIFICATION, key)


def engagement(catalog: str, engagement_id: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.ENGAGEMENT, catalog, engagement_id)


def failure(digest: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.FAILURE, digest)


def unlinked(deal_id: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.UNLINKED, deal_id)


def backfill_cursor(catalog: str, source: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.BACKFILL_CURSOR, catalog, source)


def deal_customers(deal_id: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.DEAL_CUSTOMERS, deal_id)


def customer_deal(customer_type: str, customer_id: str, deal_id: str) -> dict[str, AttributeValueTypeDef]:
    """`customer_type`: "companies" or "contacts", as HubSpot names the object types."""
    return _key(_CUSTOMER_PARTITIONS[customer_type] + customer_id, _CUSTOMER_SORT_PREFIX + deal_id)


def customer_index() -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.CUSTOMER_INDEX)


def hubspot_sweep_cursor(object_type: str) -> dict[str, AttributeValueTypeDef]:
    return _object_key(ItemKind.HUBSPOT_SWEEP_CURSOR, object_type)


def deals_of_customer(customer_type: str, customer_id: str) -> tuple[str, dict[str, AttributeValueTypeDef]]:
    """The KeyConditionExpression, and its values, of a query for a company's or contact's deals (their ids
    are the sort keys without `deal#`)."""
    return f"{PARTITION_KEY} = :partition", {
        ":partition": {"S": _CUSTOMER_PARTITIONS[customer_type] + customer_id}
    }


def all_conflicts() -> tuple[str, dict[str, AttributeValueTypeDef]]:
    """The KeyConditionExpression, and its values, of a query for every deal's conflicts."""
    return f"{PARTITION_KEY} = :partition", {":partition": {"S": _CONFLICTS_PARTITION}}


def scan_filter(*kinds: ItemKind) -> tuple[str, dict[str, AttributeValueTypeDef]]:
    """A scan's FilterExpression, and its values, keeping the partitions where items of `kinds` live (other
    kinds may share them: `kind_of` tells the items apart)."""
    prefixes = sorted({prefix for kind in kinds for prefix in _partition_prefixes(kind)})
    values: dict[str, AttributeValueTypeDef] = {
        f":prefix{index}": {"S": prefix} for index, prefix in enumerate(prefixes)
    }
    return " OR ".join(f"begins_with({PARTITION_KEY}, {name})" for name in values), values


def ids_where(
    db: DynamoDBClient,
    table: str,
    kind: ItemKind,
    catalog: str,
    attribute: str,
    values: tuple[str, ...],
    *,
    consistent_read: bool = False,
) -> list[str]:
    """The object ids (sorted) of the `kind` items of `catalog` whose `attribute` is one of `values`: one scan."""
    condition, prefixes = scan_filter(kind)
    wanted = {f":value{index}": {"S": value} for index, value in enumerate(values)}
    pages = db.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression=f"({condition}) AND #attribute IN ({', '.join(wanted)})",
        ExpressionAttributeNames={"#attribute": attribute},  # state and phase are reserved words
        ExpressionAttributeValues={**prefixes, **wanted},
        ConsistentRead=consistent_read,
    )
    found = []
    for page in pages:
        for item in page.get("Items", []):
            if kind_of(item) is kind:
                item_catalog, object_id = object_ids(item)
                if item_catalog == catalog:
                    found.append(object_id)
    return sorted(found)


def _partition_prefixes(kind: ItemKind) -> tuple[str, ...]:
    if kind is ItemKind.CONFLICTS:
        return (_CONFLICTS_PARTITION,)
    if kind is ItemKind.CUSTOMER_DEAL:
        return tuple(_CUSTOMER_PARTITIONS.values())
    return (_LAYOUTS[kind][0],)


def object_ids(key: Mapping[str, AttributeValueTypeDef]) -> tuple[str, ...]:
    """The ids in an item's partition key, e.g. (catalog, opportunity id) of `opportunity#<catalog>#<id>`."""
    partition = key[PARTITION_KEY].get("S", "")
    return tuple(partition.split("#")[1:])


def kind_of(key: Mapping[str, AttributeValueTypeDef]) -> ItemKind | None:
    """What an item found by a scan is, from its key; None for a key this schema does not make."""
    partition, sort = key[PARTITION_KEY].get("S", ""), key[SORT_KEY].get("S", "")
    if partition == _CONFLICTS_PARTITION:
        return ItemKind.CONFLICTS if sort.startswith(_CONFLICTS_SORT_PREFIX) else None
    object_type, separator, _ = partition.partition("#")
    if object_type + separator in _CUSTOMER_PARTITIONS.values():
        return ItemKind.CUSTOMER_DEAL if sort.startswith(_CUSTOMER_SORT_PREFIX) else None
    return _KINDS_BY_LAYOUT.get((object_type + separator, sort))
