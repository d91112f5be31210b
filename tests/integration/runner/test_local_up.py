"""`cosell local up`: one JSON line on stdout when ready, every URL in it answers, a signal ends it cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import boto3
import pytest
import urllib3

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
