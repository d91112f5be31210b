"""HubSpot requests per deal the sync creates an opportunity for, and per deal it keeps in step.

    python bench/hubspot_calls.py [--deals 20]

On the local stack (moto, both emulators, template.yaml's functions), a rep with a rep token makes `--deals`
valid deals tagged #AWS, each with its own company and contact, as HubSpot's UI would (so HubSpot's own signed
webhooks reach the webhook function), all before the worker runs; then the queue runs until idle. Then the rep
raises each deal's amount, and the queue runs again. The HubSpot emulator's request log gives every request
the app's token made in each phase, by method and path; the Partner Central emulator's calls give the
opportunities made (one per deal, or the run fails).

The reference is the least a created deal can cost with HubSpot's API as it is: the deal with its contacts
(1), its primary company (1), its contacts' records (1) and the write-back (1), that is 4; an edit costs the
deal (1), its company (1) and contacts (1) to map it again, 3. Batch reads across deals due together count
below that.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections import Counter

from cosell_local.demo.portfolio import existing_deal
from cosell_local.demo.rep import Rep
from cosell_local.partner_central import EmulatorConfig
from cosell_local.runner import LocalStack

LEAST_PER_CREATE = 4
LEAST_PER_EDIT = 3
_ID = re.compile(r"/\d+")


def _shape(path: str) -> str:
    """The request's path with its ids left out: what kind of request it was."""
    return _ID.sub("/{id}", path.split("?")[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=20)
    parser.add_argument("--show", action="store_true", help="list the requests of each phase by kind")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    with LocalStack(
        hubspot_time_scale=100,  # HubSpot's 10-second rate windows compressed, as in the e2e tests
        partner_central=EmulatorConfig(tick_seconds=0),
        poll_in_background=False,
        run_schedules=False,
        log_level="ERROR",
        parameters={"CoalescingWindowSeconds": "0"},
    ) as stack:
        rep = Rep.sign_in(stack.hubspot)

        def phase(act: object) -> Counter[str]:
            logged = len(stack.hubspot.requests)
            assert callable(act)
            act()
            stack.process_queue_until_idle(timeout=600)
            return Counter(
                f"{entry.method} {_shape(entry.path)}"
                for entry in stack.hubspot.requests[logged:]
                if entry.by_rep is False
            )

        deals: list[str] = []
        created = phase(
            lambda: deals.extend(
                existing_deal(rep.client, number, f"Migration {number} #AWS") for number in range(args.deals)
            )
        )
        made = Counter(
            str(o.get("PartnerOpportunityIdentifier"))
            for o in stack.partner_central.control.opportunities(stack.catalog)
        )
        edited = phase(lambda: [rep.client.update_deal(deal_id, {"amount": "250000"}) for deal_id in deals])

    rows = [
        (
            "deals created (opportunities made, one each)",
            f"{args.deals} ({sum(made[d] == 1 for d in deals)})",
        ),
        ("HubSpot requests per created deal", f"{created.total() / args.deals:.2f}"),
        (
            f"  ÷ the least one deal alone costs ({LEAST_PER_CREATE})",
            f"{created.total() / args.deals / LEAST_PER_CREATE:.2f}",
        ),
        ("HubSpot requests per edited deal", f"{edited.total() / args.deals:.2f}"),
        (
            f"  ÷ the least one deal alone costs ({LEAST_PER_EDIT})",
            f"{edited.total() / args.deals / LEAST_PER_EDIT:.2f}",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if args.show:
        for title, requests in (("created", created), ("edited", edited)):
            print(f"\n{title}:")
            for kind, n in requests.most_common():
                print(f"  {n:5d}  {kind}")
    return 0 if all(made[d] == 1 for d in deals) else 1


if __name__ == "__main__":
    sys.exit(main())
