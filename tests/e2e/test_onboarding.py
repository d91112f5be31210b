"""Onboarding what exists, end to end through the real handlers: a deal naming an opportunity made outside
cosell is linked to it (none created), its differences wait in the conflict report (strategy `manual` on this
stack) until an operator picks; an unknown id, or one linked to another deal, is explained on the deal; an
operator links and unlinks with `cosell link` / `cosell unlink`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from cosell.cli.main import main
from cosell.store.audit import AuditStore
from cosell.store.state import StateStore
from tests.e2e.conftest import running_stack
from tests.support.cli import without_metrics
from tests.support.partner_central import existing_opportunity

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cosell_local.runner import LocalStack
    from tests.e2e.conftest import World

ELSEWHERE = {"Project.Title": "Northwind ERP (legacy tool)", "LifeCycle.Stage": "Prospect"}
SHOWN = ["dealname", "aws_opportunity_id", "aws_sync_status", "aws_sync_error", "aws_sync_waiting"]


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    yield from running_stack({"ConflictStrategy": "manual"})


def cosell(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, without_metrics(captured.out), captured.err


def made_elsewhere(world: World, name: str, changes: dict[str, Any] = ELSEWHERE) -> tuple[str, str]:
    """An untagged deal, and the opportunity another tool made for its customer."""
    deal_id = world.create_deal(name)
    world.settle()
    opportunity_id = existing_opportunity(
        world.partner_central, world.integration, world.stack.catalog, deal_id, changes
    )
    return deal_id, opportunity_id


def shown(world: World, deal_id: str) -> dict[str, str | None]:
    return dict(world.integration.get_deal(deal_id, SHOWN).properties)


def creates(world: World) -> int:
    """Opportunities created: the answered calls (the "other tool" sends its create unpaced, so within a
    second of the sync's it is throttled and sent again by botocore)."""
    calls = world.stack.partner_central.control.calls("CreateOpportunity")
    return sum(1 for call in calls if call["Error"] is None)


def links(world: World) -> StateStore:
    return StateStore(world.stack.client("dynamodb"), world.stack.state_table_name)


def audit_actions(world: World, deal_id: str) -> list[str]:
    store = AuditStore(world.stack.client("dynamodb"), world.stack.audit_table_name)
    return [record.action.value for record in store.for_deal(deal_id)]


def test_a_deal_naming_an_existing_opportunity_is_linked_and_its_differences_reported(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    deal_id, opportunity_id = made_elsewhere(world, "Northwind ERP")
    made = creates(world)
    world.rep.update_deal(deal_id, dealname="Northwind ERP #AWS", aws_opportunity_id=opportunity_id)
    world.settle()

    assert creates(world) == made  # none created for the deal
    link = links(world).link_for_deal(deal_id)
    assert link is not None
    assert link.opportunity_id == opportunity_id
    assert shown(world, deal_id)["aws_sync_status"] == "Pending"
    assert "conflict: Deal name: HubSpot has Northwind ERP" in (
        shown(world, deal_id)["aws_sync_waiting"] or ""
    )
    assert "link" in audit_actions(world, deal_id)

    code, out, _ = cosell(capsys, "conflicts", "list", "--json")
    assert code == 1  # conflicts wait
    (waiting,) = [entry for entry in json.loads(out)["conflicts"] if entry["deal_id"] == deal_id]
    assert waiting["opportunity_id"] == opportunity_id
    assert {(f["field"], f["hubspot"], f["partner_central"]) for f in waiting["fields"]} == {
        ("title", "Northwind ERP", "Northwind ERP (legacy tool)"),
        ("stage", "Technical Validation", "Prospect"),
    }

    assert cosell(capsys, "conflicts", "resolve", deal_id, "--all", "partner-central")[0] == 0
    world.settle()
    assert (
        world.integration.get_deal(deal_id, ["dealname"]).get("dealname")
        == "Northwind ERP (legacy tool) #AWS"
    )
    assert shown(world, deal_id)["aws_sync_status"] == "Synced"
    assert creates(world) == made


def test_an_unknown_id_and_an_id_linked_elsewhere_are_explained_on_the_deal_until_the_rep_corrects_it(
    world: World,
) -> None:
    owner_id = world.create_deal("Fabrikam lake #AWS")
    world.settle()
    owned = shown(world, owner_id)["aws_opportunity_id"]
    made = creates(world)
    unknown_id = world.create_deal("Fabrikam typo #AWS", aws_opportunity_id="O4242424242")
    copy_id = world.create_deal("Fabrikam lake (copy) #AWS", aws_opportunity_id=str(owned))
    world.settle()

    assert creates(world) == made
    unknown = shown(world, unknown_id)
    assert unknown["aws_sync_status"] == "Error"
    assert (unknown["aws_sync_error"] or "").startswith(
        "AWS opportunity ID (aws_opportunity_id): Partner Central has no opportunity O4242424242 in the "
        "Sandbox catalog"
    )
    copy = shown(world, copy_id)
    assert copy["aws_sync_status"] == "Error"
    assert f"opportunity {owned} is already linked to deal {owner_id}" in (copy["aws_sync_error"] or "")
    assert links(world).link_for_deal(copy_id) is None
    assert links(world).deal_for_opportunity(world.stack.catalog, str(owned)) == owner_id

    # The rep corrects the id alone (its change is subscribed): the deal is linked to the one it names now.
    found = existing_opportunity(
        world.partner_central, world.integration, world.stack.catalog, unknown_id, {}
    )
    world.rep.update_deal(unknown_id, aws_opportunity_id=found)
    world.settle()
    assert links(world).deal_for_opportunity(world.stack.catalog, found) == unknown_id
    assert shown(world, unknown_id)["aws_sync_status"] == "Synced"
    assert creates(world) == made + 1  # the one the "other tool" made


def test_an_operator_links_and_unlinks_with_clear_errors_and_an_audit_trail(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    deal_id, opportunity_id = made_elsewhere(world, "Tailwind CRM", changes={})
    other_deal, other_opportunity = made_elsewhere(world, "Tailwind billing")

    code, out, err = cosell(capsys, "link", deal_id, "O4242424242")
    assert (code, out) == (2, "")
    assert "Partner Central has no opportunity O4242424242 in the Sandbox catalog" in err
    code, out, err = cosell(capsys, "link", "99999999999", opportunity_id)
    assert (code, err.strip()) == (2, "cosell link: HubSpot has no deal 99999999999")

    code, out, _ = cosell(capsys, "link", deal_id, opportunity_id)
    assert code == 0
    assert out.splitlines()[0] == f"Deal {deal_id} ↔ opportunity {opportunity_id} (Sandbox): linked."
    assert "agree on every synced field" in out
    world.settle()  # the queued reconcile writes the id on the deal
    assert shown(world, deal_id)["aws_opportunity_id"] == opportunity_id
    assert shown(world, deal_id)["aws_sync_status"] == "Synced"
    assert cosell(capsys, "link", deal_id, opportunity_id)[1].endswith("already linked; nothing changed.\n")

    code, _, err = cosell(capsys, "link", other_deal, opportunity_id)
    assert (code, err.strip()) == (
        2,
        f"cosell link: opportunity {opportunity_id} is already linked to deal {deal_id}; one opportunity "
        "syncs with one deal",
    )
    code, _, err = cosell(capsys, "link", deal_id, other_opportunity)
    assert (code, err.strip()) == (
        2,
        f"cosell link: deal {deal_id} is linked to opportunity {opportunity_id}; cosell unlink {deal_id} first",
    )

    code, out, _ = cosell(capsys, "unlink", deal_id)
    assert code == 0
    assert f"Deal {deal_id} ↮ opportunity {opportunity_id} (Sandbox): unlinked." in out
    assert links(world).link_for_deal(deal_id) is None
    assert links(world).deal_for_opportunity(world.stack.catalog, opportunity_id) is None
    deal = shown(world, deal_id)
    assert deal["aws_sync_status"] == "Error"
    assert f"an operator unlinked this deal from opportunity {opportunity_id}" in (
        deal["aws_sync_error"] or ""
    )
    assert (
        cosell(capsys, "unlink", deal_id)[2].strip()
        == f"cosell unlink: deal {deal_id} is linked to no opportunity"
    )

    made = creates(world)
    world.rep.update_deal(
        deal_id, dealname="Tailwind CRM #AWS"
    )  # tagged now: still not linked back or recreated
    world.settle()
    assert links(world).link_for_deal(deal_id) is None
    assert creates(world) == made

    code, out, _ = cosell(capsys, "link", other_deal, opportunity_id)  # the opportunity, free again
    assert code == 0
    assert out.splitlines()[1:5] == [
        "  They differ on 1 synced field(s), settled at the deal's sync:",
        "    title (Deal name): waits for an operator (cosell conflicts)",
        "      HubSpot:          Tailwind billing",
        "      Partner Central:  Tailwind CRM",
    ]
    world.settle()
    assert links(world).deal_for_opportunity(world.stack.catalog, opportunity_id) == other_deal
    assert audit_actions(world, deal_id).count("link") == 1
    assert "unlink" in audit_actions(world, deal_id)
    assert "link" in audit_actions(world, other_deal)
