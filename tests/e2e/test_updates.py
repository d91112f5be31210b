"""Keeping linked pairs in step, end to end: HubSpot edits reach Partner Central and back, once, without echo;
conflicts are settled by their strategy; holds wait for AWS's review; every write is audited.

One stack for the module, with a strategy per field so every strategy runs through the real handlers:
stage → manual, close date → hubspot-wins, amount → partner-central-wins, everything else last-write-wins.
Both emulators run on real time here, so each side's modification time is comparable (last-write-wins).
"""

from __future__ import annotations

import io
import json
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from cosell.cli.audit import read_export
from cosell.cli.main import main as cosell
from cosell.domain.audit import AuditAction
from cosell.handlers import runtime
from cosell.store import keys
from cosell.store.audit import AuditStore
from cosell.store.conflicts import ConflictStore
from cosell_local.demo.rep import Rep
from cosell_local.partner_central import EmulatorConfig
from cosell_local.runner import LocalStack
from tests.e2e.conftest import World
from tests.support.partner_central import console_update

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

COALESCING_WINDOW = "2"  # seconds: longer than the burst below takes
STRATEGIES = {"stage": "manual", "close_date": "hubspot-wins", "expected_spend": "partner-central-wins"}
PARTNER_CENTRAL_WRITES = ("CreateOpportunity", "UpdateOpportunity", "AssignOpportunity")
DEAL_PROPERTIES = (
    "dealname",
    "dealstage",
    "amount",
    "closedate",
    "aws_sync_status",
    "aws_sync_waiting",
    "aws_sync_error",
    "aws_review_status",
    "aws_review_comments",
    "aws_next_steps",
)


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(
        queue_time_scale=200,
        hubspot_tier="enterprise",
        poll_in_background=False,
        run_schedules=False,
        partner_central=EmulatorConfig(tick_seconds=0, task_delay_seconds=0.1),
        parameters={"ConflictStrategies": json.dumps(STRATEGIES)},
    ) as running:
        Rep.sign_in(running.hubspot)
        yield running


class Pair:
    """A linked deal and opportunity, and the counters the tests compare."""

    def __init__(self, world: World, deal_id: str, opportunity_id: str) -> None:
        self.world = world
        self.deal_id = deal_id
        self.opportunity_id = opportunity_id
        self.console_writes = 0

    @property
    def control(self) -> Any:
        return self.world.stack.partner_central.control

    def cosell_writes(self) -> int:
        """Partner Central writes that took effect, less this pair's console user's."""
        return self._succeeded(*PARTNER_CENTRAL_WRITES) - self.console_writes

    def updates(self) -> int:
        return self._succeeded("UpdateOpportunity") - self.console_writes

    def _succeeded(self, *operations: str) -> int:
        return sum(1 for op in operations for call in self.control.calls(op) if call["Error"] is None)

    def sync_deal_writes(self) -> int:
        """Deal PATCHes by cosell's app (the rep's own edits carry the rep's token)."""
        hubspot = self.world.stack.hubspot
        return sum(
            1
            for request in hubspot.requests
            if request.method == "PATCH"
            and request.path.startswith("/crm/v3/objects/deals")
            and request.by_rep is False
        )

    def deal_reads(self) -> int:
        """Reads of the deal by cosell's app (the test's own reads, `deal`, count too: read this first)."""
        return sum(
            1
            for request in self.world.stack.hubspot.requests
            if request.method == "GET"
            and request.path.startswith(f"/crm/v3/objects/deals/{self.deal_id}")
            and request.by_rep is False
        )

    def deal(self) -> dict[str, str | None]:
        return dict(self.world.integration.get_deal(self.deal_id, DEAL_PROPERTIES).properties)

    def opportunity(self) -> dict[str, Any]:
        # Through the control API: the test's reads take no slot of the quota the sync paces itself by.
        return self.world.stack.partner_central.control.opportunity(
            self.world.stack.catalog, self.opportunity_id
        )

    def console_update(self, change: Callable[[dict[str, Any]], None]) -> None:
        """A partner user edits the opportunity in Partner Central."""
        console_update(
            self.world.partner_central, self.control, self.world.stack.catalog, self.opportunity_id, change
        )
        self.console_writes += 1

    def settle(self) -> None:
        self.world.stack.process_queue_until_idle(timeout=60)

    def audit(self) -> list[Any]:
        return AuditStore(self.world.stack.client("dynamodb"), self.world.stack.audit_table_name).for_deal(
            self.deal_id
        )


