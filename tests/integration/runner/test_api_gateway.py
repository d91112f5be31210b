"""Requests become API Gateway REST proxy events: query strings, repeated headers, text and binary bodies; a
function that cannot answer within the integration timeout gets its caller a 504."""

from __future__ import annotations

import base64
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import urllib3
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from cosell_local.runner import api_gateway
from cosell_local.runner.api_gateway import ApiGateway, Route, proxy_event
from cosell_local.runner.lambda_runtime import LambdaFunction
from cosell_local.runner.template import FunctionSpec
from tests.integration.runner import scripted_handler

if TYPE_CHECKING:
    import pytest


def _event(**request: Any) -> dict[str, Any]:
    environ = EnvironBuilder(path="/v1/hubspot/webhook", method="POST", **request).get_environ()
    return proxy_event(Request(environ), "v1", "/hubspot/webhook")


def test_query_strings_keep_every_value_and_the_last_is_the_single_value() -> None:
    event = _event(query_string="a=1&a=2&b=x")
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x"]}
    assert event["queryStringParameters"] == {"a": "2", "b": "x"}


def test_without_a_query_or_body_those_members_are_null() -> None:
    event = _event()
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["body"] is None


def test_a_text_body_arrives_byte_for_byte() -> None:
    raw = '[ {"name": "Zoë",  "x": 1} ]\n'
    event = _event(data=raw.encode(), content_type="application/json; charset=utf-8")
    assert event["body"] == raw
    assert event["isBase64Encoded"] is False


def test_a_binary_body_arrives_base64_encoded() -> None:
    raw = bytes(range(256))
    event = _event(data=raw, content_type="application/octet-stream")
    assert event["isBase64Encoded"] is True
    assert isinstance(event["body"], str)
    assert base64.b64decode(event["body"]) == raw


def test_the_request_context_carries_the_stage_prefixed_path() -> None:
    context = _event()["requestContext"]
    assert isinstance(context, dict)
    assert context["path"] == "/v1/hubspot/webhook"
    assert context["stage"] == "v1"
    assert context["resourcePath"] == "/hubspot/webhook"
    assert context["httpMethod"] == "POST"
    assert context["requestId"]


def test_a_request_the_function_cannot_take_in_time_is_answered_504_and_never_handled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As API Gateway's integration timeout: a request waiting behind a busy function (this runner runs one
    invocation per function at a time) is not handled long after its caller gave up."""
    monkeypatch.setattr(api_gateway, "INTEGRATION_TIMEOUT_SECONDS", 0.5)
    release = threading.Event()

    def slow(event: dict[str, Any]) -> dict[str, Any]:
        release.wait(timeout=10)
        return {"statusCode": 200, "body": "done"}

    scripted_handler.answer = slow
    scripted_handler.events.clear()
    function = LambdaFunction(
        FunctionSpec(
            "ScriptedFunction", "tests.integration.runner.scripted_handler.handler", timeout_seconds=5
        ),
        "us-east-1",
    )
    gateway = ApiGateway([Route("v1", "/hook", "POST", function)])
    url = gateway.start()
    try:
        with ThreadPoolExecutor(2) as pool:
            text = {"Content-Type": "text/plain"}
            first = pool.submit(urllib3.request, "POST", f"{url}/v1/hook", body=b"first", headers=text)
            time.sleep(0.1)  # the first holds the function
            second = pool.submit(urllib3.request, "POST", f"{url}/v1/hook", body=b"second", headers=text)
            assert second.result(timeout=10).status == 504
            release.set()
            assert first.result(timeout=10).status == 504  # it ran, but past the timeout
    finally:
        gateway.stop()
    assert [event["body"] for event in scripted_handler.events] == ["first"]
    assert json.loads(second.result().data) == {"message": "Endpoint request timed out"}
