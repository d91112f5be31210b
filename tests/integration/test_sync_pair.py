"""Keeping a linked pair in step (cosell.sync.deals.pair) against both emulators: the refusal and problem
paths. The flows through the handlers are in tests/e2e/test_updates.py."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest
import urllib3

from cosell.domain.audit import AuditAction
from cosell.domain.mapping_rules import MappingRules
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.store.state import StateStore
from cosell.sync.deals.echoes import hubspot_seen_ms, seen_by_last_sync
from cosell.sync.deals.pair import IN_STEP
from cosell.sync.deals.push import PushOutcome, push_deal
from tests.integration.sync_world import CATALOG, REP_TOKEN, make_world

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cosell.store.state import Link
    from tests.integration.sync_world import SyncWorld


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    yield from make_world(f"pair-{abs(hash(request.node.nodeid)) % 10**8}")


def linked(world: SyncWorld) -> tuple[str, str]:
    deal_id = world.create_deal()
    assert push_deal(deal_id, world.ports()) is PushOutcome.CREATED
    (summary,) = world.opportunities()
    return deal_id, summary["Id"]


def status(world: SyncWorld, deal_id: str) -> dict[str, str | None]:
    names = ["aws_sync_status", "aws_sync_error", "dealstage"]
    return dict(world.hubspot.get_deal(deal_id, names).properties)


def updates(world: SyncWorld) -> int:
    return len(world.partner_central_emulator.control.calls("UpdateOpportunity"))


def test_an_update_partner_central_refuses_shows_its_reason_and_is_not_sent_again(world: SyncWorld) -> None:
    deal_id, _ = linked(world)
    # A spend target longer than Partner Central's 80 characters: cosell's mapping sends it, Partner Central
    # refuses it.
    refused = MappingRules(spend_target_company="A" * 81)
    world.rep.update_deal(deal_id, {"amount": "240000"})
    outcome = push_deal(deal_id, world.ports(refused))
    assert "Partner Central refused the update" in outcome
    shown = status(world, deal_id)
    assert shown["aws_sync_status"] == "Error"
    assert "Partner Central refused Amount and currency (Project.ExpectedCustomerSpend" in (
        shown["aws_sync_error"] or ""
    )
    assert AuditAction.ERROR in [record.action for record in world.audit.records]
    sent = updates(world)

    push_deal(deal_id, world.ports(refused))  # the same refused update: not sent again, the reason stays
    assert updates(world) == sent
    assert status(world, deal_id)["aws_sync_error"] == shown["aws_sync_error"]

    push_deal(deal_id, world.ports())  # fixed (here: the administrator's rule): sent, and in step
    assert updates(world) == sent + 1
    assert status(world, deal_id)["aws_sync_status"] == "Synced"
    opportunity = world.partner_central.get_opportunity(
        Catalog=CATALOG, Identifier=world.opportunities()[0]["Id"]
    )
    assert opportunity["Project"]["ExpectedCustomerSpend"][0]["Amount"] == "20000.00"


def test_a_committed_deal_carries_the_solutions_it_names_and_syncs(world: SyncWorld) -> None:
    deal_id, opportunity_id = linked(world)
    world.rep.update_deal(deal_id, {"dealstage": "contractsent", "aws_solution_ids": "S-1234567"})
    push_deal(deal_id, world.ports())
    opportunity = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity_id)
    assert opportunity["LifeCycle"]["Stage"] == "Committed"
    assert opportunity["RelatedEntityIdentifiers"]["Solutions"] == ["S-1234567"]
    shown = world.hubspot.get_deal(deal_id, ["aws_sync_status", "aws_solutions"]).properties
    assert shown == {
        **shown,
        "aws_sync_status": "Synced",
        "aws_solutions": "Sandbox Test Solution (S-1234567)",
    }


def test_a_solution_id_not_in_the_catalog_is_named_and_the_stage_that_needs_it_is_not_sent(
    world: SyncWorld,
) -> None:
    deal_id, opportunity_id = linked(world)
    sent = updates(world)
    world.rep.update_deal(deal_id, {"dealstage": "contractsent", "aws_solution_ids": "S-9999999"})
    push_deal(deal_id, world.ports())
    error = status(world, deal_id)["aws_sync_error"] or ""
    assert "S-9999999 is not an active solution" in error
    assert "maps to Committed, which Partner Central accepts only with a solution" in error
    assert updates(world) == sent
    opportunity = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity_id)
    assert opportunity["LifeCycle"]["Stage"] != "Committed"
    assert not (opportunity.get("RelatedEntityIdentifiers") or {}).get("Solutions")


def test_a_linked_deal_that_no_longer_maps_shows_its_problems_and_aws_review_and_waits_to_sync_fields(
    world: SyncWorld,
) -> None:
    deal_id, opportunity_id = linked(world)
    world.rep.update_deal(deal_id, {"description": "Too short"})
    world.partner_central_emulator.control.set_review_status(CATALOG, opportunity_id, "Action Required")
    sent = updates(world)
    push_deal(deal_id, world.ports())
    shown = dict(
        world.hubspot.get_deal(deal_id, ["aws_sync_status", "aws_sync_error", "aws_review_status"]).properties
    )
    assert updates(world) == sent
    assert shown["aws_sync_status"] == "Error"
    assert (shown["aws_sync_error"] or "").startswith("Deal description:")
    assert shown["aws_review_status"] == "Action Required"

    world.rep.update_deal(deal_id, {"description": "Move the data warehouse to AWS within two quarters."})
    push_deal(deal_id, world.ports())
    assert updates(world) == sent + 1
    shown = dict(world.hubspot.get_deal(deal_id, ["aws_sync_status", "aws_review_status"]).properties)
    # The partner's update under Action Required sends the opportunity back to AWS's review.
    assert (shown["aws_sync_status"], shown["aws_review_status"]) == ("Synced", "Submitted")
    assert push_deal(deal_id, world.ports()) == IN_STEP


def test_a_survivor_of_a_merge_takes_over_the_link_even_before_the_merge_event_is_seen(
    world: SyncWorld,
) -> None:
    """HubSpot fills the survivor's empty properties from the merged deal, its opportunity id included; the
    survivor's own change events may be reconciled before the merge event that names the merged deal."""
    merged_id, opportunity_id = linked(world)
    survivor_id = world.create_deal("BigCorp Cloud Migration (copy) #AWS", with_company=False)
    assert push_deal(survivor_id, world.ports()) is PushOutcome.INVALID  # no company: never pushed
    answer = urllib3.request(
        "POST",
        f"{world.hubspot_emulator.base_url}/crm/v3/objects/deals/merge",
        json={"primaryObjectId": survivor_id, "objectIdToMerge": merged_id},
        headers={"Authorization": f"Bearer {REP_TOKEN}"},
    )
    assert answer.status == 200

    push_deal(survivor_id, world.ports())  # no merged ids: a property-change event of the survivor
    assert len(world.opportunities()) == 1
    link = world.store.link_for_deal(survivor_id)
    assert link is not None
    assert link.opportunity_id == opportunity_id
    assert world.store.link_for_deal(merged_id) is None
    assert world.store.deal_for_opportunity(CATALOG, opportunity_id) == survivor_id