@pytest.fixture
def world(stack: LocalStack) -> Iterator[World]:
    stack.process_queue_until_idle(timeout=60)
    yield World(stack)
    stack.partner_central.control.configure_faults(lose_event_rate=0.0)


def linked(world: World, name: str = "Contoso data platform #AWS", **extra: str) -> Pair:
    deal_id = world.create_deal(name, **extra)
    world.stack.process_queue_until_idle(timeout=60)
    (opportunity,) = world.opportunities_for(deal_id)
    pair = Pair(world, deal_id, opportunity["Id"])
    assert pair.deal()["aws_sync_status"] == "Synced"
    return pair


def monthly(amount: str) -> str:
    return f"{float(amount) / 12:.2f}"


# --- HubSpot → Partner Central ---------------------------------------------------------------------------


def test_a_burst_of_twenty_property_changes_to_one_deal_costs_one_update(world: World) -> None:
    pair = linked(world)
    updates = pair.updates()
    for step in range(1, 21):
        field = step % 4
        if field == 0:
            world.rep.update_deal(pair.deal_id, amount=str(60_000 + step))
        elif field == 1:
            world.rep.update_deal(pair.deal_id, closedate=f"2027-10-{step:02d}T00:00:00.000Z")
        elif field == 2:
            world.rep.update_deal(
                pair.deal_id, description=f"Data platform on AWS, revision {step} of the plan."
            )
        else:
            world.rep.update_deal(pair.deal_id, dealname=f"Contoso data platform v{step} #AWS")
    pair.settle()

    assert pair.updates() - updates == 1
    opportunity = pair.opportunity()
    assert opportunity["Project"]["ExpectedCustomerSpend"][0]["Amount"] == monthly("60020")
    assert opportunity["LifeCycle"]["TargetCloseDate"] == "2027-10-17"
    assert (
        opportunity["Project"]["CustomerBusinessProblem"] == "Data platform on AWS, revision 18 of the plan."
    )
    assert opportunity["Project"]["Title"] == "Contoso data platform v19"
    assert pair.deal()["aws_sync_status"] == "Synced"


def test_a_round_trip_settles_with_zero_extra_writes(world: World) -> None:
    pair = linked(world)
    writes, deal_writes, reads = pair.cosell_writes(), pair.sync_deal_writes(), pair.deal_reads()
    world.rep.update_deal(pair.deal_id, closedate="2027-12-15T00:00:00.000Z")
    pair.settle()  # HubSpot edit → UpdateOpportunity → Opportunity Updated event → its own echo: in step
    assert (
        pair.deal_reads() - reads == 1
    )  # the edit's reconcile; the echo found the opportunity as it left it
    assert pair.opportunity()["LifeCycle"]["TargetCloseDate"] == "2027-12-15"
    assert pair.cosell_writes() - writes == 1
    assert pair.sync_deal_writes() == deal_writes

    pair.console_update(lambda body: body["LifeCycle"].update(NextSteps="Architecture review on Monday"))
    pair.settle()  # event → the deal's next steps → (unsubscribed property: no webhook) → quiet
    assert pair.deal()["aws_next_steps"] == "Architecture review on Monday"
    assert pair.cosell_writes() - writes == 1
    assert pair.sync_deal_writes() == deal_writes + 1

    pair.console_update(lambda body: body["Project"].update(Title="Contoso lakehouse"))
    pair.settle()  # event → dealname (a subscribed property) → webhook back → reconciled: in step
    assert pair.deal()["dealname"] == "Contoso lakehouse #AWS"
    assert pair.cosell_writes() - writes == 1
    assert pair.sync_deal_writes() == deal_writes + 2
    pair.settle()
    assert (pair.cosell_writes() - writes, pair.sync_deal_writes()) == (1, deal_writes + 2)


