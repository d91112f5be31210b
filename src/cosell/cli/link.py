"""`cosell link DEAL_ID OPPORTUNITY_ID`: link a HubSpot deal to a Partner Central opportunity that exists.

The same checks as adopting an opportunity a deal names (docs/MAPPING.md, "A deal naming an opportunity
that already exists"): the opportunity exists in the catalog and no other deal has it, and the deal has no
link (`cosell unlink` it first). The link is audited (action `link`) and a reconcile of the deal is queued:
the worker writes the opportunity's id to the deal and settles where the two sides differ by the conflict
strategy (`manual`: `cosell conflicts`). An opportunity the deal was unlinked from may be linked again.

Where things are: the functions' environment (as for `cosell solutions`: the state and audit tables, the
sync queue, the HubSpot token, the Partner Central role). Exit status: 0 linked (or linked before), 1 linked
but the reconcile could not be queued (the deal's next change applies it), 2 refused or misconfigured.
"""

from __future__ import annotations

import sys
import uuid
from typing import TYPE_CHECKING

from cosell.cli.conflicts import field_label, one_line
from cosell.cli.solutions import operator_ports
from cosell.domain.reconcile import Strategy
from cosell.sync.operations.links import LinkRefusedError, link_deal

if TYPE_CHECKING:
    import argparse

    from cosell.store.state import Link
    from cosell.sync.ports import SyncConfig


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("deal_id", metavar="DEAL_ID", help="HubSpot deal id")
    parser.add_argument(
        "opportunity_id", metavar="OPPORTUNITY_ID", help="Partner Central opportunity id (O…)"
    )


def run(args: argparse.Namespace) -> int:
    from cosell.handlers.runtime import Runtime

    ports = operator_ports(Runtime)
    correlation_id = str(uuid.uuid4())
    try:
        linked = link_deal(args.deal_id, args.opportunity_id.strip(), ports, correlation_id)
    except LinkRefusedError as error:
        print(f"cosell link: {error}", file=sys.stderr)
        return 2
    link = linked.link
    heading = f"Deal {link.deal_id} ↔ opportunity {link.opportunity_id} ({link.catalog})"
    if linked.already:
        print(f"{heading}: already linked; nothing changed.")
        return 0
    print("\n".join([f"{heading}: linked.", *differences(link, ports.config)]))
    if linked.not_queued is not None:
        print(
            f"The link is made, but the deal's reconcile could not be queued ({linked.not_queued}): it runs at "
            "the deal's next change.",
            file=sys.stderr,
        )
        return 1
    print(
        f"Queued a reconcile of deal {link.deal_id} (correlation id {correlation_id}); "
        f"cosell audit deal {link.deal_id} shows the result."
    )
    return 0


def differences(link: Link, config: SyncConfig) -> list[str]:
    """Where the two sides differ, and the strategy that settles each at the deal's sync."""
    snapshot = link.last_in_step
    if not snapshot.hubspot:
        return [
            "  The deal cannot be mapped yet (its problems show on it): the sides are compared once it can."
        ]
    if not snapshot.unsettled:
        return ["  The two sides agree on every synced field."]
    lines = [f"  They differ on {len(snapshot.unsettled)} synced field(s), settled at the deal's sync:"]
    for name in sorted(snapshot.unsettled):
        strategy = config.conflict_policy.strategy(name)
        settled = (
            "waits for an operator (cosell conflicts)" if strategy is Strategy.MANUAL else strategy.value
        )
        lines += [
            f"    {field_label(name)}: {settled}",
            f"      HubSpot:          {one_line(snapshot.hubspot.get(name))}",
            f"      Partner Central:  {one_line(snapshot.partner_central.get(name))}",
        ]
    return lines
