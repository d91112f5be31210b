"""Push a deal: HubSpot emulator → push_deal → Partner Central emulator, state in moto's DynamoDB."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import urllib3
from botocore.exceptions import ClientError

from cosell.domain.deal import Customers
from cosell.domain.mapping_rules import MappingRules
from cosell.hubspot.client import HubSpotUnavailableError
from cosell.hubspot.deal_reader import DealReader
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.store.pacer import ReadPacer, WritePacer
from cosell.sync.deals.fan_out import deals_of, queue_deals_of
from cosell.sync.deals.pair import IN_STEP
from cosell.sync.deals.push import PushOutcome, client_token, push_deal
from cosell.sync.onboarding.customer_index import IndexBuild, build_customer_index
from tests.integration.sync_world import CATALOG, REP_TOKEN, make_world

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cosell.store.state import Link, StateStore
    from tests.integration.sync_world import SyncWorld


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    yield from make_world(f"state-{abs(hash(request.node.nodeid)) % 10**8}")


def deal_properties(world: SyncWorld, deal_id: str) -> dict[str, str | None]:
    names = [
        "aws_opportunity_id",
        "aws_opportunity_url",
        "aws_sync_status",
        "aws_sync_error",
        "aws_last_synced_at",
    ]
    return dict(world.hubspot.get_deal(deal_id, names).properties)


def test_tagged_deal_becomes_one_opportunity_with_every_mapped_field(world: SyncWorld) -> None:
    deal_id = world.create_deal()
    assert push_deal(deal_id, world.ports()) is PushOutcome.CREATED

    (summary,) = world.opportunities()
    opportunity = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=summary["Id"])
    assert opportunity["PartnerOpportunityIdentifier"] == deal_id
    assert opportunity["Project"]["Title"] == "BigCorp Cloud Migration"
    assert opportunity["Project"]["CustomerBusinessProblem"].startswith("Move the on-premises ERP")
    assert opportunity["Project"]["ExpectedCustomerSpend"] == [
        {"Amount": "10000.00", "CurrencyCode": "EUR", "Frequency": "Monthly", "TargetCompany": "AWS"}
    ]
    assert opportunity["LifeCycle"]["Stage"] == "Qualified"
    assert opportunity["LifeCycle"]["TargetCloseDate"] == "2027-06-30"
    assert opportunity["LifeCycle"]["ReviewStatus"] == "Pending Submission"
    account = opportunity["Customer"]["Account"]
    assert account["CompanyName"] == "BigCorp Inc."
    assert account["WebsiteUrl"] == "https://bigcorp.example"
    assert account["Industry"] == "Software and Internet"
    assert account["Address"] == {"City": "Berlin", "PostalCode": "10115", "CountryCode": "DE"}
    assert sorted(c["Email"] for c in opportunity["Customer"]["Contacts"]) == [
        "person0@bigcorp.example",
        "person1@bigcorp.example",
    ]
    assert {c["Phone"] for c in opportunity["Customer"]["Contacts"]} == {"+49301234567"}
    assert opportunity["OpportunityTeam"][0]["Email"] == "ada.rep@example.com"

    properties = deal_properties(world, deal_id)
    assert properties["aws_opportunity_id"] == summary["Id"]
    assert properties["aws_sync_status"] == "Synced"
    assert not properties["aws_sync_error"]
    assert properties["aws_opportunity_url"] == f"https://partnercentral.example/opportunity/{summary['Id']}"
    assert properties["aws_last_synced_at"]
    link = world.store.link_for_deal(deal_id)
    assert link is not None
    assert link.opportunity_id == summary["Id"]
    assert world.store.deal_for_opportunity(CATALOG, summary["Id"]) == deal_id


def test_pushing_again_changes_nothing(world: SyncWorld) -> None:
    deal_id = world.create_deal()
    push_deal(deal_id, world.ports())
    patches_before = world.hubspot_emulator.request_count("PATCH", "/crm/v3/objects/deals")
    assert push_deal(deal_id, world.ports()) == IN_STEP
    assert len(world.partner_central_emulator.control.calls("CreateOpportunity")) == 1
    assert world.hubspot_emulator.request_count("PATCH", "/crm/v3/objects/deals") == patches_before


def test_untagged_deal_makes_no_partner_central_call(world: SyncWorld) -> None:
    deal_id = world.create_deal(name="BigCorp Cloud Migration")
    assert push_deal(deal_id, world.ports()) is PushOutcome.NOT_TAGGED
    assert world.partner_central_emulator.control.calls() == []


def test_invalid_deal_shows_why_and_is_not_retried_until_it_changes(world: SyncWorld) -> None:
    deal_id = world.create_deal(description="Too short", with_company=False)
    assert push_deal(deal_id, world.ports()) is PushOutcome.INVALID
    properties = deal_properties(world, deal_id)
    assert properties["aws_sync_status"] == "Error"
    error = properties["aws_sync_error"] or ""
    assert (
        "Deal description: Partner Central needs the customer's business problem in 20 to 2,000 characters"
        in error
    )
    assert "Company: the deal has no associated company" in error
    assert world.partner_central_emulator.control.calls() == []

    patches = world.hubspot_emulator.request_count("PATCH", "/crm/v3/objects/deals")
    assert push_deal(deal_id, world.ports()) is PushOutcome.STILL_INVALID
    assert world.hubspot_emulator.request_count("PATCH", "/crm/v3/objects/deals") == patches

    world.rep.update_deal(deal_id, {"description": "The customer needs a managed data platform on AWS."})
    company = world.rep.create_company({"name": "Fixed Co", "domain": "fixed.example", "industry": "RETAIL"})
    world.rep.associate("deals", deal_id, "companies", company.id, [5])
    assert push_deal(deal_id, world.ports()) is PushOutcome.CREATED
    properties = deal_properties(world, deal_id)
    assert properties["aws_sync_status"] == "Synced"
    assert not properties["aws_sync_error"]


def test_partner_central_rejection_is_shown_on_the_deal(world: SyncWorld) -> None:
    # A rule set that yields a value the model refuses: pre-flight cannot know this target company is too long.
    rules = MappingRules(spend_target_company="A" * 81)
    deal_id = world.create_deal()
    assert push_deal(deal_id, world.ports(rules)) is PushOutcome.REJECTED
    properties = deal_properties(world, deal_id)
    assert properties["aws_sync_status"] == "Error"
    assert "Partner Central refused Amount and currency (Project.ExpectedCustomerSpend[0].TargetCompany)" in (
        properties["aws_sync_error"] or ""
    )
    assert world.opportunities() == []


def test_crash_before_the_hubspot_write_back_is_repaired_without_a_second_opportunity(
    world: SyncWorld,
) -> None:
    deal_id = world.create_deal()
    world.hubspot_emulator.faults.fail_next(
        503, times=3, path_prefix=f"/crm/v3/objects/deals/{deal_id}", method="PATCH"
    )
    with pytest.raises(HubSpotUnavailableError):
        push_deal(deal_id, world.ports())
    assert len(world.opportunities()) == 1
    assert deal_properties(world, deal_id)["aws_sync_status"] is None

    assert push_deal(deal_id, world.ports()) == "deal updated"
    assert len(world.opportunities()) == 1
    assert deal_properties(world, deal_id)["aws_sync_status"] == "Synced"


def test_concurrent_pushes_of_one_deal_make_one_opportunity(world: SyncWorld) -> None:
    deal_id = world.create_deal()
    outcomes: list[str | Exception] = []
    # The pacers' items exist before the race: moto, unlike DynamoDB, can show a concurrent reader an item it
    # is still creating (without its attributes).
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    ReadPacer(dynamodb, world.table, per_second=10).acquire()
    WritePacer(dynamodb, world.table, per_second=10).acquire()

    def push() -> None:
        try:
            outcomes.append(push_deal(deal_id, world.ports()))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            outcomes.append(error)

    threads = [threading.Thread(target=push) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(world.opportunities()) == 1
    # One creates; the others find its ClientToken's answer, or (search) the opportunity it made.
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert PushOutcome.CREATED in outcomes


def test_a_sync_that_saves_the_new_pair_first_stands_and_the_creation_ends_without_an_error(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The creation's snapshot save loses to another sync of the new pair (a backfill beside the worker, as
    the concurrent pushes above can do on a loaded machine): that sync read both sides after the creation, so
    its snapshot stands, and the creation is not failed for it (nor retried into a second reconcile)."""
    deal_id = world.create_deal()
    ports = world.ports()
    save_snapshot = type(ports.links).save_snapshot
    competitor: list[Link] = []

    def another_sync_saves_first(store: StateStore, link: Link, *args: Any, **kwargs: Any) -> Link:
        if not competitor:
            competitor.append(
                save_snapshot(store, link, link.last_in_step, "2026-12-06T00:00:00+00:00", None)
            )
        return save_snapshot(store, link, *args, **kwargs)

    monkeypatch.setattr(type(ports.links), "save_snapshot", another_sync_saves_first)
    assert push_deal(deal_id, ports) == PushOutcome.CREATED
    saved = ports.links.link_for_deal(deal_id)
    assert saved is not None
    assert (saved.revision, saved.synced_at) == (competitor[0].revision, "2026-12-06T00:00:00+00:00")
    assert len(world.opportunities()) == 1


