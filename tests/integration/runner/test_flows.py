"""The deployed wiring, played locally: HubSpot webhook → API → queue; Partner Central event → rule → queue;
queue → worker → DLQ; schedules."""

from __future__ import annotations

import itertools
import json
import time
from typing import TYPE_CHECKING, Any

import pytest
import urllib3

from cosell_local.runner import LocalStack
from cosell_local.runner.template import rate_seconds
from tests.support.cfn import load_template

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef

TEMPLATE = load_template("template.yaml")
RESOURCES = TEMPLATE["Resources"]
MAX_RECEIVES = RESOURCES["SyncQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"]
HTTP = urllib3.PoolManager()


def take_queued(stack: LocalStack) -> list[MessageTypeDef]:
    """Receive and delete everything on the sync queue."""
    sqs = stack.client("sqs")
    taken: list[MessageTypeDef] = []
    while batch := sqs.receive_message(
        QueueUrl=stack.sync_queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    ).get("Messages", []):
        taken.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=stack.sync_queue_url, ReceiptHandle=message["ReceiptHandle"])
    return taken


@pytest.fixture
def drained_stack(shared_stack: LocalStack) -> LocalStack:
    """The module's stack with an empty queue, for tests that need no fresh emulator state."""
    take_queued(shared_stack)
    return shared_stack


def create_deal_as_rep(stack: LocalStack, name: str) -> str:
    stack.hubspot.add_rep_token("rep-ada")
    response = HTTP.request(
        "POST",
        f"{stack.hubspot_url}/crm/v3/objects/deals",
        body=json.dumps({"properties": {"dealname": name, "amount": "5000"}}),
        headers={"Authorization": "Bearer rep-ada", "Content-Type": "application/json"},
    )
    assert response.status == 201, response.data
    deal_id: str = json.loads(response.data)["id"]
    return deal_id


def test_a_reps_new_deal_arrives_signed_through_the_api_as_one_queued_message(
    drained_stack: LocalStack,
) -> None:
    stack = drained_stack
    assert stack.hubspot.webhooks is not None
    deliveries_before = len(stack.hubspot.webhooks.deliveries)
    invocations_before = len(stack.invocations("WebhookFunction"))
    deal_id = create_deal_as_rep(stack, "Acme migration #AWS")
    assert stack.hubspot.webhooks.wait_idle()

    (delivery,) = stack.hubspot.webhooks.deliveries[deliveries_before:]
    assert delivery.status == 200  # the handler verified the v3 signature over the URL HubSpot called
    (invocation,) = stack.invocations("WebhookFunction")[invocations_before:]
    event: dict[str, Any] = invocation.event
    assert event["resource"] == event["path"] == "/hubspot/webhook"
    assert event["httpMethod"] == "POST"
    assert event["requestContext"]["path"] == "/v1/hubspot/webhook"
    assert event["requestContext"]["stage"] == "v1"
    assert event["headers"]["Host"] == stack.webhook_url.split("/")[2]
    assert event["multiValueHeaders"]["X-HubSpot-Signature-v3"] == [
        event["headers"]["X-HubSpot-Signature-v3"]
    ]
    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == delivery.events

    (message,) = take_queued(stack)
    body = json.loads(message["Body"])
    assert (body["subject"], body["object_id"]) == ("hubspot.deal", deal_id)
    assert {trigger["kind"] for trigger in body["triggers"]} >= {"deal.creation", "deal.propertyChange"}
    assert message["Attributes"]["MessageGroupId"] == f"hubspot.deal:{deal_id}"


def test_a_partner_central_event_reaches_the_queue_through_the_templates_rule(
    drained_stack: LocalStack,
) -> None:
    invitation = drained_stack.partner_central.control.create_opportunity_invitation(drained_stack.catalog)
    (message,) = take_queued(drained_stack)
    event = json.loads(message["Body"])
    assert event["source"] == "aws.partnercentral-selling"
    assert event["detail-type"] == "Engagement Invitation Created"
    assert invitation["Id"] in json.dumps(event["detail"])
    target = RESOURCES["PartnerCentralEventsRule"]["Properties"]["Targets"][0]
    assert message["Attributes"]["MessageGroupId"] == target["SqsParameters"]["MessageGroupId"]


