"""The local Lambda runtime reports a function error as Lambda does: at ERROR, with its traceback."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

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
