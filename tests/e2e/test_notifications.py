"""Notifications end to end, through the real handlers on the local stack: AWS (the emulator's control API)
changes what it says; the rep gets one task and one note per change in HubSpot, and the SNS topic (moto) one
message, however often the events come and the schedule runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from cosell.handlers import runtime
from cosell.hubspot.models import SearchFilter
from tests.e2e.conftest import World, running_stack

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from cosell_local.runner import LocalStack

TOPIC = "cosell-notifications"
TOPIC_ARN = f"arn:aws:sns:us-east-1:123456789012:{TOPIC}"  # moto's account and the stack's region
USE_CASE = "Business Intelligence & Data Warehouse"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    yield from running_stack(
        {
            "NotificationTopicArn": TOPIC_ARN,
            "EngagementScoreThreshold": "15",
            "HighEngagementScore": "80",
            "NotificationRules": json.dumps({"disabled": ["submission-failed"]}),
        }
    )


@pytest.fixture(scope="module")
def topic_messages(stack: LocalStack) -> Callable[[], list[dict[str, Any]]]:
    """What the SNS topic received, through an SQS queue subscribed to it."""
    sns, sqs = stack.client("sns"), stack.client("sqs")
    assert sns.create_topic(Name=TOPIC)["TopicArn"] == TOPIC_ARN
    queue_url = sqs.create_queue(QueueName="notifications-seen")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=TOPIC_ARN, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    received: list[dict[str, Any]] = []

    def drain() -> list[dict[str, Any]]:
        while True:
            batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
                "Messages", []
            )
            if not batch:
                return received
            for message in batch:
                received.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    return drain


@pytest.fixture
def world(stack: LocalStack, topic_messages: Callable[[], list[dict[str, Any]]]) -> World:
    stack.process_queue_until_idle(timeout=60)
    return World(stack)


def tasks(world: World, deal_id: str) -> list[dict[str, Any]]:
    return world.timeline(deal_id, "tasks", "hs_task_subject,hs_task_body,hs_task_priority,hs_timestamp")


def aws_says(world: World, opportunity_id: str, score: int, sellers: tuple[str, ...] = ("Sam",)) -> None:
    """AWS changes its summary; the schedule (and any event) brings it to the deal."""
    world.stack.partner_central.control.set_aws_summary(
        world.stack.catalog,
        opportunity_id,
        {
            "Insights": {"EngagementScore": "High", "OpportunityQuality": {"Score": score, "Trend": "Up"}},
            "OpportunityTeam": [{"FirstName": name, "BusinessTitle": "AWSSalesRep"} for name in sellers],
        },
    )
    assert world.stack.run_schedule("AwsSummaryFunction").succeeded
    world.settle()


def review(world: World, deal_id: str, opportunity_id: str, status: str, comments: str | None = None) -> None:
    """AWS's review moves on; its event brings it to the deal."""
    world.stack.partner_central.control.set_review_status(
        world.stack.catalog, opportunity_id, status, review_comments=comments
    )
    world.until(
        lambda: world.integration.get_deal(deal_id, ["aws_review_status"]).get("aws_review_status") == status,
    )


def test_one_task_and_note_per_change_at_the_priority_the_score_gives_and_one_sns_message_each(
    world: World, topic_messages: Callable[[], list[dict[str, Any]]]
) -> None:
    deal_id, opportunity_id = world.submitted_deal("Contoso warehouse #AWS", USE_CASE)
    aws_says(world, opportunity_id, 60)
    shown = world.integration.get_deal(deal_id, ["aws_quality_score", "aws_sellers"]).properties
    assert (shown["aws_quality_score"], shown["aws_sellers"]) == ("60", "Sam (AWSSalesRep)")
    # AWS's first score is no move; its first seller is news (the deal showed AWS's empty summary before).
    (assigned,) = tasks(world, deal_id)
    assert assigned["hs_task_subject"].startswith("AWS seller assigned")

    aws_says(world, opportunity_id, 78)
    (moved,) = [t for t in tasks(world, deal_id) if "quality score" in t["hs_task_subject"]]
    assert moved["hs_task_subject"].startswith("AWS quality score up to 78")
    assert moved["hs_task_priority"] == "MEDIUM"
    now = datetime.now(UTC)
    due = datetime.fromisoformat(moved["hs_timestamp"].replace("Z", "+00:00"))
    assert timedelta(days=3, minutes=-1) <= due - now <= timedelta(days=5, hours=1)  # three business days

    aws_says(world, opportunity_id, 82)
    assert len(tasks(world, deal_id)) == 2  # moved 4: nothing; but 82 makes what follows high priority

    review(world, deal_id, opportunity_id, "Approved")
    review(world, deal_id, opportunity_id, "Action Required", "Confirm the customer's address")
    review(world, deal_id, opportunity_id, "Rejected")
    aws_says(world, opportunity_id, 82, sellers=("Sam", "Kim"))
    subjects = [task["hs_task_subject"] for task in tasks(world, deal_id)]
    expected = {
        "AWS review: Approved": 1,
        "AWS review: Action Required": 1,
        "AWS review: Rejected": 1,
        "AWS seller assigned": 2,  # Sam, then Kim
    }
    for start, count in expected.items():
        assert sum(subject.startswith(start) for subject in subjects) == count, subjects
    action_required = next(t for t in tasks(world, deal_id) if "Action Required" in t["hs_task_subject"])
    assert "Confirm the customer's address" in action_required["hs_task_body"]
    assert action_required["hs_task_priority"] == "HIGH"
    due = datetime.fromisoformat(action_required["hs_timestamp"].replace("Z", "+00:00"))
    assert due - datetime.now(UTC) <= timedelta(hours=24)

    # Redelivered events and repeated schedule runs add none.
    before = len(tasks(world, deal_id))
    for _ in range(2):
        assert world.stack.run_schedule("AwsSummaryFunction").succeeded
        assert world.stack.run_schedule("SweepFunction").succeeded
        world.settle()
    assert len(tasks(world, deal_id)) == before == 6
    notes = world.integration.list_associations("deals", deal_id, "notes")
    assert len(notes) == 6  # one per notification

    messages = [m for m in topic_messages() if m["deal_id"] == deal_id]
    assert len(messages) == 6
    assert set(messages[0]) == {
        "version", "rule", "key", "catalog", "opportunity_id", "deal_id", "subject", "body", "high_priority",
        "invitation_id", "due", "at",
    }  # fmt: skip
    rules = sorted(m["rule"] for m in messages)
    assert rules == ["review", "review", "review", "score-moved", "seller", "seller"]
    assert len({m["key"] for m in messages}) == 6


