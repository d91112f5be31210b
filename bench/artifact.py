"""Measure the Lambda artifact: size, and each handler's cold-start import time on CPython 3.12.

    python bench/artifact.py [--python /path/to/python3.12] [--runs 15]

Builds the artifact (bench/build_artifact.py), then imports each handler named in template.yaml in fresh
`python3.12 -I -B` processes, which like Lambda's read-only /var/task write no bytecode. It measures twice:
from source only, and with bytecode precompiled into the artifact (what `make build` ships when a 3.12
interpreter is present). Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_artifact import BOTOCORE_SERVICES, build, find_python312, precompile, write_zip
from cosell_local.runner.template import StackTemplate

ROOT = Path(__file__).resolve().parents[1]
# Every handler module template.yaml names, so a function added there is measured too.
HANDLERS = sorted(
    {
        spec.handler.rpartition(".")[0]
        for spec in StackTemplate.read(ROOT / "template.yaml").functions.values()
    }
)
PROBE = """
import sys, time
sys.path.insert(0, sys.argv[1])
started = time.perf_counter()
__import__(sys.argv[2])
elapsed = time.perf_counter() - started
print(f"{elapsed * 1000:.1f} {len(sys.modules)}")
"""
CLIENTS = """
import sys
sys.path.insert(0, sys.argv[1])
import boto3
for service in sys.argv[2:]:
    boto3.client(service, region_name="us-east-1")
"""


def python312(explicit: str | None) -> str:
    found = find_python312(explicit)
    if found is None:
        raise SystemExit("no CPython 3.12 found: pass --python (the artifact targets Lambda's python3.12)")
    return found


def directory_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def import_times(python: str, artifact: Path, module: str, runs: int) -> tuple[float, float, int]:
    samples, modules = [], 0
    for _ in range(runs):
        out = subprocess.run(
            [python, "-I", "-B", "-c", PROBE, str(artifact), module],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        samples.append(float(out[0]))
        modules = int(out[1])
    return statistics.median(samples), max(samples), modules


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="a CPython 3.12 interpreter")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    python = python312(args.python)

    with tempfile.TemporaryDirectory() as scratch:
        artifact, archive = Path(scratch) / "lambda", Path(scratch) / "lambda.zip"
        build(artifact)
        subprocess.run([python, "-I", "-c", CLIENTS, str(artifact), *sorted(BOTOCORE_SERVICES)], check=True)
        write_zip(artifact, archive)
        unzipped, files = directory_size(artifact)
        zipped = archive.stat().st_size
        rows = [(module, *import_times(python, artifact, module, args.runs)) for module in HANDLERS]
        precompile(python, artifact)
        compiled = [(module, *import_times(python, artifact, module, args.runs)) for module in HANDLERS]

    version = subprocess.run([python, "-V"], capture_output=True, text=True, check=True).stdout.strip()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; interpreter: {version}; runs per handler: {args.runs}"
    )
    print(
        f"Artifact: {unzipped / 2**20:.1f} MiB unzipped in {files} files, {zipped / 2**20:.1f} MiB zipped\n"
    )
    print(
        "| handler | import, source only (median / max ms) | import, precompiled (median / max ms) | modules |"
    )
    print("|---|---|---|---|")
    for (module, median, worst, modules), (_, c_median, c_worst, _) in zip(rows, compiled, strict=True):
        print(f"| `{module}` | {median:.0f} / {worst:.0f} | {c_median:.0f} / {c_worst:.0f} | {modules} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
