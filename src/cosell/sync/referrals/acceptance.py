"""Accepting an AWS referral: start the acceptance task, follow it, and on completion make or complete the
deal and link it to the opportunity the task made.

The phase "accepting" (with the task kind and engagement) is recorded before the task starts, and the task id
once it has one; a later run follows the recorded task with the List…Tasks reads (no write quota). A run
that stopped before recording the id starts again with the same ClientToken and body, and Partner Central
returns the same task.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain import deal_properties
from cosell.domain.deal_status import status_properties
from cosell.domain.referral import Phase, Step, TaskStep, after_pending, after_task
from cosell.domain.to_hubspot import deal_from_invitation, deal_from_opportunity
from cosell.hubspot.models import DEAL_TO_PRIMARY_COMPANY
from cosell.hubspot.records import associations
from cosell.partner_central.invitations import (
    LEAD_INVITATION,
    TaskKind,
    acceptance_task_for_invitation,
    find_task,
    start_lead_acceptance,
    start_opportunity_acceptance,
)
from cosell.sync.engagements.requests import queue_engagement_started
from cosell.sync.notify import note_once
from cosell.sync.referrals.deal import close, ensure_deal, link_made_deal, linked_properties, write_deal
from cosell.sync.referrals.outcomes import AcceptanceInProgressError, TakeOutcome
from cosell.sync.referrals.reads import read_invitation
from cosell.sync.reporting import show_on_deal

if TYPE_CHECKING:
    from datetime import datetime

    from cosell.hubspot.models import ObjectTypeName
    from cosell.partner_central.invitations import AcceptanceTask
    from cosell.store.invitations import InvitationState
    from cosell.sync.ports import Ports


def accept(invitation: Any, state: InvitationState, ports: Ports) -> TakeOutcome:
    kind = (
        TaskKind.OPPORTUNITY_FROM_LEAD
        if invitation["PayloadType"] == LEAD_INVITATION
        else TaskKind.ACCEPT_OPPORTUNITY
    )
    state = replace(
        state, phase=Phase.ACCEPTING, task_kind=kind.value, engagement_id=invitation["EngagementId"]
    )
    # Recorded before the start: a run that stops in between starts again (same ClientToken, same task).
    ports.referrals.advance(
        ports.config.catalog,
        invitation["Id"],
        Phase.ACCEPTING,
        task_kind=kind.value,
        engagement_id=invitation["EngagementId"],
    )
    if state.deal_id is not None:
        show_on_deal(ports, state.deal_id, {deal_properties.INVITATION_STATUS: "Accepting"}, synced=False)
    return follow(invitation["Id"], state, ports)


def follow(invitation_id: str, state: InvitationState, ports: Ports) -> TakeOutcome:
    if state.phase is Phase.ACCEPTED and state.opportunity_id:
        return _complete(invitation_id, state, ports)
    kind = TaskKind(state.task_kind or "")  # recorded with the phase: ValueError (→ DLQ) if it was not
    task = None
    if state.task_id:  # empty: the attempt's task is not started yet
        task = find_task(ports.partner_central, ports.config.catalog, kind, state.task_id)
    if task is None:
        task = _start(invitation_id, kind, state, ports)
        if task is None:  # Partner Central refused to start, and the invitation is no longer pending
            return settle_not_pending(read_invitation(invitation_id, ports), state, ports)
        ports.referrals.advance(ports.config.catalog, invitation_id, Phase.ACCEPTING, task_id=task.task_id)
    return _on_task(invitation_id, state, task, ports)


def settle_not_pending(invitation: Any, state: InvitationState, ports: Ports) -> TakeOutcome:
    """The invitation is no longer pending, whatever cosell was doing with it (cosell.domain.referral)."""
    invitation_id = invitation["Id"]
    step = after_pending(invitation["Status"])
    if step is Step.ADOPT_ACCEPTANCE:
        task = acceptance_task_for_invitation(ports.partner_central, ports.config.catalog, invitation_id)
        if task is None:
            return close(
                invitation_id,
                state.deal_id,
                "Accepted",
                "AWS referral accepted outside cosell; link the deal to its opportunity by hand.",
                ports,
                TakeOutcome.ACCEPTED_ELSEWHERE,
            )
        state = _record_task(invitation, state, task, ports)
        return _on_task(invitation_id, state, task, ports)
    if step is Step.CLOSE_EXPIRED:
        expired: datetime = invitation["ExpirationDate"]
        return close(
            invitation_id,
            state.deal_id,
            "Expired",
            f"AWS referral expired on {expired:%Y-%m-%d %H:%M} UTC before it was accepted.",
            ports,
            TakeOutcome.EXPIRED,
        )
    reason = invitation.get("RejectionReason") or "no reason given"
    return close(
        invitation_id,
        state.deal_id,
        "Rejected",
        f"AWS referral rejected in Partner Central: {reason}",
        ports,
        TakeOutcome.REJECTED_ELSEWHERE,
    )


def _start(invitation_id: str, kind: TaskKind, state: InvitationState, ports: Ports) -> AcceptanceTask | None:
    catalog = ports.config.catalog
    try:
        if kind is TaskKind.OPPORTUNITY_FROM_LEAD:
            return start_lead_acceptance(
                ports.partner_central,
                catalog,
                invitation_id,
                str(state.engagement_id),
                state.attempt_number,
            )
        return start_opportunity_acceptance(
            ports.partner_central, catalog, invitation_id, state.attempt_number
        )
    except ClientError as error:
        if error_code(error) not in ("ConflictException", "ValidationException"):
            raise
        # Refused because the invitation moved on (expired, rejected, accepted) → the caller handles that.
        # Refused while it is still pending → a real error (e.g. an invitation this partner sent): retried,
        # then parked in the DLQ, never taken for something else.
        if read_invitation(invitation_id, ports)["Status"] == "PENDING":
            raise
        return None


def _record_task(
    invitation: Any, state: InvitationState, task: AcceptanceTask, ports: Ports
) -> InvitationState:
    fields = {
        "task_kind": task.kind.value,
        "task_id": task.task_id,
        "engagement_id": invitation["EngagementId"],
    }
    ports.referrals.advance(ports.config.catalog, invitation["Id"], Phase.ACCEPTING, **fields)
    return replace(state, phase=Phase.ACCEPTING, **fields)


def _on_task(invitation_id: str, state: InvitationState, task: AcceptanceTask, ports: Ports) -> TakeOutcome:
    step = after_task(task.status.value, task.opportunity_id, task.reason_code, state.attempt_number)
    if step is TaskStep.WAIT:
        raise AcceptanceInProgressError(
            f"invitation {invitation_id}: acceptance task {task.task_id} is running"
        )
    if step is TaskStep.RETRY:
        # Recorded before the next task starts: a run that stops in between starts that attempt, once.
        attempt = str(state.attempt_number + 1)
        ports.referrals.advance(
            ports.config.catalog, invitation_id, Phase.ACCEPTING, attempt=attempt, task_id=""
        )
        return follow(invitation_id, replace(state, attempt=attempt, task_id=None), ports)
    if step is TaskStep.FAIL:
        return _fail(invitation_id, state, task.reason or "the task ended without an opportunity", ports)
    ports.referrals.advance(
        ports.config.catalog, invitation_id, Phase.ACCEPTED, opportunity_id=str(task.opportunity_id)
    )
    return _complete(
        invitation_id, replace(state, phase=Phase.ACCEPTED, opportunity_id=task.opportunity_id), ports
    )


def _fail(invitation_id: str, state: InvitationState, reason: str, ports: Ports) -> TakeOutcome:
    """The rep must learn that AWS's referral could not be accepted: on the review deal, or on a new one."""
    failure = {
        deal_properties.INVITATION_STATUS: "Failed",
        **status_properties(
            [
                f"AWS referral: Partner Central could not accept it ({reason}). Open the invitation in Partner "
                f"Central to accept it there, or ask AWS to send it again."
            ]
        ),
    }
    if state.deal_id is not None:
        show_on_deal(ports, state.deal_id, failure)
    else:
        config = ports.config
        invitation = read_invitation(invitation_id, ports)
        referral = deal_from_invitation(
            invitation, config.rules, config.invitation_pipeline, config.invitation_review_stage
        )
        stamped = {**failure, deal_properties.LAST_SYNCED_AT: ports.now().isoformat()}
        deal_id, created = ensure_deal(
            invitation_id, invitation.get("EngagementId"), state, referral, stamped, ports
        )
        if not created:  # an earlier run made it (before this failure was known, or before it crashed)
            show_on_deal(ports, deal_id, failure)
    ports.referrals.advance(ports.config.catalog, invitation_id, Phase.CLOSED, detail=f"failed: {reason}")
    return TakeOutcome.FAILED


