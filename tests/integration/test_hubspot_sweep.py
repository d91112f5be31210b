"""The HubSpot sweep (cosell.sync.schedules.hubspot_sweep) on the HubSpot emulator: what a lost webhook was
about is queued as the webhook would have queued it, and what the pair's last sync already read costs
nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cosell.queue.messages import Subject
from cosell.sync.deals.echoes import seen_by_last_sync
from cosell.sync.deals.push import PushOutcome, push_deal
from cosell.sync.dispatch import reconcile
from cosell.sync.schedules.hubspot_sweep import sweep_hubspot
from tests.integration.sync_world import CATALOG, make_world

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.sync_world import SyncWorld


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    yield from make_world(f"state-{abs(hash(request.node.nodeid)) % 10**8}")


def swept(world: SyncWorld) -> dict[tuple[Subject, str], list[tuple[str, str | None]]]:
    """What one sweep queued: (subject, object id) → (kind, property) of each trigger."""
    before = len(world.queued.requests)
    sweep_hubspot(world.ports(), "sweep-1")
    return {
        (request.subject, request.object_id): [(t.kind, t.property_name) for t in request.triggers]
        for request in world.queued.requests[before:]
    }


def test_a_rep_s_change_whose_webhook_was_lost_is_queued_and_reconciled(world: SyncWorld) -> None:
    ports = world.ports()
    deal_id = world.create_deal()
    assert push_deal(deal_id, ports) is PushOutcome.CREATED
    sweep_hubspot(ports, "first")  # the pair's own creation, as read: nothing new from here on
    world.queued.requests.clear()

    world.rep.update_deal(deal_id, {"amount": "250000"})  # its webhook never arrives
    queued = swept(world)

    # The overlap lists the creation's values again (and the company's and contacts'): the pair's sync read them.
    assert ("deal.propertyChange", "amount") in queued[(Subject.HUBSPOT_DEAL, deal_id)]
    (request,) = [r for r in world.queued.requests if r.subject is Subject.HUBSPOT_DEAL]
    link = world.store.link_for_deal(deal_id)
    assert link is not None
    assert not seen_by_last_sync(request, link)
    reconcile(request, ports)
    (opportunity,) = world.opportunities()
    record = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity["Id"])
    assert record["Project"]["ExpectedCustomerSpend"][0]["Amount"] == "20833.33"  # 250,000 a year, monthly


def test_what_the_pair_s_last_sync_read_and_cosell_s_own_writes_cost_no_reconcile(world: SyncWorld) -> None:
    """The create's write-back moved the deal (status, the link's id) after the sync read it: the sweep still
    lists it, and every change it names was read by that sync or is the link's own id."""
    ports = world.ports()
    deal_id = world.create_deal()
    assert push_deal(deal_id, ports) is PushOutcome.CREATED
    queued = swept(world)
    link = world.store.link_for_deal(deal_id)
    assert link is not None
    deal_requests = [r for r in world.queued.requests if r.subject is Subject.HUBSPOT_DEAL]
    assert [r.object_id for r in deal_requests] == [deal_id]
    assert ("deal.propertyChange", "aws_opportunity_id") in queued[(Subject.HUBSPOT_DEAL, deal_id)]
    assert seen_by_last_sync(deal_requests[0], link)
    calls = len(world.partner_central_emulator.control.calls())
    assert reconcile(deal_requests[0], ports).startswith("in step")
    assert len(world.partner_central_emulator.control.calls()) == calls  # not even read


def test_untagged_deals_are_not_swept_and_companies_and_contacts_are(world: SyncWorld) -> None:
    untagged = world.create_deal("Not co-sold")
    company = world.rep.create_company({"name": "Contoso", "domain": "contoso.example"})
    contact = world.rep.create_contact({"email": "ann@contoso.example", "firstname": "Ann"})
    world.rep.update_company(company.id, {"city": "Redmond"})
    queued = swept(world)
    assert (Subject.HUBSPOT_DEAL, untagged) not in queued
    assert ("company.propertyChange", "city") in queued[(Subject.HUBSPOT_COMPANY, company.id)]
    assert ("contact.propertyChange", "email") in queued[(Subject.HUBSPOT_CONTACT, contact.id)]


def test_the_cursor_moves_to_what_the_last_sweep_saw(world: SyncWorld) -> None:
    deal_id = world.create_deal()
    assert (Subject.HUBSPOT_DEAL, deal_id) in swept(world)
    ports = world.ports()
    deal = world.hubspot.get_deal(deal_id)
    assert ports.links.hubspot_sweep_cursor("deals")[0] == deal.updated_at.isoformat()


def test_a_linked_deal_whose_tag_was_removed_is_swept_too(world: SyncWorld) -> None:
    ports = world.ports()
    deal_id = world.create_deal()
    assert push_deal(deal_id, ports) is PushOutcome.CREATED
    world.rep.update_deal(deal_id, {"dealname": "BigCorp Cloud Migration"})  # still linked, still in step
    queued = swept(world)
    assert ("deal.propertyChange", "dealname") in queued[(Subject.HUBSPOT_DEAL, deal_id)]


def test_each_object_type_keeps_its_own_cursor_and_a_change_before_it_is_not_listed_again(
    world: SyncWorld,
) -> None:
    company = world.rep.create_company({"name": "Contoso"})
    swept(world)
    cursor, _ = world.ports().links.hubspot_sweep_cursor("companies")
    assert cursor == world.hubspot.batch_read_companies([company.id])[0].updated_at.isoformat()
    assert swept(world) == {}  # listed again by the overlap, unchanged since: not read again
    assert world.ports().links.hubspot_sweep_cursor("companies")[0] == cursor  # never backwards
    world.rep.update_company(company.id, {"city": "Redmond"})
    assert swept(world) == {(Subject.HUBSPOT_COMPANY, company.id): [("company.propertyChange", "city")]}
