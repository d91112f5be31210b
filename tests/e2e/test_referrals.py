"""Issue 6 end to end: AWS referrals become HubSpot deals, exactly once.

AWS is played through the Partner Central emulator's control API; its events reach the worker through
moto's EventBridge rule and the FIFO queue, the scheduled poll runs as template.yaml schedules it, and the
rep's decision arrives as a signed HubSpot webhook.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import pytest

from cosell.handlers import runtime
from cosell.hubspot.models import SearchFilter

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.e2e.conftest import World

CATALOG = "Sandbox"
PROPERTIES = (
    "dealname",
    "amount",
    "dealstage",
    "aws_invitation_id",
    "aws_opportunity_id",
    "aws_engagement_id",
    "aws_origin",
    "aws_invitation_status",
    "aws_sync_status",
    "aws_sync_error",
)
DETAILS = {
    "Customer": {
        "Contacts": [{"Email": "Pat.Customer@Example.com", "FirstName": "Pat", "BusinessTitle": "CTO"}]
    },
    "LifeCycle": {"Stage": "Qualified"},
}


def refer(world: World, **fields: Any) -> str:
    invitation = world.stack.partner_central.control.create_opportunity_invitation(
        CATALOG, {"OpportunityDetails": DETAILS, **fields}
    )
    return str(invitation["Id"])


def deals_for(world: World, invitation_id: str) -> list[dict[str, str | None]]:
    found = world.integration.find_deals(
        [[SearchFilter(property_name="aws_invitation_id", operator="EQ", value=invitation_id)]], PROPERTIES
    )
    return [{"id": deal.id, **deal.properties} for deal in found]


def acceptances(world: World, invitation_id: str) -> int:
    """Distinct acceptance tasks Partner Central holds for the invitation."""
    tasks = world.stack.partner_central.control.read(
        "ListEngagementByAcceptingInvitationTasks",
        Catalog=CATALOG,
        EngagementInvitationIdentifier=[invitation_id],
    )["TaskSummaries"]
    return len(tasks)


@pytest.fixture
def review_policy(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("INVITATION_POLICY", "review")
    runtime.reset()  # the functions read their settings again, as a redeploy would make them
    yield
    monkeypatch.delenv("INVITATION_POLICY")
    runtime.reset()


def test_a_referral_becomes_one_linked_deal_through_the_event(world: World) -> None:
    invitation_id = refer(world)
    world.stack.process_queue_until_idle(timeout=90)

    (deal,) = deals_for(world, invitation_id)
    assert (deal["dealname"] or "").endswith("#AWS")
    assert (deal["aws_origin"], deal["aws_invitation_status"], deal["aws_sync_status"]) == (
        "AWS Referral",
        "Accepted",
        "Synced",
    )
    assert deal["dealstage"] == "qualifiedtobuy"
    assert deal["aws_engagement_id"]
    opportunity = world.stack.partner_central.control.opportunity(CATALOG, str(deal["aws_opportunity_id"]))
    assert opportunity["LifeCycle"]["Stage"] == "Qualified"
    assert acceptances(world, invitation_id) == 1


def test_event_and_poll_twice_each_concurrently_make_one_acceptance_and_one_deal(world: World) -> None:
    invitation_id = refer(world)
    emitted = world.stack.partner_central.control.events("Engagement Invitation Created")
    created = next(e for e in emitted if e["detail"]["engagementInvitation"]["id"] == invitation_id)
    events_client = world.stack.client("events")

    def redeliver_event() -> None:
        events_client.put_events(
            Entries=[
                {
                    "Source": created["source"],
                    "DetailType": created["detail-type"],
                    "Detail": json.dumps(created["detail"]),
                    "EventBusName": "default",
                }
            ]
        )

    triggers = [redeliver_event, redeliver_event] + [
        lambda: world.stack.run_schedule("InvitationPollFunction")
    ] * 2
    threads = [threading.Thread(target=trigger) for trigger in triggers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    world.stack.process_queue_until_idle(timeout=120)

    assert len(deals_for(world, invitation_id)) == 1
    assert acceptances(world, invitation_id) == 1
    assert world.stack.dlq_messages() == []


def test_an_expired_referral_makes_no_deal(world: World) -> None:
    world.stack.partner_central.control.set_task_delay(3600)  # nothing completes before the expiry
    try:
        invitation_id = refer(world)
        world.stack.partner_central.control.expire_invitation(CATALOG, invitation_id)
        world.stack.run_schedule("InvitationPollFunction")
        world.stack.process_queue_until_idle(timeout=90)
    finally:
        world.stack.partner_central.control.set_task_delay(0.1)
    assert deals_for(world, invitation_id) == []
    assert acceptances(world, invitation_id) == 0


def test_a_failed_acceptance_shows_its_reason_on_the_deal(world: World) -> None:
    world.stack.partner_central.control.configure_faults(task_failure_rate=1.0)
    try:
        invitation_id = refer(world)
        world.stack.process_queue_until_idle(timeout=90)
    finally:
        world.stack.partner_central.control.configure_faults(task_failure_rate=0.0)
    (deal,) = deals_for(world, invitation_id)
    assert deal["aws_invitation_status"] == "Failed"
    assert deal["aws_sync_status"] == "Error"
    assert deal["aws_sync_error"]


def test_a_lead_referral_becomes_a_deal(world: World) -> None:
    lead = world.stack.partner_central.control.create_lead_invitation(CATALOG)
    world.stack.process_queue_until_idle(timeout=90)
    (deal,) = deals_for(world, str(lead["Id"]))
    assert deal["aws_origin"] == "AWS Referral"
    assert deal["aws_opportunity_id"]


@pytest.mark.usefixtures("review_policy")
def test_review_mode_accepts_when_the_rep_decides_in_hubspot(world: World) -> None:
    invitation_id = refer(world)
    world.stack.process_queue_until_idle(timeout=90)
    (deal,) = deals_for(world, invitation_id)
    assert (deal["aws_invitation_status"], deal["aws_sync_status"]) == ("Pending review", "Pending")
    assert acceptances(world, invitation_id) == 0

    world.rep.update_deal(str(deal["id"]), aws_invitation_decision="Accept")  # → a signed webhook
    world.stack.process_queue_until_idle(timeout=90)
    (deal,) = deals_for(world, invitation_id)
    assert (deal["aws_invitation_status"], deal["aws_sync_status"]) == ("Accepted", "Synced")
    assert deal["aws_opportunity_id"]
    assert acceptances(world, invitation_id) == 1


@pytest.mark.usefixtures("review_policy")
def test_review_mode_rejects_with_the_reps_reason(world: World) -> None:
    invitation_id = refer(world)
    world.stack.process_queue_until_idle(timeout=90)
    (deal,) = deals_for(world, invitation_id)
    world.rep.update_deal(
        str(deal["id"]), aws_invitation_decision="Reject", aws_rejection_reason="Outside our region"
    )
    world.stack.process_queue_until_idle(timeout=90)

    invitation = world.stack.partner_central.control.read(
        "GetEngagementInvitation", Catalog=CATALOG, Identifier=invitation_id
    )
    assert (invitation["Status"], invitation["RejectionReason"]) == ("REJECTED", "Outside our region")
    (deal,) = deals_for(world, invitation_id)
    assert deal["aws_invitation_status"] == "Rejected"
    assert acceptances(world, invitation_id) == 0
