"""Build the deployable Lambda artifact (python3.12, x86_64) without Docker.

Runtime dependencies come from pyproject.toml's `[project] dependencies` as manylinux wheels for CPython 3.12
(pip's --platform/--python-version), so the build works on any machine with pip and network access to PyPI.
Only the `cosell` package goes in, without its operator CLI; `cosell_local` never does.

    python bench/build_artifact.py --out .build/lambda [--zip .build/lambda.zip] [--python PYTHON3.12] [--source-only]

Lambda's /var/task is read-only, so without bytecode in the artifact every cold start compiles every module
from source (docs/BENCHMARKS.md measures the difference). The build writes that bytecode with a CPython 3.12
(Lambda's runtime; `--python`, else python3.12 on PATH or under pyenv) and says so when it finds none: the
artifact still works, with slower cold starts.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORM = "manylinux2014_x86_64"
PYTHON_VERSION = "3.12"
EXCLUDED_PACKAGES = ("cli",)  # operator-only code stays out of the functions
# botocore ships models for ~440 services (28 MB). The functions create clients for these only; the rest is
# dead weight in every cold start's download. tests/unit/test_artifact.py keeps this list honest.
BOTOCORE_SERVICES = frozenset(
    {"partnercentral-selling", "sqs", "dynamodb", "ssm", "sts", "secretsmanager", "sns", "events"}
)


def runtime_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return list(project["dependencies"])


def build(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--target", str(out),
            "--platform", PLATFORM, "--implementation", "cp", "--python-version", PYTHON_VERSION,
            "--only-binary=:all:",
            *runtime_requirements(),
        ],
        check=True,
    )  # fmt: skip
    shutil.copytree(
        ROOT / "src" / "cosell",
        out / "cosell",
        ignore=shutil.ignore_patterns("__pycache__", *EXCLUDED_PACKAGES),
    )
    for cache in out.rglob("__pycache__"):
        shutil.rmtree(cache)
    trim_botocore(out / "botocore" / "data")


def trim_botocore(data: Path) -> None:
    for service in data.iterdir():
        if service.is_dir() and service.name not in BOTOCORE_SERVICES:
            shutil.rmtree(service)


def find_python312(explicit: str | None = None) -> str | None:
    """A working CPython 3.12: `explicit`, else python3.12 on PATH, else one under pyenv."""
    pyenv = sorted(str(p) for p in Path("~/.pyenv/versions").expanduser().glob("3.12*/bin/python3.12"))
    for candidate in (explicit or "", shutil.which("python3.12") or "", *pyenv):
        if candidate and subprocess.run([candidate, "-V"], capture_output=True, check=False).returncode == 0:
            return candidate
    return None


def precompile(python312: str, artifact: Path) -> None:
    # Unchecked-hash pycs: Lambda's file timestamps are those of the zip, so timestamp checks would only cost.
    subprocess.run(
        [python312, "-I", "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", str(artifact)],
        check=True,
    )


def write_zip(source: Path, archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                bundle.write(path, path.relative_to(source))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".build" / "lambda")
    parser.add_argument("--zip", type=Path, help="also write the artifact as a zip (what Lambda stores)")
    parser.add_argument("--python", metavar="PYTHON3.12", help="write bytecode with this interpreter")
    parser.add_argument("--source-only", action="store_true", help="ship no bytecode (slower cold starts)")
    args = parser.parse_args()
    build(args.out)
    python312 = None if args.source_only else find_python312(args.python)
    if python312 is not None:
        precompile(python312, args.out)
        print(f"bytecode: precompiled with {python312}")
    elif args.python:
        raise SystemExit(f"{args.python} is not a working python3.12")
    else:
        print(
            "bytecode: none (no python3.12 found; pass --python): every cold start compiles from source",
            file=sys.stderr,
        )
    if args.zip:
        write_zip(args.out, args.zip)
    print(f"artifact: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
