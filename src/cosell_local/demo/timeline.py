"""What the demo prints as it goes: who did what, and whether each expected outcome happened."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path
    from typing import TextIO

HUBSPOT_REP = "HubSpot rep"
AWS = "AWS"
PARTNER_USER = "PC user"  # a person of the partner's, in the Partner Central console
COSELL = "cosell"
LOCAL = "local"  # the machine the demo runs on
_ACTOR_WIDTH = max(len(HUBSPOT_REP), len(AWS), len(PARTNER_USER), len(COSELL), len(LOCAL)) + 2


class Timeline:
    """One line per event, `  12.3s  [actor]  what happened`, with indented detail lines under it."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.started = time.monotonic()

    def heading(self, text: str) -> None:
        self._write(f"\n{text}")

    def say(self, actor: str, text: str) -> None:
        elapsed = time.monotonic() - self.started
        self._write(f"{elapsed:6.1f}s  {f'[{actor}]':<{_ACTOR_WIDTH}} {text}")

    def detail(self, text: str) -> None:
        self._write(f"{'':8} {'':<{_ACTOR_WIDTH}}   {text}")

    def line(self, text: str = "") -> None:
        self._write(text)

    def _write(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()


@dataclass
class Checks:
    """Every expected outcome of the story; a miss is shown at once and again in the summary."""

    timeline: Timeline
    passed: int = 0
    failed: list[str] = field(default_factory=list)

    def expect(self, condition: bool, outcome: str) -> bool:
        if condition:
            self.passed += 1
        else:
            self.failed.append(outcome)
            self.timeline.detail(f"✗ expected: {outcome}")
        return condition


@dataclass(frozen=True)
class Reconciled:
    """One line the worker logged after reconciling an object."""

    subject: str
    object_id: str
    outcome: str


class WorkerLog:
    """The functions' JSON log lines (a file), read for the worker's "reconciled" lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0

    def mark(self) -> None:
        """Later reads see only what was logged from now on."""
        self._offset = self.path.stat().st_size

    def reconciled(self, object_id: str) -> list[Reconciled]:
        """The worker's outcomes for `object_id` since the last mark."""
        with self.path.open("rb") as log:
            log.seek(self._offset)
            lines = log.read().decode(errors="replace").splitlines()
        found = []
        for line in lines:
            record = _json_object(line)
            if record.get("message") == "reconciled" and str(record.get("object_id")) == object_id:
                found.append(Reconciled(str(record["subject"]), object_id, str(record["outcome"])))
        return found


def _json_object(line: str) -> dict[str, Any]:
    if not line.startswith("{"):
        return {}  # the runner's own plain-text lines share the file
    try:
        parsed = json.loads(line)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
