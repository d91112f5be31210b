"""Notifications for the rep, through the use cases against both emulators: one task and one note per change
AWS makes, at the priority the score gives, never two for one change (tests/e2e/test_notifications.py runs
them through the handlers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import urllib3

from cosell.hubspot.models import SearchFilter
from cosell.queue.messages import Subject
from cosell.sync.aws_summary.check import queue_notification_checks
from cosell.sync.deals.push import push_deal
from cosell.sync.referrals.outcomes import TakeOutcome
from cosell.sync.referrals.take import take_invitation
from cosell.sync.schedules.held import settle_held
from tests.integration.sync_world import CATALOG, OWNER_ID, TOKEN, WorkerClock, make_world

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.sync_world import SyncWorld

USE_CASE = "Business Intelligence & Data Warehouse"


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    for running in make_world(f"notify-{abs(hash(request.node.nodeid)) % 10**8}"):
        running.partner_central_emulator.control.set_task_delay(0)
        yield running


def submitted(world: SyncWorld) -> tuple[str, str]:
    deal_id = world.create_deal(aws_customer_use_case=USE_CASE)
    push_deal(deal_id, world.ports())
    (summary,) = world.opportunities()
    world.rep.update_deal(deal_id, {"aws_involvement_type": "Co-Sell", "aws_solution_ids": "S-1234567"})
    push_deal(deal_id, world.ports())
    return deal_id, summary["Id"]


def tasks(world: SyncWorld, deal_id: str) -> list[dict[str, Any]]:
    names = "hs_task_subject,hs_task_body,hs_task_priority,hs_timestamp,hubspot_owner_id"
    found = []
    for association in world.hubspot.list_associations("deals", deal_id, "tasks"):
        url = f"{world.hubspot_emulator.base_url}/crm/v3/objects/tasks/{association.to_object_id}?properties={names}"
        answer = urllib3.request("GET", url, headers={"Authorization": f"Bearer {TOKEN}"})
        if answer.status == 429:  # the emulator's rate window: let it pass, as the client's back-off does
            world.hubspot_emulator.advance_clock(10)
            answer = urllib3.request("GET", url, headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status == 200, answer.data
        found.append(json.loads(answer.data)["properties"])
    return found


def summary(world: SyncWorld, opportunity_id: str, score: int, sellers: tuple[str, ...] = ("Sam",)) -> None:
    world.partner_central_emulator.control.set_aws_summary(
        CATALOG,
        opportunity_id,
        {
            "Insights": {"OpportunityQuality": {"Score": score}},
            "OpportunityTeam": [{"FirstName": name, "BusinessTitle": "AWSSalesRep"} for name in sellers],
        },
    )


def test_each_change_aws_makes_is_one_task_and_one_note_at_the_priority_its_score_gives(
    world: SyncWorld,
) -> None:
    deal_id, opportunity_id = submitted(world)
    summary(world, opportunity_id, 60)
    push_deal(deal_id, world.ports())
    # AWS's first score is no move; its first seller is news (the deal showed AWS's empty summary before).
    (assigned,) = tasks(world, deal_id)
    assert assigned["hs_task_subject"].startswith("AWS seller assigned")

    summary(world, opportunity_id, 78)
    push_deal(deal_id, world.ports())
    push_deal(deal_id, world.ports())  # the same event again: nothing more
    (moved,) = [t for t in tasks(world, deal_id) if "quality score" in t["hs_task_subject"]]
    assert moved["hs_task_subject"].startswith("AWS quality score up to 78")
    assert moved["hs_task_priority"] == "MEDIUM"
    assert moved["hubspot_owner_id"] == OWNER_ID

    summary(world, opportunity_id, 82)
    push_deal(deal_id, world.ports())
    assert len(tasks(world, deal_id)) == 2  # moved 4: nothing from the score rule

    world.partner_central_emulator.control.set_review_status(CATALOG, opportunity_id, "Approved")
    push_deal(deal_id, world.ports())
    approved = [t for t in tasks(world, deal_id) if "Approved" in t["hs_task_subject"]]
    assert len(approved) == 1
    assert approved[0]["hs_task_priority"] == "HIGH"  # the score is 82: high priority, due within a day
    due = datetime.fromisoformat(approved[0]["hs_timestamp"].replace("Z", "+00:00"))
    assert due - datetime.now(UTC) < timedelta(hours=25)

    summary(world, opportunity_id, 82, sellers=("Sam", "Kim"))
    push_deal(deal_id, world.ports())
    assert len([t for t in tasks(world, deal_id) if "seller" in t["hs_task_subject"]]) == 2  # Sam, then Kim
    notes = world.hubspot.list_associations("deals", deal_id, "notes")
    assert len(notes) == len(tasks(world, deal_id)) == 4
    assert sum(record.action.value == "notify" for record in world.audit.records) == 4


def test_the_notifications_check_brings_a_referral_waiting_for_the_rep_to_its_expiry_task(
    world: SyncWorld,
) -> None:
    """Nothing happens on a referral the rep leaves waiting; the check reconciles it as its expiry comes close."""
    expires = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    waiting = world.partner_central_emulator.control.create_opportunity_invitation(
        CATALOG, {"ExpirationDate": expires}
    )
    clock = WorkerClock()
    ports = world.referral_ports("review", clock=clock)
    assert take_invitation(waiting["Id"], ports) is TakeOutcome.REVIEW_DEAL_CREATED
    accepted = world.partner_central_emulator.control.create_opportunity_invitation(CATALOG, {})
    assert (
        take_invitation(accepted["Id"], world.referral_ports("auto")) is not TakeOutcome.REVIEW_DEAL_CREATED
    )
    (deal,) = world.hubspot.find_deals(
        [[SearchFilter(property_name="aws_invitation_id", operator="EQ", value=waiting["Id"])]]
    )

    def expiry_tasks() -> list[dict[str, Any]]:
        return [t for t in tasks(world, deal.id) if t["hs_task_subject"].startswith("AWS referral expires")]

    assert queue_notification_checks(ports, "check-1") == 1  # the waiting referral, not the accepted one
    # (The accepted referral queued its engagement when its deal was made.)
    (request,) = [r for r in world.queued.requests if r.subject is not Subject.ENGAGEMENT]
    assert (request.subject, request.object_id, request.catalog) == (
        Subject.INVITATION,
        waiting["Id"],
        CATALOG,
    )
    assert request.triggers[0].kind == "notifications check"
    assert queue_notification_checks(ports, "check-1b") == 0  # the referral's request waits for the worker
    assert take_invitation(waiting["Id"], ports) is TakeOutcome.AWAITING_DECISION
    settle_held(request, ports)  # the worker's part, once it reconciled the request (cosell.sync.batch)
    assert expiry_tasks() == []  # five days away: outside the 48 h window

    clock.advance(timedelta(days=4).total_seconds())  # a day before the expiry, the check runs again
    assert queue_notification_checks(ports, "check-2") == 1
    assert take_invitation(waiting["Id"], ports) is TakeOutcome.AWAITING_DECISION
    (task,) = expiry_tasks()
    assert task["hs_task_priority"] == "HIGH"


def test_a_referral_waiting_for_the_reps_decision_that_expires_soon_is_one_high_priority_task(
    world: SyncWorld,
) -> None:
    expires = (datetime.now(UTC) + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    invitation = world.partner_central_emulator.control.create_opportunity_invitation(
        CATALOG, {"ExpirationDate": expires}
    )
    ports = world.referral_ports("review")
    assert take_invitation(invitation["Id"], ports) is TakeOutcome.REVIEW_DEAL_CREATED
    (deal,) = world.hubspot.find_deals(
        [[SearchFilter(property_name="aws_invitation_id", operator="EQ", value=invitation["Id"])]]
    )
    for _ in range(3):  # the poll, every few minutes
        assert take_invitation(invitation["Id"], ports) is TakeOutcome.AWAITING_DECISION
    expiring = [t for t in tasks(world, deal.id) if t["hs_task_subject"].startswith("AWS referral expires")]
    assert len(expiring) == 1
    assert expiring[0]["hs_task_priority"] == "HIGH"