def test_client_token_depends_on_the_catalog_the_deal_and_the_body() -> None:
    body = {"Project": {"Title": "t"}}
    assert client_token("Sandbox", "42", body) == client_token("Sandbox", "42", dict(body))
    assert client_token("Sandbox", "42", body) != client_token("AWS", "42", body)
    assert client_token("Sandbox", "42", body) != client_token("Sandbox", "43", body)
    assert client_token("Sandbox", "42", body) != client_token("Sandbox", "42", {"Project": {"Title": "u"}})


def test_fixing_the_company_pushes_its_deals(world: SyncWorld) -> None:
    first, second = (
        world.create_deal(with_company=False),
        world.create_deal("Second #AWS", with_company=False),
    )
    untagged = world.create_deal("No tag here", with_company=False)
    company = world.rep.create_company({"name": "No Domain Ltd", "industry": "RETAIL", "country": "GB"})
    for deal_id in (first, second, untagged):
        world.rep.associate("deals", deal_id, "companies", company.id, [5])
    context = world.ports()
    assert deals_of("companies", company.id, context) == sorted([first, second, untagged])
    outcomes = sorted(push_deal(deal_id, context) for deal_id in (first, second, untagged))
    assert outcomes == sorted([PushOutcome.NOT_TAGGED, PushOutcome.INVALID, PushOutcome.INVALID])
    assert "Company domain: is empty" in (deal_properties(world, first)["aws_sync_error"] or "")

    world.rep.update_company(company.id, {"domain": "nodomain.example"})
    outcomes = sorted(push_deal(deal_id, context) for deal_id in (first, second, untagged))
    assert outcomes == sorted([PushOutcome.NOT_TAGGED, PushOutcome.CREATED, PushOutcome.CREATED])
    assert {deal_properties(world, deal_id)["aws_sync_status"] for deal_id in (first, second)} == {"Synced"}


