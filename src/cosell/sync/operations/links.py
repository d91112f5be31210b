"""An operator's hand on links: `cosell link DEAL OPPORTUNITY` and `cosell unlink DEAL`.

`link` makes the link adoption makes (cosell.sync.deals.adopt), with the same checks: the opportunity
exists in the catalog and no other deal has it; the deal has no link. It is audited (action `link`), then a
reconcile of the deal is queued: the pair's sync in the deal's message group writes the id to the deal and
settles where the two sides differ, by the conflict strategy.

`unlink` audits first (a wrong audit table stops it before anything changes), then removes the link and
records what the deal was unlinked from, so the deal, which keeps naming the opportunity, is not adopted
back on its own (cosell.domain.adoption.unlinked, shown on the deal). Nothing changes in Partner Central.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.domain.adoption import NotAdoptable, refusal_fingerprint, unlinked
from cosell.domain.audit import AuditAction, Cause
from cosell.domain.deal_status import status_properties
from cosell.hubspot.client import HubSpotNotFoundError
from cosell.queue.sqs import EnqueueError
from cosell.store.state import LinkConflictError
from cosell.sync.deals.adopt import adoptable, link_existing
from cosell.sync.deals.conflicts import reconcile_request
from cosell.sync.reporting import audit, show_on_deal

if TYPE_CHECKING:
    from cosell.store.state import Link
    from cosell.sync.ports import Ports

LINK = "link"
UNLINK = "unlink"


class LinkRefusedError(Exception):
    """The link or unlink cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Linked:
    link: Link
    already: bool = False  # the deal was linked to this opportunity before: nothing changed
    not_queued: str | None = None  # why the deal's reconcile could not be queued (the link is made)


def link_deal(deal_id: str, opportunity_id: str, ports: Ports, correlation_id: str) -> Linked:
    existing = ports.links.link_for_deal(deal_id)
    if existing is not None:
        if existing.opportunity_id == opportunity_id:
            return Linked(existing, already=True)
        raise LinkRefusedError(
            f"deal {deal_id} is linked to opportunity {existing.opportunity_id}; "
            f"cosell unlink {deal_id} first"
        )
    try:
        deal = ports.deals.read_deal(deal_id)
    except HubSpotNotFoundError:
        raise LinkRefusedError(f"HubSpot has no deal {deal_id}") from None
    found = adoptable(deal_id, opportunity_id, ports, by_operator=True)
    if isinstance(found, NotAdoptable):
        raise LinkRefusedError(found.reason)
    cause = Cause(f"operator:{LINK}", correlation_id)
    try:
        link = link_existing(deal, found, ports, cause, "an operator linked them (cosell link)")
    except LinkConflictError as error:  # linked by the sync in between
        raise LinkRefusedError(
            f"deal {deal_id} or opportunity {opportunity_id} was linked meanwhile ({error})"
        ) from None
    try:
        ports.queue.send([reconcile_request(deal_id, ports.now(), correlation_id, LINK)])
    except EnqueueError as error:
        return Linked(link, not_queued=str(error))
    return Linked(link)


def unlink_deal(deal_id: str, ports: Ports, correlation_id: str) -> Link:
    link = ports.links.link_for_deal(deal_id)
    if link is None:
        raise LinkRefusedError(f"deal {deal_id} is linked to no opportunity")
    cause = Cause(f"operator:{UNLINK}", correlation_id)
    audit(ports, cause, AuditAction.UNLINK, deal_id, link, detail="an operator unlinked them (cosell unlink)")
    try:
        ports.links.unlink(deal_id, ports.now().isoformat())
    except LinkConflictError as error:
        raise LinkRefusedError(str(error)) from None
    ports.conflicts.clear(deal_id)  # nothing left to settle between them
    problems = [str(unlinked(link.opportunity_id, deal_id).problem())]
    ports.links.save_problems(deal_id, refusal_fingerprint(link.opportunity_id, problems), problems)
    with contextlib.suppress(HubSpotNotFoundError):  # a deal gone from HubSpot: nothing to show it on
        show_on_deal(ports, deal_id, status_properties(problems), synced=False)
    return link
