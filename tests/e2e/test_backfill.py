"""`cosell backfill` on the local stack: 300 tagged deals already in HubSpot when cosell is installed (valid,
invalid, linked by the sync already, naming an opportunity another tool made, naming one that does not
exist). A dry run writes nothing; a run interrupted halfway and run again leaves every valid deal with exactly
one opportunity, the adopted ones with the one they named, the rest explained on the deal.

Partner Central's write quota is scaled up tenfold (10 a second) and the pacer set just under it (9 a
second), so 230 creates take half a minute: paced for real, never throttled.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from cosell.cli.main import main
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.queue.sqs import SyncQueue
from cosell.store.audit import AuditStore
from cosell.store.backfill import BackfillStore
from cosell.sync.onboarding import backfill_deals
from cosell_local.demo.portfolio import existing_deal, opportunity_made_elsewhere
from cosell_local.partner_central import QuotaConfig
from tests.e2e.conftest import running_stack
from tests.support.cli import without_metrics

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cosell_local.runner import LocalStack
    from tests.e2e.conftest import World

pytestmark = pytest.mark.slow

KINDS = {"valid": 230, "invalid": 20, "linked": 20, "adopted": 20, "unknown": 10}
SHOWN = ["aws_opportunity_id", "aws_sync_status", "aws_sync_error", "aws_last_synced_at"]
UNKNOWN_ID = "O9999999999"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # No webhook subscriptions: the deals were made before cosell was installed.
    yield from running_stack(quotas=QuotaConfig(scale=10), webhook_subscriptions=())


def seed(world: World) -> dict[str, list[str]]:
    """The partner's deals as cosell finds them; only the linked ones were ever seen by the sync."""
    hubspot, stack = world.rep.client, world.stack
    deals: dict[str, list[str]] = {kind: [] for kind in KINDS}
    numbers = iter(range(1, 10_000))
    for _ in range(KINDS["linked"]):
        deals["linked"].append(existing_deal(hubspot, next(numbers), f"Linked {len(deals['linked'])} #AWS"))
    # These the sync saw (their creation's webhook): it made their opportunities.
    SyncQueue(stack.client("sqs"), stack.sync_queue_url).send(
        [
            SyncRequest(
                subject=Subject.HUBSPOT_DEAL,
                object_id=deal_id,
                triggers=(Trigger(source="hubspot_webhook", kind="deal.creation", occurred_at_ms=1),),
                correlation_id=f"seed-{deal_id}",
            )
            for deal_id in deals["linked"]
        ]
    )
    world.settle()
    assert all(naming(world)[deal_id] == 1 for deal_id in deals["linked"])
    for _ in range(KINDS["valid"]):
        deals["valid"].append(existing_deal(hubspot, next(numbers), f"Migration {next(numbers)} #AWS"))
    for _ in range(KINDS["invalid"]):
        deals["invalid"].append(existing_deal(hubspot, next(numbers), "Too short #AWS", description="short"))
    for _ in range(KINDS["adopted"]):
        deal_id = existing_deal(hubspot, next(numbers), "Made elsewhere #AWS")
        named = opportunity_made_elsewhere(world.integration, world.partner_central, stack.catalog, deal_id)
        hubspot.update_deal(deal_id, {"aws_opportunity_id": named})
        deals["adopted"].append(deal_id)
    for _ in range(KINDS["unknown"]):
        deals["unknown"].append(
            existing_deal(hubspot, next(numbers), "Unknown id #AWS", aws_opportunity_id=UNKNOWN_ID)
        )
    existing_deal(hubspot, next(numbers), "AWS training, not tagged")
    return deals


def shown(world: World, deal_ids: list[str]) -> dict[str, dict[str, str | None]]:
    return {deal.id: dict(deal.properties) for deal in world.integration.batch_read_deals(deal_ids, SHOWN)}


def naming(world: World) -> Counter[str]:
    """Deal id → the opportunities naming it (PartnerOpportunityIdentifier)."""
    return Counter(
        str(record.get("PartnerOpportunityIdentifier"))
        for record in world.stack.partner_central.control.opportunities(world.stack.catalog)
    )


