"""Requests become API Gateway REST proxy events: query strings, repeated headers, text and binary bodies."""

from __future__ import annotations

import base64
from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from cosell_local.runner.api_gateway import proxy_event


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
