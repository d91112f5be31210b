"""Use case: take an AWS referral (an engagement invitation): accept or reject it, and make its HubSpot deal.

Reconciles, whatever triggered it (the invitation's events, the poll, an "Opportunity Created" event, the
rep's decision on the deal): reads where the referral stands on both sides and takes the next steps.
Safe to run any number of times, concurrently or after a crash at any step:
- acceptance starts a task with a ClientToken derived from the invitation, so starting again returns the same
  task; the task id is recorded (DynamoDB), and later runs follow it with reads;
- the phase reached is recorded and only moves forward (cosell.store.invitations);
- the deal is created only under a claim on the invitation id (a conditional write, leased); whoever takes
  over an expired claim first searches HubSpot for a deal carrying the invitation id.
A run that cannot finish yet raises `RetryLaterError`: the queue retries the message after its visibility
timeout (longer than the claim lease), and the invitation's and opportunity's events come back sooner.
docs/ARCHITECTURE.md ("AWS referrals") describes the flow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from cosell.domain.reconcile import Snapshot
from cosell.domain.referral import deal_from_invitation, deal_from_opportunity, rejection_reason
from cosell.domain.synced_fields import values_of
from cosell.hubspot import properties
from cosell.hubspot.client import HubSpotConflictError, HubSpotValidationError
from cosell.hubspot.models import AssociationInput, SearchFilter
from cosell.partner_central.invitations import (
    LEAD_INVITATION,
    TaskKind,
    TaskStatus,
    acceptance_task_for_invitation,
    find_task,
    invitation_for_opportunity,
    is_received,
    start_lead_acceptance,
    start_opportunity_acceptance,
)
from cosell.store.invitations import DealClaim, InvitationState, Phase
from cosell.store.state import Link
from cosell.sync.sync_pair import review_properties

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime, timedelta

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    from cosell.config import Catalog
    from cosell.domain.mapping_rules import MappingRules
    from cosell.domain.referral import CompanyFields, ContactFields, ReferralDeal
    from cosell.hubspot.client import HubSpotClient
    from cosell.hubspot.models import Deal, ObjectTypeName
    from cosell.partner_central.invitations import AcceptanceTask
    from cosell.store.invitations import InvitationStore
    from cosell.store.pacer import ReadPacer, WritePacer
    from cosell.store.state import StateStore

PRIMARY_COMPANY = 5  # association type ids (FACTS.md): deal → primary company, deal → contact
DEAL_TO_CONTACT = 3
ASSOCIATED_TYPES: dict[int, ObjectTypeName] = {PRIMARY_COMPANY: "companies", DEAL_TO_CONTACT: "contacts"}
# The opportunity members kept as the link's last-synced snapshot (what CreateOpportunity/Update can carry).
SNAPSHOT_MEMBERS = (
    "Customer",
    "Project",
    "LifeCycle",
    "OpportunityType",
    "PrimaryNeedsFromAws",
    "NationalSecurity",
)
ASK_FOR_REASON = (
    "AWS rejection reason: AWS needs a reason to reject the referral. Fill in the deal's AWS rejection reason "
    "(at most 80 characters); the decision is sent as soon as it is set."
)


class TakeOutcome(StrEnum):
    DEAL_CREATED = "referral accepted; deal created and linked"
    DEAL_FOUND = "referral accepted; the deal an earlier or concurrent run made is linked"
    DEAL_COMPLETED = "referral accepted; review deal completed and linked"
    ALREADY_TAKEN = "already taken: the deal is linked"
    REVIEW_DEAL_CREATED = "deal created for the rep's decision"
    AWAITING_DECISION = "waiting for the rep's decision"
    AWAITING_REASON = "rejection waits for a reason; asked on the deal"
    REJECTED = "referral rejected with the rep's reason"
    EXPIRED = "referral expired before it was accepted"
    REJECTED_ELSEWHERE = "referral rejected outside cosell"
    ACCEPTED_ELSEWHERE = "referral accepted outside cosell; no acceptance task to follow"
    FAILED = "acceptance failed; reason written to the deal"
    NOT_RECEIVED = "an invitation this partner sent, not a referral to it: nothing to do"
    CLOSED = "already closed (rejected, expired or failed)"


class RetryLaterError(Exception):
    """The referral cannot move on yet. The queue retries the message; after maxReceiveCount, the DLQ."""


class AcceptanceInProgressError(RetryLaterError):
    pass


class DealClaimHeldError(RetryLaterError):
    pass


@dataclass(frozen=True)
class TakeInvitationContext:
    hubspot: HubSpotClient
    partner_central: PartnerCentralSellingAPIClient
    store: StateStore
    invitations: InvitationStore
    write_pacer: WritePacer
    read_pacer: ReadPacer
    rules: MappingRules
    catalog: Catalog
    policy: Literal["auto", "review"]
    pipeline: str
    review_stage: str
    owner_id: str | None
    now: Callable[[], datetime]
    opportunity_url: Callable[[str], str]
    # Longer than a worker can run (the Lambda timeout), shorter than the queue's visibility timeout: a
    # retried message always finds a dead worker's claim expired.
    deal_claim_lease: timedelta


def take_invitation(invitation_id: str, context: TakeInvitationContext) -> TakeOutcome:
    state = context.invitations.get(context.catalog, invitation_id) or InvitationState()
    if state.phase is Phase.DONE:
        return TakeOutcome.ALREADY_TAKEN
    if state.phase is Phase.CLOSED:
        return TakeOutcome.CLOSED
    if state.phase in (Phase.ACCEPTING, Phase.ACCEPTED):
        return _follow(invitation_id, state, context)
    invitation = _read_invitation(invitation_id, context)
    if state.phase is None and not _received(invitation, context):
        context.invitations.advance(context.catalog, invitation_id, Phase.CLOSED, detail="sent, not received")
        return TakeOutcome.NOT_RECEIVED
    if invitation["Status"] == "PENDING":
        if context.policy == "auto":
            return _accept(invitation, state, context)
        return _review(invitation, state, context)
    return _not_pending(invitation, state, context)


def take_invitation_of_deal(deal_id: str, context: TakeInvitationContext) -> TakeOutcome | None:
    """A change on a deal made from a referral (the rep's decision, or cosell's own write coming back)."""
    invitation_id = context.hubspot.get_deal(deal_id, (properties.INVITATION_ID,)).get(
        properties.INVITATION_ID
    )
    return take_invitation(invitation_id, context) if invitation_id else None


def take_invitation_of_opportunity(opportunity_id: str, context: TakeInvitationContext) -> TakeOutcome | None:
    """An opportunity just created: if accepting a referral created it, that referral can now complete."""
    invitation_id = invitation_for_opportunity(context.partner_central, context.catalog, opportunity_id)
    return take_invitation(invitation_id, context) if invitation_id else None


# --- the decision ---------------------------------------------------------------------------------------


def _review(invitation: Any, state: InvitationState, context: TakeInvitationContext) -> TakeOutcome:
    invitation_id = invitation["Id"]
    if state.phase is not Phase.REVIEW or state.deal_id is None:
        deal_id = _ensure_review_deal(invitation, state, context)
        context.invitations.advance(context.catalog, invitation_id, Phase.REVIEW, deal_id=deal_id)
        return TakeOutcome.REVIEW_DEAL_CREATED
    deal = context.hubspot.get_deal(
        state.deal_id, (properties.INVITATION_DECISION, properties.REJECTION_REASON, properties.SYNC_ERROR)
    )
    decision = deal.get(properties.INVITATION_DECISION)
    if decision == "Accept":
        return _accept(invitation, state, context)
    if decision == "Reject":
        return _reject(invitation, deal, context)
    return TakeOutcome.AWAITING_DECISION


def _ensure_review_deal(invitation: Any, state: InvitationState, context: TakeInvitationContext) -> str:
    referral = deal_from_invitation(invitation, context.rules, context.pipeline, context.review_stage)
    expires: datetime = invitation["ExpirationDate"]
    deal_id, _ = _ensure_deal(
        invitation,
        state,
        referral,
        {
            properties.INVITATION_STATUS: "Pending review",
            properties.INVITATION_EXPIRES_AT: expires.isoformat(),
            properties.SYNC_STATUS: "Pending",
        },
        context,
    )
    # A run that stopped after creating the deal may have made the task too.
    if not context.hubspot.list_associations("deals", deal_id, "tasks"):
        context.hubspot.create_task(
            deal_id,
            f"AWS referral: accept or reject by {expires:%Y-%m-%d %H:%M} UTC",
            due=expires,
            priority="HIGH",
            owner_id=context.owner_id,
            body=_review_task_body(invitation),
        )
    return deal_id


def _review_task_body(invitation: Any) -> str:
    sellers = (invitation.get("Payload", {}).get("OpportunityInvitation") or {}).get("SenderContacts") or []
    lines = [
        "AWS referred this customer to you. Set the deal's 'AWS referral decision' to Accept, or to Reject "
        "with an 'AWS rejection reason'; cosell tells AWS. Unanswered, the referral expires.",
        *(
            f"AWS contact: {' '.join(filter(None, (s.get('FirstName'), s.get('LastName'))))} "
            f"({s.get('BusinessTitle') or 'AWS'}), {s['Email']}"
            for s in sellers
        ),
    ]
    if invitation.get("InvitationMessage"):
        lines.append(f"Message from AWS: {invitation['InvitationMessage']}")
    return "\n".join(lines)


def _reject(invitation: Any, deal: Deal, context: TakeInvitationContext) -> TakeOutcome:
    reason = rejection_reason(deal.get(properties.REJECTION_REASON))
    if reason is None:
        if deal.get(properties.SYNC_ERROR) != ASK_FOR_REASON:
            context.hubspot.update_deal(
                deal.id, {properties.SYNC_STATUS: "Error", properties.SYNC_ERROR: ASK_FOR_REASON}
            )
        return TakeOutcome.AWAITING_REASON
    context.write_pacer.acquire()
    try:
        context.partner_central.reject_engagement_invitation(
            Catalog=context.catalog, Identifier=invitation["Id"], RejectionReason=reason
        )
    except ClientError as error:
        if _error_code(error) != "ValidationException":
            raise
        # No longer pending: rejected by an earlier run that stopped before recording it, or expired.
        current = _read_invitation(invitation["Id"], context)
        if current["Status"] != "REJECTED":
            return _not_pending(current, InvitationState(Phase.REVIEW, deal_id=deal.id), context)
    return _close(
        invitation["Id"],
        deal.id,
        "Rejected",
        f"AWS referral rejected: {reason}",
        context,
        TakeOutcome.REJECTED,
    )


def _not_pending(invitation: Any, state: InvitationState, context: TakeInvitationContext) -> TakeOutcome:
    status = invitation["Status"]
    if status == "ACCEPTED":
        # Accepted, but cosell recorded no acceptance: a run stopped before recording it, or someone
        # accepted in Partner Central. An acceptance task, whoever started it, leads to the opportunity.
        task = acceptance_task_for_invitation(context.partner_central, context.catalog, invitation["Id"])
        if task is None:
            return _close(
                invitation["Id"],
                state.deal_id,
                "Accepted",
                "AWS referral accepted outside cosell; link the deal to its opportunity by hand.",
                context,
                TakeOutcome.ACCEPTED_ELSEWHERE,
            )
        state = _record_task(invitation, state, task, context)
        return _on_task(invitation["Id"], state, task, context)
    if status == "EXPIRED":
        expired: datetime = invitation["ExpirationDate"]
        return _close(
            invitation["Id"],
            state.deal_id,
            "Expired",
            f"AWS referral expired on {expired:%Y-%m-%d %H:%M} UTC before it was accepted.",
            context,
            TakeOutcome.EXPIRED,
        )
    reason = invitation.get("RejectionReason") or "no reason given"
    return _close(
        invitation["Id"],
        state.deal_id,
        "Rejected",
        f"AWS referral rejected in Partner Central: {reason}",
        context,
        TakeOutcome.REJECTED_ELSEWHERE,
    )


def _close(
    invitation_id: str,
    deal_id: str | None,
    status: str,
    what_happened: str,
    context: TakeInvitationContext,
    outcome: TakeOutcome,
) -> TakeOutcome:
    """The referral ends here. Its deal (review mode) says what happened; without a deal, nothing is made."""
    if deal_id is not None:
        context.hubspot.update_deal(
            deal_id,
            {
                properties.INVITATION_STATUS: status,
                properties.SYNC_STATUS: "Synced",
                properties.SYNC_ERROR: "",
                properties.LAST_SYNCED_AT: context.now().isoformat(),
            },
        )
        context.hubspot.create_note(deal_id, what_happened, context.now())
    context.invitations.advance(context.catalog, invitation_id, Phase.CLOSED, detail=what_happened)
    return outcome


# --- acceptance -----------------------------------------------------------------------------------------


def _accept(invitation: Any, state: InvitationState, context: TakeInvitationContext) -> TakeOutcome:
    kind = (
        TaskKind.OPPORTUNITY_FROM_LEAD
        if invitation["PayloadType"] == LEAD_INVITATION
        else TaskKind.ACCEPT_OPPORTUNITY
    )
    state = replace(
        state, phase=Phase.ACCEPTING, task_kind=kind.value, engagement_id=invitation["EngagementId"]
    )
    # Recorded before the start: a run that stops in between starts again (same ClientToken, same task).
    context.invitations.advance(
        context.catalog,
        invitation["Id"],
        Phase.ACCEPTING,
        task_kind=kind.value,
        engagement_id=invitation["EngagementId"],
    )
    if state.deal_id is not None:
        context.hubspot.update_deal(state.deal_id, {properties.INVITATION_STATUS: "Accepting"})
    return _follow(invitation["Id"], state, context)


def _follow(invitation_id: str, state: InvitationState, context: TakeInvitationContext) -> TakeOutcome:
    if state.phase is Phase.ACCEPTED and state.opportunity_id:
        return _complete(invitation_id, state, context)
    kind = TaskKind(state.task_kind or "")  # recorded with the phase: ValueError (→ DLQ) if it was not
    task = None
    if state.task_id is not None:
        task = find_task(context.partner_central, context.catalog, kind, state.task_id)
    if task is None:
        task = _start(invitation_id, kind, state, context)
        if task is None:  # Partner Central refused to start, and the invitation is no longer pending
            return _not_pending(_read_invitation(invitation_id, context), state, context)
        context.invitations.advance(context.catalog, invitation_id, Phase.ACCEPTING, task_id=task.task_id)
    return _on_task(invitation_id, state, task, context)


def _start(
    invitation_id: str, kind: TaskKind, state: InvitationState, context: TakeInvitationContext
) -> AcceptanceTask | None:
    try:
        if kind is TaskKind.OPPORTUNITY_FROM_LEAD:
            return start_lead_acceptance(
                context.partner_central,
                context.catalog,
                invitation_id,
                str(state.engagement_id),
                context.write_pacer.acquire,
            )
        return start_opportunity_acceptance(
            context.partner_central, context.catalog, invitation_id, context.write_pacer.acquire
        )
    except ClientError as error:
        if _error_code(error) not in ("ConflictException", "ValidationException"):
            raise
        # Refused because the invitation moved on (expired, rejected, accepted) → the caller handles that.
        # Refused while it is still pending → a real error (e.g. an invitation this partner sent): retried,
        # then parked in the DLQ, never taken for something else.
        if _read_invitation(invitation_id, context)["Status"] == "PENDING":
            raise
        return None


def _record_task(
    invitation: Any, state: InvitationState, task: AcceptanceTask, context: TakeInvitationContext
) -> InvitationState:
    fields = {
        "task_kind": task.kind.value,
        "task_id": task.task_id,
        "engagement_id": invitation["EngagementId"],
    }
    context.invitations.advance(context.catalog, invitation["Id"], Phase.ACCEPTING, **fields)
    return replace(state, phase=Phase.ACCEPTING, **fields)


def _on_task(
    invitation_id: str, state: InvitationState, task: AcceptanceTask, context: TakeInvitationContext
) -> TakeOutcome:
    if task.status is TaskStatus.IN_PROGRESS:
        raise AcceptanceInProgressError(
            f"invitation {invitation_id}: acceptance task {task.task_id} is running"
        )
    if task.status is TaskStatus.FAILED or not task.opportunity_id:
        return _fail(invitation_id, state, task.reason or "the task ended without an opportunity", context)
    context.invitations.advance(
        context.catalog, invitation_id, Phase.ACCEPTED, opportunity_id=task.opportunity_id
    )
    return _complete(
        invitation_id, replace(state, phase=Phase.ACCEPTED, opportunity_id=task.opportunity_id), context
    )


def _fail(
    invitation_id: str, state: InvitationState, reason: str, context: TakeInvitationContext
) -> TakeOutcome:
    """The rep must learn that AWS's referral could not be accepted: on the review deal, or on a new one."""
    failure = {
        properties.INVITATION_STATUS: "Failed",
        properties.SYNC_STATUS: "Error",
        properties.SYNC_ERROR: f"AWS referral: Partner Central could not accept it ({reason}). Open the "
        f"invitation in Partner Central to accept it there, or ask AWS to send it again.",
        properties.LAST_SYNCED_AT: context.now().isoformat(),
    }
    if state.deal_id is not None:
        context.hubspot.update_deal(state.deal_id, failure)
    else:
        invitation = _read_invitation(invitation_id, context)
        referral = deal_from_invitation(invitation, context.rules, context.pipeline, context.review_stage)
        deal_id, created = _ensure_deal(invitation, state, referral, failure, context)
        if not created:  # an earlier run made it (before this failure was known, or before it crashed)
            context.hubspot.update_deal(deal_id, failure)
    context.invitations.advance(context.catalog, invitation_id, Phase.CLOSED, detail=f"failed: {reason}")
    return TakeOutcome.FAILED