def test_a_deleted_deal_is_nothing_to_push(world: SyncWorld) -> None:
    deal_id = world.create_deal()
    deleted = urllib3.request(
        "DELETE",
        f"{world.hubspot_emulator.base_url}/crm/v3/objects/deals/{deal_id}",
        headers={"Authorization": f"Bearer {REP_TOKEN}"},
    )
    assert deleted.status == 204
    assert push_deal(deal_id, world.ports()) is PushOutcome.GONE
    assert world.partner_central_emulator.control.calls() == []


@pytest.mark.parametrize("kind", ["companies", "contacts"])
def test_a_change_of_a_company_or_contact_deleted_since_queues_nothing_and_fails_nothing(
    world: SyncWorld, kind: str
) -> None:
    """Deleted before the worker ran: HubSpot answers 404 for its associations; its deals have events of their
    own, so the change is acknowledged, not retried into the DLQ."""
    subject = Subject.HUBSPOT_COMPANY if kind == "companies" else Subject.HUBSPOT_CONTACT
    created = urllib3.request(
        "POST",
        f"{world.hubspot_emulator.base_url}/crm/v3/objects/{kind}",
        json={"properties": {"name": "Gone Inc."} if kind == "companies" else {"email": "gone@example.com"}},
        headers={"Authorization": f"Bearer {REP_TOKEN}"},
    )
    record_id = created.json()["id"]
    deleted = urllib3.request(
        "DELETE",
        f"{world.hubspot_emulator.base_url}/crm/v3/objects/{kind}/{record_id}",
        headers={"Authorization": f"Bearer {REP_TOKEN}"},
    )
    assert deleted.status == 204
    request = SyncRequest(
        subject=subject,
        object_id=record_id,
        triggers=(Trigger(source="hubspot_webhook", kind=f"{kind[:-1]}.propertyChange", occurred_at_ms=1),),
        correlation_id="c-1",
    )
    assert queue_deals_of(request, world.ports()) == f"{kind} {record_id} no longer exists: nothing to queue"
    assert world.queued.requests == []