def test_a_copy_of_a_linked_deal_carrying_its_opportunity_id_does_not_take_the_link(world: SyncWorld) -> None:
    original_id, opportunity_id = linked(world)
    copy_id = world.create_deal("BigCorp Cloud Migration (copy) #AWS", aws_opportunity_id=opportunity_id)
    assert push_deal(copy_id, world.ports()) is PushOutcome.NOT_ADOPTED
    assert world.store.deal_for_opportunity(CATALOG, opportunity_id) == original_id
    assert world.store.link_for_deal(copy_id) is None
    assert len(world.opportunities()) == 1  # nothing made until the rep clears or corrects the id
    shown = status(world, copy_id)
    assert shown["aws_sync_status"] == "Error"
    assert (
        f"opportunity {opportunity_id} is already linked to deal {original_id}; one opportunity syncs with one "
        "deal" in (shown["aws_sync_error"] or "")
    )


def test_an_in_step_run_records_what_it_read_so_the_changes_it_saw_cost_no_reconcile_again(
    world: SyncWorld,
) -> None:
    deal_id, _ = linked(world)
    links = world.ports().links
    created = links.link_for_deal(deal_id)
    assert created is not None
    assert created.hubspot_seen_ms is not None
    # The creation wrote back to the deal (link, status) after its read: the deal moved on since.
    moved_on = hubspot_seen_ms(world.hubspot.get_deal(deal_id, []))
    assert moved_on > created.hubspot_seen_ms
    assert push_deal(deal_id, world.ports()) == IN_STEP
    in_step = links.link_for_deal(deal_id)
    assert in_step is not None
    assert in_step.hubspot_seen_ms == moved_on
    # A change made between the two reads (here a contact's) was read by the in-step run: no reconcile for it.
    between = Trigger(
        source="hubspot_webhook",
        kind="contact.propertyChange",
        occurred_at_ms=moved_on - 1,
        property_name="phone",
    )
    request = SyncRequest(
        subject=Subject.HUBSPOT_DEAL, object_id=deal_id, triggers=(between,), correlation_id="c"
    )
    assert not seen_by_last_sync(request, created)
    assert seen_by_last_sync(request, in_step)