def _complete(invitation_id: str, state: InvitationState, ports: Ports) -> TakeOutcome:
    config = ports.config
    opportunity_id = str(state.opportunity_id)
    opportunity = ports.partner_central.get_opportunity(Catalog=config.catalog, Identifier=opportunity_id)
    summary = ports.partner_central.get_aws_opportunity_summary(
        Catalog=config.catalog, RelatedOpportunityIdentifier=opportunity_id
    )
    referral = deal_from_opportunity(opportunity, summary, config.rules, config.invitation_pipeline)
    synced_at = ports.now().isoformat()
    linked = {
        deal_properties.INVITATION_ID: invitation_id,
        deal_properties.INVITATION_STATUS: "Accepted",
        **linked_properties(opportunity, summary, synced_at, ports),
    }
    if state.engagement_id:
        linked[deal_properties.ENGAGEMENT_ID] = state.engagement_id
    if state.deal_id is not None:
        # The review deal keeps the name the rep may have given it; the rest is what AWS now shares.
        deal_id = state.deal_id
        update = {name: value for name, value in referral.deal.items() if name != "dealname"}
        write_deal(update | linked, ports, lambda values: ports.hubspot.update_deal(deal_id, values))
        for association in associations(ports.hubspot, referral.company, referral.contacts):
            target: ObjectTypeName = (
                "companies" if association.type_id == DEAL_TO_PRIMARY_COMPANY else "contacts"
            )
            ports.hubspot.associate("deals", deal_id, target, association.to_id, [association.type_id])
        outcome = TakeOutcome.DEAL_COMPLETED
    else:
        deal_id, created = ensure_deal(invitation_id, None, state, referral, linked, ports)
        outcome = TakeOutcome.DEAL_CREATED if created else TakeOutcome.DEAL_FOUND
    if referral.left_out:
        note_once(
            f"referral-left-out:{config.catalog}:{invitation_id}",
            deal_id,
            "\n".join(referral.left_out),
            ports,
        )
    link_made_deal(deal_id, opportunity, synced_at, ports)
    if state.engagement_id:  # before DONE: a run that stops in between queues it again
        queue_engagement_started(state.engagement_id, ports, invitation_id)
    ports.referrals.advance(config.catalog, invitation_id, Phase.DONE, deal_id=deal_id)
    return outcome