def _complete(invitation_id: str, state: InvitationState, context: TakeInvitationContext) -> TakeOutcome:
    opportunity_id = str(state.opportunity_id)
    context.read_pacer.acquire()
    opportunity = context.partner_central.get_opportunity(Catalog=context.catalog, Identifier=opportunity_id)
    context.read_pacer.acquire()
    summary = context.partner_central.get_aws_opportunity_summary(
        Catalog=context.catalog, RelatedOpportunityIdentifier=opportunity_id
    )
    referral = deal_from_opportunity(opportunity, summary, context.rules, context.pipeline)
    synced_at = context.now().isoformat()
    linked = {
        properties.INVITATION_ID: invitation_id,
        properties.OPPORTUNITY_ID: opportunity_id,
        properties.OPPORTUNITY_URL: context.opportunity_url(opportunity_id),
        properties.INVITATION_STATUS: "Accepted",
        properties.SYNC_STATUS: "Synced",
        properties.SYNC_ERROR: "",
        properties.LAST_SYNCED_AT: synced_at,
        **review_properties(opportunity),
    }
    if state.engagement_id:
        linked[properties.ENGAGEMENT_ID] = state.engagement_id
    if state.deal_id is not None:
        # The review deal keeps the name the rep may have given it; the rest is what AWS now shares.
        deal_id = state.deal_id
        update = {name: value for name, value in referral.deal.items() if name != "dealname"}
        _write_deal(update | linked, context, lambda values: context.hubspot.update_deal(deal_id, values))
        for association in _associations(referral, context):
            target = ASSOCIATED_TYPES[association.type_id]
            context.hubspot.associate("deals", deal_id, target, association.to_id, [association.type_id])
        outcome = TakeOutcome.DEAL_COMPLETED
    else:
        deal_id, created = _ensure_deal({"Id": invitation_id}, state, referral, linked, context)
        outcome = TakeOutcome.DEAL_CREATED if created else TakeOutcome.DEAL_FOUND
    context.store.save_link(
        Link(
            deal_id=deal_id,
            opportunity_id=opportunity_id,
            catalog=context.catalog,
            synced_fields=_snapshot(opportunity),
            synced_at=synced_at,
            # Partner Central's values are the starting point; the deal's are taken at its first sync.
            snapshot=Snapshot(hubspot={}, partner_central=values_of(opportunity)),
        )
    )
    context.invitations.advance(context.catalog, invitation_id, Phase.DONE, deal_id=deal_id)
    return outcome


