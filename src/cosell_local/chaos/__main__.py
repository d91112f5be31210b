"""`python -m cosell_local.chaos serve --state-dir DIR --seed N --clock-scale K`: the chaos run's stack, with
its faults and kill points, printing its JSON line as `cosell local up` does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cosell_local.chaos import FAULT_RATE, KILL_RATE, TIMEOUT_RATE
from cosell_local.cli import serve

if TYPE_CHECKING:
    from cosell_local.runner import LocalStack

_HUBSPOT_CLIENT_TIMEOUT = 10.0
_PARTNER_CENTRAL_READ_TIMEOUT = 20.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m cosell_local.chaos serve")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--clock-scale", type=float, default=10.0)
    parser.add_argument("--worker-environments", type=int, default=2, help="the worker's MaximumConcurrency")
    arguments = parser.parse_args(argv)

    def build() -> LocalStack:
        from cosell_local.partner_central import EmulatorConfig
        from cosell_local.partner_central.config import FaultConfig
        from cosell_local.runner import LocalStack
        from cosell_local.runner.child_environment import EnvironmentSetup

        faults = FaultConfig(
            seed=arguments.seed,
            throttle_rate=FAULT_RATE,
            internal_error_rate=FAULT_RATE,
            drop_connection_rate=FAULT_RATE,
            latency_rate=TIMEOUT_RATE,
            latency_seconds=_PARTNER_CENTRAL_READ_TIMEOUT + 1,
            duplicate_event_rate=FAULT_RATE,
            lose_event_rate=FAULT_RATE,
        )
        stack = LocalStack(
            stack_name="cosell-chaos",
            queue_time_scale=100,
            # As fast as Partner Central's clock: each schedule then runs as often, against what the sync can
            # do in the meantime, as deployed. Faster, and at a few hundred deals the AWS summary schedule alone
            # (a refresh for every pair) queued more than the worker could reconcile.
            schedule_time_scale=arguments.clock_scale,
            hubspot_time_scale=20,
            # HubSpot's webhooks duplicated, reordered and lost (a lost one waits for the HubSpot sweep).
            hubspot_webhook_faults={"duplicate_rate": FAULT_RATE, "reorder": True, "loss_rate": FAULT_RATE},
            partner_central=EmulatorConfig(
                seed=arguments.seed, clock_scale=arguments.clock_scale, task_delay_seconds=1, faults=faults
            ),
            seed=arguments.seed,
            state_dir=arguments.state_dir,
            # The worker's environments each a process of their own, as many as its event source allows.
            parameters={"WorkerMaximumConcurrency": str(arguments.worker_environments)},
            scale_out=True,
            environment_setup=EnvironmentSetup(
                "cosell_local.chaos.kill_points:install_in_environment",
                {"seed": arguments.seed, "probability": KILL_RATE},
            ),
        )
        original_start = stack.start

        def start_with_hubspot_faults() -> LocalStack:
            started = original_start()
            for status in (429, 500, 502):
                started.hubspot.faults.fail_randomly(status, FAULT_RATE / 3)
            started.hubspot.faults.drop_randomly(FAULT_RATE)
            started.hubspot.faults.add_latency(_HUBSPOT_CLIENT_TIMEOUT + 1, TIMEOUT_RATE)
            return started

        stack.start = start_with_hubspot_faults  # type: ignore[method-assign]
        return stack

    return serve(build, "INFO")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
