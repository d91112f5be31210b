"""`cosell emulate NAME ...` (one emulator) and `cosell local up` (the whole stack)."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from cosell_local.runner.stderr_logs import log_to_stderr

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from cosell_local.runner import LocalStack

EMULATORS = {
    "partner-central": "cosell_local.partner_central.cli",
    "hubspot": "cosell_local.hubspot.cli",
}
_USAGE = f"usage: cosell emulate {{{','.join(EMULATORS)}}} [options] | cosell local up [options]"


def main(argv: Sequence[str]) -> int:
    """`argv` starts with the command: `emulate ...` or `local up ...`."""
    command = list(argv)
    if command[:1] == ["emulate"] and command[1:2] and command[1] in EMULATORS:
        module = importlib.import_module(EMULATORS[command[1]])
        exit_code: int = module.main(command[2:])
        return exit_code
    if command[:2] == ["local", "up"]:
        return local_up(command[2:])
    print(_USAGE, file=sys.stderr)
    return 2


def _local_up_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cosell local up",
        description="Run moto's server, both emulators and template.yaml's functions on 127.0.0.1. When ready, "
        "print one JSON line with the URLs on stdout; logs go to stderr; SIGINT or SIGTERM stops it.",
    )
    for name in ("aws", "hubspot", "partner-central", "api"):
        parser.add_argument(f"--{name}-port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--template", type=Path, help="the SAM template (default: the repository's)")
    parser.add_argument("--hubspot-token", help="the private-app token the HubSpot emulator accepts")
    parser.add_argument(
        "--queue-time-scale", type=float, default=1.0, help="compress SQS visibility timeouts by this factor"
    )
    parser.add_argument(
        "--schedule-time-scale", type=float, default=1.0, help="compress schedule rates by this factor"
    )
    parser.add_argument(
        "--hubspot-time-scale", type=float, default=1.0, help="emulated HubSpot seconds per second"
    )
    parser.add_argument(
        "--partner-central-clock-scale",
        type=float,
        default=1.0,
        help="emulated Partner Central seconds per second (its quotas unchanged, the functions' pacer follows)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        help="keep the emulators' and the stack's tables' and queues' state here; started again on the same "
        "directory (even after a kill), the stack continues from it",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for the emulators' identifiers and faults")
    parser.add_argument(
        "--parameter-overrides",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        type=_parameter,
        help="template parameters, as `sam deploy --parameter-overrides` takes them (e.g. CoalescingWindowSeconds=5)",
    )
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def _parameter(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return name, value


def local_up(argv: Sequence[str]) -> int:
    arguments = _local_up_parser().parse_args(argv)

    def build() -> LocalStack:
        # Imported here: moto is slow to import, and `emulate` does not need it.
        from cosell_local.partner_central import EmulatorConfig
        from cosell_local.runner import LocalStack, Ports
        from cosell_local.runner.stack import DEFAULT_HUBSPOT_TOKEN
        from cosell_local.runner.template import DEFAULT_TEMPLATE

        return LocalStack(
            template=arguments.template or DEFAULT_TEMPLATE,
            ports=Ports(
                aws=arguments.aws_port,
                hubspot=arguments.hubspot_port,
                partner_central=arguments.partner_central_port,
                api=arguments.api_port,
            ),
            stack_name="cosell-local",
            hubspot_token=arguments.hubspot_token or DEFAULT_HUBSPOT_TOKEN,
            queue_time_scale=arguments.queue_time_scale,
            schedule_time_scale=arguments.schedule_time_scale,
            hubspot_time_scale=arguments.hubspot_time_scale,
            partner_central=EmulatorConfig(
                seed=arguments.seed, clock_scale=arguments.partner_central_clock_scale
            ),
            seed=arguments.seed,
            log_level=arguments.log_level,
            parameters=dict(arguments.parameter_overrides),
            state_dir=arguments.state_dir,
        )

    return serve(build, arguments.log_level)


def serve(build: Callable[[], LocalStack], log_level: str) -> int:
    """Start the stack `build` makes, print its JSON line, run until SIGINT or SIGTERM, stop it."""
    # The ready line is the only thing on stdout: whatever else prints there (the handlers' JSON logs) goes
    # to stderr, by pointing file descriptor 1 at stderr once the real stdout is kept aside.
    ready_channel = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    log_to_stderr(log_level)
    stopped = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stopped.set())
    try:
        stack = build()
    except ValueError as refused:  # a parameter CloudFormation would refuse
        print(f"cosell local up: {refused}", file=sys.stderr)
        return 2
    with stack:
        ready_channel.write(json.dumps(stack.summary()) + "\n")
        ready_channel.flush()
        # Wake up now and then: a signal that lands on another thread runs its handler only when this one
        # executes Python again.
        while not stopped.wait(0.2):
            pass
    logging.getLogger(__name__).info("local stack stopped")
    return 0
