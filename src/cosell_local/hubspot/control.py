"""Unauthenticated control endpoints under `/_emulator/` for people driving the CLI emulator by HTTP."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from cosell_local.malformed import MalformedAnswer

from .errors import ApiError, validation_error

if TYPE_CHECKING:
    from .server import HubSpotEmulator


def handle(emulator: HubSpotEmulator, method: str, action: str, body: Any) -> tuple[int, Any]:
    if (method, action) == ("POST", "reset"):
        emulator.reset()
        return 204, None
    if (method, action) == ("POST", "faults"):
        if not isinstance(body, dict):
            raise validation_error(
                "expected {status, times, pathPrefix, method}, {answer, times, pathPrefix, method} or "
                "{latencySeconds, probability}"
            )
        if "latencySeconds" in body:
            emulator.faults.add_latency(float(body["latencySeconds"]), float(body.get("probability", 1.0)))
            return 204, None
        scripted = (int(body.get("times", 1)), str(body.get("pathPrefix", "")), body.get("method"))
        if "answer" in body:
            try:
                answer = MalformedAnswer.from_json(body["answer"])
            except (TypeError, ValueError) as error:
                raise validation_error(f"answer: {error}") from None
            emulator.faults.answer_next(answer, *scripted)
        else:
            emulator.faults.fail_next(int(body["status"]), *scripted)
        return 204, None
    if (method, action) == ("POST", "rep-tokens"):
        if not isinstance(body, dict) or not isinstance(body.get("token"), str):
            raise validation_error("expected {token, ownerId}")
        emulator.add_rep_token(body["token"], body.get("ownerId"))
        return 204, None
    if (method, action) == ("POST", "clock"):
        emulator.advance_clock(float(body["advanceSeconds"]) if isinstance(body, dict) else 0.0)
        return 204, None
    if (method, action) == ("GET", "requests"):
        return 200, {"results": [asdict(entry) for entry in emulator.requests]}
    if (method, action) == ("GET", "webhooks"):
        deliveries = emulator.webhooks.deliveries if emulator.webhooks else []
        return 200, {"results": [asdict(entry) for entry in deliveries]}
    if (method, action) == ("GET", "lost-webhooks"):
        return 200, {"lost": len(emulator.webhooks.lost) if emulator.webhooks else 0}
    raise ApiError(404, "OBJECT_NOT_FOUND", f"No control action {method} {action}")
