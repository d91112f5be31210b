"""Seeded fault injection on API calls (the same seed and call sequence give the same faults), and malformed
answers scripted for the next calls of an operation."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell_local.partner_central.errors import ApiError

if TYPE_CHECKING:
    from cosell_local.malformed import MalformedAnswer
    from cosell_local.partner_central.config import FaultConfig


class DropConnection(Exception):  # noqa: N818 - a signal to the server, not an error reported to anyone
    """The server closes the socket without answering."""


@dataclass(frozen=True)
class CallFaults:
    latency_seconds: float
    error: ApiError | None
    drop_connection: bool


@dataclass
class _ScriptedAnswer:
    operation: str
    answer: MalformedAnswer
    remaining: int


class FaultInjector:
    def __init__(self, config: FaultConfig) -> None:
        self._lock = threading.Lock()
        self.configure(config)

    def configure(self, config: FaultConfig) -> None:
        """Also forgets the malformed answers still waiting for their calls."""
        with self._lock:
            self._config = config
            self._random = random.Random(config.seed)
            self._answers: list[_ScriptedAnswer] = []

    def answer_next(self, operation: str, answer: MalformedAnswer, times: int = 1) -> None:
        """The next `times` calls of `operation` are answered `answer` (cosell_local.malformed)."""
        with self._lock:
            self._answers.append(_ScriptedAnswer(operation, answer, times))

    def answers_left(self) -> int:
        """How many scripted malformed answers are still to be served."""
        with self._lock:
            return sum(scripted.remaining for scripted in self._answers)

    def malformed_answer(self, operation: str) -> MalformedAnswer | None:
        """The malformed answer scripted for this call of `operation`, if any (it counts as served)."""
        with self._lock:
            for scripted in self._answers:
                if scripted.operation == operation and scripted.remaining > 0:
                    scripted.remaining -= 1
                    return scripted.answer
        return None

    def for_call(self, operation: str) -> CallFaults:
        with self._lock:
            config = self._config
            if config.operations is not None and operation not in config.operations:
                return CallFaults(0.0, None, drop_connection=False)
            # One draw per kind, always in this order, so a seed replays the same sequence.
            drop, throttle, internal, slow = (self._random.random() for _ in range(4))
        error = None
        if throttle < config.throttle_rate:
            error = ApiError("ThrottlingException", "Rate exceeded (injected fault)")
        elif internal < config.internal_error_rate:
            error = ApiError("InternalServerException", "Internal server error (injected fault)")
        return CallFaults(
            latency_seconds=config.latency_seconds if slow < config.latency_rate else 0.0,
            error=error,
            drop_connection=drop < config.drop_connection_rate,
        )

    def task_fails(self) -> bool:
        with self._lock:
            return self._random.random() < self._config.task_failure_rate
