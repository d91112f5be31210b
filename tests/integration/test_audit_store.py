"""The audit trail against moto's DynamoDB, on a table made as template.yaml declares it, and `cosell audit`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import boto3
import pytest

from cosell.cli.audit import read_export
from cosell.cli.main import main
from cosell.domain.audit import AuditAction, AuditRecord, FieldChange
from cosell.store.audit import MAX_VALUE_CHARS, AuditStore
from tests.support.cfn import load_template

if TYPE_CHECKING:
    from pathlib import Path

DECLARED = load_template("template.yaml")["Resources"]["AuditTable"]["Properties"]
# Two days before today: `since` reads up to now by default, one query per day, so the past stays near.
DAY_ONE = datetime.combine(datetime.now(UTC).date() - timedelta(days=2), time(), UTC)
DAY_TWO = DAY_ONE + timedelta(days=1)


def _dynamodb() -> Any:
    return boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture
def table(aws: str, request: pytest.FixtureRequest) -> str:
    name = f"audit-{abs(hash(request.node.nodeid)) % 10**8}"
    _dynamodb().create_table(
        TableName=name,
        **{
            key: DECLARED[key]
            for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
        },
    )
    return name


@pytest.fixture
def store(table: str) -> AuditStore:
    return AuditStore(_dynamodb(), table)


def record(
    at: datetime,
    action: AuditAction = AuditAction.UPDATE_OPPORTUNITY,
    *,
    deal_id: str | None = "42",
    opportunity_id: str | None = "O1",
    changes: tuple[FieldChange, ...] = (),
    detail: str = "",
    catalog: str = "Sandbox",
) -> AuditRecord:
    return AuditRecord(
        at=at,
        action=action,
        catalog=catalog,
        trigger="hubspot_webhook:deal.propertyChange",
        correlation_id=f"corr-{at:%H%M%S}",
        deal_id=deal_id,
        opportunity_id=opportunity_id,
        changes=changes,
        detail=detail,
    )


# --- the store ---


def test_a_record_gets_an_id_and_expires_seven_years_later(store: AuditStore, table: str) -> None:
    at = datetime(2026, 11, 29, 12, tzinfo=UTC)
    stored = store.record(record(at, changes=(FieldChange("Stage", "a", "b"),)))
    assert len(stored.record_id) == 32
    (item,) = _dynamodb().scan(TableName=table)["Items"]
    assert item["pk"] == {"S": "deal#42"}
    assert item["sk"] == {"S": f"2026-11-29T12:00:00.000000Z#{stored.record_id}"}
    assert item["day"] == {"S": "2026-11-29"}
    assert item["opportunity_key"] == {"S": "Sandbox#O1"}
    expires = datetime.fromtimestamp(int(item["expires_at"]["N"]), UTC)
    assert expires == datetime(2033, 11, 29, 12, tzinfo=UTC)
    assert json.loads(item["changes"]["S"]) == [{"field": "Stage", "before": "a", "after": "b"}]


def test_recording_the_same_record_again_changes_nothing(store: AuditStore) -> None:
    first = store.record(record(DAY_ONE, detail="first"))
    again = store.record(first)
    assert again == first
    assert store.for_deal("42") == [first]


def test_a_deal_reads_oldest_first_across_pages(store: AuditStore) -> None:
    """30 records of ~40 KB each: more than one 1 MB query page."""
    big = "x" * MAX_VALUE_CHARS
    written = [
        record(
            DAY_ONE + timedelta(minutes=minute),
            changes=(FieldChange("a", big, big), FieldChange("b", big, big)),
        )
        for minute in range(30)
    ]
    stored = [store.record(one) for one in reversed(written)]  # written newest first: order is by time
    assert store.for_deal("42") == stored[::-1]
    assert store.for_deal("43") == []


def test_an_opportunity_reads_its_records_with_or_without_a_deal(store: AuditStore) -> None:
    stored = [
        store.record(record(DAY_ONE + timedelta(seconds=3), AuditAction.UPDATE_DEAL)),
        store.record(record(DAY_ONE + timedelta(seconds=1), AuditAction.ACCEPT_INVITATION, deal_id=None)),
        store.record(record(DAY_ONE + timedelta(seconds=2), AuditAction.CREATE_DEAL)),
    ]
    store.record(record(DAY_ONE, deal_id="42", opportunity_id=None, action=AuditAction.ERROR))
    store.record(record(DAY_ONE, opportunity_id="O1", catalog="AWS", deal_id="77"))  # same id, other catalog
    assert store.for_opportunity("Sandbox", "O1") == [stored[1], stored[2], stored[0]]
    assert [r.action for r in store.for_deal("42")] == [
        AuditAction.ERROR,
        AuditAction.CREATE_DEAL,
        AuditAction.UPDATE_DEAL,
    ]


def test_since_reads_a_range_across_days_oldest_first(store: AuditStore) -> None:
    times = [
        DAY_ONE - timedelta(microseconds=1),  # before the range
        DAY_ONE + timedelta(hours=23, minutes=59, seconds=59, microseconds=999999),
        DAY_ONE,  # the range's first instant
        DAY_TWO,
        DAY_TWO + timedelta(hours=10),
        DAY_TWO + timedelta(hours=12),  # the range's end: excluded
    ]
    stored = {at: store.record(record(at, deal_id=f"d{n}")) for n, at in enumerate(times)}
    inside = sorted(times[1:5])
    assert list(store.since(DAY_ONE, DAY_TWO + timedelta(hours=12))) == [stored[at] for at in inside]
    assert list(store.since(DAY_TWO)) == [stored[DAY_TWO], stored[times[4]], stored[times[5]]]  # until now
    assert list(store.since(DAY_TWO + timedelta(days=1), DAY_TWO + timedelta(days=3))) == []


def test_times_are_stored_in_utc(store: AuditStore) -> None:
    paris = (DAY_TWO - timedelta(minutes=30)).astimezone(ZoneInfo("Europe/Paris"))  # day two there already
    stored = store.record(record(paris))
    assert stored.at.tzinfo is UTC
    assert list(store.since(DAY_ONE, DAY_TWO)) == [stored]  # still day one in UTC
    assert list(store.since(DAY_TWO)) == []


def test_any_json_value_round_trips_and_long_values_are_clipped(store: AuditStore) -> None:
    values: list[Any] = [None, True, 3, 2.5, "text", ["a", 1], {"nested": {"list": [None, "é"]}}]
    long_text = "é" * 50_000
    changes = (
        *(FieldChange(f"f{n}", value, values[-1 - n]) for n, value in enumerate(values)),
        FieldChange("Project.CustomerBusinessProblem", "short", long_text),
        FieldChange("Lines", [], ["y" * 100] * 200),
    )
    stored = store.record(record(DAY_ONE, changes=changes, detail="d" * 20_000))
    (back,) = store.for_deal("42")
    assert back == stored
    assert back.changes[: len(values)] == changes[: len(values)]
    clipped_text, clipped_list = back.changes[-2].after, back.changes[-1].after
    assert clipped_text.startswith("é" * MAX_VALUE_CHARS)
    assert clipped_text.endswith("… [truncated: 50,000 characters]")
    assert clipped_list.startswith('["yyy')  # a list too long becomes the start of its JSON text
    assert clipped_list.endswith(f"… [truncated: {len(json.dumps(['y' * 100] * 200)):,} characters]")
    assert back.detail.endswith("… [truncated: 20,000 characters]")


def test_a_record_must_name_a_deal_or_an_opportunity_and_an_aware_time(store: AuditStore) -> None:
    with pytest.raises(ValueError, match="names a deal or an opportunity"):
        store.record(record(DAY_ONE, deal_id=None, opportunity_id=None))
    with pytest.raises(ValueError, match="timezone-aware"):
        store.record(record(DAY_ONE.replace(tzinfo=None)))


# --- `cosell audit` ---


@pytest.fixture
def environment(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What an operator's shell holds: the functions' settings (development: plain secrets)."""
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-audit")
    monkeypatch.setenv("HUBSPOT_WEBHOOK_SECRET", "audit-secret")
    monkeypatch.setenv("AUDIT_TABLE_NAME", table)
    monkeypatch.delenv("PARTNER_CENTRAL_CATALOG", raising=False)


