"""Use case: link a deal to an opportunity that already exists, instead of creating one.

A tagged deal whose `aws_opportunity_id` names an opportunity cosell did not make (made in Partner Central,
by another tool, before cosell was installed) is adopted by the create path (cosell.sync.deals.push);
`cosell link` does the same for an operator (cosell.sync.operations.links). Either way the opportunity must
exist in the catalog and be linked to no other deal (cosell.domain.adoption says why not, on the deal). The
link's memory is both sides as they are (cosell.domain.adoption.adopted_snapshot): where they differ, the
pair's next sync (cosell.sync.deals.pair) finds a conflict per field, records it, and the configured
conflict strategy settles it, as for any pair (`manual`: `cosell conflicts`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain.adoption import (
    adopted_snapshot,
    linked_elsewhere,
    malformed,
    unknown,
    unlinked,
)
from cosell.domain.audit import AuditAction, FieldChange
from cosell.domain.synced_fields import values_of
from cosell.domain.to_partner_central import map_deal
from cosell.store.state import Link, linked_members
from cosell.sync.reporting import audit
from cosell.sync.solutions.associate import associated

if TYPE_CHECKING:
    from datetime import datetime

    from cosell.domain.adoption import NotAdoptable
    from cosell.domain.audit import Cause
    from cosell.domain.deal import DealView
    from cosell.hubspot.models import Deal
    from cosell.sync.ports import Ports, ReadPorts, SyncConfig


def adoptable(
    deal_id: str, opportunity_id: str, ports: ReadPorts, *, by_operator: bool = False
) -> dict[str, Any] | NotAdoptable:
    """The opportunity (GetOpportunity) when the deal may be linked to it; otherwise why not. An opportunity
    an operator unlinked the deal from is linked again only by an operator (`by_operator`)."""
    problem = malformed(opportunity_id)
    if problem is not None:
        return problem
    catalog = ports.config.catalog
    owner = ports.links.deal_for_opportunity(catalog, opportunity_id)
    if owner is not None and owner != deal_id:
        return linked_elsewhere(opportunity_id, owner)
    if not by_operator and ports.links.unlinked_from(deal_id) == opportunity_id:
        return unlinked(opportunity_id, deal_id)
    try:
        opportunity = dict(ports.partner_central.get_opportunity(Catalog=catalog, Identifier=opportunity_id))
    except ClientError as error:
        # Partner Central answers the same for an id that does not exist and one this partner cannot see.
        if error_code(error) != "ResourceNotFoundException":
            raise
        return unknown(opportunity_id, catalog)
    opportunity.pop("ResponseMetadata", None)
    return opportunity


def adopted_link(view: DealView, opportunity: dict[str, Any], config: SyncConfig, now: datetime) -> Link:
    """The link of the deal and the opportunity as both are now (not saved)."""
    mapped = map_deal(
        view,
        config.rules,
        config.vocabulary,
        now.date(),
        creating=False,
        has_solution=bool(associated(opportunity)),
    )
    hubspot = values_of(mapped.fields) if mapped.fields is not None else None
    return Link(
        deal_id=view.deal_id,
        opportunity_id=opportunity["Id"],
        catalog=config.catalog,
        synced_fields=linked_members(opportunity),
        synced_at=now.isoformat(),
        snapshot=adopted_snapshot(hubspot, values_of(opportunity)),
    )


def link_existing(deal: Deal, opportunity: dict[str, Any], ports: Ports, cause: Cause, why: str) -> Link:
    """Link the deal to the opportunity as both are now, and audit it (action `link`, with the fields on
    which they differ). LinkConflictError when either was linked meanwhile."""
    link = adopted_link(ports.deals.view(deal), opportunity, ports.config, ports.now())
    ports.links.save_link(link)
    ports.links.forget_unlinked(deal.id)
    ports.links.clear_problems(deal.id)
    snapshot = link.last_in_step
    if not snapshot.hubspot:
        differing = "the deal cannot be mapped yet: its fields are compared once it can"
    elif snapshot.unsettled:
        differing = f"the two sides differ on {', '.join(sorted(snapshot.unsettled))}: the conflict strategy settles them"
    else:
        differing = "the two sides agree on every synced field"
    changes = [
        FieldChange(name, snapshot.partner_central.get(name), snapshot.hubspot.get(name))
        for name in sorted(snapshot.unsettled)
        if snapshot.hubspot
    ]
    audit(ports, cause, AuditAction.LINK, deal.id, link, changes, f"{why}; {differing}")
    return link
