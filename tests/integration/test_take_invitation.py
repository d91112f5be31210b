"""Take an AWS referral: Partner Central emulator (playing AWS) → take_invitation → HubSpot emulator,
state in moto's DynamoDB."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import urllib3
from botocore.exceptions import ClientError

from cosell.domain.claims import ClaimTaken
from cosell.domain.referral import Phase
from cosell.domain.scheduled import MAX_WAIT
from cosell.hubspot.client import HubSpotClient
from cosell.partner_central.client import paced
from cosell.partner_central.events import from_eventbridge
from cosell.partner_central.invitations import pending_received_invitations
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.store.invitations import DealRecordConflictError, InvitationState, InvitationStore
from cosell.store.pacer import ReadPacer, WritePacer
from cosell.sync.deals.pair import IN_STEP
from cosell.sync.deals.push import PushOutcome, push_deal
from cosell.sync.dispatch import reconcile
from cosell.sync.referrals.outcomes import (
    AcceptanceInProgressError,
    DealClaimHeldError,
    RetryLaterError,
    TakeOutcome,
)
from cosell.sync.referrals.take import take_invitation
from cosell.sync.schedules.held import settle_held
from cosell.sync.schedules.poll_invitations import queue_pending_invitations
from tests.integration.sync_world import (
    CATALOG,
    DEAL_CLAIM_LEASE,
    OWNER_ID,
    TOKEN,
    WorkerClock,
    make_world,
    partner_central_client,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.sync_world import SyncWorld, WorldPorts

DEAL_PROPERTIES = (
    "dealname",
    "description",
    "amount",
    "deal_currency_code",
    "closedate",
    "pipeline",
    "dealstage",
    "hubspot_owner_id",
    "aws_invitation_id",
    "aws_opportunity_id",
    "aws_opportunity_url",
    "aws_engagement_id",
    "aws_origin",
    "aws_invitation_status",
    "aws_invitation_expires_at",
    "aws_sync_status",
    "aws_sync_error",
)
REFERRAL_DETAILS = {
    "Customer": {
        "Contacts": [
            {
                "Email": "Pat.Customer@Example.com",
                "FirstName": "Pat",
                "LastName": "Customer",
                "BusinessTitle": "CTO",
            },
            {"Email": "sam.buyer@example.com", "FirstName": "Sam", "BusinessTitle": "Procurement"},
        ]
    },
    "LifeCycle": {"Stage": "Qualified"},
}


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    for world in make_world(f"take-{abs(hash(request.node.nodeid)) % 10**8}"):
        world.partner_central_emulator.control.set_task_delay(0)
        yield world


@pytest.fixture
def clock() -> WorkerClock:
    return WorkerClock()


def referral(world: SyncWorld, **fields: Any) -> str:
    invitation = world.partner_central_emulator.control.create_opportunity_invitation(
        CATALOG, {"OpportunityDetails": REFERRAL_DETAILS, **fields}
    )
    return str(invitation["Id"])


def deals_of(world: SyncWorld, invitation_id: str) -> list[dict[str, str | None]]:
    deals = world.hubspot.find_deals([[_filter("aws_invitation_id", invitation_id)]], DEAL_PROPERTIES)
    return [{"id": deal.id, **deal.properties} for deal in deals]


def only_deal(world: SyncWorld, invitation_id: str) -> dict[str, str | None]:
    (deal,) = deals_of(world, invitation_id)
    return deal


def _filter(name: str, value: str) -> Any:
    from cosell.hubspot.models import SearchFilter

    return SearchFilter(property_name=name, operator="EQ", value=value)


def read_record(world: SyncWorld, object_type: str, record_id: str, names: str) -> dict[str, str]:
    """A task's or note's properties, as the rep sees them (cosell's client only writes those)."""
    response = urllib3.request(
        "GET",
        f"{world.hubspot_emulator.base_url}/crm/v3/objects/{object_type}/{record_id}?properties={names}",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    properties: dict[str, str] = response.json()["properties"]
    return properties


def calls(world: SyncWorld, operation: str) -> int:
    return len(world.partner_central_emulator.control.calls(operation))


def associated(world: SyncWorld, deal_id: str, to_type: Any) -> dict[str, set[int]]:
    return {a.to_object_id: a.type_ids for a in world.hubspot.list_associations("deals", deal_id, to_type)}


def invitation_request(
    invitation_id: str, source: Any = "schedule", kind: str = "Invitation Poll"
) -> SyncRequest:
    return SyncRequest(
        subject=Subject.INVITATION,
        object_id=invitation_id,
        triggers=(Trigger(source=source, kind=kind, occurred_at_ms=1),),
        correlation_id="test",
        catalog=CATALOG,
    )


PARTNER_CENTRAL_WRITES = (
    "CreateOpportunity",
    "UpdateOpportunity",
    "StartEngagementByAcceptingInvitationTask",
    "AcceptEngagementInvitation",
    "StartOpportunityFromEngagementTask",
    "RejectEngagementInvitation",
)


def writes(world: SyncWorld) -> int:
    return sum(calls(world, operation) for operation in PARTNER_CENTRAL_WRITES)


# --- auto ---------------------------------------------------------------------------------------------


def test_auto_accepts_once_and_makes_one_linked_deal_with_what_aws_shared(world: SyncWorld) -> None:
    invitation_id = referral(world)
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.DEAL_CREATED

    (task,) = world.partner_central.list_engagement_by_accepting_invitation_tasks(
        Catalog=CATALOG, EngagementInvitationIdentifier=[invitation_id]
    )["TaskSummaries"]
    opportunity_id = task["OpportunityId"]
    invitation = world.partner_central.get_engagement_invitation(Catalog=CATALOG, Identifier=invitation_id)
    assert invitation["Status"] == "ACCEPTED"

    deal = only_deal(world, invitation_id)
    assert deal["dealname"] == "Data platform modernisation #AWS"
    assert deal["description"] == "The customer needs to modernise its data platform on AWS."
    assert deal["amount"] == "60000"  # 5,000 a month × 12 months
    assert deal["deal_currency_code"] == "USD"
    assert (deal["closedate"] or "").startswith(
        invitation["Payload"]["OpportunityInvitation"]["Project"]["TargetCompletionDate"]
    )
    assert (deal["pipeline"], deal["dealstage"]) == ("default", "qualifiedtobuy")
    assert deal["hubspot_owner_id"] == OWNER_ID
    assert deal["aws_opportunity_id"] == opportunity_id
    assert deal["aws_opportunity_url"] == f"https://partnercentral.example/opportunity/{opportunity_id}"
    assert deal["aws_engagement_id"] == invitation["EngagementId"]
    assert deal["aws_origin"] == "AWS Referral"
    assert (deal["aws_invitation_status"], deal["aws_sync_status"]) == ("Accepted", "Synced")

    ((company_id, types),) = associated(world, str(deal["id"]), "companies").items()
    assert 5 in types
    expected = {
        "name": "Example Customer Inc",
        "domain": "example.com",
        "address": "410 Terry Ave N",
        "city": "Seattle",
        "country": "US",
        "industry": "COMPUTER_SOFTWARE",
    }
    company = world.hubspot.get_company(company_id, tuple(expected))
    assert {name: company.get(name) for name in expected} == expected
    contacts = world.hubspot.batch_read_contacts(associated(world, str(deal["id"]), "contacts"), ("email",))
    assert sorted(contact.email or "" for contact in contacts) == [
        "pat.customer@example.com",
        "sam.buyer@example.com",
    ]

    link = world.store.link_for_deal(str(deal["id"]))
    assert link is not None
    assert link.opportunity_id == opportunity_id
    assert world.store.deal_for_opportunity(CATALOG, opportunity_id) == deal["id"]
    assert calls(world, "StartEngagementByAcceptingInvitationTask") == 1


def test_existing_company_and_contact_are_matched_not_duplicated(world: SyncWorld) -> None:
    company = world.rep.create_company({"name": "Example Customer (ours)", "domain": "example.com"})
    contact = world.rep.create_contact({"email": "pat.customer@example.com", "firstname": "Pat"})
    invitation_id = referral(world)
    take_invitation(invitation_id, world.referral_ports())

    deal_id = str(only_deal(world, invitation_id)["id"])
    assert list(associated(world, deal_id, "companies")) == [company.id]
    assert contact.id in associated(world, deal_id, "contacts")
    assert [c.id for c in world.hubspot.find_companies([[_filter("domain", "example.com")]])] == [company.id]
    assert len(world.hubspot.find_contacts([[_filter("email", "pat.customer@example.com")]])) == 1
    assert world.hubspot.get_company(company.id, ("name",)).name == "Example Customer (ours)"


def test_a_currency_the_hubspot_account_lacks_is_left_out_and_said(world: SyncWorld) -> None:
    spend = {"Amount": "1000", "CurrencyCode": "JPY", "Frequency": "Monthly", "TargetCompany": "AWS"}
    invitation_id = referral(
        world,
        Payload={"OpportunityInvitation": {"Project": {"ExpectedCustomerSpend": [spend]}}},
        OpportunityDetails=REFERRAL_DETAILS | {"Project": {"ExpectedCustomerSpend": [spend]}},
    )
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.DEAL_CREATED
    deal = only_deal(world, invitation_id)
    assert (deal["amount"], deal["deal_currency_code"]) == ("12000", None)
    (note,) = world.hubspot.list_associations("deals", str(deal["id"]), "notes")
    assert "JPY" in read_record(world, "notes", note.to_object_id, "hs_note_body")["hs_note_body"]


def test_taking_again_changes_nothing(world: SyncWorld) -> None:
    invitation_id = referral(world)
    take_invitation(invitation_id, world.referral_ports())
    requests = len(world.hubspot_emulator.requests)
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.ALREADY_TAKEN
    assert len(world.hubspot_emulator.requests) == requests
    assert calls(world, "StartEngagementByAcceptingInvitationTask") == 1


def test_a_running_task_is_followed_without_starting_another(world: SyncWorld) -> None:
    world.partner_central_emulator.control.set_task_delay(30)
    invitation_id = referral(world)
    with pytest.raises(AcceptanceInProgressError):
        take_invitation(invitation_id, world.referral_ports())
    assert deals_of(world, invitation_id) == []

    world.partner_central_emulator.control.advance_clock(31)
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.DEAL_CREATED
    assert calls(world, "StartEngagementByAcceptingInvitationTask") == 1
    assert len(deals_of(world, invitation_id)) == 1


def test_opportunity_created_event_completes_an_accepted_referral(world: SyncWorld) -> None:
    world.partner_central_emulator.control.set_task_delay(30)
    invitation_id = referral(world)
    take = world.referral_ports()
    with pytest.raises(AcceptanceInProgressError):
        reconcile(invitation_request(invitation_id), take)
    world.partner_central_emulator.control.advance_clock(31)

    (created,) = world.partner_central_emulator.control.events("Opportunity Created")
    outcome = reconcile(from_eventbridge(created), take)
    assert outcome == TakeOutcome.DEAL_CREATED.value
    accepted = world.partner_central_emulator.control.events("Engagement Invitation Accepted")
    assert reconcile(from_eventbridge(accepted[0]), take) == TakeOutcome.ALREADY_TAKEN.value
    assert len(deals_of(world, invitation_id)) == 1


def test_an_opportunity_event_of_a_pushed_deal_reconciles_the_pair_and_finds_it_in_step(
    world: SyncWorld,
) -> None:
    deal_id = world.create_deal()
    push_deal(deal_id, world.ports())
    (created,) = world.partner_central_emulator.control.events("Opportunity Created")
    patches_before = world.hubspot_emulator.request_count("PATCH", "/crm/v3/objects/deals")
    outcome = reconcile(from_eventbridge(created), world.referral_ports())
    assert outcome == IN_STEP
    assert world.hubspot_emulator.request_count("PATCH", "/crm/v3/objects/deals") == patches_before
    assert calls(world, "CreateOpportunity") == 1


def test_events_of_the_other_catalog_are_ignored(world: SyncWorld) -> None:
    request = invitation_request("engi-0000000000000").model_copy(update={"catalog": "AWS"})
    assert "ignored" in reconcile(request, world.referral_ports())
    assert world.partner_central_emulator.control.calls() == []


def test_expired_referral_makes_no_deal_in_auto_mode(world: SyncWorld) -> None:
    invitation_id = referral(world)
    world.partner_central_emulator.control.expire_invitation(CATALOG, invitation_id)
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.EXPIRED
    assert deals_of(world, invitation_id) == []
    assert writes(world) == 0
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.CLOSED


def test_failed_task_shows_its_reason_on_a_deal(world: SyncWorld) -> None:
    world.partner_central_emulator.control.configure_faults(seed=1, task_failure_rate=1.0)
    invitation_id = referral(world)
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.FAILED
    # InternalError is a passing failure: two more attempts, each a new task, before the rep is told.
    assert calls(world, "StartEngagementByAcceptingInvitationTask") == 3

    deal = only_deal(world, invitation_id)
    assert (deal["aws_invitation_status"], deal["aws_sync_status"]) == ("Failed", "Error")
    assert "InternalError" in (deal["aws_sync_error"] or "")
    assert deal["dealname"] == "Data platform modernisation #AWS"
    assert world.store.link_for_deal(str(deal["id"])) is None
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.CLOSED
    assert len(deals_of(world, invitation_id)) == 1


def test_a_task_that_failed_for_a_passing_reason_is_started_again_and_the_referral_accepted(
    world: SyncWorld,
) -> None:
    control = world.partner_central_emulator.control
    control.set_task_delay(30)
    invitation_id = referral(world)
    with pytest.raises(AcceptanceInProgressError):
        take_invitation(invitation_id, world.referral_ports())
    control.configure_faults(seed=1, task_failure_rate=1.0)
    control.advance_clock(31)  # the first task fails (InternalError)
    control.configure_faults(task_failure_rate=0.0)
    with pytest.raises(AcceptanceInProgressError):  # a second task, with a token of its own, is running
        take_invitation(invitation_id, world.referral_ports())
    control.advance_clock(31)
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.DEAL_CREATED
    assert calls(world, "StartEngagementByAcceptingInvitationTask") == 2
    deal = only_deal(world, invitation_id)
    assert (deal["aws_invitation_status"], deal["aws_sync_status"]) == ("Accepted", "Synced")


def test_a_referral_accepted_in_partner_central_is_completed_from_that_acceptance(world: SyncWorld) -> None:
    invitation_id = referral(world)
    world.partner_central.start_engagement_by_accepting_invitation_task(
        Catalog=CATALOG, ClientToken="accepted-in-the-console", Identifier=invitation_id
    )
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.DEAL_CREATED
    assert calls(world, "StartEngagementByAcceptingInvitationTask") == 1  # the console's, not cosell's
    assert only_deal(world, invitation_id)["aws_opportunity_id"]


def test_a_refused_start_of_a_pending_referral_fails_the_message_and_is_not_closed(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    invitation_id = referral(world)
    refusal = ClientError(
        {"Error": {"Code": "ValidationException", "Message": "refused"}},
        "StartEngagementByAcceptingInvitationTask",
    )

    def refuse(**_: Any) -> Any:
        raise refusal

    with monkeypatch.context() as patch:
        patch.setattr(world.partner_central, "start_engagement_by_accepting_invitation_task", refuse)
        with pytest.raises(ClientError, match="refused"):
            take_invitation(invitation_id, world.referral_ports())
    assert deals_of(world, invitation_id) == []
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.DEAL_CREATED


def test_an_invitation_this_partner_sent_is_not_taken(world: SyncWorld) -> None:
    sent = world.partner_central_emulator.control.create_opportunity_invitation(
        CATALOG, {"ParticipantType": "SENDER"}
    )
    assert take_invitation(sent["Id"], world.referral_ports()) is TakeOutcome.NOT_RECEIVED
    assert writes(world) == 0
    assert deals_of(world, sent["Id"]) == []
    assert take_invitation(sent["Id"], world.referral_ports()) is TakeOutcome.CLOSED


# --- leads --------------------------------------------------------------------------------------------


def test_lead_is_accepted_and_its_opportunity_becomes_a_deal(world: SyncWorld) -> None:
    lead = world.partner_central_emulator.control.create_lead_invitation(
        CATALOG, {"LeadContact": {"Email": "lee.lead@example.org", "FirstName": "Lee"}}
    )
    assert take_invitation(lead["Id"], world.referral_ports()) is TakeOutcome.DEAL_CREATED

    assert calls(world, "AcceptEngagementInvitation") == 1
    assert calls(world, "StartOpportunityFromEngagementTask") == 1
    assert calls(world, "StartEngagementByAcceptingInvitationTask") == 0
    deal = only_deal(world, lead["Id"])
    assert deal["dealname"] == "Example Lead Co lead #AWS"
    assert deal["description"] == "The customer asked AWS for help with analytics."
    assert deal["dealstage"] == "appointmentscheduled"  # Prospect
    assert deal["aws_origin"] == "AWS Referral"
    assert deal["aws_opportunity_id"]
    contacts = world.hubspot.batch_read_contacts(associated(world, str(deal["id"]), "contacts"), ("email",))
    assert [contact.email for contact in contacts] == ["lee.lead@example.org"]
    company_id = next(iter(associated(world, str(deal["id"]), "companies")))
    assert world.hubspot.get_company(company_id, ("domain",)).domain == "example.org"


def test_lead_acceptance_interrupted_after_accepting_resumes(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = world.partner_central_emulator.control.create_lead_invitation(CATALOG)
    original = world.partner_central.start_opportunity_from_engagement_task

    def crash(**_: Any) -> Any:
        raise RuntimeError("worker died")

    monkeypatch.setattr(world.partner_central, "start_opportunity_from_engagement_task", crash)
    with pytest.raises(RuntimeError):
        take_invitation(lead["Id"], world.referral_ports())
    monkeypatch.setattr(world.partner_central, "start_opportunity_from_engagement_task", original)

    assert take_invitation(lead["Id"], world.referral_ports()) is TakeOutcome.DEAL_CREATED
    assert len(deals_of(world, lead["Id"])) == 1
    assert len(world.opportunities()) == 1


# --- review -------------------------------------------------------------------------------------------


def review_deal(world: SyncWorld, take: WorldPorts, invitation_id: str) -> dict[str, str | None]:
    assert take_invitation(invitation_id, take) is TakeOutcome.REVIEW_DEAL_CREATED
    return only_deal(world, invitation_id)


def decide(world: SyncWorld, take: WorldPorts, deal_id: str, **values: str) -> str:
    """The rep sets the decision in HubSpot; the webhook's request reaches the worker."""
    world.rep.update_deal(deal_id, values)
    request = SyncRequest(
        subject=Subject.HUBSPOT_DEAL,
        object_id=deal_id,
        triggers=tuple(
            Trigger(
                source="hubspot_webhook",
                kind="deal.propertyChange",
                occurred_at_ms=2,
                change_source="CRM_UI",
                property_name=name,
            )
            for name in values
        ),
        correlation_id="test",
    )
    return reconcile(request, take)


def test_review_makes_a_deal_and_a_task_then_accepts_on_the_reps_decision(world: SyncWorld) -> None:
    take = world.referral_ports("review")
    invitation_id = referral(world)
    deal = review_deal(world, take, invitation_id)
    assert writes(world) == 0
    assert deal["dealstage"] == "appointmentscheduled"
    assert deal["dealname"] == "Data platform modernisation #AWS"
    assert deal["amount"] == "60000"
    assert (deal["aws_invitation_status"], deal["aws_sync_status"]) == ("Pending review", "Pending")
    assert deal["aws_origin"] == "AWS Referral"
    assert not deal["aws_opportunity_id"]
    deal_id = str(deal["id"])

    (task_id,) = associated(world, deal_id, "tasks")
    task_record = read_record(
        world, "tasks", task_id, "hs_task_subject,hs_task_priority,hubspot_owner_id,hs_timestamp,hs_task_body"
    )
    expires = datetime.fromisoformat(str(deal["aws_invitation_expires_at"]).replace("Z", "+00:00"))
    assert task_record["hs_task_subject"] == f"AWS referral: accept or reject by {expires:%Y-%m-%d %H:%M} UTC"
    assert task_record["hs_task_priority"] == "HIGH"
    assert task_record["hubspot_owner_id"] == OWNER_ID
    assert "alex.seller@amazon.com" in task_record["hs_task_body"]
    assert task_record["hs_timestamp"].startswith(expires.strftime("%Y-%m-%dT%H:%M"))

    assert take_invitation(invitation_id, take) is TakeOutcome.AWAITING_DECISION
    world.rep.update_deal(deal_id, {"dealname": "Example Customer data platform #AWS"})
    outcome = decide(world, take, deal_id, aws_invitation_decision="Accept")
    assert outcome.endswith(TakeOutcome.DEAL_COMPLETED.value)

    deal = only_deal(world, invitation_id)
    assert deal["id"] == deal_id
    assert deal["dealname"] == "Example Customer data platform #AWS"  # the rep's name is kept
    assert deal["dealstage"] == "qualifiedtobuy"  # the opportunity's stage, Qualified
    assert (deal["aws_invitation_status"], deal["aws_sync_status"]) == ("Accepted", "Synced")
    assert deal["aws_opportunity_id"]
    assert len(associated(world, deal_id, "contacts")) == 2
    assert world.store.link_for_deal(deal_id) is not None
    assert calls(world, "StartEngagementByAcceptingInvitationTask") == 1
    assert len(associated(world, deal_id, "tasks")) == 1


def test_review_rejection_needs_a_reason_and_sends_it(world: SyncWorld) -> None:
    take = world.referral_ports("review")
    invitation_id = referral(world)
    deal_id = str(review_deal(world, take, invitation_id)["id"])

    outcome = decide(world, take, deal_id, aws_invitation_decision="Reject")
    assert outcome.endswith(TakeOutcome.AWAITING_REASON.value)
    deal = only_deal(world, invitation_id)
    assert deal["aws_sync_status"] == "Error"
    assert "AWS rejection reason" in (deal["aws_sync_error"] or "")
    assert calls(world, "RejectEngagementInvitation") == 0

    outcome = decide(world, take, deal_id, aws_rejection_reason="  Customer is\noutside our region  ")
    assert outcome.endswith(TakeOutcome.REJECTED.value)
    invitation = world.partner_central.get_engagement_invitation(Catalog=CATALOG, Identifier=invitation_id)
    assert (invitation["Status"], invitation["RejectionReason"]) == (
        "REJECTED",
        "Customer is outside our region",
    )
    deal = only_deal(world, invitation_id)
    assert (deal["aws_invitation_status"], deal["aws_sync_status"]) == ("Rejected", "Synced")
    assert not deal["aws_sync_error"]
    notes = world.hubspot.list_associations("deals", deal_id, "notes")
    assert len(notes) == 1
    assert take_invitation(invitation_id, take) is TakeOutcome.CLOSED
    assert calls(world, "RejectEngagementInvitation") == 1


def test_review_deal_says_when_the_referral_expired(world: SyncWorld) -> None:
    take = world.referral_ports("review")
    invitation_id = referral(world)
    deal_id = str(review_deal(world, take, invitation_id)["id"])
    world.partner_central_emulator.control.expire_invitation(CATALOG, invitation_id)

    assert take_invitation(invitation_id, take) is TakeOutcome.EXPIRED
    assert only_deal(world, invitation_id)["aws_invitation_status"] == "Expired"
    (note_id,) = (a.to_object_id for a in world.hubspot.list_associations("deals", deal_id, "notes"))
    assert "expired" in read_record(world, "notes", note_id, "hs_note_body")["hs_note_body"]
    assert writes(world) == 0


def test_review_deal_says_when_aws_side_rejected_it(world: SyncWorld) -> None:
    take = world.referral_ports("review")
    invitation_id = referral(world)
    review_deal(world, take, invitation_id)
    world.partner_central.reject_engagement_invitation(
        Catalog=CATALOG, Identifier=invitation_id, RejectionReason="Handled by another partner"
    )
    assert take_invitation(invitation_id, take) is TakeOutcome.REJECTED_ELSEWHERE
    assert only_deal(world, invitation_id)["aws_invitation_status"] == "Rejected"


def test_review_of_a_lead_shows_what_the_invitation_tells(world: SyncWorld) -> None:
    take = world.referral_ports("review")
    lead = world.partner_central_emulator.control.create_lead_invitation(CATALOG)
    deal = review_deal(world, take, lead["Id"])
    assert deal["dealname"] == "Example Lead Co #AWS"
    assert "Use case: Analytics" in (deal["description"] or "")
    assert not deal["amount"]
    assert calls(world, "AcceptEngagementInvitation") == 0

    decide(world, take, str(deal["id"]), aws_invitation_decision="Accept")
    deal = only_deal(world, lead["Id"])
    assert deal["aws_invitation_status"] == "Accepted"
    assert deal["aws_opportunity_id"]


def test_a_referral_deal_is_never_pushed_as_a_new_opportunity(world: SyncWorld) -> None:
    take = world.referral_ports("review")
    invitation_id = referral(world)
    deal_id = str(review_deal(world, take, invitation_id)["id"])
    # cosell's own deal creation comes back as a webhook: it must end without a Partner Central write.
    assert push_deal(deal_id, world.ports()) is PushOutcome.FROM_INVITATION
    echo = SyncRequest(
        subject=Subject.HUBSPOT_DEAL,
        object_id=deal_id,
        triggers=(
            Trigger(
                source="hubspot_webhook", kind="deal.creation", occurred_at_ms=3, change_source="INTEGRATION"
            ),
        ),
        correlation_id="test",
    )
    assert reconcile(echo, take).endswith(TakeOutcome.AWAITING_DECISION.value)
    assert writes(world) == 0


def test_the_syncs_own_deal_writes_do_not_echo_back(world: SyncWorld) -> None:
    invitation_id = referral(world)
    take = world.referral_ports()
    take_invitation(invitation_id, take)
    deal_id = str(only_deal(world, invitation_id)["id"])
    before = writes(world)
    echo = SyncRequest(
        subject=Subject.HUBSPOT_DEAL,
        object_id=deal_id,
        triggers=(
            Trigger(
                source="hubspot_webhook", kind="deal.creation", occurred_at_ms=3, change_source="INTEGRATION"
            ),
        ),
        correlation_id="test",
    )
    assert reconcile(echo, take) == IN_STEP
    assert writes(world) == before


# --- exactly once -------------------------------------------------------------------------------------


def test_event_and_poll_twice_each_concurrently_make_one_acceptance_and_one_deal(
    world: SyncWorld, clock: WorkerClock
) -> None:
    invitation_id = referral(world)
    (created_event,) = world.partner_central_emulator.control.events("Engagement Invitation Created")
    requests = [from_eventbridge(created_event), from_eventbridge(created_event)]
    requests += [invitation_request(invitation_id), invitation_request(invitation_id)]
    take = world.referral_ports(clock=clock)
    outcomes: list[str | Exception] = []
    start = threading.Barrier(len(requests))

    def work(request: SyncRequest) -> None:
        start.wait()
        try:
            outcomes.append(reconcile(request, take))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            outcomes.append(error)

    threads = [threading.Thread(target=work, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Whoever could not finish asked to be retried; none failed otherwise.
    assert all(isinstance(outcome, str | RetryLaterError) for outcome in outcomes), outcomes
    clock.advance(180)  # the queue's visibility timeout: the retried messages come back
    outcomes += [
        reconcile(requests[0], take) for outcome in list(outcomes) if isinstance(outcome, RetryLaterError)
    ]
    assert outcomes.count(TakeOutcome.DEAL_CREATED.value) == 1, outcomes

    assert len(deals_of(world, invitation_id)) == 1
    assert len(world.opportunities()) == 1
    tasks = world.partner_central.list_engagement_by_accepting_invitation_tasks(Catalog=CATALOG)[
        "TaskSummaries"
    ]
    assert len(tasks) == 1
    assert len(world.partner_central_emulator.control.events("Engagement Invitation Accepted")) == 1
    for request in requests:
        assert reconcile(request, take) == TakeOutcome.ALREADY_TAKEN.value


def taken_while_failing(
    world: SyncWorld, clock: WorkerClock, monkeypatch: pytest.MonkeyPatch, method: str
) -> tuple[str, Any]:
    """A referral taken once while the HubSpot client's `method` fails: its id and the ports to take it again."""
    invitation_id = referral(world)
    take = world.referral_ports(clock=clock)
    with monkeypatch.context() as patch:
        patch.setattr(
            HubSpotClient, method, lambda *_, **__: (_ for _ in ()).throw(RuntimeError(f"{method} died"))
        )
        with pytest.raises(RuntimeError):
            take_invitation(invitation_id, take)
    assert deals_of(world, invitation_id) == []
    return invitation_id, take


def test_crash_after_acceptance_before_the_deal_exists_makes_the_deal_on_the_next_run_once(
    world: SyncWorld, clock: WorkerClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    invitation_id, take = taken_while_failing(world, clock, monkeypatch, "create_deal")
    assert (
        world.partner_central.get_engagement_invitation(Catalog=CATALOG, Identifier=invitation_id)["Status"]
        == "ACCEPTED"
    )

    # Another trigger within the dead worker's lease waits: its message is hidden for a whole lease, after which
    # the claim is taken over.
    with pytest.raises(DealClaimHeldError) as held:
        take_invitation(invitation_id, take)
    assert held.value.seconds == DEAL_CLAIM_LEASE.total_seconds()
    clock.advance(180)
    assert take_invitation(invitation_id, take) is TakeOutcome.DEAL_CREATED
    assert len(deals_of(world, invitation_id)) == 1
    assert calls(world, "StartEngagementByAcceptingInvitationTask") == 1


def test_a_run_that_fails_before_creating_the_deal_releases_its_claim_so_the_retry_makes_it(
    world: SyncWorld, clock: WorkerClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """E.g. a contact search whose answer HubSpot garbled: nothing was created, so the next run need not wait
    out the lease (the queue's retries inside it would all find the claim held: the DLQ, found by the corpus)."""
    invitation_id, take = taken_while_failing(world, clock, monkeypatch, "find_contacts")
    assert take_invitation(invitation_id, take) is TakeOutcome.DEAL_CREATED  # at once, within the lease
    assert len(deals_of(world, invitation_id)) == 1


def test_crash_after_the_deal_is_created_finds_it_again(
    world: SyncWorld, clock: WorkerClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    invitation_id = referral(world)
    take = world.referral_ports(clock=clock)

    def crash(*_: Any) -> None:
        raise RuntimeError("worker died")

    with monkeypatch.context() as patch:
        patch.setattr(InvitationStore, "record_deal", crash)
        with pytest.raises(RuntimeError):
            take_invitation(invitation_id, take)
    assert len(deals_of(world, invitation_id)) == 1

    clock.advance(180)
    assert take_invitation(invitation_id, take) is TakeOutcome.DEAL_FOUND
    (deal,) = deals_of(world, invitation_id)
    assert world.store.link_for_deal(str(deal["id"])) is not None


def test_crash_before_the_task_id_is_recorded_follows_the_same_task(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.partner_central_emulator.control.set_task_delay(30)
    invitation_id = referral(world)
    real_advance = InvitationStore.advance

    def crash_on_task_id(
        self: InvitationStore, catalog: str, invitation: str, phase: Any, **fields: str
    ) -> None:
        if "task_id" in fields:
            raise RuntimeError("worker died")
        real_advance(self, catalog, invitation, phase, **fields)

    with monkeypatch.context() as patch:
        patch.setattr(InvitationStore, "advance", crash_on_task_id)
        with pytest.raises(RuntimeError):
            take_invitation(invitation_id, world.referral_ports())
    world.partner_central_emulator.control.advance_clock(31)
    assert take_invitation(invitation_id, world.referral_ports()) is TakeOutcome.DEAL_CREATED
    tasks = world.partner_central.list_engagement_by_accepting_invitation_tasks(Catalog=CATALOG)[
        "TaskSummaries"
    ]
    assert len(tasks) == 1


# --- quotas -------------------------------------------------------------------------------------------


def test_poll_pages_through_260_pending_invitations_within_the_read_quota(world: SyncWorld) -> None:
    control = world.partner_central_emulator.control
    pending = {referral(world) for _ in range(260)}
    control.expire_invitation(CATALOG, referral(world))
    # One list call per second allowed: only a paced poll gets through its three pages unthrottled.
    control.configure_quotas(
        enabled=True, limits={"ListEngagementInvitations": {"per_second": 1, "per_day": 1000}}
    )
    control.clear_calls()

    time = world.emulator_time()
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    client = paced(
        partner_central_client(world.partner_central_emulator.url),
        writes=WritePacer(dynamodb, world.table, per_second=1, clock=time.now, sleep=time.sleep),
        reads=ReadPacer(dynamodb, world.table, per_second=1, clock=time.now, sleep=time.sleep),
    )
    invitations = pending_received_invitations(client, CATALOG)
    queue = world.queued
    queued = queue_pending_invitations(invitations, world.ports(), "poll")

    assert queued.queued == 260
    assert {request.object_id for request in queue.requests} == pending
    assert all(request.subject is Subject.INVITATION for request in queue.requests)
    pages = control.calls("ListEngagementInvitations")
    assert len(pages) == 3
    assert all(page["Error"] is None for page in pages)


def test_the_poll_queues_an_invitation_again_once_its_last_request_is_done_and_an_hour_old(
    world: SyncWorld,
) -> None:
    first = {referral(world) for _ in range(3)}
    client = partner_central_client(world.partner_central_emulator.url)
    clock = WorkerClock()
    ports = world.ports(clock=clock)
    assert ports.config.invitation_poll_hold == timedelta(hours=1)

    def poll() -> tuple[set[str], int]:
        """What one run queued, and how many pending invitations it held back."""
        world.queued.requests.clear()
        report = queue_pending_invitations(pending_received_invitations(client, CATALOG), ports, "poll")
        assert report.queued == len(world.queued.requests)
        return {request.object_id for request in world.queued.requests}, report.held_back

    assert poll() == (first, 0)
    first_requests = list(world.queued.requests)
    clock.advance(5 * 60)
    assert poll() == (set(), 3)  # the next run: what it queued still waits for the worker
    later = referral(world)  # its event lost: the next run queues it, and only it
    clock.advance(5 * 60)
    assert poll() == ({later}, 3)
    for request in first_requests:  # the worker reconciled them (cosell.sync.batch)
        settle_held(request, ports)
    assert poll() == (set(), 4)  # done, but queued within the hour
    clock.advance(50 * 60 + 1)
    # An hour after they were queued, and done: queued again. The later one waits for the worker still.
    assert poll() == (first, 1)
    # The later one's request lost to the dead-letter queue is never done: a day on, it is queued again
    # (and so are the first three, whose new requests are as old).
    clock.advance(MAX_WAIT.total_seconds())
    assert poll() == ({*first, later}, 0)


def test_an_unpaced_poll_would_be_throttled(world: SyncWorld) -> None:
    """The control for the test above: the same quota without pacing fails."""
    control = world.partner_central_emulator.control
    for _ in range(201):
        referral(world)
    control.configure_quotas(
        enabled=True, limits={"ListEngagementInvitations": {"per_second": 1, "per_day": 1000}}
    )
    with pytest.raises(ClientError, match="ThrottlingException"):
        list(
            pending_received_invitations(partner_central_client(world.partner_central_emulator.url), CATALOG)
        )


def test_the_worker_stays_within_the_read_and_write_quotas(world: SyncWorld) -> None:
    control = world.partner_central_emulator.control
    invitation_ids = [referral(world) for _ in range(12)]
    control.configure_quotas(enabled=True)  # AWS's published quotas: 1 write/s, 10 reads/s
    control.clear_calls()
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    time = world.emulator_time()
    take = world.referral_ports(
        write_pacer=WritePacer(dynamodb, world.table, per_second=1, clock=time.now, sleep=time.sleep),
        read_pacer=ReadPacer(dynamodb, world.table, per_second=10, clock=time.now, sleep=time.sleep),
    )

    for invitation_id in invitation_ids:
        assert take_invitation(invitation_id, take) is TakeOutcome.DEAL_CREATED
    assert [call for call in control.calls() if call["Error"]] == []
    assert len(control.calls("StartEngagementByAcceptingInvitationTask")) == 12


# --- the invitation store -----------------------------------------------------------------------------


def test_invitation_phases_only_move_forward(world: SyncWorld) -> None:
    store = InvitationStore(boto3.client("dynamodb", region_name="us-east-1"), world.table)
    store.advance(CATALOG, "engi-1", Phase.ACCEPTED, opportunity_id="O1")
    store.advance(CATALOG, "engi-1", Phase.ACCEPTING, task_id="task-late")  # a slower worker, too late
    state = store.get(CATALOG, "engi-1")
    assert state is not None
    assert (state.phase, state.opportunity_id, state.task_id) == (Phase.ACCEPTED, "O1", None)
    store.advance(CATALOG, "engi-1", Phase.DONE, deal_id="42")
    assert store.get(CATALOG, "engi-1") == InvitationState(Phase.DONE, deal_id="42", opportunity_id="O1")
    assert store.get(CATALOG, "engi-2") is None


def test_a_deal_claim_is_a_lease(world: SyncWorld) -> None:
    store = InvitationStore(boto3.client("dynamodb", region_name="us-east-1"), world.table)
    assert store.claim_deal(CATALOG, "engi-1", now_ms=1_000, lease_ms=500) is ClaimTaken.FIRST
    assert store.claim_deal(CATALOG, "engi-1", now_ms=1_400, lease_ms=500) is ClaimTaken.HELD
    assert store.claim_deal(CATALOG, "engi-1", now_ms=1_600, lease_ms=500) is ClaimTaken.TAKEOVER
    store.record_deal(CATALOG, "engi-1", "42")
    store.record_deal(CATALOG, "engi-1", "42")
    with pytest.raises(DealRecordConflictError):
        store.record_deal(CATALOG, "engi-1", "43")
    assert store.claim_deal(CATALOG, "engi-1", now_ms=10_000, lease_ms=500) is ClaimTaken.HELD


def test_a_released_claim_can_be_taken_again_and_a_takeover_stays_one(world: SyncWorld) -> None:
    store = InvitationStore(boto3.client("dynamodb", region_name="us-east-1"), world.table)
    assert store.claim_deal(CATALOG, "engi-1", now_ms=1_000, lease_ms=500) is ClaimTaken.FIRST
    store.release_deal_claim(CATALOG, "engi-1", 1_000, takeover=False)
    assert (
        store.claim_deal(CATALOG, "engi-1", now_ms=1_100, lease_ms=500) is ClaimTaken.FIRST
    )  # no trace left
    store.release_deal_claim(CATALOG, "engi-1", 999, takeover=False)  # not the claim it took: a no-op
    assert store.claim_deal(CATALOG, "engi-1", now_ms=1_200, lease_ms=500) is ClaimTaken.HELD
    assert store.claim_deal(CATALOG, "engi-1", now_ms=2_000, lease_ms=500) is ClaimTaken.TAKEOVER
    store.release_deal_claim(CATALOG, "engi-1", 2_000, takeover=True)
    # The run before may have made the deal: the next one still searches for it.
    assert store.claim_deal(CATALOG, "engi-1", now_ms=2_100, lease_ms=500) is ClaimTaken.TAKEOVER
    store.record_deal(CATALOG, "engi-1", "42")
    store.release_deal_claim(CATALOG, "engi-1", 2_100, takeover=True)  # recorded: nothing to give up
    assert store.claim_deal(CATALOG, "engi-1", now_ms=9_000, lease_ms=500) is ClaimTaken.HELD