@pytest.fixture
def history(store: AuditStore) -> list[AuditRecord]:
    """A deal's story over two days, and another deal's error."""
    return [
        store.record(
            record(
                DAY_ONE + timedelta(hours=9),
                AuditAction.CREATE_OPPORTUNITY,
                changes=(FieldChange("Project.Title", None, "Acme Data Platform"),),
                detail="the deal was tagged #AWS",
            )
        ),
        store.record(
            record(DAY_ONE + timedelta(hours=10), AuditAction.ERROR, deal_id="7", opportunity_id=None)
        ),
        store.record(
            record(
                DAY_TWO + timedelta(hours=8),
                AuditAction.UPDATE_OPPORTUNITY,
                changes=(
                    FieldChange("Project.ExpectedCustomerSpend", [{"Amount": "1000"}], [{"Amount": "2500"}]),
                    FieldChange("Project.CustomerBusinessProblem", "line one\r\nline two", None),
                ),
            )
        ),
    ]


@pytest.mark.usefixtures("environment")
def test_a_deal_timeline_shows_each_record_and_field(
    history: list[AuditRecord], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "deal", "42"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{DAY_ONE:%Y-%m-%d} 09:00:00 UTC  create opportunity  deal 42 ↔ opportunity O1 (Sandbox)",
        "  trigger: hubspot_webhook:deal.propertyChange",
        "  detail: the deal was tagged #AWS",
        "  Project.Title: — → Acme Data Platform",
        "  correlation id: corr-090000",
        "",
        f"{DAY_TWO:%Y-%m-%d} 08:00:00 UTC  update opportunity  deal 42 ↔ opportunity O1 (Sandbox)",
        "  trigger: hubspot_webhook:deal.propertyChange",
        '  Project.ExpectedCustomerSpend: [{"Amount": "1000"}] → [{"Amount": "2500"}]',
        "  Project.CustomerBusinessProblem: line one ↵ line two → —",
        "  correlation id: corr-080000",
    ]


