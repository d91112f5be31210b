"""A Lambda handler whose answer each test scripts, to exercise the SQS event source without the sync."""

from __future__ import annotations

from typing import Any

events: list[dict[str, Any]] = []
# Called with each event; returns the handler's response or raises. Tests replace it.
answer: Any = None


def handler(event: dict[str, Any], context: object) -> Any:
    events.append(event)
    return answer(event)