def test_company_and_contact_changes_reach_every_linked_deal(world: World) -> None:
    """Through the customer index, which the stack's sweep builds once: the company's and contact's change
    events find their deals without asking HubSpot."""
    assert world.stack.run_schedule("SweepFunction").succeeded
    before = len(world.stack.hubspot.requests)
    first = linked(world, "Fabrikam analytics #AWS", description=None)
    company_id = world.integration.list_associations("deals", first.deal_id, "companies")[0].to_object_id
    second_id = world.create_deal("Fabrikam backup #AWS", company=False)
    world.rep.make_primary_company(second_id, company_id)
    world.stack.process_queue_until_idle(timeout=60)
    (second_opportunity,) = world.opportunities_for(second_id)
    second = Pair(world, second_id, second_opportunity["Id"])

    world.rep.client.update_company(company_id, {"city": "Redmond"})
    first.settle()
    for pair in (first, second):
        assert pair.opportunity()["Customer"]["Account"]["Address"]["City"] == "Redmond"

    contact_id = world.integration.list_associations("deals", first.deal_id, "contacts")[0].to_object_id
    world.rep.client.update_contact(contact_id, {"lastname": "Okafor"})
    first.settle()
    contacts = first.opportunity()["Customer"]["Contacts"]
    assert [contact.get("LastName") for contact in contacts] == ["Okafor"]
    customers_deals = [
        entry.path
        for entry in world.stack.hubspot.requests[before:]
        if entry.by_rep is False and entry.path.endswith("/associations/deals")
    ]
    assert customers_deals == []


def test_a_deal_gaining_a_new_primary_company_changes_the_customer(world: World) -> None:
    pair = linked(world, "Northwind ERP #AWS")
    company_id = world.rep.create_company("Northwind Traders", "northwind.example")
    world.rep.make_primary_company(pair.deal_id, company_id)
    pair.settle()
    account = pair.opportunity()["Customer"]["Account"]
    assert (account["CompanyName"], account["WebsiteUrl"]) == (
        "Northwind Traders",
        "https://northwind.example",
    )


def test_an_owner_change_assigns_the_opportunity(world: World) -> None:
    pair = linked(world, "Tailspin toys #AWS")
    world.rep.update_deal(pair.deal_id, hubspot_owner_id="110000002")
    pair.settle()
    assert len(pair.control.calls("AssignOpportunity")) >= 1
    owner = pair.opportunity()["OpportunityTeam"][0]
    assert (owner["Email"], owner["FirstName"], owner["LastName"]) == (
        "bo.seller@example.com",
        "Bo",
        "Seller",
    )
    assert AuditAction.ASSIGN_OPPORTUNITY in [record.action for record in pair.audit()]


def test_a_concurrent_partner_central_write_is_met_with_a_fresh_read_and_a_retry(world: World) -> None:
    pair = linked(world, "Wingtip migration #AWS")
    client = runtime.ports().partner_central  # the worker's own client, as the handler built it
    raced: list[str] = []

    def someone_writes_in_between(params: dict[str, Any], **_: Any) -> None:
        if not raced and params.get("Identifier") == pair.opportunity_id:
            raced.append("once")
            pair.console_update(lambda body: body["LifeCycle"].update(NextSteps="Call the CFO"))

    client.meta.events.register(
        "before-parameter-build.partnercentral-selling.UpdateOpportunity", someone_writes_in_between
    )
    try:
        world.rep.update_deal(pair.deal_id, amount="72000")
        pair.settle()
    finally:
        client.meta.events.unregister(
            "before-parameter-build.partnercentral-selling.UpdateOpportunity", someone_writes_in_between
        )
    conflicts = [
        call for call in pair.control.calls("UpdateOpportunity") if call["Error"] == "ConflictException"
    ]
    assert raced
    assert len(conflicts) == 1
    opportunity = pair.opportunity()
    assert opportunity["Project"]["ExpectedCustomerSpend"][0]["Amount"] == monthly("72000")
    assert opportunity["LifeCycle"]["NextSteps"] == "Call the CFO"  # the other writer's change survived


