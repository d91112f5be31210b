"""`cosell privacy erase`: one person out of the state table and the audit trail, against moto's DynamoDB;
the pair's next reconcile then writes to neither system."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from cosell.cli.main import main
from cosell.domain.audit import AuditAction, AuditRecord, FieldChange
from cosell.domain.pseudonyms import ERASED_PERSON, pseudonym
from cosell.domain.reconcile import Action, ConflictPolicy, Sides, Snapshot, decide
from cosell.store.audit import AuditStore
from cosell.store.erasure import PersonalDataStore
from cosell.store.state import Link, LinkChangedError, StateStore
from cosell.sync.operations.privacy import erase_person
from tests.integration.sync_world import create_state_table
from tests.integration.test_audit_store import DECLARED

JANE = {
    "Email": "jane.doe@customer-example.com",
    "FirstName": "Jane",
    "LastName": "Doe",
    "Phone": "+14155550134",
}
ANN = {"Email": "ann.lee@customer-example.com", "FirstName": "Ann", "LastName": "Lee"}
OMAR = {"Email": "omar@customer-example.com", "FirstName": "Omar", "LastName": "Haddad"}
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def _dynamodb() -> Any:
    return boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture
def state_table(aws: str, request: pytest.FixtureRequest) -> str:
    name = f"state-{abs(hash(request.node.nodeid)) % 10**8}"
    create_state_table(name)
    return name


@pytest.fixture
def audit_table(aws: str, request: pytest.FixtureRequest) -> str:
    name = f"audit-{abs(hash(request.node.nodeid)) % 10**8}"
    keys = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    _dynamodb().create_table(TableName=name, **{key: DECLARED[key] for key in keys})
    return name


def _linked_pair(state: StateStore) -> None:
    values = {"stage": "Qualified", "contacts": [JANE, OMAR], "title": "Data platform"}
    link = Link("101", "O1234567890", "Sandbox", {}, "2026-12-01T00:00:00Z")
    state.save_link(link)
    state.save_snapshot(link, Snapshot(dict(values), dict(values)), "2026-12-01T00:00:00Z", 0)


def _erase(state_table: str, audit_table: str, *, dry_run: bool, email: str = JANE["Email"].upper()) -> Any:
    """`email`: Jane's by default, written as a request may write it."""
    dynamodb = _dynamodb()
    return erase_person(
        email,
        state=PersonalDataStore(dynamodb, state_table, entries=True),
        trail=PersonalDataStore(dynamodb, audit_table, entries=False),
        audit=AuditStore(dynamodb, audit_table),
        catalog="Sandbox",
        now=NOW,
        correlation_id="erase-1",
        dry_run=dry_run,
    )


def _everything(table: str) -> str:
    items = [
        item for page in _dynamodb().get_paginator("scan").paginate(TableName=table) for item in page["Items"]
    ]
    return json.dumps(items)


