"""Partner Central events that bring nothing new about a pair, recognised before they cost a reconcile."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cosell.queue.messages import SyncRequest
    from cosell.sync.ports import Ports


def creation_echo(request: SyncRequest, deal_id: str, ports: Ports) -> bool:
    """Whether `request` is only the Opportunity Created event of the opportunity linked to `deal_id`, and the
    pair has been synced with the deal since (the snapshot holds the deal's side): the deal's own create made
    the opportunity from the deal, or a later sync saw both, and any change since has an event of its own. A
    referral's opportunity, linked before its deal's first sync, is reconciled as usual."""
    if any(trigger.kind != "Opportunity Created" for trigger in request.triggers):
        return False
    link = ports.links.link_for_deal(deal_id)
    return link is not None and bool(link.last_in_step.hubspot)
