"""Routes a sync request to the use case that reconciles its subject."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

from cosell.hubspot import properties
from cosell.sync.push_deal import PushOutcome, deals_of, push_deal
from cosell.sync.requests import Subject
from cosell.sync.take_invitation import (
    take_invitation,
    take_invitation_of_deal,
    take_invitation_of_opportunity,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cosell.sync.push_deal import PushDealContext
    from cosell.sync.requests import SyncRequest
    from cosell.sync.take_invitation import TakeInvitationContext

_HUBSPOT_PARENTS: dict[Subject, Literal["companies", "contacts"]] = {
    Subject.HUBSPOT_COMPANY: "companies",
    Subject.HUBSPOT_CONTACT: "contacts",
}
# The rep's answer to an AWS referral under review (INVITATION_POLICY=review).
DECISION_PROPERTIES = frozenset({properties.INVITATION_DECISION, properties.REJECTION_REASON})


class UseCaseContexts(Protocol):
    """What the use cases need, built once per execution environment (cosell.handlers.runtime)."""

    def push_deal(self) -> PushDealContext: ...

    def take_invitation(self) -> TakeInvitationContext: ...

    def enqueue(self, requests: Sequence[SyncRequest]) -> None: ...


class UnhandledSubjectError(Exception):
    """No use case reconciles this subject yet: the message is retried, then parked in the DLQ, never lost."""


def reconcile(request: SyncRequest, contexts: UseCaseContexts) -> str:
    """Reconcile the request's object; returns what happened, for the log."""
    if request.subject is Subject.HUBSPOT_DEAL:
        return _reconcile_deal(request, contexts)
    if request.subject in _HUBSPOT_PARENTS:
        return _reconcile_deals_of(request, contexts)
    if request.subject in (Subject.INVITATION, Subject.OPPORTUNITY):
        context = contexts.take_invitation()
        if request.catalog not in (None, context.catalog):
            return f"{request.catalog} catalog event ignored: this stack syncs {context.catalog}"
        if request.subject is Subject.INVITATION:
            return take_invitation(request.object_id, context).value
        deal_id = context.store.deal_for_opportunity(context.catalog, request.object_id)
        if deal_id is not None:
            # Normally routed to the deal's group before it gets here (cosell.handlers.worker).
            return _reconcile_deal(
                request.model_copy(update={"subject": Subject.HUBSPOT_DEAL, "object_id": deal_id}), contexts
            )
        # The one opportunity event that matters before a link exists: an accepted referral's opportunity.
        if any(trigger.kind == "Opportunity Created" for trigger in request.triggers):
            taken = take_invitation_of_opportunity(request.object_id, context)
            if taken is not None:
                return taken.value
        return f"opportunity {request.object_id} is linked to no deal: nothing to sync"
    if request.subject is Subject.ENGAGEMENT:
        # Engagement members and snapshots are not pulled into HubSpot yet. Events are hints, not data:
        # acknowledging one loses nothing, and parking routine events in the DLQ would bury real failures.
        return f"engagement {request.object_id}: engagements are not synced yet"
    raise UnhandledSubjectError(f"no use case reconciles {request.subject} requests yet")


def _reconcile_deal(request: SyncRequest, contexts: UseCaseContexts) -> str:
    merged = [deal_id for trigger in request.triggers for deal_id in trigger.merged_object_ids]
    pushed = push_deal(request.object_id, contexts.push_deal(), request.cause, merged_deal_ids=merged)
    decided = any(trigger.property_name in DECISION_PROPERTIES for trigger in request.triggers)
    if pushed is not PushOutcome.FROM_INVITATION and not decided:
        return str(pushed)
    taken = take_invitation_of_deal(request.object_id, contexts.take_invitation())
    return str(pushed) if taken is None else f"{pushed}; {taken.value}"


def _reconcile_deals_of(request: SyncRequest, contexts: UseCaseContexts) -> str:
    """A company or contact changed: each of its deals is reconciled in the deal's own message group, so a
    deal is never reconciled twice at once."""
    parent = _HUBSPOT_PARENTS[request.subject]
    deal_ids = deals_of(parent, request.object_id, contexts.push_deal())
    contexts.enqueue(
        [
            request.model_copy(update={"subject": Subject.HUBSPOT_DEAL, "object_id": deal_id})
            for deal_id in deal_ids
        ]
    )
    return f"{len(deal_ids)} deal(s) of {parent} {request.object_id} queued"
