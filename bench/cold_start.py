"""A handler's cold start against `import boto3`, in fresh CPython 3.12 processes, side by side.

    python bench/cold_start.py ARTIFACT [--handler webhook] [--runs 15] [--settings 'runtime.settings()']

ARTIFACT is a built Lambda artifact (`make build` writes .build/lambda). Each run starts a new
`python3.12 -B` process that imports the handler and loads its settings (what the first invocation pays),
alternating with one that only imports boto3, and prints the median of the pairwise ratios: a figure that
holds on a noisy machine, where absolute times drift. Three readings of each pair: the whole processes (start,
imports, settings, exit); from the start to the end of the settings (what Lambda's INIT holds: its runtime
starts the interpreter, then imports the handler); and the imports and settings alone, timed inside the
process. A process's exit is no part of a request, and the collector's work at exit depends on what was frozen.
`--settings` names the settings call of an older artifact (before per-function settings, every handler
called `runtime.settings()`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from artifact import python312
from ratios import ratio

ENVIRONMENT = {
    "ENVIRONMENT": "development",
    "AWS_REGION": "us-east-1",
    "HUBSPOT_WEBHOOK_SECRET": "local-secret",
    "HUBSPOT_ACCESS_TOKEN": "pat-na1-local",
    "SYNC_QUEUE_URL": "http://127.0.0.1:9/123456789012/sync.fifo",
    "STATE_TABLE_NAME": "cosell-local",
    "AUDIT_TABLE_NAME": "cosell-local-audit",
}
# What the first invocation of each handler loads besides its imports.
SETTINGS = {
    "webhook": "runtime.webhook_settings()",
    "worker": "runtime.ports().config",
    "invitation_poll": "runtime.ports().config",
    "sweep": "runtime.ports().config",
    "aws_summary": "runtime.ports().config",
    "notification_check": "runtime.ports().config",
    "solutions_api": "runtime.ports().config",
    "engagement_sync": "runtime.ports().config",
}


def _seconds(python: str, artifact: Path, code: str) -> tuple[float, float, float]:
    """The whole process's seconds; from its start to the end of `code`; and `code`'s, timed inside it."""
    timed = f"import sys, time; sys.path.insert(0, {str(artifact)!r}); _t = time.perf_counter(); {code}; "
    timed += "print(time.perf_counter() - _t, time.time())"
    started, started_at = time.perf_counter(), time.time()
    out = subprocess.run(
        [python, "-B", "-c", timed],
        check=True,
        env={**os.environ, **ENVIRONMENT},
        capture_output=True,
        text=True,
    ).stdout
    inside, ended_at = (float(value) for value in out.split()[-2:])
    return time.perf_counter() - started, ended_at - started_at, inside


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifact", type=Path)
    parser.add_argument("--handler", choices=sorted(SETTINGS), default="webhook")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--python", help="a CPython 3.12 interpreter")
    parser.add_argument("--settings", help="the handler's settings call (default: today's, per handler)")
    args = parser.parse_args()
    python = python312(args.python)
    settings = args.settings or SETTINGS[args.handler]
    handler = f"import cosell.handlers.{args.handler}; from cosell.handlers import runtime; {settings}"
    readings: dict[str, tuple[list[float], list[float]]] = {
        "whole process": ([], []),
        "start to settings": ([], []),
        "inside": ([], []),
    }
    for _ in range(args.runs):
        pair = (_seconds(python, args.artifact, handler), _seconds(python, args.artifact, "import boto3"))
        for index, (mine, reference) in enumerate(readings.values()):
            mine.append(pair[0][index])
            reference.append(pair[1][index])
    for reading, (mine, reference) in readings.items():
        ratios = [a / b for a, b in zip(mine, reference, strict=True)]
        ratio(
            f"{args.handler}: cold start (imports and settings), {reading}, median s",
            statistics.median(mine),
            f"import boto3 alone, {reading}, median s",
            statistics.median(reference),
        )
        print(
            f"{args.handler}: cold start / import boto3, {reading} = {statistics.median(ratios):.2f} "
            f"(median of {args.runs} pairs; min {min(ratios):.2f}, max {max(ratios):.2f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
