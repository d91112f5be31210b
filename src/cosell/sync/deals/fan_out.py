"""A company or contact changed: each of its deals may now map differently (a fixed domain can turn an Error
deal into a valid one; a linked deal's customer changed). Each deal is reconciled in its own message group,
so a deal is never reconciled twice at once.

A worker batch about several companies (or contacts) reads their deals together: one batch association read
per kind for the whole batch (`FanOut`), made when the first of them is handled, where one read each would
cost a HubSpot request per record (docs/BENCHMARKS.md, "HubSpot requests per deal")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from cosell.hubspot.client import HubSpotNotFoundError
from cosell.queue.messages import Subject

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cosell.queue.messages import SyncRequest
    from cosell.sync.ports import Ports

Parent = Literal["companies", "contacts"]

PARENTS: dict[Subject, Parent] = {
    Subject.HUBSPOT_COMPANY: "companies",
    Subject.HUBSPOT_CONTACT: "contacts",
}


def deals_of(object_type: Parent, object_id: str, ports: Ports) -> list[str]:
    """The deals a company or contact belongs to."""
    associations = ports.hubspot.list_associations(object_type, object_id, "deals")
    return sorted({association.to_object_id for association in associations})


class FanOut:
    """The deals of the companies and contacts of one worker batch: where the batch names two or more of a
    kind, all of that kind are read in one request, the first time one of them is handled."""

    def __init__(self, requests: Iterable[SyncRequest]) -> None:
        self._due: dict[Parent, set[str]] = {}
        for request in requests:
            if request.subject in PARENTS:
                self._due.setdefault(PARENTS[request.subject], set()).add(request.object_id)
        self._read: dict[Parent, dict[str, list[str]]] = {}

    def deals_of(self, parent: Parent, object_id: str, ports: Ports) -> list[str] | None:
        """Its deals, or None where HubSpot says nothing of it (no deals, or deleted: a batch read does not
        tell them apart) after a shared read; raises HubSpotNotFoundError when it was read alone."""
        due = self._due.get(parent, set())
        if object_id not in due or len(due) < 2:
            return deals_of(parent, object_id, ports)
        if parent not in self._read:
            found = ports.hubspot.batch_read_associations(parent, "deals", sorted(due))
            self._read[parent] = {
                record_id: sorted({association.to_object_id for association in associations})
                for record_id, associations in found.items()
            }
        return self._read[parent].get(object_id) or None


def queue_deals_of(request: SyncRequest, ports: Ports, fan_out: FanOut | None = None) -> str:
    parent = PARENTS[request.subject]
    try:
        deal_ids = (fan_out or FanOut([request])).deals_of(parent, request.object_id, ports)
    except HubSpotNotFoundError:
        # Deleted before its change was handled: its deals lost the association, and that is an event of
        # their own (deal.associationChange). Retrying would only park a routine deletion in the DLQ.
        return f"{parent} {request.object_id} no longer exists: nothing to queue"
    if deal_ids is None:
        return f"{parent} {request.object_id} has no deals, or no longer exists: nothing to queue"
    ports.queue.send(
        [
            request.model_copy(update={"subject": Subject.HUBSPOT_DEAL, "object_id": deal_id})
            for deal_id in deal_ids
        ]
    )
    return f"{len(deal_ids)} deal(s) of {parent} {request.object_id} queued"
