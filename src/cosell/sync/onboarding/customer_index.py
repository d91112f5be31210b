"""Use case: build the customer index once (cosell.store.customers), from every tagged or linked deal.

Every read of a deal keeps the index up to date for that deal; the deals synced before a stack had the index
(an upgrade) are in it only once this has run: the sweep runs it on a stack where it has not run yet (its
first run on a new stack, or the first after an upgrade). Until it has, a company's or contact's deals are
read from HubSpot (cosell.sync.deals.fan_out). Costs the tagged-deal search (at most 10,000 deals) and two
HubSpot requests per 1,000 deals; a deal a sync recorded meanwhile keeps what that sync read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from cosell.sync.ports import CustomerIndexing, LinkReading, TaggedDealReading

BATCH = 1_000  # deals per batch association read


class IndexPorts(Protocol):
    @property
    def deals(self) -> TaggedDealReading: ...
    @property
    def customers(self) -> CustomerIndexing: ...
    @property
    def links(self) -> LinkReading: ...
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class IndexBuild:
    deals: int  # deals found tagged, or linked
    recorded: int  # of those, recorded by this build (the others were recorded by their syncs)


def build_customer_index(ports: IndexPorts) -> IndexBuild | None:
    """Builds the index unless it was built; None when it was."""
    if ports.customers.built():
        return None
    # Linked deals stay in step with their tag removed (cosell.sync.deals.push): they are indexed too.
    linked = {link.deal_id for link in ports.links.all_links()}
    deal_ids = sorted(set(ports.deals.tagged_deal_ids()) | linked, key=lambda i: (len(i), i))
    recorded = 0
    for start in range(0, len(deal_ids), BATCH):
        batch = deal_ids[start : start + BATCH]
        associations = ports.deals.associations(batch)
        recorded += ports.customers.record_unknown(
            {deal_id: associations.customers(deal_id) for deal_id in batch}, associations.read_at_ms
        )
    ports.customers.mark_built(ports.now().isoformat())
    return IndexBuild(deals=len(deal_ids), recorded=recorded)
