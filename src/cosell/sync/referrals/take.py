"""Use case: take an AWS referral (an engagement invitation): accept or reject it, and make its HubSpot deal.

Reconciles, whatever triggered it (the invitation's events, the poll, an "Opportunity Created" event, the
rep's decision on the deal): runs the referral's state machine (cosell.domain.referral), doing each read it
asks for and then the one step it names. Safe to run any number of times, concurrently or after a crash:
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

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cosell.domain import deal_properties
from cosell.domain.audit import OPERATOR
from cosell.domain.notifications import referral_expiring
from cosell.domain.referral import Known, Phase, Step, next_step
from cosell.partner_central.invitations import invitation_for_opportunity
from cosell.store.invitations import InvitationState
from cosell.sync.notify import notify
from cosell.sync.referrals.acceptance import accept, follow, settle_not_pending
from cosell.sync.referrals.decision import DECISION_PROPERTIES, make_review_deal, reject
from cosell.sync.referrals.outcomes import TakeOutcome
from cosell.sync.referrals.reads import read_invitation, received

if TYPE_CHECKING:
    from cosell.domain.audit import Cause
    from cosell.hubspot.models import Deal
    from cosell.sync.ports import Ports


def take_invitation(invitation_id: str, ports: Ports, cause: Cause = OPERATOR) -> TakeOutcome:
    catalog = ports.config.catalog
    state = ports.referrals.get(catalog, invitation_id) or InvitationState()
    known = Known(phase=state.phase, has_review_deal=state.deal_id is not None)
    invitation: Any = None
    deal: Deal | None = None
    while True:
        step = next_step(known, ports.config.invitation_policy)
        if step is Step.READ_INVITATION:
            invitation = read_invitation(invitation_id, ports)
            known = replace(known, status=invitation["Status"])
        elif step is Step.CHECK_RECEIVED:
            known = replace(known, received=received(invitation, ports))
        elif step is Step.READ_DECISION:
            deal = ports.hubspot.get_deal(str(state.deal_id), DECISION_PROPERTIES)
            known = replace(known, decision=deal.get(deal_properties.INVITATION_DECISION), decision_read=True)
        else:
            return _perform(step, invitation_id, invitation, state, deal, ports, cause)


def _perform(
    step: Step,
    invitation_id: str,
    invitation: Any,
    state: InvitationState,
    deal: Deal | None,
    ports: Ports,
    cause: Cause,
) -> TakeOutcome:
    if step is Step.ALREADY_TAKEN:
        return TakeOutcome.ALREADY_TAKEN
    if step is Step.STAY_CLOSED:
        return TakeOutcome.CLOSED
    if step is Step.FOLLOW_ACCEPTANCE:
        return follow(invitation_id, state, ports)
    if step is Step.CLOSE_AS_SENT:
        ports.referrals.advance(
            ports.config.catalog, invitation_id, Phase.CLOSED, detail="sent, not received"
        )
        return TakeOutcome.NOT_RECEIVED
    if step is Step.ACCEPT:
        return accept(invitation, state, ports)
    if step is Step.MAKE_REVIEW_DEAL:
        return make_review_deal(invitation, state, ports)
    if step is Step.REJECT:
        assert deal is not None  # read by READ_DECISION
        return reject(invitation, deal, ports)
    if step is Step.AWAIT_DECISION:
        assert deal is not None  # read by READ_DECISION
        expiring = referral_expiring(
            invitation_id,
            deal.name or deal.id,
            invitation["ExpirationDate"],
            ports.now(),
            ports.config.notification_rules,
        )
        notify(expiring, deal.id, deal.owner_id, ports, cause)
        return TakeOutcome.AWAITING_DECISION
    if step in (Step.ADOPT_ACCEPTANCE, Step.CLOSE_EXPIRED, Step.CLOSE_REJECTED):
        return settle_not_pending(invitation, state, ports)
    raise AssertionError(f"{step} is a read, not a step")  # next_step's reads are done by take_invitation


def take_invitation_of_deal(deal_id: str, ports: Ports, cause: Cause = OPERATOR) -> TakeOutcome | None:
    """A change on a deal made from a referral (the rep's decision, or cosell's own write coming back)."""
    invitation_id = ports.hubspot.get_deal(deal_id, (deal_properties.INVITATION_ID,)).get(
        deal_properties.INVITATION_ID
    )
    return take_invitation(invitation_id, ports, cause) if invitation_id else None


def take_invitation_of_opportunity(
    opportunity_id: str, ports: Ports, cause: Cause = OPERATOR
) -> TakeOutcome | None:
    """An opportunity just created: if accepting a referral created it, that referral can now complete."""
    invitation_id = invitation_for_opportunity(ports.partner_central, ports.config.catalog, opportunity_id)
    return take_invitation(invitation_id, ports, cause) if invitation_id else None
