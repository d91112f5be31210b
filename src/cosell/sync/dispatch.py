"""Routes a sync request to the use case that reconciles its subject."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

from cosell.hubspot import properties
from cosell.sync.push_deal import PushOutcome, push_deal, push_deals_of
from cosell.sync.requests import Subject
from cosell.sync.take_invitation import (
    take_invitation,
    take_invitation_of_deal,
    take_invitation_of_opportunity,
)

if TYPE_CHECKING:
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


class UnhandledSubjectError(Exception):
    """No use case reconciles this subject yet: the message is retried, then parked in the DLQ, never lost."""


def reconcile(request: SyncRequest, contexts: UseCaseContexts) -> str:
    """Reconcile the request's object; returns what happened, for the log."""
    if request.subject is Subject.HUBSPOT_DEAL:
        return _reconcile_deal(request, contexts)
    if request.subject in _HUBSPOT_PARENTS:
        return push_deals_of(_HUBSPOT_PARENTS[request.subject], request.object_id, contexts.push_deal())
    if request.subject in (Subject.INVITATION, Subject.OPPORTUNITY):
        context = contexts.take_invitation()
        if request.catalog not in (None, context.catalog):
            return f"{request.catalog} catalog event ignored: this stack syncs {context.catalog}"
        if request.subject is Subject.INVITATION:
            return take_invitation(request.object_id, context).value
        # Opportunity events belong to the opportunity pull (not built yet), except the one that tells an
        # accepted referral its opportunity now exists.
        if any(trigger.kind == "Opportunity Created" for trigger in request.triggers):
            taken = take_invitation_of_opportunity(request.object_id, context)
            if taken is not None:
                return taken.value
        return _not_pulled_yet(request)
    if request.subject is Subject.ENGAGEMENT:
        return _not_pulled_yet(request)
    raise UnhandledSubjectError(f"no use case reconciles {request.subject} requests yet")


def _reconcile_deal(request: SyncRequest, contexts: UseCaseContexts) -> str:
    pushed = push_deal(request.object_id, contexts.push_deal())
    decided = any(trigger.property_name in DECISION_PROPERTIES for trigger in request.triggers)
    if pushed is not PushOutcome.FROM_INVITATION and not decided:
        return pushed.value
    taken = take_invitation_of_deal(request.object_id, contexts.take_invitation())
    return pushed.value if taken is None else f"{pushed.value}; {taken.value}"


def _not_pulled_yet(request: SyncRequest) -> str:
    # Partner Central → HubSpot updates of linked opportunities and engagements are not built yet. Events are
    # hints, not data: acknowledging one loses nothing, since a pull reads the current state whenever it
    # comes. Parking every routine event in the DLQ would only bury real failures.
    return (
        f"{request.subject} {request.object_id}: changes in Partner Central are not pulled into HubSpot yet"
    )