class _RacedLinks(StateStore):
    """The state store, where another sync of the pair runs to its end just before this one's first snapshot
    save (a backfill's run, with the worker's beside it)."""

    def __init__(self, store: StateStore, other_sync: Any) -> None:
        super().__init__(store._db, store._table)
        self._other_sync = other_sync

    def save_snapshot(self, link: Link, *args: Any, **kwargs: Any) -> Link:
        other_sync, self._other_sync = self._other_sync, None
        if other_sync is not None:
            other_sync()
        return super().save_snapshot(link, *args, **kwargs)


def test_a_run_that_read_the_link_before_another_one_saved_reads_again_and_keeps_the_newer_snapshot(
    world: SyncWorld,
) -> None:
    deal_id, opportunity_id = linked(world)

    def the_workers_sync() -> None:
        world.rep.update_deal(deal_id, {"amount": "300000"})
        assert push_deal(deal_id, world.ports()) == "1 × push"

    world.rep.update_deal(deal_id, {"amount": "240000"})
    ports = world.ports()
    backfills = replace(ports, links=_RacedLinks(world.store, the_workers_sync))
    push_deal(deal_id, backfills)

    # The backfill's snapshot (amount 240000, as it read both sides) did not replace the worker's: it read
    # both sides again, found them in step with 300000, and saved from there.
    link = world.store.link_for_deal(deal_id)
    assert link is not None
    monthly = [{"Amount": "25000", "CurrencyCode": "EUR", "Frequency": "Monthly", "TargetCompany": "AWS"}]
    assert link.last_in_step.hubspot["expected_spend"] == monthly  # 300,000 a year; 240,000 would be 20000
    assert link.last_in_step.partner_central["expected_spend"] == monthly
    opportunity = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity_id)
    assert opportunity["Project"]["ExpectedCustomerSpend"][0]["Amount"] == "25000.00"


def test_a_run_whose_pair_was_unlinked_before_its_save_ends_without_bringing_the_link_back(
    world: SyncWorld,
) -> None:
    deal_id, _ = linked(world)
    world.rep.update_deal(deal_id, {"amount": "240000"})
    ports = world.ports()

    def the_operators_unlink() -> None:
        world.store.unlink(deal_id, "2026-12-04T12:00:00+00:00")

    racing = replace(ports, links=_RacedLinks(world.store, the_operators_unlink))
    assert push_deal(deal_id, racing) == "unlinked while it was reconciled: nothing more to do"
    assert world.store.link_for_deal(deal_id) is None