def test_events_outside_the_rules_pattern_do_not_reach_the_queue(drained_stack: LocalStack) -> None:
    drained_stack.client("events").put_events(
        Entries=[{"Source": "aws.partnercentral-selling", "DetailType": "Something Else", "Detail": "{}"}]
    )
    assert take_queued(drained_stack) == []


def test_the_worker_gets_lambdas_event_and_an_unprocessable_message_ends_in_the_dlq(
    drained_stack: LocalStack,
) -> None:
    drained_stack.client("sqs").send_message(
        QueueUrl=drained_stack.sync_queue_url,
        MessageBody="not a sync request",
        MessageGroupId="hubspot.deal:1",
        MessageDeduplicationId="unprocessable",
    )
    run = drained_stack.process_queue_until_idle(timeout=10)
    assert [invocation.function for invocation in run.invocations] == ["WorkerFunction"] * MAX_RECEIVES
    assert all(not invocation.succeeded for invocation in run.invocations)  # every record failed: an error
    records = [invocation.event["Records"] for invocation in run.invocations]
    assert [batch[0]["attributes"]["ApproximateReceiveCount"] for batch in records] == [
        str(count) for count in range(1, MAX_RECEIVES + 1)
    ]
    assert "not a sync request" in [message["Body"] for message in drained_stack.dlq_messages()]


def test_the_invitation_poll_runs_on_demand_and_queues_pending_invitations(
    drained_stack: LocalStack,
) -> None:
    stack = drained_stack
    invitation = stack.partner_central.control.create_opportunity_invitation(stack.catalog)
    take_queued(stack)  # the rule's copy of the invitation event
    result = stack.run_schedule("InvitationPollFunction")
    assert result.succeeded, result.error
    queued = [json.loads(message["Body"]) for message in take_queued(stack)]
    assert result.response == {"queued": len(queued), "held_back": 0}
    assert ("partner_central.invitation", invitation["Id"]) in {
        (b["subject"], b["object_id"]) for b in queued
    }


def test_schedules_fire_at_the_templates_rate_compressed() -> None:
    schedule = RESOURCES["InvitationPollFunction"]["Properties"]["Events"]["Schedule"]["Properties"]
    assert schedule["ScheduleExpression"] == {"Ref": "InvitationPollRate"}
    period = rate_seconds(TEMPLATE["Parameters"]["InvitationPollRate"]["Default"])
    scale = period * 10  # every 0.1 s
    with LocalStack(poll_in_background=False, schedule_time_scale=scale) as stack:
        deadline = time.monotonic() + 10
        while len(stack.invocations("InvitationPollFunction")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        fired = stack.invocations("InvitationPollFunction")
    assert len(fired) >= 2
    assert all(invocation.succeeded for invocation in fired)
    gaps = [later.started_at - earlier.started_at for earlier, later in itertools.pairwise(fired)]
    assert min(gaps) >= period / scale


def test_unknown_routes_answer_like_api_gateway(drained_stack: LocalStack) -> None:
    invoked_before = len(drained_stack.invocations())
    base = drained_stack.webhook_url.removesuffix("/hubspot/webhook")
    for method, url in (
        ("POST", f"{base}/other"),
        ("GET", drained_stack.webhook_url),
        ("POST", f"{base}x/hubspot/webhook"),
    ):
        response = HTTP.request(method, url)
        assert response.status == 403
        assert json.loads(response.data) == {"message": "Missing Authentication Token"}
    assert len(drained_stack.invocations()) == invoked_before


def test_an_unsigned_request_gets_the_handlers_answer(drained_stack: LocalStack) -> None:
    response = HTTP.request(
        "POST", drained_stack.webhook_url, body=b"[]", headers={"Content-Type": "application/json"}
    )
    assert response.status == 401
    assert response.headers["Content-Type"] == "application/json"
    assert "signature" in json.loads(response.data)["message"].lower()


def test_with_the_background_poller_a_run_reports_what_it_processed_meanwhile() -> None:
    with LocalStack(queue_time_scale=1000, run_schedules=False) as stack:  # polls in the background
        deal_id = create_deal_as_rep(stack, "Background #AWS")
        run = stack.process_queue_until_idle(timeout=20)
        assert stack.process_queue_until_idle(timeout=5).batches == []  # nothing new since
    bodies = [json.loads(record["body"]) for i in run.invocations for record in i.event["Records"]]
    assert ("hubspot.deal", deal_id) in {(body["subject"], body["object_id"]) for body in bodies}
    assert {i.function for i in run.invocations} == {"WorkerFunction"}
