"""Saving emulator and runner state so a stack killed at any instant restarts on what it had acknowledged."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write-then-rename: a crash mid-write leaves the previous file intact, never half of the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    Path(temporary).replace(path)
