"""`cosell conflicts` against moto: a state table holding conflicts, the sync queue, the audit table."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from cosell.cli.main import main
from cosell.domain.audit import AuditAction, FieldChange
from cosell.domain.reconcile import Side
from cosell.queue.messages import Subject, SyncRequest
from cosell.store.audit import AuditStore
from cosell.store.conflicts import ConflictStore, DealConflicts, FieldConflict
from tests.integration.sync_world import create_state_table
from tests.support.cfn import load_template

AUDIT_TABLE = load_template("template.yaml")["Resources"]["AuditTable"]["Properties"]
DETECTED = datetime(2026, 11, 29, 9, 14, 2, tzinfo=UTC)
SPEND_HUBSPOT = [{"Amount": "1000", "CurrencyCode": "USD", "Frequency": "Monthly"}]
SPEND_PARTNER_CENTRAL = [{"Amount": "2500", "CurrencyCode": "USD", "Frequency": "Monthly"}]


def _client(service: Any) -> Any:
    return boto3.client(service, region_name="us-east-1")


@pytest.fixture
def tables(aws: str, request: pytest.FixtureRequest) -> tuple[str, str]:
    """A state table and an audit table made as template.yaml declares it (with its indexes)."""
    suffix = abs(hash(request.node.nodeid)) % 10**8
    state, audit = f"conflicts-state-{suffix}", f"conflicts-audit-{suffix}"
    create_state_table(state)
    _client("dynamodb").create_table(
        TableName=audit,
        **{
            key: AUDIT_TABLE[key]
            for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
        },
    )
    return state, audit


@pytest.fixture
def environment(tables: tuple[str, str], fifo_queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An operator's shell: the functions' settings (development: plain secrets)."""
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-conflicts")
    monkeypatch.setenv("HUBSPOT_WEBHOOK_SECRET", "conflicts-secret")
    monkeypatch.setenv("STATE_TABLE_NAME", tables[0])
    monkeypatch.setenv("AUDIT_TABLE_NAME", tables[1])
    monkeypatch.setenv("SYNC_QUEUE_URL", fifo_queue)


@pytest.fixture
def store(tables: tuple[str, str]) -> ConflictStore:
    return ConflictStore(_client("dynamodb"), tables[0])


@pytest.fixture
def waiting(store: ConflictStore) -> None:
    """Deal 42: two fields in conflict. Deal 7: one, with a choice already recorded."""
    store.save(
        DealConflicts(
            deal_id="42",
            opportunity_id="O1234567",
            catalog="Sandbox",
            detected_at=DETECTED.isoformat(),
            fields=(
                FieldConflict("stage", "Qualified", "Technical Validation"),
                FieldConflict("expected_spend", SPEND_HUBSPOT, SPEND_PARTNER_CENTRAL),
            ),
        )
    )
    store.save(
        DealConflicts(
            deal_id="7",
            opportunity_id="O7654321",
            catalog="Sandbox",
            detected_at=DETECTED.replace(hour=10).isoformat(),
            fields=(FieldConflict("website", "acme.example", None),),
        )
    )
    store.resolve("7", {"website": Side.HUBSPOT})


def _queued(queue_url: str) -> list[SyncRequest]:
    messages = _client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [SyncRequest.model_validate_json(message["Body"]) for message in messages]


def _audit(tables: tuple[str, str], deal_id: str) -> list[Any]:
    return AuditStore(_client("dynamodb"), tables[1]).for_deal(deal_id)


# --- list ---


