"""`cosell status` against a local stack: counts from the state table, queue depths, quota used today."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from cosell.cli.main import main
from cosell_local.demo.rep import Rep
from cosell_local.partner_central import EmulatorConfig
from cosell_local.runner import LocalStack
from tests.support.cli import without_metrics

if TYPE_CHECKING:
    from collections.abc import Iterator

NO_COMPANY = (
    "Company: the deal has no associated company; Partner Central needs the customer. "
    "Associate the customer's company with the deal."
)


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    """One synced deal, two in error (one reason shared), and one message the worker can never handle."""
    with LocalStack(
        queue_time_scale=1000,
        hubspot_time_scale=100,
        poll_in_background=False,
        run_schedules=False,
        partner_central=EmulatorConfig(tick_seconds=0, task_delay_seconds=0.1),
    ) as running:
        rep = Rep.sign_in(running.hubspot)
        rep.create_deal("Acme Data Platform #AWS")
        rep.create_deal("Umbrella Cloud #AWS", description="Too short", company=False)
        rep.create_deal("Initech Migration #AWS", company=False)
        running.client("sqs").send_message(
            QueueUrl=running.sync_queue_url,
            MessageBody="not a sync request",
            MessageGroupId="poison",
            MessageDeduplicationId="poison",
        )
        run = running.process_queue_until_idle(timeout=120)
        assert run.failed_message_ids, "the poison message should have failed"
        assert len(running.dlq_messages()) == 1
        yield running


@pytest.fixture
def environment(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The functions' environment (the stack sets it), plus the DLQ that only `cosell status` reads."""
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", stack.dead_letter_queue_url)


@pytest.mark.usefixtures("environment")
def test_text_counts_links_errors_by_reason_dlq_and_writes_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["status"]) == 1
    out = without_metrics(capsys.readouterr().out).splitlines()
    assert "Links (deal ↔ opportunity):       1" in out
    assert "Deals made from AWS referrals:    0" in out
    assert "Deals in error:                   2" in out
    assert f"  2 × {NO_COMPANY}" in out
    assert any(line.startswith("  1 × Deal description: Partner Central needs") for line in out)
    assert "Dead-letter queue:                1" in out
    assert "Sync queue (waiting or running):  0" in out
    assert any(line.startswith("Partner Central writes today:     1 of 10,000") for line in out)
    assert any(line.startswith("NOT HEALTHY: 1 message(s) in the dead-letter queue") for line in out)
    assert any(line.startswith("NOT HEALTHY: 2 deal(s) in error") for line in out)


@pytest.mark.usefixtures("environment")
def test_json_has_the_same_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--json"]) == 1
    report = json.loads(without_metrics(capsys.readouterr().out))
    assert report["links"] == 1
    assert report["referral_deals"] == 0
    assert report["deals_in_error"] == 2
    assert report["errors_by_reason"][NO_COMPANY] == 2
    assert report["dead_letter_messages"] == 1
    assert report["sync_queue_messages"] == 0
    assert report["partner_central_writes"] == {"used": 1, "limit": 10_000}
    assert report["healthy"] is False
    assert len(report["problems"]) == 2


def test_stack_outputs_locate_the_same_resources(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deployed stack's outputs, as template.yaml declares them, read from CloudFormation (moto)."""
    outputs = {
        "StateTableName": stack.state_table_name,
        "SyncQueueUrl": stack.sync_queue_url,
        "SyncDeadLetterQueueUrl": stack.dead_letter_queue_url,
    }
    stack.client("cloudformation").create_stack(
        StackName="cosell-status-test",
        TemplateBody=json.dumps(
            {
                "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {key: {"Value": value} for key, value in outputs.items()},
            }
        ),
    )
    monkeypatch.delenv("STATE_TABLE_NAME")  # only the outputs say where things are
    assert main(["status", "--stack", "cosell-status-test", "--json"]) == 1
    report = json.loads(without_metrics(capsys.readouterr().out))
    assert (report["links"], report["deals_in_error"], report["dead_letter_messages"]) == (1, 2, 1)


def test_a_stack_that_does_not_exist_is_named_as_a_configuration_error(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--stack", "no-such-stack"]) == 2
    error = capsys.readouterr().err
    assert "stack no-such-stack:" in error
    assert "Traceback" not in error


def test_an_empty_table_without_queues_is_healthy(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.client("dynamodb").create_table(
        TableName="cosell-status-empty",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    monkeypatch.setenv("STATE_TABLE_NAME", "cosell-status-empty")
    monkeypatch.delenv("SYNC_QUEUE_URL")
    assert main(["status"]) == 0
    out = without_metrics(capsys.readouterr().out)
    assert "Links (deal ↔ opportunity):       0" in out
    assert "Dead-letter queue:                unknown (set DEAD_LETTER_QUEUE_URL or use --stack)" in out
    assert out.rstrip().endswith("Healthy.")


def test_without_a_table_it_names_the_variable(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATE_TABLE_NAME")
    assert main(["status"]) == 2
    assert "STATE_TABLE_NAME: required by cosell status" in capsys.readouterr().err