@pytest.mark.usefixtures("environment")
def test_json_lines_and_the_opportunity_view(
    history: list[AuditRecord], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "deal", "42", "--json"]) == 0
    assert read_export(capsys.readouterr().out, "jsonl") == [history[0], history[2]]
    assert main(["audit", "opportunity", "O1", "--json"]) == 0  # the environment's catalog: Sandbox
    assert read_export(capsys.readouterr().out, "jsonl") == [history[0], history[2]]
    assert main(["audit", "opportunity", "O1", "--catalog", "AWS"]) == 0
    assert capsys.readouterr().out == "No audit records for opportunity O1 (AWS).\n"


@pytest.mark.usefixtures("environment")
def test_exports_round_trip_in_both_formats(
    history: list[AuditRecord], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    output = tmp_path / "audit.jsonl"
    since = ["--since", f"{DAY_ONE:%Y-%m-%d}", "--until", f"{DAY_TWO + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}"]
    assert main(["audit", "export", *since, "--format", "jsonl", "--output", str(output)]) == 0
    assert read_export(output, "jsonl") == history
    assert "Exported 3 audit record(s)" in capsys.readouterr().err

    assert main(["audit", "export", *since, "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(
        "record_id,at,action,catalog,deal_id,opportunity_id,trigger,correlation_id,detail,"
    )
    assert read_export(text, "csv") == history
    output = tmp_path / "audit.csv"  # a value's own line break (history[2]: \r\n) survives a file too
    assert main(["audit", "export", *since, "--format", "csv", "--output", str(output)]) == 0
    assert read_export(output, "csv") == history

    assert main(["audit", "export", "--since", f"{DAY_TWO:%Y-%m-%d}", "--format", "csv"]) == 0  # until now
    assert read_export(capsys.readouterr().out, "csv") == history[2:]


@pytest.mark.usefixtures("environment")
def test_a_backwards_range_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "export", "--since", "2026-12-01", "--until", "2026-11-01", "--format", "csv"]) == 2
    assert "must be before --until" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["audit", "export", "--since", "yesterday", "--format", "csv"])
    assert exited.value.code == 2
    assert "'yesterday' is not an ISO date or date-time" in capsys.readouterr().err


@pytest.mark.usefixtures("environment")
def test_without_a_table_it_names_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDIT_TABLE_NAME")
    assert main(["audit", "deal", "42"]) == 2
    assert "AUDIT_TABLE_NAME: required by cosell audit" in capsys.readouterr().err
    monkeypatch.setenv("AUDIT_TABLE_NAME", "no-such-audit-table")
    assert main(["audit", "deal", "42"]) == 2
    assert "audit table no-such-audit-table not found" in capsys.readouterr().err


def test_stack_outputs_locate_the_table_and_the_catalog(
    table: str, history: list[AuditRecord], capsys: pytest.CaptureFixture[str]
) -> None:
    """A deployed stack's AuditTableName output and PartnerCentralCatalog parameter, from CloudFormation."""
    boto3.client("cloudformation", region_name="us-east-1").create_stack(
        StackName=f"{table}-stack",
        TemplateBody=json.dumps(
            {
                "Parameters": {"PartnerCentralCatalog": {"Type": "String"}},
                "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {"AuditTableName": {"Value": table}},
            }
        ),
        Parameters=[{"ParameterKey": "PartnerCentralCatalog", "ParameterValue": "Sandbox"}],
    )
    assert main(["audit", "opportunity", "O1", "--stack", f"{table}-stack", "--json"]) == 0
    assert read_export(capsys.readouterr().out, "jsonl") == [history[0], history[2]]
    assert main(["audit", "deal", "42", "--stack", "no-such-stack"]) == 2
    assert "stack no-such-stack" in capsys.readouterr().err