def test_a_rule_switched_off_fires_nothing(
    world: World, topic_messages: Callable[[], list[dict[str, Any]]]
) -> None:
    # AWS needs the renewed opportunity of a Flat Renewal, which this deal does not name: the submission fails.
    deal_id, _ = world.submitted_deal("Contoso renewal #AWS", USE_CASE, aws_opportunity_type="Flat Renewal")
    status = world.integration.get_deal(deal_id, ["aws_submission_status"]).get("aws_submission_status")
    assert status == "Failed"
    assert tasks(world, deal_id) == []  # submission-failed is switched off on this stack
    assert [m for m in topic_messages() if m["deal_id"] == deal_id] == []


def test_the_notifications_check_tells_the_rep_once_of_a_referral_about_to_expire(
    world: World, topic_messages: Callable[[], list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def redeploy(**settings: str) -> None:
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        runtime.reset()  # the functions read their settings again, as a redeploy would make them

    # 60 h away: outside the default 48 h window while the deal is made (and its own webhook comes back).
    expires = (datetime.now(UTC) + timedelta(hours=60)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    redeploy(INVITATION_POLICY="review")
    try:
        invitation = world.stack.partner_central.control.create_opportunity_invitation(
            world.stack.catalog, {"ExpirationDate": expires}
        )
        world.settle()
        (deal,) = world.integration.find_deals(
            [[SearchFilter(property_name="aws_invitation_id", operator="EQ", value=str(invitation["Id"]))]]
        )

        def expiry_tasks() -> list[dict[str, Any]]:
            return [
                t for t in tasks(world, deal.id) if t["hs_task_subject"].startswith("AWS referral expires")
            ]

        assert expiry_tasks() == []
        # The operator widens the window to 72 h: only the check reconciles the referral (no event, no poll here).
        rules = {"disabled": ["submission-failed"], "referral_expiring_within_hours": 72}
        redeploy(NOTIFICATION_RULES=json.dumps(rules))
        for _ in range(2):  # the schedule, every 30 minutes
            check = world.stack.run_schedule("NotificationCheckFunction")
            assert check.succeeded, check.error
            assert check.response == {"queued": 1}  # the one referral waiting for the rep
            world.settle()
        (task,) = expiry_tasks()
        assert task["hs_task_priority"] == "HIGH"
        (message,) = [m for m in topic_messages() if m["invitation_id"] == invitation["Id"]]
        assert message["rule"] == "referral-expiring"

        redeploy(NOTIFICATION_RULES=json.dumps({"disabled": ["submission-failed", "referral-expiring"]}))
        assert world.stack.run_schedule("NotificationCheckFunction").response == {"queued": 0}
    finally:
        monkeypatch.undo()
        runtime.reset()


@pytest.mark.parametrize("function", ["AwsSummaryFunction", "NotificationCheckFunction", "SweepFunction"])
def test_a_malformed_notification_rules_stops_the_start_naming_it(
    world: World, monkeypatch: pytest.MonkeyPatch, function: str
) -> None:
    monkeypatch.setenv("NOTIFICATION_RULES", json.dumps({"disabled": ["score-moves"]}))
    runtime.reset()
    try:
        failed = world.stack.run_schedule(function)
    finally:
        monkeypatch.undo()
        runtime.reset()
    assert not failed.succeeded
    assert "NOTIFICATION_RULES.DISABLED.0" in str(failed.error)
    assert "score-moves" in str(failed.error)
