"""The state table's keys (cosell.store.keys): the exact strings existing tables hold, and told apart on a scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosell.store import keys
from cosell.store.keys import ItemKind

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


@dataclass(frozen=True)
class Case:
    kind: ItemKind
    key: dict[str, AttributeValueTypeDef]
    pk: str  # as tables written before keys.py hold it
    sk: str


def cases(first: str, second: str, day: date) -> list[Case]:
    """Every builder, with ids `first` (and `second`, for kinds keyed by two)."""
    return [
        Case(ItemKind.DEAL_LINK, keys.deal_link(first), f"deal#{first}", "link"),
        Case(
            ItemKind.OPPORTUNITY_LINK,
            keys.opportunity_link(first, second),
            f"opportunity#{first}#{second}",
            "link",
        ),
        Case(ItemKind.PENDING_CREATE, keys.pending_create(first), f"deal#{first}", "create"),
        Case(ItemKind.PROBLEMS, keys.problems(first), f"deal#{first}", "problems"),
        Case(ItemKind.SWEEP_CURSOR, keys.sweep_cursor(first), f"sweep#{first}", "cursor"),
        Case(ItemKind.CONFLICTS, keys.conflicts(first), "conflicts", f"deal#{first}"),
        Case(
            ItemKind.INVITATION_STATE,
            keys.invitation_state(first, second),
            f"invitation#{first}#{second}",
            "state",
        ),
        Case(ItemKind.PACER_SLOT, keys.pacer_slot(first), f"pacer#{first}", "slot"),
        Case(
            ItemKind.DAILY_COUNTER,
            keys.daily_counter(first, day),
            f"quota#{first}#{day.isoformat()}",
            "count",
        ),
        Case(ItemKind.SOLUTION_CATALOG, keys.solution_catalog(first), f"solutions#{first}", "catalog"),
        Case(
            ItemKind.SUBMISSION,
            keys.submission(first, second),
            f"opportunity#{first}#{second}",
            "submission",
        ),
        Case(ItemKind.NOTIFICATION, keys.notification(first), f"notification#{first}", "sent"),
        Case(
            ItemKind.ENGAGEMENT,
            keys.engagement(first, second),
            f"engagement#{first}#{second}",
            "state",
        ),
        Case(ItemKind.FAILURE, keys.failure(first), f"failure#{first}", "last"),
        Case(ItemKind.UNLINKED, keys.unlinked(first), f"deal#{first}", "unlinked"),
        Case(
            ItemKind.BACKFILL_CURSOR,
            keys.backfill_cursor(first, second),
            f"backfill#{first}#{second}",
            "cursor",
        ),
        Case(ItemKind.DEAL_CUSTOMERS, keys.deal_customers(first), f"deal#{first}", "customers"),
        Case(
            ItemKind.CUSTOMER_DEAL,
            keys.customer_deal("companies", first, second),
            f"company#{first}",
            f"deal#{second}",
        ),
        Case(ItemKind.CUSTOMER_INDEX, keys.customer_index(), "customers#", "index"),
        Case(
            ItemKind.HUBSPOT_SWEEP_CURSOR,
            keys.hubspot_sweep_cursor(first),
            f"hubspot-sweep#{first}",
            "cursor",
        ),
        Case(
            ItemKind.SCHEDULED,
            keys.scheduled(first, "engagement sync", second),
            f"scheduled#{first}#engagement sync#{second}",
            "queued",
        ),
    ]


ids = st.text()


def test_every_kind_has_a_builder() -> None:
    assert [case.kind for case in cases("1", "2", date(2026, 11, 30))] == list(ItemKind)


def test_keys_as_tables_hold_them() -> None:
    written = [(case.key["pk"], case.key["sk"]) for case in cases("42", "O-7", date(2026, 11, 30))]
    assert written == [
        ({"S": "deal#42"}, {"S": "link"}),
        ({"S": "opportunity#42#O-7"}, {"S": "link"}),
        ({"S": "deal#42"}, {"S": "create"}),
        ({"S": "deal#42"}, {"S": "problems"}),
        ({"S": "sweep#42"}, {"S": "cursor"}),
        ({"S": "conflicts"}, {"S": "deal#42"}),
        ({"S": "invitation#42#O-7"}, {"S": "state"}),
        ({"S": "pacer#42"}, {"S": "slot"}),
        ({"S": "quota#42#2026-11-30"}, {"S": "count"}),
        ({"S": "solutions#42"}, {"S": "catalog"}),
        ({"S": "opportunity#42#O-7"}, {"S": "submission"}),
        ({"S": "notification#42"}, {"S": "sent"}),
        ({"S": "engagement#42#O-7"}, {"S": "state"}),
        ({"S": "failure#42"}, {"S": "last"}),
        ({"S": "deal#42"}, {"S": "unlinked"}),
        ({"S": "backfill#42#O-7"}, {"S": "cursor"}),
        ({"S": "deal#42"}, {"S": "customers"}),
        ({"S": "company#42"}, {"S": "deal#O-7"}),
        ({"S": "customers#"}, {"S": "index"}),
        ({"S": "hubspot-sweep#42"}, {"S": "cursor"}),
        ({"S": "scheduled#42#engagement sync#O-7"}, {"S": "queued"}),
    ]


@given(ids, ids, st.dates())
def test_every_builder_gives_the_historical_key(first: str, second: str, day: date) -> None:
    for case in cases(first, second, day):
        assert case.key == {"pk": {"S": case.pk}, "sk": {"S": case.sk}}, case.kind


@given(ids, ids, st.dates())
def test_each_key_is_recognised_as_its_own_kind_and_no_other(first: str, second: str, day: date) -> None:
    for case in cases(first, second, day):
        assert keys.kind_of(case.key) is case.kind


@pytest.mark.parametrize(
    ("pk", "sk"),
    [
        ("deal#42", "2026-11-30T12:00:00.000000Z#abc"),  # an audit record's key, in the other table
        ("deal#42", "snapshot"),
        ("deal", "link"),
        ("conflicts", "opportunity#O-7"),
        ("conflict", "deal#42"),
        ("company#42", "link"),
        ("contact#42", "customers"),
        ("unknown#42", "link"),
        ("", ""),
    ],
)
def test_keys_the_schema_does_not_make_are_no_kind(pk: str, sk: str) -> None:
    assert keys.kind_of({"pk": {"S": pk}, "sk": {"S": sk}}) is None


@given(ids, ids, st.dates())
def test_a_scan_for_a_kind_keeps_its_items(first: str, second: str, day: date) -> None:
    for case in cases(first, second, day):
        expression, values = keys.scan_filter(case.kind)
        assert expression == " OR ".join(f"begins_with(pk, {name})" for name in values)
        assert any(case.pk.startswith(value["S"]) for value in values.values())
        assert len(values) == (2 if case.kind is ItemKind.CUSTOMER_DEAL else 1)  # companies' and contacts'


def test_kinds_sharing_partitions_are_scanned_with_one_condition_per_prefix() -> None:
    assert keys.scan_filter(ItemKind.DEAL_LINK, ItemKind.PROBLEMS, ItemKind.INVITATION_STATE) == (
        "begins_with(pk, :prefix0) OR begins_with(pk, :prefix1)",
        {":prefix0": {"S": "deal#"}, ":prefix1": {"S": "invitation#"}},
    )


@given(ids, ids)
def test_a_customer_s_deals_are_one_query_of_its_partition(customer_id: str, deal_id: str) -> None:
    for customer_type in ("companies", "contacts"):
        condition, values = keys.deals_of_customer(customer_type, customer_id)
        assert condition == "pk = :partition"
        assert values[":partition"] == keys.customer_deal(customer_type, customer_id, deal_id)["pk"]


@given(ids)
def test_the_conflicts_query_reads_the_partition_of_every_deal_s_conflicts(deal_id: str) -> None:
    condition, values = keys.all_conflicts()
    assert condition == "pk = :partition"
    assert values[":partition"] == keys.conflicts(deal_id)["pk"]


def test_existence_conditions_test_the_partition_key() -> None:
    assert (keys.ITEM_EXISTS, keys.ITEM_ABSENT) == ("attribute_exists(pk)", "attribute_not_exists(pk)")
