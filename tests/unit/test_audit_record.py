"""Audit records as JSON and in both export formats: whatever a field held comes back equal."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from cosell.cli.audit import CSV_COLUMNS, read_export, render_timeline, write_export
from cosell.domain.audit import AuditAction, AuditRecord, FieldChange, value_text
from cosell.store.audit import retention_end

RECORD = AuditRecord(
    record_id="r1",
    at=datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC),
    action=AuditAction.CREATE_OPPORTUNITY,
    catalog="Sandbox",
    trigger="hubspot_webhook:deal.creation",
    correlation_id="req-123",
    deal_id="42",
    opportunity_id="O1234567",
    changes=(
        FieldChange("Project.Title", None, "Acme Data Platform"),
        FieldChange("Project.ExpectedCustomerSpend", [], [{"Amount": "1200", "CurrencyCode": "USD"}]),
    ),
    detail="created",
)


def test_to_json_and_back() -> None:
    data = json.loads(json.dumps(RECORD.to_json()))
    assert data["at"] == "2026-11-29T12:00:00.123456+00:00"
    assert data["action"] == "create opportunity"
    assert data["changes"][0] == {"field": "Project.Title", "before": None, "after": "Acme Data Platform"}
    assert AuditRecord.from_json(data) == RECORD


def test_a_record_without_deal_opportunity_or_id_round_trips() -> None:
    record = AuditRecord(
        at=datetime(2026, 1, 1, tzinfo=UTC),
        action=AuditAction.SKIP,
        catalog="AWS",
        trigger="schedule:sweep",
        correlation_id="c",
    )
    assert AuditRecord.from_json(record.to_json()) == record


def test_value_text_is_one_readable_line() -> None:
    assert value_text(None) == "—"
    assert value_text("Acme") == "Acme"
    assert value_text({"b": 1, "a": [True]}) == '{"a": [true], "b": 1}'


def test_the_timeline_shows_each_field_before_and_after() -> None:
    text = render_timeline([RECORD])
    assert text.splitlines() == [
        "2026-11-29 12:00:00 UTC  create opportunity  deal 42 ↔ opportunity O1234567 (Sandbox)",
        "  trigger: hubspot_webhook:deal.creation",
        "  detail: created",
        "  Project.Title: — → Acme Data Platform",
        '  Project.ExpectedCustomerSpend: [] → [{"Amount": "1200", "CurrencyCode": "USD"}]',
        "  correlation id: req-123",
    ]


def test_records_are_kept_seven_calendar_years() -> None:
    assert retention_end(RECORD.at) == datetime(2033, 11, 29, 12, 0, 0, 123456, tzinfo=UTC)
    assert retention_end(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2035, 2, 28, tzinfo=UTC)


# --- properties ---

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)
texts = st.text(max_size=40)
records = st.builds(
    AuditRecord,
    at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    action=st.sampled_from(AuditAction),
    catalog=st.sampled_from(["AWS", "Sandbox"]),
    trigger=texts,
    correlation_id=texts,
    deal_id=st.none() | st.text(min_size=1, max_size=12),
    opportunity_id=st.none() | st.text(min_size=1, max_size=12),
    changes=st.lists(st.builds(FieldChange, texts, json_values, json_values), max_size=4).map(tuple),
    detail=texts,
    record_id=texts,
)


@given(st.builds(FieldChange, texts, json_values, json_values))
def test_any_json_value_survives_to_json_and_back(change: FieldChange) -> None:
    record = AuditRecord(
        at=datetime(2026, 1, 1, tzinfo=UTC),
        action=AuditAction.UPDATE_DEAL,
        catalog="AWS",
        trigger="t",
        correlation_id="c",
        changes=(change,),
    )
    assert AuditRecord.from_json(json.loads(json.dumps(record.to_json()))) == record


TRICKY = replace(RECORD, detail='a "quoted", multi-line\r\nvalue\u2028with\x00separators', deal_id=None)


@given(st.lists(records, max_size=3), st.sampled_from(["csv", "jsonl"]))
@example([TRICKY], "csv")
@example([TRICKY], "jsonl")
def test_an_export_reads_back_as_the_records_it_wrote(written: list[AuditRecord], export_format: Any) -> None:
    stream = io.StringIO(newline="")
    assert write_export(written, stream, export_format) == len(written)
    assert read_export(stream.getvalue(), export_format) == written


def test_the_csv_export_has_one_column_per_field_and_changes_as_json() -> None:
    stream = io.StringIO(newline="")
    write_export([RECORD], stream, "csv")
    header, row = csv.reader(io.StringIO(stream.getvalue(), newline=""))
    assert tuple(header) == CSV_COLUMNS
    by_column = dict(zip(header, row, strict=True))
    assert by_column["at"] == "2026-11-29T12:00:00.123456+00:00"
    assert json.loads(by_column["changes"])[0]["field"] == "Project.Title"
