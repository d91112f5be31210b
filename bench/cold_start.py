"""A handler's cold start against `import boto3`, in fresh CPython 3.12 processes, side by side.

    python bench/cold_start.py ARTIFACT [--handler webhook] [--runs 15] [--settings 'runtime.settings()']

ARTIFACT is a built Lambda artifact (`make build` writes .build/lambda). Each run starts a new
`python3.12 -B` process that imports the handler and loads its settings (what the first invocation pays),
alternating with one that only imports boto3, and prints the median of the pairwise ratios: a figure that
holds on a noisy machine, where absolute times drift. `--settings` names the settings call of an older
artifact (before per-function settings, every handler called `runtime.settings()`).
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


def _seconds(python: str, artifact: Path, code: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [python, "-B", "-c", f"import sys; sys.path.insert(0, {str(artifact)!r}); {code}"],
        check=True,
        env={**os.environ, **ENVIRONMENT},
    )
    return time.perf_counter() - started


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
    ratios, handler_seconds, boto3_seconds = [], [], []
    for _ in range(args.runs):
        handler_seconds.append(_seconds(python, args.artifact, handler))
        boto3_seconds.append(_seconds(python, args.artifact, "import boto3"))
        ratios.append(handler_seconds[-1] / boto3_seconds[-1])
    ratio(
        f"{args.handler}: cold start (imports and settings), median s",
        statistics.median(handler_seconds),
        "a process that only imports boto3, median s",
        statistics.median(boto3_seconds),
    )
    print(
        f"{args.handler}: cold start / import boto3 = {statistics.median(ratios):.2f} "
        f"(median of {args.runs} pairs; min {min(ratios):.2f}, max {max(ratios):.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