@pytest.mark.usefixtures("environment")
def test_list_with_nothing_waiting_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conflicts", "list"]) == 0
    assert capsys.readouterr().out == "No conflicts waiting.\n"
    assert main(["conflicts", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"deals": 0, "conflicts": []}


@pytest.mark.usefixtures("environment", "waiting")
def test_list_shows_each_deal_field_both_values_and_choices_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["conflicts", "list"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "Deal 42 ↔ opportunity O1234567 (Sandbox)",
        "  detected: 2026-11-29 09:14:02 UTC",
        "  stage (Deal stage)",
        "    HubSpot:          Qualified",
        "    Partner Central:  Technical Validation",
        "  expected_spend (Amount and currency)",
        '    HubSpot:          [{"Amount": "1000", "CurrencyCode": "USD", "Frequency": "Monthly"}]',
        '    Partner Central:  [{"Amount": "2500", "CurrencyCode": "USD", "Frequency": "Monthly"}]',
        "",
        "Deal 7 ↔ opportunity O7654321 (Sandbox)",
        "  detected: 2026-11-29 10:14:02 UTC",
        "  website (Company domain or website)",
        "    HubSpot:          acme.example",
        "    Partner Central:  —",
        "    chosen:           hubspot (applied at the deal's next sync)",
        "",
        "2 deal(s), 3 field(s) in conflict. Pick a side: cosell conflicts resolve DEAL_ID --field NAME "
        "--take hubspot|partner-central (or --all hubspot|partner-central)",
    ]


@pytest.mark.usefixtures("environment", "waiting")
def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conflicts", "list", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["deals"] == 2
    first, second = report["conflicts"]
    assert (first["deal_id"], first["opportunity_id"], first["catalog"]) == ("42", "O1234567", "Sandbox")
    assert first["detected_at"] == DETECTED.isoformat()
    assert first["fields"][1] == {
        "field": "expected_spend",
        "label": "Amount and currency",
        "hubspot": SPEND_HUBSPOT,
        "partner_central": SPEND_PARTNER_CENTRAL,
        "chosen": None,
    }
    assert second["fields"] == [
        {
            "field": "website",
            "label": "Company domain or website",
            "hubspot": "acme.example",
            "partner_central": None,
            "chosen": "hubspot",
        }
    ]


# --- resolve ---


@pytest.mark.usefixtures("environment", "waiting")
def test_resolving_one_field_records_queues_and_audits(
    store: ConflictStore, tables: tuple[str, str], fifo_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(UTC)
    assert main(["conflicts", "resolve", "42", "--field", "stage", "--take", "partner-central"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "Deal 42 ↔ opportunity O1234567 (Sandbox):",
        "  stage (Deal stage): Partner Central's Technical Validation will be written to the deal",
        "  still waiting for a choice: expected_spend",
    ]
    assert out[3].startswith("Queued a reconcile of deal 42 (correlation id ")

    resolved = store.get("42")
    assert resolved is not None
    assert resolved.resolutions == {"stage": Side.PARTNER_CENTRAL}

    (request,) = _queued(fifo_queue)
    assert (request.subject, request.object_id, request.catalog) == (Subject.HUBSPOT_DEAL, "42", None)
    (trigger,) = request.triggers
    assert (trigger.source, trigger.kind) == ("operator", "conflicts resolve")
    assert before.timestamp() * 1000 - 1 <= trigger.occurred_at_ms <= datetime.now(UTC).timestamp() * 1000

    (record,) = _audit(tables, "42")
    assert record.action is AuditAction.RESOLVE
    assert (record.deal_id, record.opportunity_id, record.catalog) == ("42", "O1234567", "Sandbox")
    assert record.trigger == "operator:conflicts resolve"
    assert record.correlation_id == request.correlation_id
    assert record.correlation_id in out[3]
    assert record.changes == (FieldChange("stage", "Qualified", "Technical Validation"),)
    assert record.detail == "operator chose partner-central for stage"


@pytest.mark.usefixtures("environment", "waiting")
def test_resolving_every_field_with_all(
    store: ConflictStore, tables: tuple[str, str], fifo_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conflicts", "resolve", "42", "--all", "hubspot"]) == 0
    out = capsys.readouterr().out
    assert (
        "  stage (Deal stage): HubSpot's Qualified will be sent to Partner Central "
        "(held while AWS reviews the opportunity)"
    ) in out
    assert "still waiting" not in out

    resolved = store.get("42")
    assert resolved is not None
    assert resolved.resolutions == {"stage": Side.HUBSPOT, "expected_spend": Side.HUBSPOT}
    (request,) = _queued(fifo_queue)
    assert request.object_id == "42"
    (record,) = _audit(tables, "42")
    assert record.changes == (
        FieldChange("stage", "Technical Validation", "Qualified"),
        FieldChange("expected_spend", SPEND_PARTNER_CENTRAL, SPEND_HUBSPOT),
    )
    assert record.detail == "operator chose hubspot for stage, expected_spend"
    assert record.correlation_id == request.correlation_id

    # A later choice replaces an earlier one; the listing shows what the next sync applies.
    assert main(["conflicts", "resolve", "42", "--field", "expected_spend", "--take", "partner-central"]) == 0
    resolved = store.get("42")
    assert resolved is not None
    assert resolved.resolutions == {"stage": Side.HUBSPOT, "expected_spend": Side.PARTNER_CENTRAL}
    capsys.readouterr()
    assert main(["conflicts", "list"]) == 1
    assert (
        "    chosen:           partner-central (applied at the deal's next sync)" in capsys.readouterr().out
    )


@pytest.mark.usefixtures("environment", "waiting")
def test_fields_of_a_deal_not_in_its_conflict_are_refused(
    store: ConflictStore, tables: tuple[str, str], fifo_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    resolve = ["conflicts", "resolve", "42"]
    assert (
        main(
            [*resolve, "--field", "stage", "--take", "hubspot", "--field", "close_date", "--take", "hubspot"]
        )
        == 2
    )
    assert capsys.readouterr().err == (
        "cosell conflicts resolve: deal 42 has no conflict on close_date; "
        "fields in conflict: stage, expected_spend\n"
    )
    assert (
        main([*resolve, "--field", "stage", "--take", "hubspot", "--field", "stage", "--take", "hubspot"])
        == 2
    )
    assert "--field stage is given twice" in capsys.readouterr().err
    assert main([*resolve, "--field", "stage"]) == 2
    assert "--field stage needs --take hubspot|partner-central" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main([*resolve, "--take", "hubspot", "--field", "stage"])
    assert exited.value.code == 2
    assert "give it after the --field NAME it is for" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*resolve, "--all", "hubspot", "--field", "stage", "--take", "hubspot"])
    assert "not allowed with argument" in capsys.readouterr().err

    # Nothing was recorded, queued or audited.
    assert store.get("42") is not None
    assert store.get("42").resolutions == {}  # type: ignore[union-attr]
    assert _queued(fifo_queue) == []
    assert _audit(tables, "42") == []


@pytest.mark.usefixtures("environment", "waiting")
def test_a_deal_without_conflicts_is_refused(
    tables: tuple[str, str], fifo_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conflicts", "resolve", "99", "--all", "partner-central"]) == 2
    assert capsys.readouterr().err == (
        "cosell conflicts resolve: deal 99 has no conflicts waiting (cosell conflicts list)\n"
    )
    assert _queued(fifo_queue) == []
    assert _audit(tables, "99") == []


# --- where things are ---


@pytest.mark.usefixtures("environment")
def test_missing_settings_are_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNC_QUEUE_URL")
    monkeypatch.delenv("AUDIT_TABLE_NAME")
    assert main(["conflicts", "list"]) == 0  # listing needs the state table only
    capsys.readouterr()
    assert main(["conflicts", "resolve", "42", "--all", "hubspot"]) == 2
    assert "SYNC_QUEUE_URL, AUDIT_TABLE_NAME: required by cosell conflicts resolve" in capsys.readouterr().err
    monkeypatch.delenv("STATE_TABLE_NAME")
    assert main(["conflicts", "list"]) == 2
    assert "STATE_TABLE_NAME: required by cosell conflicts" in capsys.readouterr().err
    monkeypatch.setenv("STATE_TABLE_NAME", "no-such-state-table")
    assert main(["conflicts", "list"]) == 2
    assert "table not found" in capsys.readouterr().err


@pytest.mark.usefixtures("waiting")
def test_stack_outputs_locate_the_tables_and_the_queue(
    tables: tuple[str, str],
    fifo_queue: str,
    store: ConflictStore,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A deployed stack's outputs, as template.yaml declares them, read from CloudFormation (moto)."""
    for variable in ("STATE_TABLE_NAME", "SYNC_QUEUE_URL", "AUDIT_TABLE_NAME"):
        monkeypatch.delenv(variable, raising=False)  # only the outputs say where things are
    outputs = {"StateTableName": tables[0], "SyncQueueUrl": fifo_queue, "AuditTableName": tables[1]}
    stack_name = f"{tables[0]}-stack"
    _client("cloudformation").create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(
            {
                "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {key: {"Value": value} for key, value in outputs.items()},
            }
        ),
    )
    assert main(["conflicts", "list", "--stack", stack_name, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["deals"] == 2
    assert (
        main(
            [
                "conflicts",
                "resolve",
                "7",
                "--field",
                "website",
                "--take",
                "partner-central",
                "--stack",
                stack_name,
            ]
        )
        == 0
    )
    assert "Partner Central keeps —; the deal is left as it is" in capsys.readouterr().out
    assert store.get("7").resolutions == {"website": Side.PARTNER_CENTRAL}  # type: ignore[union-attr]
    (request,) = _queued(fifo_queue)
    assert request.object_id == "7"
    (record,) = _audit(tables, "7")
    assert record.changes == (FieldChange("website", "acme.example", None),)

    assert main(["conflicts", "list", "--stack", "no-such-stack"]) == 2
    assert "stack no-such-stack" in capsys.readouterr().err
    assert main(["conflicts", "resolve", "7", "--all", "hubspot", "--stack", "no-such-stack"]) == 2
    assert "stack no-such-stack" in capsys.readouterr().err


def test_a_sync_saving_what_it_found_keeps_an_operators_choice_made_meanwhile(
    store: ConflictStore, waiting: None
) -> None:
    found = store.get("42")
    assert found is not None
    store.resolve("42", {"stage": Side.PARTNER_CENTRAL})
    store.save(found)  # a worker that read the conflicts before the operator chose
    assert store.get("42").resolutions == {"stage": Side.PARTNER_CENTRAL}  # type: ignore[union-attr]
