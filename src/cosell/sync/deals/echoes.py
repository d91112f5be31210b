"""Events that bring nothing new about a pair, recognised before they cost a reconcile (four HubSpot requests
each): a pair's own creation echo from Partner Central, HubSpot changes the pair's last sync had already read,
and Partner Central's echo of the pair's own update."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain import deal_properties
from cosell.domain.aws_summary import seen_by_aws
from cosell.partner_central.schema import instant

if TYPE_CHECKING:
    from cosell.hubspot.models import Deal
    from cosell.queue.messages import SyncRequest, Trigger
    from cosell.store.state import Link
    from cosell.sync.ports import Ports

# HubSpot changes a sync reads: a property of the deal, its company or contacts, or an association.
_READ_CHANGES = (".propertyChange", ".associationChange")


def creation_echo(request: SyncRequest, deal_id: str, ports: Ports) -> bool:
    """Whether `request` is only the Opportunity Created event of the opportunity linked to `deal_id`, and the
    pair has been synced with the deal since (the snapshot holds the deal's side): the deal's own create made
    the opportunity from the deal, or a later sync saw both, and any change since has an event of its own. A
    referral's opportunity, linked before its deal's first sync, is reconciled as usual."""
    if any(trigger.kind != "Opportunity Created" for trigger in request.triggers):
        return False
    link = ports.links.link_for_deal(deal_id)
    return link is not None and bool(link.last_in_step.hubspot)


def hubspot_seen_ms(deal: Deal) -> int:
    """What a sync that read `deal` before anything else of HubSpot has seen: every HubSpot change older than
    the deal's `updatedAt`. HubSpot stamps both that and a webhook event's `occurredAt`, so no clock of
    cosell's is compared with HubSpot's."""
    return int(deal.updated_at.timestamp() * 1000)


def seen_by_last_sync(request: SyncRequest, link: Link) -> bool:
    """Whether every change that queued `request` for the linked deal was already read by the pair's last
    finished sync (Link.hubspot_seen_ms), or is the deal showing the opportunity it is linked to (cosell's
    own write-back of `aws_opportunity_id`, which comes back as a webhook), once a sync has finished. Such a
    request would read both sides to find them in step. Only HubSpot's property and association changes qualify (from a webhook or
    the HubSpot sweep): a merge, a deletion, Partner Central's events and the Partner Central sweep are always
    reconciled."""
    return all(_seen(trigger, link) for trigger in request.triggers)


def _seen(trigger: Trigger, link: Link) -> bool:
    seen = link.hubspot_seen_ms
    # HubSpot's changes come from its webhooks, or from the HubSpot sweep as its lost webhooks would have
    # named them (cosell.sync.schedules.hubspot_sweep); the kinds below tell them from other schedules'.
    if seen is None or trigger.source not in ("hubspot_webhook", "schedule") or trigger.merged_object_ids:
        return (
            False  # None: no sync has finished with the deal yet (a referral's new deal waits for its first)
        )
    if trigger.property_name == deal_properties.OPPORTUNITY_ID and trigger.kind == "deal.propertyChange":
        return trigger.property_value == link.opportunity_id
    if trigger.source == "schedule":
        # The sweep re-lists every change in its window, the values a deal was created with included, which
        # carry the very `updatedAt` a sync of the untouched deal read: the read is later than that instant,
        # so it saw them (only a second write within the same millisecond would be missed; a webhook's
        # event keeps the strict test, costing at most one reconcile).
        return trigger.kind.endswith(_READ_CHANGES) and trigger.occurred_at_ms <= seen
    return trigger.kind.endswith(_READ_CHANGES) and trigger.occurred_at_ms < seen


def partner_central_unchanged(request: SyncRequest, link: Link, ports: Ports) -> bool:
    """Whether `request` is only Opportunity Updated events and the opportunity (one Partner Central read) is
    as the pair's last sync left it (Link.partner_central_seen): the echo of that sync's own update. An
    opportunity AWS has seen is always reconciled, as AWS's summary changes fire the same event without
    moving the opportunity's LastModifiedDate."""
    if link.partner_central_seen is None or any(
        trigger.source != "eventbridge" or trigger.kind != "Opportunity Updated"
        for trigger in request.triggers
    ):
        return False
    try:
        opportunity = ports.partner_central.get_opportunity(
            Catalog=link.catalog, Identifier=link.opportunity_id
        )
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            return False  # the pair's sync says so on the deal
        raise
    modified = instant(opportunity.get("LastModifiedDate"))
    return modified == instant(link.partner_central_seen) and not seen_by_aws(opportunity)
