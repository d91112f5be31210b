"""`cosell emulate hubspot --port N [--token T ...] [--webhook-url URL --client-secret S] [--tier T]`."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading

from cosell.hubspot.properties import WEBHOOK_SUBSCRIPTIONS

from .ratelimit import TIERS
from .server import HubSpotEmulator
from .webhooks import SUBSCRIPTION_TYPES, WebhookSettings

# Without --subscribe: the deal lifecycle, the deal fields the sync maps, and company/contact edits.
# A portal set up as cosell's HubSpot app is.
DEFAULT_SUBSCRIPTIONS = WEBHOOK_SUBSCRIPTIONS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cosell emulate hubspot", description="Run a local HubSpot on 127.0.0.1."
    )
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", action="append", default=[], help="a valid private-app token (repeatable)")
    parser.add_argument(
        "--rep-token", action="append", default=[], help="a token acting as a rep in the CRM UI"
    )
    parser.add_argument("--webhook-url", help="where to POST webhook batches")
    parser.add_argument("--client-secret", help="the app's client secret, for webhook signatures")
    parser.add_argument(
        "--subscribe", action="append", default=[], metavar="TYPE[:PROPERTY]",
        help=f"webhook subscription (repeatable); types: {', '.join(sorted(SUBSCRIPTION_TYPES))}",
    )  # fmt: skip
    parser.add_argument("--tier", choices=sorted(TIERS), default="starter")
    parser.add_argument("--time-scale", type=float, default=1.0, help="emulated seconds per real second")
    parser.add_argument("--seed", type=int, default=0, help="seed for fault injection and webhook shuffling")
    parser.add_argument(
        "--duplicate-rate", type=float, default=0.0, help="share of webhook events sent twice"
    )
    parser.add_argument("--reorder", action="store_true", help="shuffle webhook events")
    return parser


def main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    tokens = list(args.token)
    if os.environ.get("HUBSPOT_ACCESS_TOKEN"):
        tokens.append(os.environ["HUBSPOT_ACCESS_TOKEN"])
    if bool(args.webhook_url) != bool(args.client_secret):
        parser.error("--webhook-url and --client-secret go together")
    webhook = None
    if args.webhook_url:
        webhook = WebhookSettings(
            args.webhook_url, args.client_secret, duplicate_rate=args.duplicate_rate, reorder=args.reorder,
            seed=args.seed,
        )  # fmt: skip
    emulator = HubSpotEmulator(
        tokens=tokens,
        webhook=webhook,
        tier=args.tier,
        time_scale=args.time_scale,
        seed=args.seed,
        port=args.port,
    )
    for value in args.rep_token:
        emulator.add_rep_token(value)
    if emulator.webhooks:
        for spec in args.subscribe or DEFAULT_SUBSCRIPTIONS:
            subscription_type, _, property_name = spec.partition(":")
            try:
                emulator.webhooks.subscribe(subscription_type, property_name or None)
            except ValueError as error:
                parser.error(str(error))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    emulator.start()
    try:
        print(
            json.dumps({"emulator": "hubspot", "url": emulator.base_url, "portalId": emulator.portal_id}),
            flush=True,
        )
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0