def _snapshot(opportunity: Mapping[str, Any]) -> dict[str, Any]:
    members = {name: opportunity[name] for name in SNAPSHOT_MEMBERS if name in opportunity}
    loaded: dict[str, Any] = json.loads(json.dumps(members, default=str))  # DateTimes as ISO text
    return loaded


# --- the deal -------------------------------------------------------------------------------------------


def _ensure_deal(
    invitation: Any,
    state: InvitationState,
    referral: ReferralDeal,
    extra: Mapping[str, str],
    context: TakeInvitationContext,
) -> tuple[str, bool]:
    """The invitation's one deal, and whether this run created it: recorded, found again after a crash, or
    created under the claim."""
    invitation_id = invitation["Id"]
    if state.deal_id is not None:
        return state.deal_id, False
    now_ms = int(context.now().timestamp() * 1000)
    lease_ms = int(context.deal_claim_lease.total_seconds() * 1000)
    claim = context.invitations.claim_deal(context.catalog, invitation_id, now_ms, lease_ms)
    if claim is DealClaim.HELD:
        current = context.invitations.get(context.catalog, invitation_id)
        if current is not None and current.deal_id is not None:
            return current.deal_id, False
        raise DealClaimHeldError(f"invitation {invitation_id}: another worker is creating its deal")
    deal_id = _find_deal(invitation_id, context) if claim is DealClaim.TAKEOVER else None
    created = deal_id is None
    if deal_id is None:
        values = referral.deal | {properties.INVITATION_ID: invitation_id, **extra}
        if invitation.get("EngagementId"):
            values[properties.ENGAGEMENT_ID] = invitation["EngagementId"]
        if context.owner_id:
            values["hubspot_owner_id"] = context.owner_id
        associations = _associations(referral, context)
        deal_id = _write_deal(
            values, context, lambda fields: context.hubspot.create_deal(fields, associations)
        )
    context.invitations.record_deal(context.catalog, invitation_id, deal_id)
    return deal_id, created


