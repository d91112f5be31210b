"""`make bench`: every bench in turn, then one table of each figure beside its reference from the same run.

    python bench/all.py [--quick] [--only NAME ...]

Each bench prints its own report as it goes, and one `RATIO` line per figure (bench/ratios.py); the table at
the end gathers those. Sizes are the ones docs/BENCHMARKS.md reports, except the chaos run (its seeded short
version; `python bench/chaos.py` runs the full one). `--quick` runs each at a smaller size, to check that the
benches still run (minutes, not the hour the full set takes); its figures are not the ones to report.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from cold_start import SETTINGS
from first_request import HANDLERS as FIRST_REQUEST_HANDLERS
from ratios import PREFIX

BENCH = Path(__file__).resolve().parent
HANDLERS = tuple(SETTINGS)  # every handler bench/cold_start.py knows the first invocation of
# name → (arguments as reported, arguments with --quick)
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "build_artifact": (["--out", ".build/lambda"], ["--out", ".build/lambda"]),
    **{
        f"cold_start:{handler}": ([".build/lambda", "--handler", handler, "--runs", "15"],
                                  [".build/lambda", "--handler", handler, "--runs", "3"])
        for handler in HANDLERS
    },
    **{
        f"first_request:{handler}": ([".build/lambda", "--handler", handler, "--runs", "15", "--steps"],
                                     [".build/lambda", "--handler", handler, "--runs", "2", "--steps"])
        for handler in FIRST_REQUEST_HANDLERS
    },
    "artifact": (["--runs", "15"], ["--runs", "2"]),
    "webhook_latency": (["--runs", "20"], ["--runs", "3"]),
    "queue_depth": (["--runs", "20"], ["--depths", "0", "1000", "--runs", "3"]),
    "emulator_save": (["--runs", "10"], ["--opportunities", "200", "--runs", "3"]),
    "write_rate": (["--writes", "60", "--workers", "1", "2", "4", "--repeats", "3"],
                   ["--writes", "10", "--workers", "1", "2", "--repeats", "1"]),
    "event_latency": (["--changes", "5"], ["--changes", "1"]),
    "update_writes": (["--deals", "20", "--actions", "60"], ["--deals", "4", "--actions", "8"]),
    "hubspot_calls": (["--deals", "20"], ["--deals", "3"]),
    "backfill": (["--deals", "1000", "--clock-scale", "1"], ["--deals", "20"]),
    "chaos": (["--deals", "20", "--referrals", "4"], ["--deals", "4", "--referrals", "1"]),
    "cost": ([], []),
}  # fmt: skip


def run(name: str, arguments: list[str]) -> tuple[list[dict[str, object]], int, float]:
    script = BENCH / f"{name.split(':')[0]}.py"
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(script), *arguments], stdout=subprocess.PIPE, text=True, cwd=BENCH.parent
    )
    assert process.stdout is not None
    figures = []
    for line in process.stdout:
        if line.startswith(PREFIX):
            figures.append(json.loads(line.removeprefix(PREFIX)))
        else:
            sys.stdout.write(line)
    return figures, process.wait(), time.monotonic() - started


def _number(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: check the benches run")
    parser.add_argument("--only", nargs="+", metavar="NAME", help=f"some of: {', '.join(BENCHES)}")
    args = parser.parse_args()
    rows, failed = [], []
    for name, (reported, quick) in BENCHES.items():
        if args.only and name not in args.only and name.split(":")[0] not in args.only:
            continue
        print(f"\n=== {name}", flush=True)
        figures, code, seconds = run(name, quick if args.quick else reported)
        print(f"=== {name}: exit {code}, {seconds:.0f} s", flush=True)
        if code:
            failed.append(name)
        rows += [(name, figure) for figure in figures]
    print("\n| bench | figure | value | reference (same run) | reference value | ratio |")
    print("|---|---|---|---|---|---|")
    for name, figure in rows:
        value, reference = figure["value"], figure["reference_value"]
        ratio = (
            f"{value / reference:.2f}"
            if isinstance(value, (int, float)) and isinstance(reference, (int, float)) and reference
            else "—"
        )
        print(
            f"| {name} | {figure['figure']} | {_number(value)} | {figure['reference'] or '—'} | "
            f"{_number(reference) if reference is not None else '—'} | {ratio} |"
        )
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
