"""HubSpot requests per deal the sync creates an opportunity for, and per deal it keeps in step.

    python bench/hubspot_calls.py [--deals 20]

On the local stack (moto, both emulators, template.yaml's functions, the deployed 5-second coalescing window),
a rep with a rep token works as HubSpot's UI would, so HubSpot's own signed webhooks reach the webhook function.
Three phases, each run until the queue is idle, each counting every request the app's token made (the HubSpot
emulator's request log, by method and path):

1. new customers: `--deals` valid deals tagged #AWS, each made with a new company and contact (their own
   change events come too, and find the deal in the customer index);
2. existing customers: as many deals again, for companies and contacts made (and settled) beforehand;
3. edits: the rep raises the amount of every deal of phase 1 (one UpdateOpportunity each, whose Opportunity
   Updated event comes back).

The reference is what one deal costs at the least on HubSpot's API as cosell reads it: the deal with its contact
associations (1), its company association (1), the company (1) and the contacts (1), so 4 for an edit, and 5
for a create with its write-back of the link. The Partner Central emulator's records give the opportunities
made (one per deal, or the run fails).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections import Counter

from cosell_local.demo.portfolio import customer, existing_deal
from cosell_local.demo.rep import Rep, deal_properties
from cosell_local.partner_central import EmulatorConfig
from cosell_local.runner import LocalStack
from ratios import ratio

LEAST_PER_CREATE = 5
LEAST_PER_EDIT = 4
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
    ) as stack:
        rep = Rep.sign_in(stack.hubspot)
        # A deployed stack's first sweep builds its customer index (cosell.sync.onboarding.customer_index);
        # before that, a company's or contact's change reads its deals from HubSpot.
        assert stack.run_schedule("SweepFunction").succeeded

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
        customers = range(args.deals, 2 * args.deals)
        made_before = [customer(rep.client, number) for number in customers]
        stack.process_queue_until_idle(timeout=600)
        returning: list[str] = []
        for_existing = phase(
            lambda: returning.extend(
                rep.client.create_deal(deal_properties(f"Expansion {number} #AWS"), associations).id
                for number, associations in zip(customers, made_before, strict=True)
            )
        )
        made = Counter(
            str(o.get("PartnerOpportunityIdentifier"))
            for o in stack.partner_central.control.opportunities(stack.catalog)
        )
        edited = phase(lambda: [rep.client.update_deal(deal_id, {"amount": "250000"}) for deal_id in deals])

    ok = all(made[d] == 1 for d in [*deals, *returning])
    phases = (
        ("created, new company and contact", created, LEAST_PER_CREATE),
        ("created, existing company and contact", for_existing, LEAST_PER_CREATE),
        ("edited (amount)", edited, LEAST_PER_EDIT),
    )
    rows = [("deals (opportunities made, one each)", f"{2 * args.deals} ({'yes' if ok else 'NO'})")]
    for title, requests, least in phases:
        per_deal = requests.total() / args.deals
        rows.append((f"HubSpot requests per deal {title}", f"{per_deal:.2f}"))
        rows.append((f"  ÷ the least one deal alone costs ({least})", f"{per_deal / least:.2f}"))
        ratio(f"HubSpot requests per deal {title}", per_deal, "the least one deal alone costs", least)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if args.show:
        for title, requests, _ in phases:
            print(f"\n{title}:")
            for kind, n in requests.most_common():
                print(f"  {n:5d}  {kind}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