def _write_deal(
    values: Mapping[str, str], context: TakeInvitationContext, write: Callable[[dict[str, str]], Deal]
) -> str:
    """Create or update the deal. A currency the HubSpot account does not have is left out (HubSpot refuses
    it, and retrying could not help) and said in a note, instead of failing the referral for good."""
    try:
        return write(dict(values)).id
    except HubSpotValidationError as error:
        currency = values.get("deal_currency_code")
        if currency is None or error.refused_properties != {"deal_currency_code"}:
            raise
    deal = write({name: value for name, value in values.items() if name != "deal_currency_code"})
    context.hubspot.create_note(
        deal.id,
        f"AWS states the expected spend in {currency}, a currency this HubSpot account does not have: the "
        f"deal's amount is in {currency}. Add the currency in HubSpot's settings, or convert the amount.",
        context.now(),
    )
    return deal.id


def _find_deal(invitation_id: str, context: TakeInvitationContext) -> str | None:
    found = context.hubspot.find_deals(
        [[SearchFilter(property_name=properties.INVITATION_ID, operator="EQ", value=invitation_id)]]
    )
    return min((deal.id for deal in found), key=int, default=None)


def _associations(referral: ReferralDeal, context: TakeInvitationContext) -> list[AssociationInput]:
    links = []
    if referral.company is not None:
        links.append(AssociationInput(to_id=_company_id(referral.company, context), type_id=PRIMARY_COMPANY))
    links += [
        AssociationInput(to_id=contact_id, type_id=DEAL_TO_CONTACT)
        for contact_id in _contact_ids(referral.contacts, context)
    ]
    return links


