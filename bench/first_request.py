"""What a deployed syncing function's first request pays before its first business call, beside `import boto3`.

    python bench/first_request.py ARTIFACT [--handler worker] [--runs 15] [--steps] [--before OLD_ARTIFACT]

bench/cold_start.py stops at the handler's imports and settings; the first request then makes its clients.
Here each fresh `python3.12 -B` process imports the handler, loads its settings as a deployed stack gives them
(the HubSpot values in one Secrets Manager secret, Partner Central through its service role), then does what
every syncing function's first request does before it reads a deal: the HubSpot token read from its secret,
the DynamoDB client (the state table), and the Partner Central client with its assumed role (STS). Secrets
Manager, STS and DynamoDB are moto's server on loopback, started here; nothing reaches the internet.

`--steps` (what `make bench` runs) times each step inside the process, which is what a Lambda request pays,
beside `import boto3` timed inside a process the same way, in turn. Without it, whole processes are timed,
interpreter start and exit included, alternating with a process that only imports boto3: the exit is no part
of a request, and it was most of what an older artifact lost (docs/BENCHMARKS.md). Either way the figure is a
median, and `--before` measures an older artifact in the same run, so a change is seen against its baseline.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from artifact import python312
from ratios import ratio

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "123456789012"
HANDLERS = ("worker", "invitation_poll", "sweep", "aws_summary", "notification_check", "engagement_sync")
# After the imports and settings (bench/cold_start.py), what the first request makes before its first read.
STEPS = {
    "imports and settings": "import cosell.handlers.{handler}; from cosell.handlers import runtime; "
    "from cosell import secrets; ports = runtime.ports(); ports.config",
    "HubSpot token": "assert secrets.hubspot_access_token(ports.settings) == 'pat-bench'",
    "DynamoDB client": "ports.links",
    "Partner Central client": "ports.partner_central",
}
# With --steps: each step timed inside the process, printed as JSON.
TIMED_STEPS = (
    "import json, time; _spent = {{}}\n"
    + "".join(
        f"_t = time.perf_counter(); {code}; _spent[{name!r}] = (time.perf_counter() - _t) * 1000\n"
        for name, code in STEPS.items()
    )
    + "print(json.dumps(_spent))"
)


def _seconds(python: str, artifact: Path, code: str, environment: dict[str, str]) -> tuple[float, float]:
    """The whole process's seconds, and how many of them came after `code` ended (the interpreter's exit)."""
    timed = f"import sys, time; sys.path.insert(0, {str(artifact)!r}); {code}; print(time.time())"
    started = time.perf_counter()
    out = subprocess.run(
        [python, "-B", "-c", timed], check=True, env=environment, capture_output=True, text=True
    ).stdout
    ended_at = time.time()
    return time.perf_counter() - started, ended_at - float(out.split()[-1])


def _in_process(python: str, artifact: Path, timed: str, environment: dict[str, str]) -> dict[str, float]:
    code = f"import sys; sys.path.insert(0, {str(artifact)!r})\n{timed}"
    out = subprocess.run(
        [python, "-B", "-c", code], check=True, env=environment, capture_output=True, text=True
    ).stdout
    spent: dict[str, float] = json.loads(out.splitlines()[-1])
    return spent


def _steps(
    python: str, artifacts: dict[str, Path], handler: str, runs: int, environment: dict[str, str]
) -> int:
    """Each step timed inside its process (what a Lambda request pays: no interpreter start or exit), beside
    `import boto3` timed the same way, in turn."""
    timed_boto3 = "import json, time; _t = time.perf_counter(); import boto3\n" + (
        "print(json.dumps({'import boto3': (time.perf_counter() - _t) * 1000}))"
    )
    spent = {name: {step: [] for step in STEPS} for name in artifacts}
    totals: dict[str, list[float]] = {name: [] for name in artifacts}
    boto3_ms: list[float] = []
    for _ in range(runs):
        for name, artifact in artifacts.items():
            for step, milliseconds in _in_process(
                python, artifact, TIMED_STEPS.format(handler=handler), environment
            ).items():
                spent[name][step].append(milliseconds)
            totals[name].append(sum(values[-1] for values in spent[name].values()))
            boto3_ms.append(_in_process(python, artifact, timed_boto3, environment)["import boto3"])
    reference = statistics.median(boto3_ms)
    for name in artifacts:
        steps = ", ".join(f"{step} {statistics.median(values):.0f}" for step, values in spent[name].items())
        total = statistics.median(totals[name])
        print(
            f"{handler} ({name}), inside the process, medians of {runs} (ms): {steps}; in all {total:.0f}, "
            f"{total / reference:.2f} × import boto3 ({reference:.0f})"
        )
        ratio(
            f"{handler} ({name}): imports, settings and the first request's clients inside the process, median ms",
            total,
            "import boto3 inside a process, median ms",
            reference,
        )
    return 0


def _deployed_environment(endpoint: str) -> dict[str, str]:
    """A deployed stack's environment (template.yaml's Globals), its services on moto's server."""
    import boto3

    secret_arn = boto3.client("secretsmanager").create_secret(
        Name=f"bench-hubspot-{time.time_ns()}",
        SecretString=json.dumps({"accessToken": "pat-bench", "webhookSecret": "bench-webhook-secret"}),
    )["ARN"]
    return {
        **os.environ,
        "ENVIRONMENT": "staging",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING": "http://127.0.0.1:9",  # made, never called
        "PARTNER_CENTRAL_CATALOG": "Sandbox",
        "PARTNER_CENTRAL_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/HubSpotPartnerCentralServiceRole",
        "PARTNER_CENTRAL_EXTERNAL_ID": "5f0c3a2e-8d1b-11ef-9c1a-0a1b2c3d4e5f",
        "HUBSPOT_ACCESS_TOKEN_SOURCE": f"{secret_arn}#accessToken",
        "HUBSPOT_WEBHOOK_SECRET_SOURCE": f"{secret_arn}#webhookSecret",
        "SYNC_QUEUE_URL": f"{endpoint}/{ACCOUNT}/sync.fifo",
        "STATE_TABLE_NAME": "bench-state",
        "AUDIT_TABLE_NAME": "bench-audit",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifact", type=Path)
    parser.add_argument("--handler", choices=HANDLERS, default="worker")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, help="an older artifact, measured alongside")
    parser.add_argument("--python", help="a CPython 3.12 interpreter")
    parser.add_argument("--steps", action="store_true", help="time each step inside the process instead")
    args = parser.parse_args()
    python = python312(args.python)

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs each request

    sys.path.insert(0, str(ROOT))
    from tests.conftest import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
        }
    )
    environment = _deployed_environment(endpoint)
    artifacts = {"now": args.artifact} | ({"before": args.before} if args.before else {})
    if args.steps:
        try:
            return _steps(python, artifacts, args.handler, args.runs, environment)
        finally:
            server.stop()
    code = "; ".join(STEPS.values()).format(handler=args.handler)
    seconds: dict[str, list[float]] = {name: [] for name in artifacts}
    ratios: dict[str, list[float]] = {name: [] for name in artifacts}
    exits: dict[str, list[float]] = {name: [] for name in artifacts}
    boto3_seconds = []
    try:
        for _ in range(args.runs):
            for name, artifact in artifacts.items():
                whole, exit_seconds = _seconds(python, artifact, code, environment)
                seconds[name].append(whole)
                exits[name].append(exit_seconds)
                boto3_seconds.append(_seconds(python, artifact, "import boto3", environment)[0])
                ratios[name].append(seconds[name][-1] / boto3_seconds[-1])
    finally:
        server.stop()
    for name in artifacts:
        ratio(
            f"{args.handler} ({name}): imports, settings and the first request's clients, median s",
            statistics.median(seconds[name]),
            "a process that only imports boto3, median s",
            statistics.median(boto3_seconds),
        )
        spread = f"{min(ratios[name]):.2f}–{max(ratios[name]):.2f}"
        print(
            f"{args.handler} ({name}): {statistics.median(ratios[name]):.2f} × import boto3 ({spread}); "
            f"of the process, {statistics.median(exits[name]) * 1000:.0f} ms after the last step (its exit)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
