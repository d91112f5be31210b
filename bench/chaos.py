"""The chaos run (docs/BENCHMARKS.md, "Chaos run"): deals and referrals synced on the local stack under
injected faults, killed invocations and one SIGKILL of the whole stack; prints the report."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from cosell_local.chaos import ChaosPlan, run
from ratios import ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--referrals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--clock-scale", type=float, default=10.0, help="Partner Central emulated s per s")
    parser.add_argument("--workdir", type=Path, help="where the state directory and the stack's log go")
    parser.add_argument("--timeout", type=float, default=3600.0, help="s to converge; then reported as it is")
    parser.add_argument(
        "--worker-environments", type=int, default=2, help="the worker's MaximumConcurrency (2 to 20)"
    )
    arguments = parser.parse_args()
    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="cosell-chaos-"))
    plan = ChaosPlan(
        arguments.deals,
        arguments.referrals,
        arguments.seed,
        arguments.clock_scale,
        arguments.timeout,
        arguments.worker_environments,
    )
    report = run(plan, workdir)
    print(f"chaos run, logs in {workdir}")
    print("\n".join(report.lines()))
    for figure, value in (
        ("lost", report.lost),
        ("duplicated", report.duplicated),
        ("converged %", report.converged_percent),
    ):
        ratio(f"chaos, {plan.deals} deals and {plan.referrals} referrals: {figure}", value)
    good = report.lost == report.duplicated == 0 and report.converged_percent == 100
    return 0 if good and not any("UNEXPLAINED" in line for line in report.dlq) else 1


if __name__ == "__main__":
    sys.exit(main())