def test_what_the_mapping_leaves_out_is_shown_on_the_deal_until_it_is_fixed(world: SyncWorld) -> None:
    deal_id = world.create_deal(contacts=0)
    contact = world.rep.create_contact(
        {"email": "ann@bigcorp.example", "firstname": "Ann", "phone": "030 1234567"}
    )
    world.rep.associate("deals", deal_id, "contacts", contact.id, [3])
    assert push_deal(deal_id, world.ports()) is PushOutcome.CREATED
    shown = world.hubspot.get_deal(deal_id, ["aws_sync_status", "aws_sync_warnings"]).properties
    assert shown["aws_sync_status"] == "Synced"  # a warning does not stop the sync
    assert shown["aws_sync_warnings"] == (
        "Contact Ann phone left out: not in international (E.164) form, e.g. +14155550134"
    )
    (opportunity,) = world.opportunities()
    record = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity["Id"])
    assert "Phone" not in record["Customer"]["Contacts"][0]

    world.rep.update_contact(contact.id, {"phone": "+49 30 1234567"})
    push_deal(deal_id, world.ports())  # the pair's reconcile: the contact's phone goes out, the warning goes
    shown = world.hubspot.get_deal(deal_id, ["aws_sync_warnings"]).properties
    assert not shown["aws_sync_warnings"]
    record = world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity["Id"])
    assert record["Customer"]["Contacts"][0]["Phone"] == "+49301234567"


def change_of(subject: Subject, object_id: str) -> SyncRequest:
    return SyncRequest(
        subject=subject,
        object_id=object_id,
        triggers=(Trigger(source="hubspot_webhook", kind="company.propertyChange", occurred_at_ms=1),),
        correlation_id=f"c-{object_id}",
    )


def app_requests(world: SyncWorld, since: int) -> list[str]:
    """What the integration asked HubSpot since request number `since`, by method and path."""
    return [f"{e.method} {e.path}" for e in world.hubspot_emulator.requests[since:] if e.by_rep is False]


def company_of(world: SyncWorld, deal_id: str) -> str:
    (association,) = world.hubspot.list_associations("deals", deal_id, "companies")
    return association.to_object_id


def contacts_of(world: SyncWorld, deal_id: str) -> list[str]:
    return sorted(a.to_object_id for a in world.hubspot.list_associations("deals", deal_id, "contacts"))


