"""The Lambda handlers against moto's server: what they queue, what they refuse, what they log."""

from __future__ import annotations

import base64
import importlib
import io
import json
import logging
import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cosell.handlers import invitation_poll, runtime, webhook, worker
from cosell.hubspot.signature import sign_v3
from cosell.sync.batch import BatchFailedError
from tests.integration.sync_world import create_state_table
from tests.support.lambda_context import FakeLambdaContext

if TYPE_CHECKING:
    from collections.abc import Iterator

WEBHOOK_SECRET = "webhook-client-secret-abcdef"
ACCESS_TOKEN = "pat-na1-0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7"
HOST = "abc123.execute-api.us-east-1.amazonaws.com"
PATH = "/v1/hubspot/webhook"
CUSTOMER_EMAIL = "jane.doe@customer-example.com"
CUSTOMER_PHONE = "+1 415-555-0134"


@pytest.fixture
def handler_env(fifo_queue: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", ACCESS_TOKEN)
    monkeypatch.setenv("HUBSPOT_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("SYNC_QUEUE_URL", fifo_queue)
    monkeypatch.setenv("STATE_TABLE_NAME", "cosell-test")
    monkeypatch.setenv("AUDIT_TABLE_NAME", "cosell-test-audit")
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")  # log whole events: the worst case for leaks
    runtime.reset()
    yield fifo_queue
    runtime.reset()


def api_event(body: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> dict[str, Any]:
    stamp = str(timestamp if timestamp is not None else time.time_ns() // 1_000_000)
    return {
        "resource": "/hubspot/webhook",
        "path": "/hubspot/webhook",
        "httpMethod": "POST",
        "headers": {
            "Host": HOST,
            "Content-Type": "application/json",
            "Authorization": f"Bearer {ACCESS_TOKEN}",
            "X-HubSpot-Signature-v3": sign_v3(secret, "POST", f"https://{HOST}{PATH}", body.encode(), stamp),
            "X-HubSpot-Request-Timestamp": stamp,
        },
        "requestContext": {"path": PATH, "requestId": "req-123", "stage": "v1", "httpMethod": "POST"},
        "body": body,
        "isBase64Encoded": False,
    }


def deal_events(*object_ids: int, object_type: str = "deal") -> str:
    return json.dumps(
        [
            {
                "eventId": 1000 + index,
                "subscriptionId": 7,
                "portalId": 48975575,
                "appId": 39522895,
                "occurredAt": 1782371972438 + index,
                "subscriptionType": f"{object_type}.propertyChange",
                "propertyName": "amount",
                "propertyValue": "2000",
                "changeSource": "CRM_UI",
                "objectId": object_id,
            }
            for index, object_id in enumerate(object_ids)
        ]
    )


def drain(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["MessageGroupId"], WaitTimeSeconds=0
        ).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_signed_delivery_is_queued_one_message_per_object(handler_env: str) -> None:
    response = webhook.handler(api_event(deal_events(11, 22, 11)), FakeLambdaContext())
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"queued": 2}
    messages = drain(handler_env)
    assert sorted(m["Attributes"]["MessageGroupId"] for m in messages) == [
        "hubspot.deal:11",
        "hubspot.deal:22",
    ]


def test_redelivered_batch_is_deduplicated_by_the_queue(handler_env: str) -> None:
    body = deal_events(33)
    for _ in range(3):
        assert webhook.handler(api_event(body), FakeLambdaContext())["statusCode"] == 200
    assert len(drain(handler_env)) == 1


@pytest.mark.parametrize(
    ("event_changes", "status", "reason"),
    [
        ({"secret": "someone-else"}, 401, "signature does not match"),
        ({"timestamp": 1_000_000_000_000}, 401, "older than 5 minutes"),
    ],
)
def test_unauthenticated_delivery_is_refused_and_nothing_queued(
    handler_env: str, event_changes: dict[str, Any], status: int, reason: str
) -> None:
    response = webhook.handler(api_event(deal_events(44), **event_changes), FakeLambdaContext())
    assert response["statusCode"] == status
    assert reason in json.loads(response["body"])["message"]
    assert drain(handler_env) == []


def test_missing_signature_is_401(handler_env: str) -> None:
    event = api_event(deal_events(45))
    del event["headers"]["X-HubSpot-Signature-v3"]
    assert webhook.handler(event, FakeLambdaContext())["statusCode"] == 401


def test_malformed_body_is_400_and_nothing_queued(handler_env: str) -> None:
    response = webhook.handler(api_event('{"not": "an array"}'), FakeLambdaContext())
    assert response["statusCode"] == 400
    assert "not a HubSpot webhook delivery" in json.loads(response["body"])["message"]
    assert drain(handler_env) == []


# --- the webhook function: any headers and body bytes give a 2xx, a 400 or a 401, never an exception ------

header_text = st.text(max_size=40)
signature_headers = st.fixed_dictionaries(
    {},
    optional={
        "X-HubSpot-Signature-v3": header_text,
        "X-HubSpot-Request-Timestamp": header_text | st.integers().map(str),
        "x-hubspot-request-timestamp": header_text,
        "Host": header_text,
    },
)
any_body = st.binary(max_size=300) | st.lists(
    st.fixed_dictionaries(
        {"subscriptionType": st.sampled_from(["deal.creation", "contact.deletion", "x"])},
        optional={
            "objectId": st.integers() | header_text,
            "eventId": st.integers(),
            "occurredAt": st.integers(),
        },
    ),
    max_size=3,
).map(lambda events: json.dumps(events).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    headers=st.none() | st.dictionaries(header_text, header_text, max_size=3),
    extra=signature_headers,
    body=any_body,
    encoding=st.sampled_from(["text", "base64", "not base64"]),
    signed=st.booleans(),
)
def test_any_headers_and_body_bytes_are_answered_2xx_400_or_401_never_an_exception(
    handler_env: str,
    headers: dict[str, str] | None,
    extra: dict[str, str],
    body: bytes,
    encoding: str,
    signed: bool,
) -> None:
    event = api_event("")
    text = body.decode("utf-8", "replace")  # API Gateway hands a text body over as text
    event["body"] = {"text": text, "base64": base64.b64encode(body).decode(), "not base64": text + "%"}[
        encoding
    ]
    event["isBase64Encoded"] = encoding != "text"
    event["headers"] = None if headers is None else {**headers, **extra}
    if signed:  # past the signature, so the body is read
        stamp = str(time.time_ns() // 1_000_000)
        raw = text.encode() if encoding == "text" else body
        signature = sign_v3(WEBHOOK_SECRET, "POST", f"https://{HOST}{PATH}", raw, stamp)
        event["headers"] = {
            "Host": HOST,
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": stamp,
        }

    response = webhook.handler(event, FakeLambdaContext())

    assert response["statusCode"] in (200, 400, 401), response
    answer = json.loads(response["body"])
    assert answer.get("message") if response["statusCode"] != 200 else "queued" in answer


def test_logs_carry_no_token_signature_or_personal_data(handler_env: str) -> None:
    # Powertools reads POWERTOOLS_LOGGER_LOG_EVENT when the handler is decorated: re-import to log whole events.
    logging_webhook = importlib.reload(webhook)
    output = io.StringIO()
    handler = runtime.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    original_stream = handler.setStream(output)
    body = json.dumps(
        [
            {
                "eventId": 1,
                "subscriptionId": 2,
                "portalId": 3,
                "occurredAt": 1782371972438,
                "subscriptionType": "contact.propertyChange",
                "propertyName": "email",
                "propertyValue": CUSTOMER_EMAIL,
                "objectId": 55,
                "note": f"call {CUSTOMER_PHONE} with token {ACCESS_TOKEN}",
            }
        ]
    )
    event = api_event(body)
    signature = event["headers"]["X-HubSpot-Signature-v3"]
    assert logging_webhook.handler(event, FakeLambdaContext())["statusCode"] == 200
    assert logging_webhook.handler(api_event(body, secret="wrong"), FakeLambdaContext())["statusCode"] == 401

    handler.setStream(original_stream)
    logged = output.getvalue()
    # The handler did log, as JSON lines, including the whole incoming event (headers and body).
    for expected in (
        "webhook queued",
        "webhook rejected",
        "X-HubSpot-Request-Timestamp",
        "contact.propertyChange",
    ):
        assert expected in logged
    for line in logged.strip().splitlines():
        json.loads(line)
    for secret in (ACCESS_TOKEN, WEBHOOK_SECRET, signature, CUSTOMER_EMAIL, CUSTOMER_PHONE, "415-555-0134"):
        assert secret not in logged


def test_a_queue_that_refuses_the_delivery_is_503_so_hubspot_retries_and_the_log_says_why(
    handler_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQS refusing the whole call (here: the queue is gone; in a stack, a policy or KMS key change) is the
    webhook's 503 and its `webhook not queued` line, not a crash API Gateway turns into a bare 502."""
    monkeypatch.setenv("SYNC_QUEUE_URL", handler_env.rsplit("/", 1)[0] + "/deleted-queue.fifo")
    runtime.reset()
    output = io.StringIO()
    handler = runtime.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    original_stream = handler.setStream(output)
    try:
        response = webhook.handler(api_event(deal_events(7)), FakeLambdaContext())
    finally:
        handler.setStream(original_stream)
    assert response["statusCode"] == 503
    assert json.loads(response["body"]) == {"message": "temporarily unable to queue the delivery"}
    (line,) = [json.loads(line) for line in output.getvalue().splitlines() if "webhook not queued" in line]
    assert line["reason"].startswith("1 sync request(s) not queued: AWS.SimpleQueueService.NonExistentQueue")
    assert drain(handler_env) == []


def sqs_record(message_id: str, body: str, group: str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": body,
        "attributes": {"MessageGroupId": group},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
    }


def test_worker_reports_a_failing_message_and_skips_the_rest_of_its_group(handler_env: str) -> None:
    """FIFO order per object: after a failure, that group's later messages are returned unprocessed."""
    opportunity_event = json.dumps(
        {"detail-type": "Engagement Updated", "source": "aws.partnercentral-selling", "time": "2026-11-29T12:00:00Z",
         "detail": {"catalog": "Sandbox", "engagement": {"id": "eng-1"}}}
    )  # fmt: skip
    records = [
        sqs_record("bad", "this is not a sync request", "hubspot.deal:1"),
        sqs_record("after-bad", opportunity_event, "hubspot.deal:1"),
        sqs_record("other-group", opportunity_event, "partner-central-events"),
    ]
    result = worker.handler({"Records": records}, FakeLambdaContext())
    assert {failure["itemIdentifier"] for failure in result["batchItemFailures"]} == {"bad", "after-bad"}


def test_worker_fails_a_batch_of_unreadable_messages_so_nothing_is_lost(handler_env: str) -> None:
    records = [sqs_record(str(i), "{}", f"group-{i}") for i in range(3)]
    # A batch in which every message fails is an invocation error: SQS keeps every message for redelivery and,
    # after maxReceiveCount, moves it to the DLQ.
    with pytest.raises(BatchFailedError, match="all 3 message") as raised:
        worker.handler({"Records": records}, FakeLambdaContext())
    assert "validation error" in str(raised.value)


def test_invitation_poll_needs_partner_central(handler_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a reachable Partner Central the poll fails loudly (the scheduler retries), queueing nothing."""
    create_state_table("cosell-test")  # the poll's read pacer keeps its slot there
    monkeypatch.setenv("AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(Exception, match=r"Could not connect"):
        invitation_poll.handler({}, FakeLambdaContext())
    assert drain(handler_env) == []


def test_worker_forwards_partner_central_events_to_their_own_group_and_acknowledges_others(
    handler_env: str,
) -> None:
    invitation_event = json.dumps(
        {"id": "ev-1", "detail-type": "Engagement Invitation Created", "source": "aws.partnercentral-selling",
         "time": "2026-11-29T12:00:00Z",
         "detail": {"catalog": "Sandbox", "engagementInvitation": {"id": "engi-abc", "engagementId": "eng-1"}}}
    )  # fmt: skip
    snapshot_event = json.dumps(
        {"id": "ev-2", "detail-type": "Engagement Resource Snapshot Created", "source": "aws.partnercentral-selling",
         "time": "2026-11-29T12:00:01Z", "detail": {"catalog": "Sandbox", "resourceSnapshot": {"arn": "x"}}}
    )  # fmt: skip
    records = [
        sqs_record("invitation", invitation_event, "partner-central-events"),
        sqs_record("snapshot", snapshot_event, "partner-central-events"),
    ]
    assert worker.handler({"Records": records}, FakeLambdaContext())["batchItemFailures"] == []
    (forwarded,) = drain(handler_env)
    assert forwarded["Attributes"]["MessageGroupId"] == "partner_central.invitation:engi-abc"
    assert json.loads(forwarded["Body"])["triggers"][0]["kind"] == "Engagement Invitation Created"