def backfill(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str]:
    code = main(["backfill", *arguments])
    return code, without_metrics(capsys.readouterr().out)


def test_a_backfill_interrupted_halfway_and_resumed_gives_each_deal_its_one_opportunity_or_its_reason(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTNER_CENTRAL_WRITES_PER_SECOND", "9")
    deals = seed(world)
    every = [deal_id for ids in deals.values() for deal_id in ids]
    control = world.stack.partner_central.control
    before = shown(world, every)
    opportunities_before = naming(world)
    dynamodb = world.stack.client("dynamodb")
    cursors = BackfillStore(dynamodb, world.stack.state_table_name)

    def state_items() -> list[Any]:
        return sorted(
            (item["pk"]["S"], item["sk"]["S"])
            for page in dynamodb.get_paginator("scan").paginate(TableName=world.stack.state_table_name)
            for item in page["Items"]
            if not item["pk"]["S"].startswith(("pacer#", "quota#"))  # its reads' own budget
        )

    items_before = state_items()
    code, planned = backfill(capsys, "--dry-run")
    assert code == 0, planned
    assert state_items() == items_before  # not even the customer index
    assert "230 would be created, 20 would be adopted, 30 would be invalid, 20 would be skipped" in planned, (
        planned
    )
    assert shown(world, every) == before
    assert naming(world) == opportunities_before
    assert cursors.get(world.stack.catalog, "hubspot") is None

    control.clear_calls()
    real_push_new = backfill_deals.push_new
    pushed = 0

    def interrupted_halfway(*args: Any, **kwargs: Any) -> str:
        nonlocal pushed
        said = real_push_new(*args, **kwargs)
        pushed += 1
        if pushed == 125:  # Ctrl-C right after a create, its deal not written yet
            raise KeyboardInterrupt
        return said

    monkeypatch.setattr(backfill_deals, "push_new", interrupted_halfway)
    code, stopped = backfill(capsys)
    assert code == 130, stopped
    assert "run the same command again to resume" in stopped
    cursor = cursors.get(world.stack.catalog, "hubspot")
    assert cursor is not None
    assert cursor.finished_at is None

    monkeypatch.setattr(backfill_deals, "push_new", real_push_new)
    code, finished = backfill(capsys)
    assert code == 0, finished
    assert "Every object was looked at." in finished

    now = shown(world, every)
    opportunities = naming(world)
    for deal_id in deals["valid"] + deals["linked"]:
        assert opportunities[deal_id] == 1, deal_id
        assert now[deal_id]["aws_sync_status"] == "Synced", (deal_id, now[deal_id])
        assert now[deal_id]["aws_opportunity_id"], deal_id
    for deal_id in deals["adopted"]:
        # The one another tool made, linked: none created.
        assert opportunities[deal_id] == 1, deal_id
        assert now[deal_id]["aws_opportunity_id"] == before[deal_id]["aws_opportunity_id"]
    for deal_id in deals["invalid"]:
        assert opportunities[deal_id] == 0
        assert now[deal_id]["aws_sync_status"] == "Error"
        assert "description" in (now[deal_id]["aws_sync_error"] or "").lower()
    for deal_id in deals["unknown"]:
        assert opportunities[deal_id] == 0
        assert now[deal_id]["aws_sync_status"] == "Error"
        assert UNKNOWN_ID in (now[deal_id]["aws_sync_error"] or "")
    # Paced at the quota: every create answered, none throttled, one per valid deal (the interrupted run's
    # deals were not sent again).
    creates = control.calls("CreateOpportunity")
    assert len(creates) == KINDS["valid"]
    assert all(call["Error"] is None for call in creates)
    # An audit record of the backfill for every tagged deal.
    audit = AuditStore(dynamodb, world.stack.audit_table_name)
    for deal_id in every:
        triggers = {record.trigger for record in audit.for_deal(deal_id)}
        assert "operator:backfill:hubspot" in triggers, deal_id

    code, again = backfill(capsys)
    assert code == 0
    # Invalid deals stay invalid (their reason is on the deal already); the rest are linked.
    assert "0 created, 0 adopted, 30 invalid, 270 skipped" in again, again
    assert len(control.calls("CreateOpportunity")) == KINDS["valid"]