def test_a_company_s_or_contact_s_change_finds_the_deals_read_with_it_without_asking_hubspot(
    world: SyncWorld,
) -> None:
    """Every read of a deal records its company and contacts (the customer index): once the index is built,
    their changes queue exactly the deals read with them, and HubSpot is not asked."""
    ports = world.ports()
    ports.customers.mark_built("2026-12-03T00:00:00+00:00")
    deals = [world.create_deal(f"Deal {n} #AWS") for n in range(2)]
    for deal_id in deals:
        assert push_deal(deal_id, ports) is PushOutcome.CREATED
    stranger = world.rep.create_company({"name": "On no deal"})
    company = company_of(world, deals[0])
    contact = contacts_of(world, deals[1])[0]
    before = len(world.hubspot_emulator.requests)

    outcomes = [
        queue_deals_of(change_of(Subject.HUBSPOT_COMPANY, company), ports),
        queue_deals_of(change_of(Subject.HUBSPOT_CONTACT, contact), ports),
        queue_deals_of(change_of(Subject.HUBSPOT_COMPANY, stranger.id), ports),
    ]

    assert app_requests(world, before) == []
    with_contact = [deal_id for deal_id in deals if contact in contacts_of(world, deal_id)]
    assert [(r.subject, r.object_id) for r in world.queued.requests] == [
        (Subject.HUBSPOT_DEAL, deals[0]),
        *((Subject.HUBSPOT_DEAL, deal_id) for deal_id in with_contact),
    ]
    assert outcomes == [
        f"1 deal(s) of companies {company} queued",
        f"{len(with_contact)} deal(s) of contacts {contact} queued",
        f"companies {stranger.id} is on no deal cosell has read: nothing to queue",
    ]


def test_a_deal_read_with_a_new_company_moves_in_the_index(world: SyncWorld) -> None:
    ports = world.ports()
    ports.customers.mark_built("2026-12-03T00:00:00+00:00")
    deal_id = world.create_deal()
    assert push_deal(deal_id, ports) is PushOutcome.CREATED
    old_company = company_of(world, deal_id)
    old_contacts = contacts_of(world, deal_id)
    new_company = world.rep.create_company({"name": "NewCo", "domain": "newco.example"})
    world.rep.associate("deals", deal_id, "companies", new_company.id, [5])  # the primary company now
    world.rep.remove_association("deals", deal_id, "companies", old_company)
    world.rep.remove_association("deals", deal_id, "contacts", old_contacts[0])

    push_deal(deal_id, ports)  # the pair's reconcile reads the deal again

    assert ports.customers.deals_of("companies", new_company.id) == [deal_id]
    assert ports.customers.deals_of("companies", old_company) == []
    assert ports.customers.deals_of("contacts", old_contacts[0]) == []
    assert ports.customers.deals_of("contacts", old_contacts[1]) == [deal_id]


def test_a_deal_s_read_records_its_customers_before_it_reads_them(world: SyncWorld) -> None:
    """The order that makes the index sufficient: a company changed after the deal's record is found in the
    index; one changed before it is seen by the company read that follows."""
    seen: list[list[str]] = []
    ports = world.ports()
    deal_id = world.create_deal()
    before = len(world.hubspot_emulator.requests)
    reader = DealReader(
        world.hubspot, customers_found=lambda found, read_at_ms: seen.append(app_requests(world, before))
    )

    reader.view(reader.read_deal(deal_id))

    (at_record,) = seen
    assert [request.split("?")[0] for request in at_record] == [
        f"GET /crm/v3/objects/deals/{deal_id}",
        "POST /crm/v4/associations/deals/companies/batch/read",
    ]
    after = [request.split("?")[0] for request in app_requests(world, before)[len(at_record) :]]
    assert after[:2] == [
        "POST /crm/v3/objects/companies/batch/read",
        "POST /crm/v3/objects/contacts/batch/read",
    ]
    assert ports.customers.deals_of("companies", company_of(world, deal_id)) == []  # this reader keeps none


def test_before_the_index_is_built_a_change_reads_its_deals_from_hubspot(world: SyncWorld) -> None:
    deal_id = world.create_deal(with_company=False)
    company = world.rep.create_company({"name": "Only One"})
    world.rep.associate("deals", deal_id, "companies", company.id, [5])
    request = change_of(Subject.HUBSPOT_COMPANY, company.id)
    before = len(world.hubspot_emulator.requests)
    assert queue_deals_of(request, world.ports()) == f"1 deal(s) of companies {company.id} queued"
    assert app_requests(world, before) == [f"GET /crm/v4/objects/companies/{company.id}/associations/deals"]


