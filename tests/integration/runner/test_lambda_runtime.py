"""The local Lambda runtime reports a function error as Lambda does (at ERROR, with its traceback), and runs
each invocation with its own logging keys."""

from __future__ import annotations

import io
import json
import logging
import threading
from typing import TYPE_CHECKING, Any

from cosell.handlers.runtime import logger
from cosell_local.runner.lambda_runtime import LambdaFunction
from cosell_local.runner.template import FunctionSpec
from tests.integration.runner import scripted_handler

if TYPE_CHECKING:
    import pytest


def _fails(event: dict[str, Any]) -> Any:
    raise KeyError("the thing it looked for")


def test_a_function_error_is_logged_at_error_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    scripted_handler.answer = _fails
    function = LambdaFunction(
        FunctionSpec(
            "ScriptedFunction", "tests.integration.runner.scripted_handler.handler", timeout_seconds=5
        ),
        "us-east-1",
    )
    with caplog.at_level(logging.INFO, logger="cosell_local.runner.lambda_runtime"):
        invocation = function.invoke({})
    assert not invocation.succeeded
    assert isinstance(invocation.error, KeyError)
    (record,) = [r for r in caplog.records if "raised" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "ScriptedFunction raised KeyError: 'the thing it looked for'"
    assert record.exc_info is not None
    assert "_fails" in caplog.text  # the traceback names where it came from


both_ready = threading.Barrier(2)


@logger.inject_lambda_context
def logging_handler(event: dict[str, Any], context: Any) -> None:
    logger.set_correlation_id(event["correlation_id"])
    both_ready.wait(timeout=10)  # both invocations have set their keys before either logs
    logger.info("working")
    both_ready.wait(timeout=10)


def test_functions_running_at_once_log_each_with_its_own_name_and_correlation_id() -> None:
    """Locally all functions share one process and one Powertools formatter; each invocation still logs
    with its own keys, as in its own execution environment."""
    functions = [
        LambdaFunction(FunctionSpec(name, f"{__name__}.logging_handler", timeout_seconds=5), "us-east-1")
        for name in ("FirstFunction", "SecondFunction")
    ]
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    stream = handler.setStream(written)
    try:
        threads = [
            threading.Thread(target=function.invoke, args=({"correlation_id": f"c-{function.name}"},))
            for function in functions
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
    finally:
        handler.setStream(stream)
    lines = [json.loads(line) for line in written.getvalue().splitlines() if '"working"' in line]
    assert sorted((line["function_name"], line["correlation_id"]) for line in lines) == [
        ("FirstFunction", "c-FirstFunction"),
        ("SecondFunction", "c-SecondFunction"),
    ]
    assert all(function.invocations[-1].succeeded for function in functions)
