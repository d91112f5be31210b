"""Routes a sync request to the use case that reconciles its subject: one table, keyed by subject.

A new context adds its subject and its route here (docs/ARCHITECTURE.md, "Layout").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.domain import deal_properties
from cosell.queue.messages import Subject
from cosell.sync.deals.echoes import partner_central_unchanged, seen_by_last_sync
from cosell.sync.deals.fan_out import PARENTS, queue_deals_of
from cosell.sync.deals.pair import IN_STEP
from cosell.sync.deals.push import PushOutcome, push_deal

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from cosell.queue.messages import SyncRequest
    from cosell.sync.ports import Ports

# The rep's answer to an AWS referral under review (INVITATION_POLICY=review).
DECISION_TRIGGERS = frozenset({deal_properties.INVITATION_DECISION, deal_properties.REJECTION_REASON})


def reconcile(request: SyncRequest, ports: Ports) -> str:
    """Reconcile the request's object; returns what happened, for the log."""
    if request.catalog not in (None, ports.config.catalog):
        return f"{request.catalog} catalog event ignored: this stack syncs {ports.config.catalog}"
    if request.subject in PARENTS:
        return queue_deals_of(request, ports)
    return ROUTES[request.subject](request, ports)


def _deal(request: SyncRequest, ports: Ports) -> str:
    link = ports.links.link_for_deal(request.object_id)
    if link is not None and seen_by_last_sync(request, link):
        return f"{IN_STEP} (every change that queued it was read by the pair's last sync)"
    if link is not None and partner_central_unchanged(request, link, ports):
        return f"{IN_STEP} (the opportunity is as the pair's last sync left it)"
    merged = [deal_id for trigger in request.triggers for deal_id in trigger.merged_object_ids]
    pushed = push_deal(request.object_id, ports, request.cause, merged_deal_ids=merged)
    decided = any(trigger.property_name in DECISION_TRIGGERS for trigger in request.triggers)
    if pushed is not PushOutcome.FROM_INVITATION and not decided:
        return str(pushed)
    from cosell.sync.referrals.take import take_invitation_of_deal  # see _invitation

    taken = take_invitation_of_deal(request.object_id, ports, request.cause)
    return str(pushed) if taken is None else f"{pushed}; {taken.value}"


def _invitation(request: SyncRequest, ports: Ports) -> str:
    # The referral use case is loaded on first use: most of a worker's messages are about deals, and its
    # models are a few milliseconds of every cold start (docs/BENCHMARKS.md).
    from cosell.sync.referrals.take import take_invitation

    return take_invitation(request.object_id, ports, request.cause).value


def _opportunity(request: SyncRequest, ports: Ports) -> str:
    deal_id = ports.links.deal_for_opportunity(ports.config.catalog, request.object_id)
    if deal_id is not None:
        # Normally routed to the deal's group before it gets here (cosell.sync.batch).
        return _deal(
            request.model_copy(update={"subject": Subject.HUBSPOT_DEAL, "object_id": deal_id}), ports
        )
    # The one opportunity event that matters before a link exists: an accepted referral's opportunity.
    if any(trigger.kind == "Opportunity Created" for trigger in request.triggers):
        from cosell.sync.referrals.take import take_invitation_of_opportunity

        taken = take_invitation_of_opportunity(request.object_id, ports, request.cause)
        if taken is not None:
            return taken.value
    return f"opportunity {request.object_id} is linked to no deal: nothing to sync"


def _engagement(request: SyncRequest, ports: Ports) -> str:
    # Loaded on first use: most of a worker's messages are about deals.
    from cosell.sync.engagements.reconcile import reconcile_engagement

    return reconcile_engagement(request, ports)


ROUTES: Mapping[Subject, Callable[[SyncRequest, Ports], str]] = {
    Subject.HUBSPOT_DEAL: _deal,
    # Companies and contacts fan out to their deals (queue_deals_of, above).
    Subject.INVITATION: _invitation,
    Subject.OPPORTUNITY: _opportunity,
    Subject.ENGAGEMENT: _engagement,
}