def test_erase_forgets_the_person_everywhere_and_the_next_reconcile_writes_nothing(
    state_table: str,
    audit_table: str,
) -> None:
    state = StateStore(_dynamodb(), state_table)
    _linked_pair(state)
    trail = AuditStore(_dynamodb(), audit_table)
    trail.record(
        AuditRecord(NOW, AuditAction.UPDATE_OPPORTUNITY, "Sandbox", "hubspot_webhook:deal.propertyChange", "c-1",
                    "101", "O1234567890", (FieldChange("contacts", [OMAR], [JANE, OMAR]),))
    )  # fmt: skip

    before_state, before_audit = _everything(state_table), _everything(audit_table)
    dry = _erase(state_table, audit_table, dry_run=True)
    assert (dry.state.snapshots, dry.audit.items) == (1, 1)
    assert (_everything(state_table), _everything(audit_table)) == (before_state, before_audit)

    done = _erase(state_table, audit_table, dry_run=False)
    assert (done.state.snapshots, done.audit.items, done.state.skipped) == (1, 1, 0)
    for table in (state_table, audit_table):
        text = _everything(table).lower()
        assert JANE["Email"] not in text
        assert JANE["Phone"] not in text
    audit_text = _everything(audit_table)
    assert ERASED_PERSON in audit_text
    assert pseudonym(OMAR["Email"]) in audit_text  # the others are untouched
    (erasure,) = [r for r in trail.for_deal("101") if r.action is AuditAction.ERASE]
    assert pseudonym(JANE["Email"]) in erasure.detail

    # Jane was erased in HubSpot and Partner Central first: the pair agrees without her, so the erasure is
    # no change; a change of the same field made meanwhile (Ann added in HubSpot) is still pushed.
    link = state.link_for_deal("101")
    assert link is not None
    snapshot = link.last_in_step
    assert snapshot.hubspot["contacts"] == snapshot.partner_central["contacts"] == [OMAR]
    assert snapshot.hubspot["stage"] == "Qualified"
    now_values = {"stage": "Qualified", "contacts": [OMAR], "title": "Data platform"}
    assert decide(Sides(now_values, dict(now_values), None, NOW, NOW), snapshot, ConflictPolicy()) == []
    with_ann = {**now_values, "contacts": [OMAR, ANN]}
    (decision,) = decide(Sides(with_ann, dict(now_values), None, NOW, NOW), snapshot, ConflictPolicy())
    assert (decision.synced.name, decision.action) == ("contacts", Action.PUSH)


def test_erasing_one_address_leaves_a_longer_one_that_contains_it(state_table: str, audit_table: str) -> None:
    state = StateStore(_dynamodb(), state_table)
    joann = {**OMAR, "Email": "joann@customer-example.com"}
    values = {"contacts": [joann, {"Email": "ann@customer-example.com", "FirstName": "Ann"}]}
    link = Link("102", "O2234567890", "Sandbox", {}, "2026-12-01T00:00:00Z")
    state.save_link(link)
    state.save_snapshot(link, Snapshot(dict(values), dict(values)), "2026-12-01T00:00:00Z", 0)
    _erase(state_table, audit_table, dry_run=False, email="ann@customer-example.com")
    link = state.link_for_deal("102")
    assert link is not None
    assert link.last_in_step.hubspot["contacts"] == [joann]


def test_a_sync_that_read_the_link_before_the_erasure_cannot_put_the_person_back(
    state_table: str, audit_table: str
) -> None:
    state = StateStore(_dynamodb(), state_table)
    _linked_pair(state)
    read_before = state.link_for_deal("101")
    assert read_before is not None
    _erase(state_table, audit_table, dry_run=False)
    with pytest.raises(LinkChangedError):
        state.save_snapshot(read_before, read_before.last_in_step, "2026-12-01T00:05:00Z", 0)
    erased = state.link_for_deal("101")
    assert erased is not None
    assert erased.revision == read_before.revision + 1
    assert JANE not in erased.last_in_step.hubspot["contacts"]


def test_the_command_prints_counts_and_the_pseudonym_never_the_address(
    state_table: str, audit_table: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _linked_pair(StateStore(_dynamodb(), state_table))
    for name, value in {
        "ENVIRONMENT": "development",
        "HUBSPOT_ACCESS_TOKEN": "pat-na1-operator",  # operator settings read the stack's whole environment
        "HUBSPOT_WEBHOOK_SECRET": "operator-secret",
        "STATE_TABLE_NAME": state_table,
        "AUDIT_TABLE_NAME": audit_table,
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["privacy", "erase", "--email", JANE["Email"], "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dry run, nothing changed: " + pseudonym(JANE["Email"]))
    assert "1 pair(s)" in out
    assert JANE["Email"] not in out
    assert main(["privacy", "erase", "--email", JANE["Email"]]) == 0
    assert capsys.readouterr().out.startswith("erased " + pseudonym(JANE["Email"]))
    assert JANE["Email"] not in _everything(state_table)