def test_a_change_is_held_while_the_opportunity_is_in_review_and_applied_after(world: World) -> None:
    pair = linked(world, "Litware rollout #AWS")
    pair.control.set_review_status(world.stack.catalog, pair.opportunity_id, "In review")
    pair.settle()
    assert pair.deal()["aws_review_status"] == "In review"
    updates = pair.updates()

    world.rep.update_deal(pair.deal_id, amount="90000")
    pair.settle()
    deal = pair.deal()
    assert pair.updates() == updates
    assert deal["aws_sync_status"] == "Pending"
    assert (deal["aws_sync_waiting"] or "").startswith(
        "waiting: opportunity is In review; Amount and currency"
    )
    assert AuditAction.HOLD in [record.action for record in pair.audit()]

    pair.control.set_review_status(
        world.stack.catalog, pair.opportunity_id, "Approved", review_comments="Looks good, co-sell approved."
    )
    pair.settle()
    deal = pair.deal()
    assert pair.updates() == updates + 1
    assert pair.opportunity()["Project"]["ExpectedCustomerSpend"][0]["Amount"] == monthly("90000")
    assert (deal["aws_sync_status"], deal["aws_sync_waiting"] or "") == ("Synced", "")
    assert (deal["aws_review_status"], deal["aws_review_comments"]) == (
        "Approved",
        "Looks good, co-sell approved.",
    )


# --- Partner Central → HubSpot ---------------------------------------------------------------------------


def test_partner_central_changes_reach_the_deal(world: World) -> None:
    pair = linked(world, "Adatum security #AWS")
    pair.console_update(lambda body: body["LifeCycle"].update(Stage="Business Validation"))
    pair.control.set_review_status(
        world.stack.catalog,
        pair.opportunity_id,
        "Action Required",
        review_comments="Add the customer's AWS account id.",
        review_status_reason="Missing information",
    )
    pair.settle()
    deal = pair.deal()
    assert deal["dealstage"] == "decisionmakerboughtin"
    assert deal["aws_review_status"] == "Action Required"
    assert deal["aws_review_comments"] == "Missing information\nAdd the customer's AWS account id."


def test_an_opportunity_closed_lost_in_partner_central_closes_the_deal_lost(world: World) -> None:
    pair = linked(world, "Proseware pilot #AWS")
    pair.console_update(lambda body: body["LifeCycle"].update(Stage="Closed Lost", ClosedLostReason="Price"))
    pair.settle()
    assert pair.deal()["dealstage"] == "closedlost"
    writes = pair.cosell_writes()
    world.rep.update_deal(pair.deal_id, description="Lost on price; revisit the pilot next fiscal year.")
    pair.settle()  # a lost deal still syncs; the reason AWS was given stays
    opportunity = pair.opportunity()
    assert pair.cosell_writes() == writes + 1
    assert opportunity["LifeCycle"]["ClosedLostReason"] == "Price"


def test_the_sweep_catches_a_change_whose_event_was_lost(world: World) -> None:
    pair = linked(world, "Woodgrove banking #AWS")
    pair.control.configure_faults(lose_event_rate=1.0)
    pair.console_update(lambda body: body["LifeCycle"].update(NextSteps="Security review with AWS"))
    pair.control.configure_faults(lose_event_rate=0.0)
    pair.settle()
    assert pair.deal()["aws_next_steps"] in (None, "")
    invocation = world.stack.run_schedule("SweepFunction")
    assert invocation.succeeded
    assert invocation.response["partner_central"]["queued"] >= 1
    pair.settle()
    assert pair.deal()["aws_next_steps"] == "Security review with AWS"


