"""`cosell emulate partner-central`: serve the emulator until interrupted."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cosell_local.partner_central.config import EmulatorConfig, QuotaConfig
from cosell_local.partner_central.events import EventBridgeSink, HttpPostSink
from cosell_local.partner_central.server import PartnerCentralEmulator

if TYPE_CHECKING:
    from cosell_local.partner_central.events import EventSink


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cosell emulate partner-central",
        description="Local AWS Partner Central Selling API (AWS JSON 1.0) with a control API under /_emulator/.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4570, help="port (0 picks a free one; default: 4570)")
    parser.add_argument("--state-file", type=Path, help="JSON file that keeps state across restarts")
    parser.add_argument(
        "--event-sink-url", action="append", default=[], help="POST each event here (repeatable)"
    )
    parser.add_argument("--eventbridge-endpoint", help="PutEvents each event to this EventBridge (e.g. moto)")
    parser.add_argument("--event-bus-name", default="default", help="bus for --eventbridge-endpoint")
    parser.add_argument("--task-delay", type=float, default=5.0, help="seconds before async tasks complete")
    parser.add_argument("--quota-scale", type=float, default=1.0, help="multiply every rate and daily quota")
    parser.add_argument("--no-quotas", action="store_true", help="disable rate and daily quotas")
    parser.add_argument(
        "--no-search-opportunities",
        action="store_true",
        help="answer as an account without SearchOpportunities (AccessDeniedException)",
    )
    parser.add_argument(
        "--clock-scale", type=float, default=1.0, help="emulated seconds per wall second (quotas unchanged)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for identifiers and fault injection")
    parser.add_argument("--account-id", default="123456789012", help="the partner's AWS account id")
    return parser


def _interrupt(signal_number: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    arguments = _parser().parse_args(argv)
    config = EmulatorConfig(
        account_id=arguments.account_id,
        task_delay_seconds=arguments.task_delay,
        clock_scale=arguments.clock_scale,
        seed=arguments.seed,
        search_opportunities_enabled=not arguments.no_search_opportunities,
        quotas=QuotaConfig(enabled=not arguments.no_quotas, scale=arguments.quota_scale),
    )
    sinks: list[EventSink] = [HttpPostSink(url) for url in arguments.event_sink_url]
    if arguments.eventbridge_endpoint:
        sinks.append(EventBridgeSink(arguments.eventbridge_endpoint, arguments.event_bus_name, config.region))
    emulator = PartnerCentralEmulator(config, state_file=arguments.state_file, sinks=sinks)
    # A process manager's SIGTERM ends the emulator as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    emulator.start(arguments.host, arguments.port)
    print(json.dumps({"emulator": "partner-central", "url": emulator.url}), flush=True)
    try:
        emulator.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
