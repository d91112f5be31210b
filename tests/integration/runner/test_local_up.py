"""`cosell local up`: one JSON line on stdout when ready, every URL in it answers, a signal ends it cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from typing import Any

import boto3
import pytest
import urllib3

from cosell.hubspot.signature import sign_v3

COMMAND = [sys.executable, "-c", "import sys; from cosell.cli.main import main; sys.exit(main(sys.argv[1:]))"]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_local_up_prints_reachable_urls_and_stops_cleanly_on_a_signal(stop_signal: signal.Signals) -> None:
    process = subprocess.Popen(
        [*COMMAND, "local", "up", "--queue-time-scale", "1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert ready["catalog"] == "Sandbox"
        assert ready["webhook_url"].endswith("/v1/hubspot/webhook")

        deals = urllib3.request(
            "GET",
            f"{ready['hubspot_url']}/crm/v3/objects/deals",
            headers={"Authorization": f"Bearer {ready['hubspot_token']}"},
        )
        assert deals.status == 200
        credentials = {"region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
        partner_central = boto3.client(
            "partnercentral-selling", endpoint_url=ready["partner_central_url"], **credentials
        )
        assert partner_central.list_solutions(Catalog=ready["catalog"])["SolutionSummaries"]
        sqs = boto3.client("sqs", endpoint_url=ready["aws_endpoint_url"], **credentials)
        assert sqs.get_queue_url(QueueName=ready["sync_queue_url"].rsplit("/", 1)[1])["QueueUrl"]
        unsigned = urllib3.request("POST", ready["webhook_url"], body=b"[]")
        assert unsigned.status == 401  # the webhook function answered, and refused an unsigned delivery
    finally:
        process.send_signal(stop_signal)
        assert process.wait(timeout=15) == 0
    rest_of_stdout, logs = process.communicate()
    assert rest_of_stdout == ""  # the ready line was the only thing on stdout
    assert "webhook rejected" in logs  # the handler's log went to stderr


def _start(*arguments: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [*COMMAND, "local", "up", *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def test_a_parameter_override_runs_the_stack_with_that_template_setting() -> None:
    """Locally the coalescing window is 0; with the deployed 5 s, the worker holds a webhook's sync request
    back (invisible in the queue) for the window, then reconciles it."""
    process, ready = _start("--parameter-overrides", "CoalescingWindowSeconds=5", "ConflictStrategy=manual")
    try:
        credentials = {"region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
        sqs = boto3.client("sqs", endpoint_url=ready["aws_endpoint_url"], **credentials)
        queue = ready["sync_queue_url"]
        body = json.dumps(
            [{"eventId": 1, "subscriptionId": 1, "portalId": 1, "appId": 1, "attemptNumber": 0,
              "occurredAt": time.time_ns() // 1_000_000, "subscriptionType": "deal.creation", "objectId": 42,
              "changeFlag": "CREATED", "changeSource": "CRM"}]
        ).encode()  # fmt: skip
        stamp = str(time.time_ns() // 1_000_000)
        signature = sign_v3(ready["hubspot_webhook_secret"], "POST", ready["webhook_url"], body, stamp)
        answer = urllib3.request(
            "POST",
            ready["webhook_url"],
            body=body,
            headers={
                "Content-Type": "application/json",
                "X-HubSpot-Signature-v3": signature,
                "X-HubSpot-Request-Timestamp": stamp,
            },
        )
        assert (answer.status, json.loads(answer.data)) == (200, {"queued": 1})
        queued_at = time.monotonic()

        def in_queue() -> tuple[int, int]:
            names: Any = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=names)["Attributes"]
            return int(counts[names[0]]), int(counts[names[1]])

        time.sleep(3)
        assert in_queue() == (0, 1)  # received by the worker and held back, not reconciled yet
        while in_queue() != (0, 0) and time.monotonic() - queued_at < 30:
            time.sleep(0.5)
        assert in_queue() == (0, 0)  # reconciled (deal 42 is not in HubSpot: nothing to sync)
        assert time.monotonic() - queued_at >= 5
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        process.communicate()


def test_a_parameter_cloudformation_would_refuse_stops_local_up_naming_it() -> None:
    result = subprocess.run(
        [*COMMAND, "local", "up", "--parameter-overrides", "CoalescingWindowSeconds=901", "NoSuchThing=1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "CoalescingWindowSeconds='901': must be at most" in result.stderr
    assert "NoSuchThing: not a parameter of the template" in result.stderr
    assert result.stdout == ""