def test_the_sweep_catches_a_rep_s_change_whose_webhook_was_lost(world: World) -> None:
    """HubSpot gave up delivering the webhook (a day-long outage, say): the sweep's HubSpot part finds the
    change in the deal's property history and queues it as the webhook would have; what the pair's sync had
    read already costs nothing."""
    pair = linked(world, "Tailspin fleet #AWS")
    webhooks = world.stack.hubspot.webhooks
    assert webhooks is not None
    assert world.stack.run_schedule("SweepFunction").succeeded  # everything so far, as read
    pair.settle()
    updates = pair.updates()
    webhooks.lose_next(1)
    world.rep.update_deal(pair.deal_id, amount="96000")
    pair.settle()
    assert len(webhooks.lost) >= 1
    assert pair.opportunity()["Project"]["ExpectedCustomerSpend"][0]["Amount"] != monthly("96000")

    # Partner Central's side of the sweep lists nothing (its cursor ahead): only the HubSpot side can help.
    dynamodb, table = world.stack.client("dynamodb"), world.stack.state_table_name
    ahead = {**keys.sweep_cursor(world.stack.catalog), "modified_after": {"S": "2999-01-01T00:00:00+00:00"}}
    dynamodb.put_item(TableName=table, Item=ahead)
    try:
        invocation = world.stack.run_schedule("SweepFunction")
    finally:
        dynamodb.delete_item(TableName=table, Key=keys.sweep_cursor(world.stack.catalog))
    assert invocation.succeeded
    assert invocation.response["partner_central"]["queued"] == 0
    assert invocation.response["hubspot"]["queued"]["deals"] >= 1  # this module's other recent deals too
    pair.settle()
    assert pair.opportunity()["Project"]["ExpectedCustomerSpend"][0]["Amount"] == monthly("96000")
    assert pair.updates() == updates + 1
    assert world.stack.run_schedule("SweepFunction").succeeded  # listed again (the overlap): seen, no write
    pair.settle()
    assert pair.updates() == updates + 1


# --- conflicts -------------------------------------------------------------------------------------------


def both_edit(
    pair: Pair, hubspot: dict[str, str], console: Callable[[dict[str, Any]], None], *, first: str
) -> None:
    """Both sides edit before the sync runs; `first` says whose edit is older."""
    steps = [
        lambda: pair.world.rep.update_deal(pair.deal_id, **hubspot),
        lambda: pair.console_update(console),
    ]
    for step in steps if first == "hubspot" else reversed(steps):
        step()
        time.sleep(0.05)  # distinct modification times on each side's clock
    pair.settle()


def test_hubspot_wins_its_fields(world: World) -> None:
    pair = linked(world, "Coho winery #AWS")
    both_edit(
        pair,
        {"closedate": "2027-11-30T00:00:00.000Z"},
        lambda body: body["LifeCycle"].update(TargetCloseDate="2028-02-28"),
        first="hubspot",
    )
    assert pair.opportunity()["LifeCycle"]["TargetCloseDate"] == "2027-11-30"
    assert (pair.deal()["closedate"] or "").startswith("2027-11-30")
    assert "close_date" in [
        c.field for r in pair.audit() if r.action is AuditAction.CONFLICT for c in r.changes
    ]


def test_partner_central_wins_its_fields(world: World) -> None:
    pair = linked(world, "Alpine ski house #AWS")
    both_edit(
        pair,
        {"amount": "240000"},
        lambda body: body["Project"]["ExpectedCustomerSpend"][0].update(Amount="9000.00"),
        first="partner-central",
    )
    assert pair.opportunity()["Project"]["ExpectedCustomerSpend"][0]["Amount"] == "9000.00"
    assert pair.deal()["amount"] == "108000"


@pytest.mark.parametrize("newer", ["hubspot", "partner-central"])
def test_last_write_wins_by_each_sides_modification_time(world: World, newer: str) -> None:
    pair = linked(world, f"Relecloud {newer} #AWS")
    both_edit(
        pair,
        {"dealname": "Relecloud HubSpot name #AWS"},
        lambda body: body["Project"].update(Title="Relecloud Partner Central name"),
        first="partner-central" if newer == "hubspot" else "hubspot",
    )
    expected = "Relecloud HubSpot name" if newer == "hubspot" else "Relecloud Partner Central name"
    assert pair.opportunity()["Project"]["Title"] == expected
    assert pair.deal()["dealname"] == f"{expected} #AWS"


