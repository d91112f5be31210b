"""`cosell unlink DEAL_ID`: the deal and its opportunity stop syncing; neither is changed in Partner Central.

Audited (action `unlink`). The deal keeps its `aws_opportunity_id` and shows why nothing syncs: it is not
linked back on its own; `cosell link` links it again (to that opportunity or another), the rep may name
another opportunity, or clear the id to have cosell create a new one (docs/OPERATIONS.md, "Links").

Where things are: the functions' environment, as for `cosell link`. Exit status: 0 unlinked, 2 the deal has
no link, or a configuration error.
"""

from __future__ import annotations

import sys
import uuid
from typing import TYPE_CHECKING

from cosell.cli.solutions import operator_ports
from cosell.sync.operations.links import LinkRefusedError, unlink_deal

if TYPE_CHECKING:
    import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("deal_id", metavar="DEAL_ID", help="HubSpot deal id")


def run(args: argparse.Namespace) -> int:
    from cosell.handlers.runtime import Runtime

    try:
        link = unlink_deal(args.deal_id, operator_ports(Runtime), str(uuid.uuid4()))
    except LinkRefusedError as error:
        print(f"cosell unlink: {error}", file=sys.stderr)
        return 2
    print(
        f"Deal {link.deal_id} ↮ opportunity {link.opportunity_id} ({link.catalog}): unlinked. The opportunity "
        f"is left as it is; the deal says why it no longer syncs. cosell link {link.deal_id} "
        f"{link.opportunity_id} links them again."
    )
    return 0
