"""Before creating: the opportunity already made for the deal, and the customer's other open opportunities
(SearchOpportunities on the emulator), and an account without SearchOpportunities."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
import pytest

from cosell.store import keys
from cosell.store.state import StateStore
from cosell.sync.deals.push import PushOutcome, push_deal
from tests.integration.partner_central.conftest import update_body
from tests.integration.sync_world import CATALOG, make_world

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.sync_world import SyncWorld


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    yield from make_world(f"state-{abs(hash(request.node.nodeid)) % 10**8}")


def warnings_of(world: SyncWorld, deal_id: str) -> str:
    return world.hubspot.get_deal(deal_id, ["aws_sync_warnings"]).properties.get("aws_sync_warnings") or ""


def forget_link(world: SyncWorld, deal_id: str) -> str:
    """The state table loses the deal's link and the deal its `aws_opportunity_id` (the table restored from
    before the create, whose write-back to HubSpot never landed): only Partner Central still knows which
    opportunity was made for the deal. A deal that still names its opportunity is adopted instead
    (tests/integration/test_adopt.py)."""
    link = world.store.link_for_deal(deal_id)
    assert link is not None
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    for key in (keys.deal_link(deal_id), keys.opportunity_link(CATALOG, link.opportunity_id)):
        dynamodb.delete_item(TableName=world.table, Key=key)
    world.hubspot.update_deal(deal_id, {"aws_opportunity_id": "", "aws_opportunity_url": ""})
    return link.opportunity_id


def test_the_opportunity_made_for_the_deal_is_linked_and_updated_not_created_again(world: SyncWorld) -> None:
    deal_id = world.create_deal()
    assert push_deal(deal_id, world.ports()) is PushOutcome.CREATED
    opportunity_id = forget_link(world, deal_id)
    world.rep.update_deal(deal_id, {"dealname": "BigCorp Data Platform #AWS"})  # a new body, a new token
    control = world.partner_central_emulator.control
    control.clear_calls()

    outcome = push_deal(deal_id, world.ports())

    assert outcome.startswith(PushOutcome.FOUND)
    assert control.calls("CreateOpportunity") == []
    assert [o["Id"] for o in world.opportunities()] == [opportunity_id]
    link = world.store.link_for_deal(deal_id)
    assert link is not None
    assert link.opportunity_id == opportunity_id
    assert world.store.deal_for_opportunity(CATALOG, opportunity_id) == deal_id
    # What the deal says now reached the opportunity, as a create would have sent it.
    assert control.opportunity(CATALOG, opportunity_id)["Project"]["Title"] == "BigCorp Data Platform"
    assert len(control.calls("UpdateOpportunity")) == 1
    assert len(control.calls("SearchOpportunities")) == 1
    assert world.hubspot.get_deal(deal_id, ["aws_opportunity_id"]).properties["aws_opportunity_id"] == (
        opportunity_id
    )
    skipped = [r for r in world.audit.records if r.action == "skip" and r.deal_id == deal_id]
    assert skipped
    assert f"already has opportunity {opportunity_id} made for this deal" in skipped[-1].detail


def test_an_opportunity_made_for_the_deal_but_linked_to_another_deal_is_not_taken(world: SyncWorld) -> None:
    deal_id = world.create_deal()
    push_deal(deal_id, world.ports())
    opportunity_id = forget_link(world, deal_id)
    other = world.create_deal(name="Someone else's deal #AWS")
    push_deal(other, world.ports())
    # The other deal's link names the opportunity made for the first deal (an operator's link, say).
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.put_item(
        TableName=world.table,
        Item={**keys.opportunity_link(CATALOG, opportunity_id), "deal_id": {"S": other}},
    )
    world.rep.update_deal(deal_id, {"dealname": "BigCorp Data Platform #AWS"})

    assert push_deal(deal_id, world.ports()).startswith(PushOutcome.CREATED)

    link = world.store.link_for_deal(deal_id)
    assert link is not None
    assert link.opportunity_id != opportunity_id


def test_the_customers_open_opportunity_is_named_on_the_new_deal_and_stays_there(world: SyncWorld) -> None:
    first = world.create_deal()
    push_deal(first, world.ports())
    first_opportunity = world.store.link_for_deal(first)
    assert first_opportunity is not None
    second = world.create_deal(name="BigCorp Analytics #AWS")  # the same customer, BigCorp Inc.

    assert push_deal(second, world.ports()) is PushOutcome.CREATED

    assert len(world.opportunities()) == 2  # a warning, not a refusal
    shown = warnings_of(world, second)
    assert (
        f"possible duplicate: opportunity {first_opportunity.opportunity_id} (Qualified, Pending Submission)"
        in (shown)
    )
    assert "BigCorp Inc." in shown
    assert warnings_of(world, first) == ""
    # The pair's later syncs keep showing it with what the mapping leaves out.
    world.rep.update_deal(second, {"amount": "130000"})
    assert push_deal(second, world.ports()) != "in step: nothing to write"
    assert warnings_of(world, second) == shown
    created = [r for r in world.audit.records if r.action == "create opportunity" and r.deal_id == second]
    assert "possible duplicate" in created[0].detail


def test_a_closed_opportunity_of_the_same_customer_is_no_duplicate(world: SyncWorld) -> None:
    first = world.create_deal()
    push_deal(first, world.ports())
    link = world.store.link_for_deal(first)
    assert link is not None
    record = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=link.opportunity_id)
    lost = update_body(dict(record), LifeCycle__Stage="Closed Lost", LifeCycle__ClosedLostReason="Other")
    world.partner_central.update_opportunity(**lost)
    second = world.create_deal(name="BigCorp Analytics #AWS")

    assert push_deal(second, world.ports()) is PushOutcome.CREATED

    assert warnings_of(world, second) == ""


def test_an_account_without_search_creates_as_before_and_asks_once_per_execution_environment(
    world: SyncWorld,
) -> None:
    control = world.partner_central_emulator.control
    control.enable_search_opportunities(False)
    ports = world.ports()  # one execution environment
    first = world.create_deal()
    second = world.create_deal(name="BigCorp Analytics #AWS")

    assert push_deal(first, ports) is PushOutcome.CREATED
    assert push_deal(second, ports) is PushOutcome.CREATED

    assert [call["Error"] for call in control.calls("SearchOpportunities")] == ["AccessDeniedException"]
    assert len(control.calls("CreateOpportunity")) == 2
    assert warnings_of(world, second) == ""  # nothing known, nothing claimed
    # A new execution environment asks again, and finds the account has it now.
    control.enable_search_opportunities(True)
    third = world.create_deal(name="BigCorp Support #AWS")
    assert push_deal(third, world.ports()) is PushOutcome.CREATED
    assert control.calls("SearchOpportunities")[-1]["Error"] is None
    assert "possible duplicate" in warnings_of(world, third)


@pytest.mark.parametrize("search", [True, False], ids=["search", "no-search"])
def test_a_create_a_crash_interrupted_makes_one_opportunity(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch, search: bool
) -> None:
    world.partner_central_emulator.control.enable_search_opportunities(search)
    deal_id = world.create_deal()

    def crash(self: StateStore, link: object) -> None:
        raise RuntimeError("worker died")

    with monkeypatch.context() as patch:
        patch.setattr(StateStore, "save_link", crash)
        with pytest.raises(RuntimeError):
            push_deal(deal_id, world.ports())
    # Meanwhile the rep edits the deal. Found by search: linked, then updated. Without search: the recorded
    # body is sent again under its ClientToken, or Partner Central would refuse the token.
    world.rep.update_deal(deal_id, {"amount": "240000"})
    outcome = push_deal(deal_id, world.ports())

    assert len(world.opportunities()) == 1
    creates = world.partner_central_emulator.control.calls("CreateOpportunity")
    assert all(call.get("Error") is None for call in creates)
    if search:
        assert outcome.startswith(PushOutcome.FOUND)
        assert len(creates) == 1
        (opportunity,) = world.opportunities()
        record = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity["Id"])
        assert record["Project"]["ExpectedCustomerSpend"][0]["Amount"] == "20000.00"
    else:
        assert outcome is PushOutcome.CREATED
        assert len(creates) == 2
