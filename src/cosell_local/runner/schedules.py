"""EventBridge Scheduler, locally: invoke a function at its template rate, compressible by a factor."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cosell_local.runner.lambda_runtime import Invocation, LambdaFunction

# Scheduler invokes with the target's Input; the template sets none, and the handlers ignore the event.
SCHEDULED_EVENT: dict[str, object] = {}


class Schedule:
    def __init__(self, function: LambdaFunction, period_seconds: float, time_scale: float = 1.0) -> None:
        self.function = function
        self.interval_seconds = period_seconds / time_scale
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_now(self) -> Invocation:
        return self.function.invoke(dict(SCHEDULED_EVENT))

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"schedule-{self.function.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        # The first run comes one interval after start, as a new schedule's does.
        while not self._stopping.wait(self.interval_seconds):
            self.run_now()
