"""Operating the stack, end to end on the local stack: the handlers' metrics as EMF lines, and `cosell dlq` on a
message parked by an injected fault (listed with its reason, replayed once the fault is cleared, the deal
synced, audited)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cosell.cli.main import main
from cosell.store.audit import AuditStore
from tests.support.cli import without_metrics

if TYPE_CHECKING:
    import pytest

    from tests.e2e.conftest import World


def emf_metrics(output: str) -> dict[str, list[dict[str, Any]]]:
    """Metric name → the EMF documents that carry it, from the functions' stdout."""
    found: dict[str, list[dict[str, Any]]] = {}
    for line in output.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "cosell"
            for metric in directive["Metrics"]:
                found.setdefault(metric["Name"], []).append(document)
    return found


def test_the_handlers_emit_what_an_operator_watches_as_emf_lines(
    world: World, capfd: pytest.CaptureFixture[str]
) -> None:
    capfd.readouterr()
    world.stack.partner_central.control.configure_faults(throttle_rate=0.5, seed=3)
    world.stack.hubspot.faults.fail_next(429, times=1, path_prefix="/crm/v3/objects/deals/")
    deal_id = world.create_deal("Northwind metrics #AWS")
    world.settle()
    world.stack.partner_central.control.configure_faults(throttle_rate=0.0)
    assert world.deal(deal_id)["aws_sync_status"] == "Synced"
    invalid = world.create_deal("Northwind invalid #AWS", description="short")
    world.settle()
    assert world.deal(invalid)["aws_sync_status"] == "Error"
    assert world.post_webhook(b"[]", secret="not-the-secret").status == 401

    metrics = emf_metrics(capfd.readouterr().out)
    for name in (
        "OpportunitiesCreated",
        "DealsSynced",
        "PartnerCentralWrites",
        "PartnerCentralWritesToday",
        "PartnerCentralThrottled",
        "HubSpotRateLimited",
    ):
        assert name in metrics, sorted(metrics)
    (refused,) = [doc for doc in metrics["DealsRefused"] if doc.get("Reason") == "invalid-deal"][:1]
    assert refused["service"] == "cosell"
    outcomes = {doc.get("Outcome") for doc in metrics["WebhookDeliveries"]}
    assert {"accepted", "bad-signature"} <= outcomes
    today = [doc["PartnerCentralWritesToday"] for doc in metrics["PartnerCentralWritesToday"]]
    values = [value for entry in today for value in (entry if isinstance(entry, list) else [entry])]
    assert max(values) >= 1  # the day's count, as the quota alarm reads it


def dlq(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str]:
    code = main(["dlq", *arguments])
    return code, without_metrics(capsys.readouterr().out)


def test_a_parked_message_is_listed_with_its_reason_replayed_once_fixed_and_its_deal_synced(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", world.stack.dead_letter_queue_url)
    deal_id = world.create_deal("Tailspin outage #AWS")
    # HubSpot answers every read of this deal with a 500 until the fault is cleared.
    world.stack.hubspot.faults.fail_next(500, times=100_000, path_prefix=f"/crm/v3/objects/deals/{deal_id}")
    world.settle()

    code, listed = dlq(capsys, "list")
    assert code == 0
    # The deal's first request failed five times (the queue's maxReceiveCount); the company's and contact's
    # changes, fanned out to the deal's message group, waited behind it and were parked with it.
    parked = [line for line in listed.splitlines() if f"deal {deal_id}" in line]
    assert listed.strip().endswith(f"{len(parked)} message(s) in the dead-letter queue")
    (first,) = [line for line in parked if "hubspot_webhook:deal.creation" in line]
    message_id = first.split()[0]
    assert f"hubspot.deal {deal_id}" in first
    assert "failed 5×: HubSpotUnavailableError: HubSpot 500" in first

    code, shown = dlq(capsys, "show", message_id)
    assert code == 0
    assert json.loads(shown)["body"]["object_id"] == deal_id

    code, planned = dlq(capsys, "replay", "--all", "--dry-run")
    assert (code, planned.count("would replay")) == (0, len(parked))
    assert dlq(capsys, "list")[1].count(message_id) == 1  # the dry run changed nothing

    world.stack.hubspot.faults.reset()
    code, replayed = dlq(capsys, "replay", "--all")
    assert code == 0
    assert replayed.splitlines()[0].startswith(f"replayed {message_id}")  # the oldest first
    world.settle()
    assert world.deal(deal_id)["aws_sync_status"] == "Synced"
    assert len(world.opportunities_for(deal_id)) == 1
    assert dlq(capsys, "list")[1].strip().endswith("0 message(s) in the dead-letter queue")

    audit = AuditStore(world.stack.client("dynamodb"), world.stack.audit_table_name)
    actions = [record.action.value for record in audit.for_deal(deal_id)]
    assert actions.count("replay") == len(parked)
    assert "create opportunity" in actions
    assert dlq(capsys, "replay", message_id)[0] == 2  # no longer parked: said so, nothing sent
