"""The rep's decision on an AWS referral (INVITATION_POLICY=review): the deal and task that ask for it, and
the rejection it may lead to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain import deal_properties
from cosell.domain.deal_properties import SyncStatus
from cosell.domain.deal_status import status_properties
from cosell.domain.referral import Phase, rejection_reason
from cosell.domain.to_hubspot import deal_from_invitation
from cosell.store.invitations import InvitationState
from cosell.sync.referrals.acceptance import settle_not_pending
from cosell.sync.referrals.deal import close, ensure_deal
from cosell.sync.referrals.outcomes import TakeOutcome
from cosell.sync.referrals.reads import read_invitation
from cosell.sync.reporting import show_on_deal

if TYPE_CHECKING:
    from datetime import datetime

    from cosell.hubspot.models import Deal
    from cosell.sync.ports import Ports

ASK_FOR_REASON = (
    "AWS rejection reason: AWS needs a reason to reject the referral. Fill in the deal's AWS rejection reason "
    "(at most 80 characters); the decision is sent as soon as it is set."
)
# What the rep's decision is read from.
DECISION_PROPERTIES = (
    deal_properties.INVITATION_DECISION,
    deal_properties.REJECTION_REASON,
    deal_properties.SYNC_ERROR,
    "dealname",
    "hubspot_owner_id",
)


def make_review_deal(invitation: Any, state: InvitationState, ports: Ports) -> TakeOutcome:
    """A deal from what the invitation shows, with a task for the rep to decide by the expiry."""
    config = ports.config
    referral = deal_from_invitation(
        invitation, config.rules, config.invitation_pipeline, config.invitation_review_stage
    )
    expires: datetime = invitation["ExpirationDate"]
    deal_id, _ = ensure_deal(
        invitation["Id"],
        invitation.get("EngagementId"),
        state,
        referral,
        {
            deal_properties.INVITATION_STATUS: "Pending review",
            deal_properties.INVITATION_EXPIRES_AT: expires.isoformat(),
            deal_properties.SYNC_STATUS: SyncStatus.PENDING.value,
        },
        ports,
    )
    # A run that stopped after creating the deal may have made the task too.
    if not ports.hubspot.list_associations("deals", deal_id, "tasks"):
        ports.hubspot.create_task(
            deal_id,
            f"AWS referral: accept or reject by {expires:%Y-%m-%d %H:%M} UTC",
            due=expires,
            priority="HIGH",
            owner_id=config.invitation_owner_id,
            body=_review_task_body(invitation),
        )
    ports.referrals.advance(config.catalog, invitation["Id"], Phase.REVIEW, deal_id=deal_id)
    return TakeOutcome.REVIEW_DEAL_CREATED


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


def reject(invitation: Any, deal: Deal, ports: Ports) -> TakeOutcome:
    """The rep rejected: sent with the rep's reason, or the deal asks for one."""
    reason = rejection_reason(deal.get(deal_properties.REJECTION_REASON))
    if reason is None:
        if deal.get(deal_properties.SYNC_ERROR) != ASK_FOR_REASON:
            show_on_deal(ports, deal.id, status_properties([ASK_FOR_REASON]), synced=False)
        return TakeOutcome.AWAITING_REASON
    try:
        ports.partner_central.reject_engagement_invitation(
            Catalog=ports.config.catalog, Identifier=invitation["Id"], RejectionReason=reason
        )
    except ClientError as error:
        if error_code(error) != "ValidationException":
            raise
        # No longer pending: rejected by an earlier run that stopped before recording it, or expired.
        current = read_invitation(invitation["Id"], ports)
        if current["Status"] != "REJECTED":
            return settle_not_pending(current, InvitationState(Phase.REVIEW, deal_id=deal.id), ports)
    return close(
        invitation["Id"], deal.id, "Rejected", f"AWS referral rejected: {reason}", ports, TakeOutcome.REJECTED
    )
