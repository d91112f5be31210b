"""One execution environment of a function in a process of its own, as Lambda runs each one.

In the runner's own process every function shares the handlers' module state (cosell.handlers.runtime: the
settings, the clients, the pacers' local view), so two environments of one function there would be one
environment called twice at once. A child environment is a Python process that imports the handler once
(its cold start) and runs one invocation at a time, sent as one JSON line on its stdin and answered as one
JSON line on the channel that was its stdout; whatever the handler prints goes to stderr, the stack's log.
Like Lambda, it stops an invocation that outlives the function's timeout: the process is killed, and the
next invocation starts a new one.

The child runs the invocation through `LambdaFunction`, as the runner's own environments do, and sends back
what the runner's recorder (aws_calls) saw, so the stack's view of the calls its functions made is whole.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import IO, TYPE_CHECKING, Any

from cosell_local.runner.aws_calls import RECORDER, AwsCall
from cosell_local.runner.lambda_runtime import (
    FunctionEnvironment,
    Invocation,
    InvocationKilled,
    LambdaFunction,
)
from cosell_local.runner.template import FunctionSpec

if TYPE_CHECKING:
    from collections.abc import Mapping

log = logging.getLogger(__name__)

_COMMAND = [sys.executable, "-m", "cosell_local.runner.child_environment"]
_START_SECONDS = 60.0  # for the child's imports; its handler imports at its first invocation, as Lambda's do
_PARENT_CHECK_SECONDS = 0.1


class ChildEnvironmentError(Exception):
    """What the child's handler raised (its type and message), or how the child itself ended."""


@dataclass(frozen=True)
class EnvironmentSetup:
    """A function each child calls once at start, before any invocation, as `target(index, **arguments)`
    (`target`: "module:function"; `index`: the environment's number within its function, from 0). The
    chaos run installs its kill points this way."""

    target: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


class ChildEnvironment(FunctionEnvironment):
    """The runner's side of one child environment."""

    def __init__(
        self,
        spec: FunctionSpec,
        region: str,
        *,
        index: int,
        log_level: str,
        setup: EnvironmentSetup | None = None,
    ) -> None:
        super().__init__(spec)
        self.index = index
        self._region = region
        self._log_level = log_level
        self._setup = setup
        self._process: subprocess.Popen[str] | None = None

    def close(self) -> None:
        """End the child: its stdin closes, it finishes what it runs and exits (else it is killed)."""
        with self._lock:
            if self._process is None:
                return
            process, self._process = self._process, None
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=self.spec.timeout_seconds)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _invoke(self, event: dict[str, Any]) -> Invocation:
        process = self._running()
        started_at = time.time()
        started = time.monotonic()
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            process.stdin.write(json.dumps(event) + "\n")
            process.stdin.flush()
            line = _read_line(process.stdout, within=self.spec.timeout_seconds + 1)
        except (BrokenPipeError, TimeoutError) as ended:
            line, reason = "", "timed out" if isinstance(ended, TimeoutError) else "ended"
        else:
            reason = f"exited ({process.poll()})"
        if not line:  # it timed out or its process ended: the next invocation starts a new one
            self._end(process)
            log.warning("%s environment %d %s: killed", self.name, self.index, reason)
            duration = time.monotonic() - started
            error = ChildEnvironmentError(
                f"{self.name} environment {self.index} {reason} after {duration:.1f} s"
            )
            return Invocation(self.name, "", event, None, error, started_at, duration)
        answer = json.loads(line)
        RECORDER.add({AwsCall(*call) for call in answer["calls"]}, visibility_set=answer["visibility_set"])
        return Invocation(
            self.name,
            answer["request_id"],
            event,
            answer["response"],
            _error(answer["error"]),
            started_at,
            answer["duration_seconds"],
        )

    def _running(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            arguments = {"spec": _spec_fields(self.spec), "region": self._region, "index": self.index,
                         "log_level": self._log_level, "setup": None if self._setup is None else asdict(self._setup)}  # fmt: skip
            self._process = subprocess.Popen(  # noqa: S603 - our own module, with the runner's environment
                [*_COMMAND, json.dumps(arguments)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=dict(os.environ),
            )
            assert self._process.stdout is not None
            ready = _read_line(self._process.stdout, within=_START_SECONDS)
            if ready.strip() != "ready":
                raise RuntimeError(f"{self.name} environment {self.index} did not start: {ready!r}")
        return self._process

    def _end(self, process: subprocess.Popen[str]) -> None:
        process.kill()
        process.wait()
        self._process = None


def _spec_fields(spec: FunctionSpec) -> dict[str, Any]:
    return {"logical_id": spec.logical_id, "handler": spec.handler, "timeout_seconds": spec.timeout_seconds}


def _read_line(stream: IO[str], *, within: float) -> str:
    """One line from a child's pipe, or TimeoutError after `within` seconds."""
    ready, _, _ = select.select([stream], [], [], within)
    if not ready:
        raise TimeoutError
    return stream.readline()


def _error(answer: dict[str, str] | None) -> BaseException | None:
    if answer is None:
        return None
    if answer["type"] == InvocationKilled.__name__:
        return InvocationKilled(answer["message"])
    return ChildEnvironmentError(f"{answer['type']}: {answer['message']}")


# --- the child's side ---


def _serve(arguments: dict[str, Any]) -> None:
    from cosell_local.runner.stderr_logs import log_to_stderr

    # The answers' channel is the stdout the runner reads; anything else printed goes to the stack's log.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    log_to_stderr(arguments["log_level"])
    _end_with_parent()
    setup = arguments["setup"]
    if setup is not None:
        module, _, function = setup["target"].partition(":")
        getattr(importlib.import_module(module), function)(arguments["index"], **setup["arguments"])
    environment = LambdaFunction(FunctionSpec(**arguments["spec"]), arguments["region"])
    answers.write("ready\n")
    answers.flush()
    for line in sys.stdin:
        invocation = environment.invoke(json.loads(line))
        calls, visibility_set = RECORDER.take()
        error = invocation.error
        answer = {
            "request_id": invocation.request_id,
            "response": invocation.response,
            "error": None if error is None else {"type": type(error).__name__, "message": str(error)},
            "duration_seconds": invocation.duration_seconds,
            "calls": [[call.function, call.action, call.resource] for call in calls],
            "visibility_set": sorted(visibility_set),
        }
        environment.invocations.clear()  # the runner keeps them
        try:
            answers.write(json.dumps(answer) + "\n")
            answers.flush()
        except BrokenPipeError:  # the runner is gone (killed): nobody to answer
            os._exit(1)


def _end_with_parent() -> None:
    """A child outlives a SIGKILLed runner only until it notices: it must not call a stack restarted on the
    same ports with an invocation of the stack that died."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m cosell_local.runner.child_environment")
    parser.add_argument("arguments", help="JSON: spec, region, index, log_level, setup")
    _serve(json.loads(parser.parse_args(argv).arguments))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
