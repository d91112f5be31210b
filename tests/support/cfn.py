"""Reading CloudFormation YAML (with its short-form intrinsic tags) for assertions: the local runner's loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cosell_local.runner.template import load_template as _load

ROOT = Path(__file__).resolve().parents[2]


def load_template(relative_path: str) -> dict[str, Any]:
    return _load(ROOT / relative_path)