def test_a_manual_conflict_waits_for_an_operator_then_applies_the_chosen_side(world: World) -> None:
    pair = linked(world, "Lamna healthcare #AWS")
    writes = pair.cosell_writes()
    both_edit(
        pair,
        {"dealstage": "qualifiedtobuy"},
        lambda body: body["LifeCycle"].update(Stage="Business Validation"),
        first="hubspot",
    )
    deal = pair.deal()
    assert pair.cosell_writes() == writes
    assert (deal["dealstage"], pair.opportunity()["LifeCycle"]["Stage"]) == (
        "qualifiedtobuy",
        "Business Validation",
    )
    assert deal["aws_sync_status"] == "Pending"
    assert "conflict: Deal stage: HubSpot has Qualified, Partner Central has Business Validation" in (
        deal["aws_sync_waiting"] or ""
    )
    store = ConflictStore(world.stack.client("dynamodb"), world.stack.resources.refs["StateTable"])  # type: ignore[union-attr]
    assert [c.field for c in store.get(pair.deal_id).fields] == ["stage"]  # type: ignore[union-attr]
    pair.settle()
    assert [r.action for r in pair.audit()].count(AuditAction.CONFLICT) == 1  # recorded once, not per run

    listed = io.StringIO()
    with redirect_stdout(listed):
        assert cosell(["conflicts", "list"]) == 1  # conflicts wait
    assert pair.deal_id in listed.getvalue()
    with redirect_stdout(io.StringIO()):
        assert (
            cosell(["conflicts", "resolve", pair.deal_id, "--field", "stage", "--take", "partner-central"])
            == 0
        )
    pair.settle()
    deal = pair.deal()
    assert deal["dealstage"] == "decisionmakerboughtin"
    assert (deal["aws_sync_status"], deal["aws_sync_waiting"] or "") == ("Synced", "")
    assert store.get(pair.deal_id) is None
    assert AuditAction.RESOLVE in [record.action for record in pair.audit()]
    assert pair.cosell_writes() == writes


# --- the audit trail -------------------------------------------------------------------------------------


