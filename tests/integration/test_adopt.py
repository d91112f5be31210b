"""Adopting an opportunity that already exists (cosell.sync.deals.adopt through push_deal): a tagged deal whose
aws_opportunity_id names it is linked, never given a second one; where the sides differ the conflict strategy
settles it; an id that cannot be linked is explained on the deal. Both emulators, moto's DynamoDB."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from cosell.domain.reconcile import ConflictPolicy, Side, Strategy
from cosell.sync.deals.conflicts import resolve_conflicts
from cosell.sync.deals.push import PushOutcome, push_deal
from tests.integration.sync_world import CATALOG, make_world
from tests.support.partner_central import existing_opportunity as made_elsewhere

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.sync_world import SyncWorld

SHOWN = [
    "dealname",
    "dealstage",
    "aws_opportunity_id",
    "aws_sync_status",
    "aws_sync_error",
    "aws_sync_waiting",
]
# What another tool put in Partner Central for the deal's customer, unlike the deal: two synced fields.
ELSEWHERE = {"Project.Title": "BigCorp ERP move (legacy tool)", "LifeCycle.Stage": "Prospect"}


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    yield from make_world(f"adopt-{abs(hash(request.node.nodeid)) % 10**8}")


def existing_opportunity(world: SyncWorld, deal_id: str, changes: dict[str, Any]) -> str:
    return made_elsewhere(world.partner_central, world.hubspot, CATALOG, deal_id, changes)


def deal_naming(world: SyncWorld, changes: dict[str, Any] = ELSEWHERE) -> tuple[str, str]:
    """A tagged deal whose rep typed in the id of the opportunity another tool made for it."""
    deal_id = world.create_deal()
    opportunity_id = existing_opportunity(world, deal_id, changes)
    world.rep.update_deal(deal_id, {"aws_opportunity_id": opportunity_id})
    return deal_id, opportunity_id


def shown(world: SyncWorld, deal_id: str) -> dict[str, str | None]:
    return dict(world.hubspot.get_deal(deal_id, SHOWN).properties)


def calls(world: SyncWorld, operation: str) -> int:
    return len(world.partner_central_emulator.control.calls(operation))


def test_a_deal_naming_an_existing_opportunity_is_linked_and_hubspot_wins_the_differences(
    world: SyncWorld,
) -> None:
    deal_id, opportunity_id = deal_naming(world)
    outcome = push_deal(deal_id, world.ports(policy=ConflictPolicy(Strategy.HUBSPOT_WINS)))

    assert outcome.startswith(PushOutcome.ADOPTED)
    assert [summary["Id"] for summary in world.opportunities()] == [opportunity_id]
    assert calls(world, "CreateOpportunity") == 1  # the other tool's
    link = world.store.link_for_deal(deal_id)
    assert link is not None
    assert link.opportunity_id == opportunity_id
    assert world.store.deal_for_opportunity(CATALOG, opportunity_id) == deal_id
    opportunity = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity_id)
    assert opportunity["Project"]["Title"] == "BigCorp Cloud Migration"
    assert opportunity["LifeCycle"]["Stage"] == "Qualified"
    assert calls(world, "UpdateOpportunity") == 1  # both differences in one update
    assert shown(world, deal_id)["aws_sync_status"] == "Synced"

    (linked,) = [record for record in world.audit.records if record.action.value == "link"]
    assert [change.field for change in linked.changes] == ["stage", "title"]
    assert linked.changes[1].before == "BigCorp ERP move (legacy tool)"
    assert "aws_opportunity_id names an existing opportunity" in linked.detail
    conflicts = [record for record in world.audit.records if record.action.value == "conflict"]
    assert sorted(change.field for record in conflicts for change in record.changes) == ["stage", "title"]
    assert all("differed when they were linked; hubspot-wins" in record.detail for record in conflicts)
    assert push_deal(deal_id, world.ports()) == "in step: nothing to write"  # settled: no conflict left


def test_partner_central_wins_pulls_its_values_into_the_deal(world: SyncWorld) -> None:
    deal_id, opportunity_id = deal_naming(world)
    push_deal(deal_id, world.ports(policy=ConflictPolicy(Strategy.PARTNER_CENTRAL_WINS)))

    deal = shown(world, deal_id)
    assert deal["dealname"] == "BigCorp ERP move (legacy tool) #AWS"
    assert deal["dealstage"] == "appointmentscheduled"  # the first stage of the pipeline mapped to Prospect
    assert calls(world, "UpdateOpportunity") == 0
    opportunity = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity_id)
    assert opportunity["Project"]["Title"] == ELSEWHERE["Project.Title"]
    assert push_deal(deal_id, world.ports()) == "in step: nothing to write"


def test_under_manual_the_differences_wait_in_the_conflict_report_until_an_operator_picks(
    world: SyncWorld,
) -> None:
    manual = ConflictPolicy(Strategy.MANUAL)
    deal_id, opportunity_id = deal_naming(world)
    push_deal(deal_id, world.ports(policy=manual))

    waiting = world.ports().conflicts.get(deal_id)
    assert waiting is not None
    assert waiting.opportunity_id == opportunity_id
    assert {(c.field, c.hubspot, c.partner_central) for c in waiting.fields} == {
        ("title", "BigCorp Cloud Migration", "BigCorp ERP move (legacy tool)"),
        ("stage", "Qualified", "Prospect"),
    }
    deal = shown(world, deal_id)
    assert deal["aws_sync_status"] == "Pending"
    assert "conflict: Deal name: HubSpot has BigCorp Cloud Migration" in (deal["aws_sync_waiting"] or "")
    assert calls(world, "UpdateOpportunity") == 0

    ports = world.ports(policy=manual)
    resolve_conflicts(
        waiting,
        {"title": Side.PARTNER_CENTRAL, "stage": Side.HUBSPOT},
        conflicts=ports.conflicts,
        audit=ports.audit,
        queue=ports.queue,
        now=datetime.now(UTC),
        correlation_id="operator-1",
    )
    push_deal(deal_id, ports)
    assert shown(world, deal_id)["dealname"] == "BigCorp ERP move (legacy tool) #AWS"
    opportunity = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity_id)
    assert opportunity["LifeCycle"]["Stage"] == "Qualified"
    assert world.ports().conflicts.get(deal_id) is None
    assert shown(world, deal_id)["aws_sync_status"] == "Synced"


def test_an_existing_opportunity_equal_to_the_deal_is_linked_with_no_write_to_it(world: SyncWorld) -> None:
    deal_id, opportunity_id = deal_naming(world, changes={})
    push_deal(deal_id, world.ports())
    assert world.store.deal_for_opportunity(CATALOG, opportunity_id) == deal_id
    assert calls(world, "UpdateOpportunity") == 0
    assert not [record for record in world.audit.records if record.action.value == "conflict"]
    (linked,) = [record for record in world.audit.records if record.action.value == "link"]
    assert linked.changes == ()
    assert "agree on every synced field" in linked.detail


def test_an_unknown_id_is_explained_on_the_deal_and_nothing_is_created(world: SyncWorld) -> None:
    deal_id = world.create_deal(aws_opportunity_id="O9999999999")
    assert push_deal(deal_id, world.ports()) is PushOutcome.NOT_ADOPTED

    deal = shown(world, deal_id)
    assert deal["aws_sync_status"] == "Error"
    assert (deal["aws_sync_error"] or "").startswith(
        "AWS opportunity ID (aws_opportunity_id): Partner Central has no opportunity O9999999999 in the "
        "Sandbox catalog"
    )
    assert deal["aws_opportunity_id"] == "O9999999999"  # the rep's value stays: it is what to fix
    assert calls(world, "CreateOpportunity") == 0
    assert world.store.link_for_deal(deal_id) is None
    records = len(world.audit.records)
    assert push_deal(deal_id, world.ports()) is PushOutcome.STILL_INVALID  # said once
    assert len(world.audit.records) == records

    opportunity_id = existing_opportunity(world, deal_id, {})
    world.rep.update_deal(deal_id, {"aws_opportunity_id": opportunity_id})  # the rep corrects it
    assert push_deal(deal_id, world.ports()).startswith(PushOutcome.ADOPTED)
    assert shown(world, deal_id)["aws_sync_status"] == "Synced"
    assert world.store.problems_fingerprint(deal_id) is None


def test_an_id_that_is_no_opportunity_id_is_explained(world: SyncWorld) -> None:
    deal_id = world.create_deal(aws_opportunity_id="opp-12")
    assert push_deal(deal_id, world.ports()) is PushOutcome.NOT_ADOPTED
    assert "'opp-12' is not a Partner Central opportunity id" in (
        shown(world, deal_id)["aws_sync_error"] or ""
    )
    assert calls(world, "GetOpportunity") == 0
    assert calls(world, "CreateOpportunity") == 0


def test_clearing_the_id_creates_the_deal_its_own_opportunity(world: SyncWorld) -> None:
    deal_id = world.create_deal(aws_opportunity_id="O9999999999")
    push_deal(deal_id, world.ports())
    world.rep.update_deal(deal_id, {"aws_opportunity_id": ""})
    assert push_deal(deal_id, world.ports()) is PushOutcome.CREATED
    assert len(world.opportunities()) == 1
