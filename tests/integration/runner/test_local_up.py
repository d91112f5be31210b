"""`cosell local up`: one JSON line on stdout when ready, every URL in it answers, a signal ends it cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import urllib3

from cosell.hubspot.signature import sign_v3
from cosell_local.demo.rep import REP_OWNER_ID, REP_TOKEN, Rep

if TYPE_CHECKING:
    from pathlib import Path

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


def _start(*arguments: str, logs: Path | None = None) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`logs`: a file for stderr, for a stack that logs more than a pipe holds while nobody reads it."""
    stderr = subprocess.PIPE if logs is None else logs.open("a")
    process = subprocess.Popen(
        [*COMMAND, "local", "up", *arguments], stdout=subprocess.PIPE, stderr=stderr, text=True
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


def _rep_on(ready: dict[str, str]) -> Rep:
    """The rep's token given to the emulator over its control API (tokens are arguments, not state)."""
    answer = urllib3.request(
        "POST",
        f"{ready['hubspot_url']}/_emulator/rep-tokens",
        body=json.dumps({"token": REP_TOKEN, "ownerId": REP_OWNER_ID}).encode(),
    )
    assert answer.status == 204, answer.data
    return Rep(ready["hubspot_url"])


def _opportunities_by_deal(ready: dict[str, str]) -> dict[str, list[str]]:
    """Every opportunity on the emulator, by the deal it names (read through the control API: no quota)."""
    answer = urllib3.request(
        "POST",
        f"{ready['partner_central_url']}/_emulator/opportunities",
        body=json.dumps({"catalog": ready["catalog"]}).encode(),
    )
    assert answer.status == 200, answer.data
    found: dict[str, list[str]] = {}
    for opportunity in json.loads(answer.data):
        found.setdefault(opportunity.get("PartnerOpportunityIdentifier", ""), []).append(opportunity["Id"])
    return found


def _linked_opportunity(ready: dict[str, str], deal: str, integration: dict[str, str]) -> str | None:
    answer = urllib3.request(
        "GET",
        f"{ready['hubspot_url']}/crm/v3/objects/deals/{deal}?properties=aws_opportunity_id",
        headers=integration,
    )
    linked: str | None = json.loads(answer.data)["properties"].get("aws_opportunity_id")
    return linked


def test_a_stack_killed_and_restarted_on_its_state_dir_syncs_every_deal_once(tmp_path: Path) -> None:
    """SIGKILL mid-sync (deals made, some opportunities created, queue messages in flight), then `local up`
    again on the same directory: every deal ends with exactly one opportunity, nothing made twice."""
    state = ["--state-dir", str(tmp_path / "state"), "--queue-time-scale", "100", "--partner-central-clock-scale", "10",
             "--hubspot-time-scale", "20"]  # fmt: skip
    process, ready = _start(*state, logs=tmp_path / "stack.log")
    try:
        rep = _rep_on(ready)
        deals = [rep.create_deal(f"Migration {number} #AWS") for number in range(8)]
        deadline = time.monotonic() + 60
        while len(_opportunities_by_deal(ready)) < 2:  # the kill lands while the sync is under way
            assert time.monotonic() < deadline, "the sync never started"
            time.sleep(0.1)
    finally:
        process.kill()
        process.wait(timeout=15)
    assert process.returncode == -signal.SIGKILL

    process, ready = _start(*state, logs=tmp_path / "stack.log")
    try:
        _rep_on(ready)
        integration = {"Authorization": f"Bearer {ready['hubspot_token']}"}
        deadline = time.monotonic() + 120
        while True:  # synced: the opportunity exists and the deal names it (the deal's write comes second)
            by_deal = _opportunities_by_deal(ready)
            linked = {
                deal: _linked_opportunity(ready, deal, integration) for deal in deals if deal in by_deal
            }
            if len(linked) == len(deals) and all(linked.values()):
                break
            assert time.monotonic() < deadline, f"deals never synced: {by_deal}, linked: {linked}"
            time.sleep(0.5)
        assert {deal: len(by_deal[deal]) for deal in deals} == dict.fromkeys(deals, 1)
        assert linked == {deal: by_deal[deal][0] for deal in deals}
        # HubSpot's restored deliveries waited for the webhook function's settings, none refused for want of them
        assert "ConfigurationError" not in (tmp_path / "stack.log").read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