def test_the_audit_timeline_tells_what_happened_and_the_export_round_trips(
    world: World, tmp_path: Path
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    pair = linked(world, "Trey research #AWS")
    world.rep.update_deal(pair.deal_id, amount="36000")
    pair.settle()
    pair.console_update(lambda body: body["LifeCycle"].update(Stage="Business Validation", NextSteps="Demo"))
    pair.settle()

    timeline = pair.audit()
    assert [record.action for record in timeline] == [
        AuditAction.CREATE_OPPORTUNITY,
        AuditAction.UPDATE_OPPORTUNITY,
        AuditAction.UPDATE_DEAL,
    ]
    created, pushed, pulled = timeline
    assert created.trigger.startswith("hubspot_webhook:deal.")
    assert {c.field: c.after for c in created.changes}["title"] == "Trey research"
    assert [(c.field, c.before, c.after) for c in pushed.changes] == [
        (
            "expected_spend",
            [{"Amount": "5000", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}],
            [{"Amount": "3000", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}],
        )
    ]
    assert pushed.trigger == "hubspot_webhook:deal.propertyChange"
    assert pulled.trigger == "eventbridge:Opportunity Updated"
    assert {c.field: (c.before, c.after) for c in pulled.changes} == {
        "dealstage": ("presentationscheduled", "decisionmakerboughtin"),
        "aws_next_steps": (None, "Demo"),
    }
    assert all(record.opportunity_id == pair.opportunity_id for record in timeline)

    out = io.StringIO()
    with redirect_stdout(out):
        assert cosell(["audit", "deal", pair.deal_id]) == 0
    assert "update opportunity" in out.getvalue()
    assert "expected_spend" in out.getvalue()

    for export_format in ("jsonl", "csv"):
        path = tmp_path / f"audit.{export_format}"
        since = started.isoformat()
        assert (
            cosell(["audit", "export", "--since", since, "--format", export_format, "--output", str(path)])
            == 0
        )
        exported = [record for record in read_export(path, export_format) if record.deal_id == pair.deal_id]
        assert exported == timeline


# --- deals deleted or merged in HubSpot ------------------------------------------------------------------


def rep_request(world: World, method: str, path: str, body: dict[str, Any] | None = None) -> int:
    response = world.http.request(
        method,
        f"{world.stack.hubspot_url}{path}",
        body=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer rep-ada", "Content-Type": "application/json"},
    )
    return int(response.status)


def test_a_deleted_deal_leaves_its_opportunity_as_it_is_and_says_so(world: World) -> None:
    pair = linked(world, "Humongous insurance #AWS")
    writes = pair.cosell_writes()
    assert rep_request(world, "DELETE", f"/crm/v3/objects/deals/{pair.deal_id}") == 204
    pair.settle()
    assert pair.cosell_writes() == writes
    assert pair.opportunity()["Project"]["Title"] == "Humongous insurance"
    (gone,) = [record for record in pair.audit() if record.action is AuditAction.SKIP]
    assert "no longer exists in HubSpot" in gone.detail


def test_a_merged_away_linked_deal_hands_its_opportunity_to_the_deal_it_was_merged_into(world: World) -> None:
    pair = linked(world, "Blue yonder freight #AWS")
    # A duplicate the rep made without the tag; the tagged one is merged into it.
    survivor = world.create_deal("Blue Yonder freight", description=None, company=False)
    survivor_company = world.integration.list_associations("deals", pair.deal_id, "companies")[0].to_object_id
    world.rep.make_primary_company(survivor, survivor_company)
    pair.settle()
    status = rep_request(
        world,
        "POST",
        "/crm/v3/objects/deals/merge",
        {"primaryObjectId": survivor, "objectIdToMerge": pair.deal_id},
    )
    assert status == 200
    pair.settle()
    assert world.opportunities_for(survivor) == []
    moved = Pair(world, survivor, pair.opportunity_id)
    world.rep.update_deal(survivor, amount="84000")
    moved.settle()
    assert moved.opportunity()["Project"]["ExpectedCustomerSpend"][0]["Amount"] == monthly("84000")
    assert moved.deal()["aws_sync_status"] == "Synced"


# --- coalescing with a live worker -----------------------------------------------------------------------


def test_with_the_coalescing_window_a_burst_costs_one_write_even_with_the_worker_polling() -> None:
    """The worker polls all along, as Lambda's event source does; the queue's delay (template parameter
    CoalescingWindowSeconds) lets the burst end before the deal's first reconcile reads it."""
    with LocalStack(
        queue_time_scale=200,
        hubspot_tier="enterprise",
        poll_in_background=True,
        run_schedules=False,
        partner_central=EmulatorConfig(tick_seconds=0, task_delay_seconds=0.1),
        parameters={"CoalescingWindowSeconds": COALESCING_WINDOW},
    ) as live:
        rep = Rep.sign_in(live.hubspot)
        deal_id = rep.create_deal("Contoso burst #AWS")
        control = live.partner_central.control
        deadline = time.monotonic() + 30
        while not control.calls("CreateOpportunity") and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # the creation's own echoes settle
        before = len(control.calls("UpdateOpportunity"))
        for step in range(1, 21):
            rep.update_deal(deal_id, amount=str(60_000 + step))
        deadline = time.monotonic() + 30
        while len(control.calls("UpdateOpportunity")) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(4)  # long enough for any second write and for the echoes to come back
        assert len(control.calls("UpdateOpportunity")) - before == 1
        (opportunity,) = live.partner_central.control.opportunities(live.catalog)
        assert opportunity["Project"]["ExpectedCustomerSpend"][0]["Amount"] == monthly("60020")


def test_a_stage_moving_backwards_is_synced_as_it_is(world: World) -> None:
    pair = linked(world, "Fourth coffee expansion #AWS")  # presentationscheduled: Technical Validation
    world.rep.update_deal(pair.deal_id, dealstage="appointmentscheduled")
    pair.settle()
    assert pair.opportunity()["LifeCycle"]["Stage"] == "Prospect"
    assert pair.deal()["aws_sync_status"] == "Synced"


def test_a_deal_losing_its_company_shows_the_problem_and_sends_nothing(world: World) -> None:
    pair = linked(world, "Graphic design institute #AWS")
    (company,) = world.integration.list_associations("deals", pair.deal_id, "companies")
    writes = pair.cosell_writes()
    world.rep.client.remove_association("deals", pair.deal_id, "companies", company.to_object_id)
    pair.settle()
    deal = pair.deal()
    assert pair.cosell_writes() == writes
    assert deal["aws_sync_status"] == "Error"
    assert (deal["aws_sync_error"] or "").startswith("Company: the deal has no associated company")
    assert pair.opportunity()["Customer"]["Account"]["CompanyName"] == "BigCorp Inc."  # left as it was

    world.rep.make_primary_company(pair.deal_id, company.to_object_id)
    pair.settle()
    assert pair.deal()["aws_sync_status"] == "Synced"
    assert pair.cosell_writes() == writes  # nothing changed meanwhile: nothing to send
