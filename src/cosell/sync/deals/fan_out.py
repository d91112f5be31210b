"""A company or contact changed: each of its deals may now map differently (a fixed domain can turn an Error
deal into a valid one; a linked deal's customer changed). Each deal is reconciled in its own message group,
so a deal is never reconciled twice at once.

Its deals are the ones the customer index lists (cosell.store.customers): every read of a deal records whom
it is about before it reads them, so a change made after a deal's read finds that deal in the index, and a
change made before it was seen by that read. A deal never read has nothing to show of its customers yet
(its own first event reads them). Until the index was first built (cosell.sync.onboarding.customer_index),
the deals are read from HubSpot: one request per change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from cosell.hubspot.client import HubSpotNotFoundError
from cosell.queue.messages import Subject

if TYPE_CHECKING:
    from cosell.queue.messages import SyncRequest
    from cosell.sync.ports import Ports

Parent = Literal["companies", "contacts"]

PARENTS: dict[Subject, Parent] = {
    Subject.HUBSPOT_COMPANY: "companies",
    Subject.HUBSPOT_CONTACT: "contacts",
}


def deals_of(object_type: Parent, object_id: str, ports: Ports) -> list[str]:
    """The deals a company or contact belongs to, as HubSpot has them now."""
    associations = ports.hubspot.list_associations(object_type, object_id, "deals")
    return sorted({association.to_object_id for association in associations})


def queue_deals_of(request: SyncRequest, ports: Ports) -> str:
    parent = PARENTS[request.subject]
    if ports.customers.built():
        deal_ids = ports.customers.deals_of(parent, request.object_id)
    else:
        try:
            deal_ids = deals_of(parent, request.object_id, ports)
        except HubSpotNotFoundError:
            # Deleted before its change was handled: its deals lost the association, and that is an event of
            # their own (deal.associationChange). Retrying would only park a routine deletion in the DLQ.
            return f"{parent} {request.object_id} no longer exists: nothing to queue"
    if not deal_ids:
        where = "no deal cosell has read" if ports.customers.built() else "no deal"
        return f"{parent} {request.object_id} is on {where}: nothing to queue"
    ports.queue.send(
        [
            request.model_copy(update={"subject": Subject.HUBSPOT_DEAL, "object_id": deal_id})
            for deal_id in deal_ids
        ]
    )
    return f"{len(deal_ids)} deal(s) of {parent} {request.object_id} queued"
