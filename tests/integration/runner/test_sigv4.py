"""The local API Gateway on an AWS_IAM route: only a request with a valid SigV4 signature of the stack's keys
reaches the function, and every refusal is API Gateway's 403 with its message.

Requests are signed as clients sign them: botocore's SigV4Auth (`add_auth`, or the runner's `sign`, which
uses the same signer at a chosen time), sent over real HTTP.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cosell_local.runner.api_gateway import ApiGateway, Route
from cosell_local.runner.lambda_runtime import LambdaFunction
from cosell_local.runner.sigv4 import MISMATCH, SIGNATURE_WINDOW, sign
from cosell_local.runner.template import FunctionSpec
from tests.integration.runner import scripted_handler

if TYPE_CHECKING:
    from collections.abc import Iterator

REGION = "us-east-1"
KEY, SECRET = "testing", "testing"
HTTP = urllib3.PoolManager()


def _echo(event: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}


@pytest.fixture(scope="module")
def gateway() -> Iterator[ApiGateway]:
    function = LambdaFunction(
        FunctionSpec(
            "ScriptedFunction", "tests.integration.runner.scripted_handler.handler", timeout_seconds=5
        ),
        REGION,
    )
    api = ApiGateway(
        [
            Route("v1", "/things/{id}", "GET", function, "AWS_IAM"),
            Route("v1", "/things", "POST", function, "AWS_IAM"),
            Route("v1", "/open", "POST", function),
        ],
        region=REGION,
        credentials={KEY: SECRET},
    )
    api.start()
    yield api
    api.stop()


@pytest.fixture(autouse=True)
def echoing() -> None:
    scripted_handler.events.clear()
    scripted_handler.answer = _echo


def _signed(method: str, url: str, body: bytes = b"", **options: Any) -> dict[str, str]:
    return sign(method, url, region=REGION, access_key=KEY, secret_key=SECRET, body=body, **options)


def _refused(response: urllib3.BaseHTTPResponse) -> str:
    assert response.status == 403
    assert scripted_handler.events == []  # the function never saw it
    message: str = json.loads(response.data)["message"]
    return message


def test_an_unsigned_request_is_refused_as_api_gateway_refuses_it(gateway: ApiGateway) -> None:
    response = HTTP.request("GET", gateway.route_url("v1", "/things/S-1"))
    assert _refused(response) == "Missing Authentication Token"
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_a_request_botocore_signed_reaches_the_function_with_its_path_parameters_and_caller(
    gateway: ApiGateway,
) -> None:
    url = gateway.route_url("v1", "/things/S-1?q=data%20platform&b=%2B1&a=")
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(KEY, SECRET), "execute-api", REGION).add_auth(request)  # as any AWS client signs
    response = HTTP.request("GET", url, headers=dict(request.headers.items()))
    assert response.status == 200, response.data
    (event,) = scripted_handler.events
    assert event["resource"] == "/things/{id}"
    assert event["path"] == "/things/S-1"
    assert event["pathParameters"] == {"id": "S-1"}
    assert event["queryStringParameters"] == {"q": "data platform", "b": "+1", "a": ""}
    assert event["requestContext"]["identity"]["accessKey"] == KEY


def test_a_signed_body_is_checked_too(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things")
    body = b'{"name": "Zo\xc3\xab"}'
    headers = _signed("POST", url, body, headers={"Content-Type": "application/json"})
    assert HTTP.request("POST", url, body=body, headers=headers).status == 200
    scripted_handler.events.clear()
    tampered = HTTP.request("POST", url, body=b'{"name": "Mallory"}', headers=headers)
    assert _refused(tampered) == MISMATCH


def test_a_signature_made_with_the_wrong_secret_is_refused(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things/S-1")
    headers = sign("GET", url, region=REGION, access_key=KEY, secret_key="not-the-secret")
    message = _refused(HTTP.request("GET", url, headers=headers))
    assert message.startswith(
        "The request signature we calculated does not match the signature you provided."
    )


def test_a_request_changed_after_signing_is_refused(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things/S-1?limit=5")
    headers = _signed("GET", url)
    assert _refused(HTTP.request("GET", url.replace("limit=5", "limit=50"), headers=headers)) == MISMATCH
    assert _refused(HTTP.request("GET", url.replace("S-1", "S-2"), headers=headers)) == MISMATCH


def test_an_expired_signature_is_refused(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things/S-1")
    signed_at = datetime.now(UTC) - SIGNATURE_WINDOW - timedelta(minutes=1)
    response = HTTP.request("GET", url, headers=_signed("GET", url, at=signed_at))
    message = _refused(response)
    assert message.startswith(f"Signature expired: {signed_at:%Y%m%dT%H%M%SZ} is now earlier than ")
    assert message.endswith(" - 5 min.)")
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"


def test_a_signature_from_the_future_is_refused(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things/S-1")
    signed_at = datetime.now(UTC) + SIGNATURE_WINDOW + timedelta(minutes=1)
    message = _refused(HTTP.request("GET", url, headers=_signed("GET", url, at=signed_at)))
    assert message.startswith("Signature not yet current: ")


def test_a_clock_a_little_off_is_within_the_window(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things/S-1")
    for skew in (-SIGNATURE_WINDOW + timedelta(seconds=30), SIGNATURE_WINDOW - timedelta(seconds=30)):
        headers = _signed("GET", url, at=datetime.now(UTC) + skew)
        assert HTTP.request("GET", url, headers=headers).status == 200


def test_an_unknown_access_key_is_refused(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things/S-1")
    headers = sign("GET", url, region=REGION, access_key="AKIDSTRANGER", secret_key=SECRET)
    assert _refused(HTTP.request("GET", url, headers=headers)) == (
        "The security token included in the request is invalid."
    )


def test_a_signature_for_another_region_or_service_is_refused(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things/S-1")
    elsewhere = sign("GET", url, region="eu-west-1", access_key=KEY, secret_key=SECRET)
    assert "region" in _refused(HTTP.request("GET", url, headers=elsewhere))
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(KEY, SECRET), "lambda", REGION).add_auth(request)
    assert "execute-api" in _refused(HTTP.request("GET", url, headers=dict(request.headers.items())))


def test_a_bearer_token_is_not_a_signature(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things/S-1")
    message = _refused(HTTP.request("GET", url, headers={"Authorization": "Bearer eyJhbGciOi"}))
    assert "Authorization header requires 'Credential' parameter." in message
    assert "'X-Amz-Date'" in message


def test_an_open_route_needs_no_signature(gateway: ApiGateway) -> None:
    response = HTTP.request("POST", gateway.route_url("v1", "/open"), body=b"[]")
    assert response.status == 200
    (event,) = scripted_handler.events
    assert event["pathParameters"] is None
    assert "accessKey" not in event["requestContext"]["identity"]


def test_an_unknown_route_is_refused_before_any_signature_check(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things/S-1/more")
    assert _refused(HTTP.request("GET", url, headers=_signed("GET", url))) == "Missing Authentication Token"


def test_a_signature_that_does_not_cover_the_host_is_refused(gateway: ApiGateway) -> None:
    url = gateway.route_url("v1", "/things/S-1")
    headers = _signed("GET", url)
    credential, _, rest = headers["Authorization"].partition(", SignedHeaders=")
    signed, _, signature = rest.partition(", ")
    without_host = ";".join(name for name in signed.split(";") if name != "host")
    headers["Authorization"] = f"{credential}, SignedHeaders={without_host}, {signature}"
    assert "'Host' or ':authority' must be a 'SignedHeader'" in _refused(
        HTTP.request("GET", url, headers=headers)
    )