def test_the_index_s_first_build_takes_every_tagged_deal_and_keeps_what_syncs_recorded(
    world: SyncWorld,
) -> None:
    """An upgraded stack: deals synced before the index existed are in it once it is built; a deal a sync
    recorded meanwhile keeps that sync's read."""
    ports = world.ports()
    old = world.create_deal("Synced before the upgrade #AWS")
    untagged = world.create_deal("Not co-sold")
    recorded = world.create_deal("Read since #AWS")
    ports.customers.record({recorded: Customers("c-later", ("p-later",))}, read_at_ms=now_ms())

    built = build_customer_index(ports)

    assert built == IndexBuild(deals=2, recorded=1)
    assert ports.customers.built()
    assert ports.customers.deals_of("companies", company_of(world, old)) == [old]
    assert old in ports.customers.deals_of("contacts", contacts_of(world, old)[0])  # shared by e-mail
    assert ports.customers.deals_of("companies", company_of(world, untagged)) == []
    # The build only adds entries for a deal a sync recorded meanwhile: that sync's record stands.
    assert ports.customers.deals_of("companies", "c-later") == [recorded]
    assert ports.customers.deals_of("companies", company_of(world, recorded)) == [recorded]
    assert build_customer_index(world.ports()) is None  # built once


def test_the_first_build_takes_a_linked_deal_whose_tag_was_removed(world: SyncWorld) -> None:
    """Linked deals stay in step with their tag removed: their customers' changes must reach them too."""
    ports = world.ports()
    deal_id = world.create_deal()
    assert push_deal(deal_id, ports) is PushOutcome.CREATED
    world.rep.update_deal(deal_id, {"dealname": "BigCorp Cloud Migration"})
    forget_records(world)
    assert build_customer_index(world.ports()) == IndexBuild(deals=1, recorded=1)
    assert ports.customers.deals_of("companies", company_of(world, deal_id)) == [deal_id]


def test_an_older_read_recorded_late_leaves_the_newer_one_standing(world: SyncWorld) -> None:
    """Readers of one deal run at once (the worker, the solutions API, a backfill): the record is the latest
    read's, and the customers it has keep their entries, whatever order the records arrive in."""
    index = world.ports().customers
    index.record({"D": Customers("new-co", ("ann",))}, read_at_ms=2_000)
    index.record({"D": Customers("old-co", ("bob",))}, read_at_ms=1_000)  # read before, recorded after
    assert index.deals_of("companies", "new-co") == ["D"]
    assert index.deals_of("contacts", "ann") == ["D"]
    # The older read's entries are left (a look at the deal when they change), never the newer's removed.
    assert index.deals_of("companies", "old-co") == ["D"]

    index.record({"D": Customers("old-co", ("ann",))}, read_at_ms=3_000)  # it moved back: a later read
    assert index.deals_of("companies", "old-co") == ["D"]
    assert index.deals_of("companies", "new-co") == []
    assert index.deals_of("contacts", "ann") == ["D"]


def test_a_failed_record_leaves_the_entries_and_the_next_read_records_it(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entries are written before the deal's record: a failure between the two leaves nothing missing,
    and the next read of the deal (unchanged) writes the record."""
    index = world.ports().customers
    real_put = index._db.put_item

    def fails(**request: Any) -> Any:
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "PutItem")

    monkeypatch.setattr(index._db, "put_item", fails)
    with pytest.raises(ClientError):
        index.record({"D": Customers("co", ("ann",))}, read_at_ms=1_000)
    assert index.deals_of("companies", "co") == ["D"]
    monkeypatch.setattr(index._db, "put_item", real_put)
    index.record({"D": Customers("co", ("ann",))}, read_at_ms=2_000)
    index.record({"D": Customers(None, ())}, read_at_ms=3_000)  # the record knew them: removed
    assert (index.deals_of("companies", "co"), index.deals_of("contacts", "ann")) == ([], [])


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def forget_records(world: SyncWorld) -> None:
    """As on a stack that had no index: no deal's record, no entries, not built."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    for item in dynamodb.scan(TableName=world.table)["Items"]:
        if item["sk"]["S"] in ("customers", "index") or item["pk"]["S"].startswith(("company#", "contact#")):
            dynamodb.delete_item(TableName=world.table, Key={"pk": item["pk"], "sk": item["sk"]})