def _company_id(company: CompanyFields, context: TakeInvitationContext) -> str:
    if company.domain:
        found = context.hubspot.find_companies(
            [[SearchFilter(property_name="domain", operator="EQ", value=company.domain)]]
        )
        if found:
            return min((match.id for match in found), key=int)
    return context.hubspot.create_company(company.properties).id


def _contact_ids(contacts: Sequence[ContactFields], context: TakeInvitationContext) -> list[str]:
    """Each contact matched by e-mail (one search for all: HubSpot allows 5 searches a second) or created."""

    def existing() -> dict[str, str]:
        found = context.hubspot.find_contacts(
            [[SearchFilter(property_name="email", operator="IN", values=[c.email for c in contacts])]],
            ("email",),
        )
        ids: dict[str, str] = {}
        for match in sorted(found, key=lambda contact: int(contact.id)):
            ids.setdefault((match.email or "").lower(), match.id)
        return ids

    if not contacts:
        return []
    known = existing()
    for contact in contacts:
        if contact.email in known:
            continue
        try:
            known[contact.email] = context.hubspot.create_contact(contact.properties).id
        except HubSpotConflictError:  # HubSpot keeps e-mails unique: someone created it just now
            known = existing() | known
            if contact.email not in known:
                raise
    return [known[contact.email] for contact in contacts]


# --- reads ----------------------------------------------------------------------------------------------


def _received(invitation: Any, context: TakeInvitationContext) -> bool:
    context.read_pacer.acquire()
    return is_received(context.partner_central, context.catalog, invitation)


def _read_invitation(invitation_id: str, context: TakeInvitationContext) -> Any:
    context.read_pacer.acquire()
    return context.partner_central.get_engagement_invitation(
        Catalog=context.catalog, Identifier=invitation_id
    )


def _error_code(error: ClientError) -> str | None:
    return error.response.get("Error", {}).get("Code")
