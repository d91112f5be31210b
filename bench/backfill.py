"""`cosell backfill` of many deals at AWS's real Partner Central quotas, the clocks compressed.

    python bench/backfill.py [--deals 1000] [--clock-scale 2]

On the local stack (moto, both emulators), a rep makes `--deals` valid deals tagged #AWS (each with its own
company and contact) before cosell is installed: no webhook subscriptions, so only the backfill sees them.
Then the backfill runs as `cosell backfill` does (cosell.cli.backfill.execute), with one change: the shared
write pacer's clock runs `--clock-scale` times as fast as the wall clock, like the Partner Central emulator's
(EmulatorConfig.clock_scale), on which the emulator counts its quotas, which are AWS's: 1 write per second,
10,000 a day. The scale is small because on this stack a deal's own work (about a dozen DynamoDB requests to
moto, the create) takes about a third of a wall second, which a compressed clock stretches too: at twice the
speed it still fits inside one paced interval. HubSpot's clock runs 100 times faster (its 10-second rate
windows, for the seeding), as in the e2e tests.

Measured, all from the emulators' own records:
- achieved writes per second: CreateOpportunity calls answered, over the emulated time from the first to the
  last, divided by the 1-per-second quota (the target is 0.95 or more);
- HubSpot requests per deal: every request the app's token made during the backfill (the HubSpot emulator's
  request log), over the deals (target 0.05 or less);
- deals failed by throttling: deals left without an opportunity, and the calls Partner Central throttled
  (each sent again); deals with more than one opportunity (there should be none).
Prints one table; the functions log at ERROR only.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from datetime import datetime
from functools import cached_property

from cosell.cli.backfill import BackfillRuntime, execute
from cosell.config.sync import load_settings
from cosell.hubspot.client import HubSpotClient
from cosell.store.pacer import WritePacer
from cosell.sync.onboarding.backfill import DEFAULT_PARALLEL
from cosell_local.demo.portfolio import existing_deal
from cosell_local.demo.rep import REP_TOKEN, Rep
from cosell_local.partner_central import EmulatorConfig
from cosell_local.runner import LocalStack
from ratios import ratio

QUOTA_PER_SECOND = 1.0  # AWS's CreateOpportunity rate (developer-guide/quotas.html)


class CompressedClock:
    """Wall time running `scale` times as fast from now: the pacer's, like the emulator's clock."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._start = time.time()

    def now(self) -> float:
        return self._start + (time.time() - self._start) * self.scale

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds / self.scale)


def compressed_runtime(clock: CompressedClock) -> BackfillRuntime:
    class Compressed(BackfillRuntime):
        @cached_property
        def write_pacer(self) -> WritePacer:
            settings = self.settings
            return WritePacer(
                self.dynamodb,
                settings.state_table_name,
                per_second=settings.partner_central_writes_per_second,
                clock=clock.now,
                sleep=clock.sleep,
            )

    return Compressed(load_settings())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--clock-scale", type=float, default=2.0)
    parser.add_argument("--parallel", type=int, default=DEFAULT_PARALLEL, help="deals sent at once")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    with LocalStack(
        hubspot_time_scale=100,
        partner_central=EmulatorConfig(tick_seconds=0, clock_scale=args.clock_scale),
        webhook_subscriptions=(),
        poll_in_background=False,
        run_schedules=False,
        log_level="ERROR",
    ) as stack:
        Rep.sign_in(stack.hubspot)
        # The deals made before cosell was installed: an import with the rep's token, which waits out
        # HubSpot's rate limit as any importing tool does (a rep's own client tries once).
        importer = HubSpotClient(lambda: REP_TOKEN, base_url=stack.hubspot.base_url)
        deals = [existing_deal(importer, number, f"Migration {number} #AWS") for number in range(args.deals)]
        control = stack.partner_central.control
        control.clear_calls()
        logged = len(stack.hubspot.requests)
        started = time.monotonic()
        backfill = argparse.Namespace(
            source="hubspot", dry_run=False, limit=None, since=None, reserve=1000, parallel=args.parallel
        )
        code = execute(compressed_runtime(CompressedClock(args.clock_scale)), backfill, time.sleep)
        wall = time.monotonic() - started
        app_requests = sum(1 for entry in stack.hubspot.requests[logged:] if entry.by_rep is False)
        creates = control.calls("CreateOpportunity")
        answered = sorted(datetime.fromisoformat(c["Time"]) for c in creates if c["Error"] is None)
        throttled = sum(1 for c in creates if c["Error"] == "ThrottlingException")
        named = Counter(
            str(o.get("PartnerOpportunityIdentifier")) for o in control.opportunities(stack.catalog)
        )
        left_out = [deal_id for deal_id in deals if not named[deal_id]]
        doubled = [deal_id for deal_id in deals if named[deal_id] > 1]

    span = (answered[-1] - answered[0]).total_seconds()
    rate = (len(answered) - 1) / span if span else float("nan")
    rows = [
        ("deals backfilled (exit code)", f"{args.deals} ({code})"),
        ("CreateOpportunity answered / throttled", f"{len(answered)} / {throttled}"),
        ("emulated seconds, first to last create", f"{span:.0f}"),
        ("achieved writes per second / quota (1/s)", f"{rate / QUOTA_PER_SECOND:.3f}"),
        ("HubSpot requests by the backfill", str(app_requests)),
        ("HubSpot requests per deal", f"{app_requests / args.deals:.4f}"),
        ("deals failed by throttling (left without an opportunity)", str(len(left_out))),
        ("deals with more than one opportunity", str(len(doubled))),
        (f"wall seconds (clock scale {args.clock_scale:g}, {args.parallel} at once)", f"{wall:.0f}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    ratio(f"backfill of {args.deals}: writes/s", rate, "the quota (1/s)", QUOTA_PER_SECOND)
    ratio(f"backfill of {args.deals}: HubSpot requests per deal", app_requests / args.deals)
    ratio(f"backfill of {args.deals}: deals failed by throttling", len(left_out))
    return 0 if code == 0 and not left_out and not doubled else 1


if __name__ == "__main__":
    sys.exit(main())
