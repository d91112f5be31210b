"""`cosell plan` end to end: a stack with edits pending on both sides (queued, not yet reconciled), deals not
yet synced and an opportunity no deal has. The plan lists exactly what the sync then does, and writes nothing:
Partner Central's write calls, HubSpot's writes and both DynamoDB tables are unchanged by it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from cosell.cli.main import main
from tests.e2e.conftest import running_stack
from tests.support.cli import without_metrics
from tests.support.partner_central import console_update, existing_opportunity

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cosell_local.runner import LocalStack
    from tests.e2e.conftest import World

STRATEGIES = {"close_date": "manual"}
_READ_POSTS = ("/search", "/batch/read")  # HubSpot's reads by POST


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    yield from running_stack({"ConflictStrategies": json.dumps(STRATEGIES)})


def linked(world: World, name: str) -> tuple[str, str]:
    deal_id = world.create_deal(name)
    world.settle()
    (opportunity,) = world.opportunities_for(deal_id)
    return deal_id, str(opportunity["Id"])


def partner_central_writes(stack: LocalStack) -> int:
    return sum(
        1
        for call in stack.partner_central.control.calls()
        if call["Error"] is None and not call["Operation"].startswith(("Get", "List", "Search"))
    )


def hubspot_writes(stack: LocalStack) -> int:
    """Writes by cosell's app (the rep's carry the rep's token)."""
    return sum(
        1
        for request in stack.hubspot.requests
        if request.by_rep is False
        and request.method in ("POST", "PATCH", "PUT", "DELETE")
        and not request.path.endswith(_READ_POSTS)
    )


def tables(stack: LocalStack) -> dict[str, list[Any]]:
    dynamodb = stack.client("dynamodb")
    found = {}
    for table in (stack.state_table_name, stack.audit_table_name):
        pages = dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
        items = [item for page in pages for item in page["Items"]]
        found[table] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return found


def plan(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    code = main(["plan", *options])
    return code, without_metrics(capsys.readouterr().out)


def test_the_plan_lists_the_pending_edits_exactly_writes_nothing_and_the_sync_then_does_it(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = world.stack
    catalog = stack.catalog
    control = stack.partner_central.control
    in_step, _ = linked(world, "Adatum in step #AWS")
    edited, _ = linked(world, "Adatum amount #AWS")
    pulled, pulled_opportunity = linked(world, "Adatum stage #AWS")
    both, both_opportunity = linked(world, "Adatum close #AWS")
    alone_deal = world.create_deal("Adatum elsewhere")  # untagged: the sync leaves it alone
    world.settle()
    alone = existing_opportunity(world.partner_central, world.integration, catalog, alone_deal, {})
    adopting = world.create_deal("Adatum adopted")
    world.settle()
    named = existing_opportunity(
        world.partner_central, world.integration, catalog, adopting, {"Project.Title": "Adatum (legacy)"}
    )

    # Pending on both sides: nothing below is reconciled before the plan runs.
    world.rep.update_deal(edited, amount="96000")
    console_update(
        world.partner_central,
        control,
        catalog,
        pulled_opportunity,
        lambda body: body["LifeCycle"].update(Stage="Business Validation"),
    )
    world.rep.update_deal(both, closedate="2027-11-30T00:00:00.000Z")
    console_update(
        world.partner_central,
        control,
        catalog,
        both_opportunity,
        lambda body: body["LifeCycle"].update(TargetCloseDate="2027-12-31"),
    )
    fresh = world.create_deal("Adatum new #AWS")
    invalid = world.create_deal("Adatum short #AWS", description="Too short")
    unknown = world.create_deal("Adatum typo #AWS", aws_opportunity_id="O4242424242")
    world.rep.update_deal(adopting, dealname="Adatum adopted #AWS", aws_opportunity_id=named)
    assert world.queued_messages() > 0

    writes, deal_writes, before = partner_central_writes(stack), hubspot_writes(stack), tables(stack)
    code, out = plan(capsys, "--json")
    assert code == 0
    assert partner_central_writes(stack) == writes
    assert hubspot_writes(stack) == deal_writes
    assert tables(stack) == before

    body = json.loads(out)
    entries = {entry["deal_id"] or entry["opportunity_id"]: entry for entry in body["entries"]}
    moves = {key: [(f["move"], f["field"]) for f in entry["fields"]] for key, entry in entries.items()}
    assert entries[in_step]["step"] == "in step"
    assert (entries[edited]["step"], moves[edited]) == ("update", [("push", "expected_spend")])
    assert entries[edited]["partner_central_writes"] == 1
    assert (entries[pulled]["step"], moves[pulled]) == ("update", [("pull", "stage")])
    assert entries[pulled]["partner_central_writes"] == 0
    (conflict,) = entries[both]["fields"]
    assert (entries[both]["step"], conflict["move"], conflict["field"]) == ("wait", "conflict", "close_date")
    assert (conflict["hubspot"], conflict["partner_central"]) == ("2027-11-30", "2027-12-31")
    assert conflict["settled_by"] == "manual: an operator"
    assert (entries[fresh]["step"], entries[fresh]["partner_central_writes"]) == ("create", 1)
    assert entries[invalid]["step"] == "blocked"
    assert entries[invalid]["problems"][0].startswith("Deal description:")
    assert entries[unknown]["step"] == "blocked"
    assert "no opportunity O4242424242" in entries[unknown]["problems"][0]
    assert (entries[adopting]["step"], entries[adopting]["opportunity_id"]) == ("link", named)
    (differs,) = entries[adopting]["fields"]  # the deal was edited last: last-write-wins sends its title
    assert (differs["move"], differs["field"], differs["settled_by"]) == (
        "push",
        "title",
        "last-write-wins: hubspot",
    )
    assert entries[adopting]["partner_central_writes"] == 1
    assert entries[alone]["step"] == "nothing"
    assert entries[alone]["deal_id"] is None
    assert alone_deal not in entries  # untagged and unlinked: not the sync's
    assert body["totals"]["steps"] == {
        "create": 1,
        "link": 1,
        "update": 2,
        "wait": 1,
        "in step": 1,
        "blocked": 2,
        "nothing": 1,
    }
    quota = body["partner_central"]
    assert quota["writes"] == 3
    assert quota["used_today"] >= 4  # the four creates this test made
    assert quota["left_today"] == quota["daily_quota"] - quota["used_today"]

    code, out = plan(capsys)
    assert code == 0
    lines = out.splitlines()
    assert (
        f"Deal {edited} ↔ {entries[edited]['opportunity_id']} 'Adatum amount #AWS': update (1 Partner Central write)"
        in lines
    )
    assert any(line.startswith("  push expected_spend (Amount and currency)") for line in lines)
    assert f"Deal {adopting} (names {named}) 'Adatum adopted #AWS': link (1 Partner Central write)" in lines
    assert (
        "Totals: 1 create, 1 link, 2 update, 1 wait, 1 in step, 2 blocked, 1 nothing; "
        "fields: 2 push, 1 pull, 1 conflict." in lines
    )
    assert tables(stack) == before

    world.settle()  # the sync does what the plan said, and costs what it said
    assert partner_central_writes(stack) - writes == quota["writes"]
    assert world.integration.get_deal(pulled, ["dealstage"]).get("dealstage") == "decisionmakerboughtin"
    assert world.integration.get_deal(both, ["aws_sync_status"]).get("aws_sync_status") == "Pending"
    assert world.opportunities_for(fresh)
    assert stack.partner_central.control.opportunity(catalog, named)["Project"]["Title"] == "Adatum adopted"
