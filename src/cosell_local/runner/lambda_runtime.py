"""Running a template function in this process, as one Lambda execution environment would.

One environment per function: invocations of a function run one at a time (module-level state such as the
worker's batch processor is not shared between concurrent invocations, as in Lambda) and the handler module
is imported once, so cached clients and settings live across invocations as they do in a warm container.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cosell.observability import SERVICE_NAME
from cosell_local.runner.aws_calls import acting_as
from cosell_local.runner.log_keys import isolated

if TYPE_CHECKING:
    from collections.abc import Callable

    from cosell_local.runner.template import FunctionSpec

log = logging.getLogger(__name__)

ACCOUNT_ID = "123456789012"  # moto's default account


class NotStartedError(Exception):
    """The function was still busy when its caller stopped waiting for it."""


class InvocationKilled(BaseException):
    """Raised into a running handler to end it there, as a killed execution environment ends an invocation:
    no `except Exception` of the function catches it."""


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers (and Powertools) read."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    deadline: float  # time.monotonic() at which the function times out
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class Invocation:
    """One call of a handler: what it got, what it answered or raised."""

    function: str  # logical id in the template
    request_id: str
    event: dict[str, Any]
    response: Any
    error: BaseException | None
    started_at: float  # time.time()
    duration_seconds: float

    @property
    def succeeded(self) -> bool:
        return self.error is None


class FunctionEnvironment:
    """One execution environment of a function: its invocations run one at a time. `LambdaFunction` runs
    them in this process, cosell_local.runner.child_environment in a process of its own."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self._lock = threading.Lock()
        self.invocations: list[Invocation] = []

    @property
    def name(self) -> str:
        return self.spec.logical_id

    def invoke(self, event: dict[str, Any], *, start_within: float | None = None) -> Invocation:
        """Call the handler; an exception is recorded in the result, as Lambda reports a function error.
        `start_within`: seconds the caller waits for the environment to be free, after which it gives up:
        `NotStartedError`, and the handler never runs."""
        if not self._lock.acquire(timeout=-1 if start_within is None else max(0.0, start_within)):
            raise NotStartedError(f"{self.name} was busy for {start_within:.1f} s")
        try:
            invocation = self._invoke(event)
        finally:
            self._lock.release()
        self.invocations.append(invocation)
        return invocation

    def close(self) -> None:
        """What the environment holds beyond this process (nothing, here), let go."""

    def _invoke(self, event: dict[str, Any]) -> Invocation:
        raise NotImplementedError


class LambdaFunction(FunctionEnvironment):
    def __init__(self, spec: FunctionSpec, region: str) -> None:
        super().__init__(spec)
        self._region = region
        self._handler: Callable[[dict[str, Any], Any], Any] | None = None

    def _invoke(self, event: dict[str, Any]) -> Invocation:
        handler = self._load_handler()
        request_id = str(uuid.uuid4())
        context = LambdaContext(
            function_name=self.name,
            invoked_function_arn=f"arn:aws:lambda:{self._region}:{ACCOUNT_ID}:function:{self.name}",
            aws_request_id=request_id,
            deadline=time.monotonic() + self.spec.timeout_seconds,
        )
        started_at = time.time()
        started = time.monotonic()
        response: Any = None
        error: BaseException | None = None
        try:
            # Its own logging keys, as in its own execution environment (log_keys).
            with acting_as(self.name), isolated(SERVICE_NAME):
                response = handler(event, context)
        except InvocationKilled as killed:
            error = killed
            log.warning("%s killed mid-invocation: %s", self.name, killed)
        except Exception as raised:
            error = raised
            # As Lambda reports a function error: at ERROR, with the traceback.
            log.error("%s raised %s: %s", self.name, type(raised).__name__, raised, exc_info=raised)
        duration = time.monotonic() - started
        if duration > self.spec.timeout_seconds:
            # Lambda would have stopped it; in one process we can only say so.
            log.warning(
                "%s ran %.1f s, over its %d s timeout", self.name, duration, self.spec.timeout_seconds
            )
        return Invocation(self.name, request_id, event, response, error, started_at, duration)

    def _load_handler(self) -> Callable[[dict[str, Any], Any], Any]:
        if self._handler is None:
            module_name, _, attribute = self.spec.handler.rpartition(".")
            self._handler = getattr(importlib.import_module(module_name), attribute)
        return self._handler
