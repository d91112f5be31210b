"""How long a change takes to reach the other side on the local stack with the deployed coalescing window.

    python bench/event_latency.py [--changes 5] [--window 5]

LocalStack (moto, both emulators, template.yaml's functions, the worker polling as Lambda's event source
does) with `CoalescingWindowSeconds` as deployed (5 s). One linked #AWS deal; then, `--changes` times each,
in turn:

- Partner Central → HubSpot: a partner user sets the opportunity's NextSteps (UpdateOpportunity through
  boto3, as the console does); timed until the deal's aws_next_steps shows it;
- HubSpot → Partner Central, the reference: the rep changes the deal's amount; timed until the opportunity
  carries it. It waits out the window once, by design (a burst of edits costs one write).

Prints the median and worst of each, and their ratio to the window. Both emulators run on real time;
HubSpot's rate-limit windows are compressed (100×) so its 429 back-off does not blur the figures.
"""

from __future__ import annotations

import argparse
import copy
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cosell.domain.opportunity_update import AWS_OWNED_LIFE_CYCLE
from cosell.partner_central.schema import update_members
from cosell_local.demo.rep import Rep
from cosell_local.partner_central import EmulatorConfig
from cosell_local.runner import LocalStack
from ratios import ratio


def wait_for(done: Any, timeout: float = 60) -> float:
    start = time.monotonic()
    while not done():
        if time.monotonic() - start > timeout:
            raise TimeoutError("the change did not arrive")
        time.sleep(0.05)
    return time.monotonic()


def console_update(stack: LocalStack, opportunity_id: str, next_steps: str) -> None:
    """What the Partner Central console does: read the whole record, change it, write it all back."""
    pc = stack.client("partnercentral-selling")
    record = pc.get_opportunity(Catalog=stack.catalog, Identifier=opportunity_id)
    body = {
        name: copy.deepcopy(value)
        for name, value in record.items()
        if name in update_members() and name not in ("Catalog", "Identifier", "LastModifiedDate")
    }
    for name in AWS_OWNED_LIFE_CYCLE:
        body.setdefault("LifeCycle", {}).pop(name, None)
    body["LifeCycle"]["NextSteps"] = next_steps
    pc.update_opportunity(
        Catalog=stack.catalog, Identifier=opportunity_id, LastModifiedDate=record["LastModifiedDate"], **body
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--window", type=int, default=5)
    arguments = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with LocalStack(
        hubspot_tier="enterprise",
        hubspot_time_scale=100,
        run_schedules=False,
        partner_central=EmulatorConfig(tick_seconds=0, task_delay_seconds=0.1),
        parameters={"CoalescingWindowSeconds": str(arguments.window)},
        log_level="ERROR",
    ) as stack:
        rep = Rep.sign_in(stack.hubspot)
        deal_id = rep.create_deal("Northwind latency #AWS")
        deal = rep.client.get_deal
        wait_for(lambda: deal(deal_id, ["aws_sync_status"]).get("aws_sync_status") == "Synced")
        opportunity_id = str(deal(deal_id, ["aws_opportunity_id"]).get("aws_opportunity_id"))
        time.sleep(2 * arguments.window)  # the creation's own echoes settle
        aws_side: list[float] = []
        rep_side: list[float] = []
        control = stack.partner_central.control
        for step in range(arguments.changes):
            steps = f"Architecture review {step}"
            start = time.monotonic()
            console_update(stack, opportunity_id, steps)
            arrived = wait_for(lambda s=steps: deal(deal_id, ["aws_next_steps"]).get("aws_next_steps") == s)
            aws_side.append(arrived - start)
            time.sleep(1)
            amount = str(70_000 + step * 1200)
            start = time.monotonic()
            rep.update_deal(deal_id, amount=amount)
            monthly = f"{int(amount) / 12:.2f}"
            arrived = wait_for(
                lambda m=monthly: (
                    control.opportunity(stack.catalog, opportunity_id)["Project"]["ExpectedCustomerSpend"][0][
                        "Amount"
                    ]
                    == m
                )
            )
            rep_side.append(arrived - start)
            time.sleep(1)

    def row(name: str, seconds: list[float]) -> str:
        median = statistics.median(seconds)
        return f"| {name} | {median:.2f} | {max(seconds):.2f} | {median / arguments.window:.2f} |"

    print(f"{arguments.changes} changes each way, CoalescingWindowSeconds={arguments.window}")
    print("| change | median s | worst s | median ÷ window |")
    print("|---|---|---|---|")
    ratio(
        "Partner Central change → HubSpot deal, median s",
        statistics.median(aws_side),
        "the coalescing window, s",
        arguments.window,
    )
    ratio(
        "HubSpot deal → Partner Central, median s",
        statistics.median(rep_side),
        "the coalescing window, s",
        arguments.window,
    )
    print(row("Partner Central → HubSpot deal", aws_side))
    print(row("HubSpot deal → Partner Central (reference: waits the window once)", rep_side))


if __name__ == "__main__":
    main()
