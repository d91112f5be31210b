"""Issue 6 end to end: the scheduled poll over 260 pending referrals pages correctly and stays within
Partner Central's read quota, through the handler template.yaml schedules."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from cosell.handlers import runtime
from cosell_local.partner_central import EmulatorConfig
from cosell_local.runner import LocalStack

if TYPE_CHECKING:
    from collections.abc import Iterator

REFERRALS = 260
CATALOG = "Sandbox"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # No event routing: only the poll queues anything, so the queue shows exactly what it found.
    with LocalStack(
        poll_in_background=False,
        run_schedules=False,
        route_partner_central_events=False,
        partner_central=EmulatorConfig(tick_seconds=0),
    ) as running:
        yield running


def test_the_poll_queues_every_pending_referral_once_within_the_read_quota(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    control = stack.partner_central.control
    invitations = {str(control.create_opportunity_invitation(CATALOG)["Id"]) for _ in range(REFERRALS)}
    # The quota scaled down to 2 reads per second, and the functions' read pace set under it: three pages
    # sent back to back would be throttled, paced they are not.
    control.configure_quotas(enabled=True, scale=0.2)
    monkeypatch.setenv("PARTNER_CENTRAL_READS_PER_SECOND", "1.5")
    runtime.reset()
    control.clear_calls()

    invocation = stack.run_schedule("InvitationPollFunction")
    again = stack.run_schedule("InvitationPollFunction")  # the next run, while they wait in the queue
    runtime.reset()

    assert invocation.succeeded, invocation.error
    assert invocation.response == {"queued": REFERRALS, "held_back": 0}
    assert again.response == {"queued": 0, "held_back": REFERRALS}
    listed = control.calls("ListEngagementInvitations")
    assert len(listed) == 6  # pages of 100, in each run
    assert all(call["Error"] is None for call in listed)  # never throttled

    sqs = stack.client("sqs")
    queued: list[str] = []
    while True:
        batch = sqs.receive_message(QueueUrl=stack.sync_queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            break
        queued += [json.loads(message["Body"])["object_id"] for message in batch]
        sqs.delete_message_batch(
            QueueUrl=stack.sync_queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    assert sorted(queued) == sorted(invitations)
