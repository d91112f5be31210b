"""AWS JSON 1.0 on the wire, as boto3 speaks it: POST /, `X-Amz-Target: <prefix>.<Operation>`, a JSON object
body, a SigV4 `Authorization` header (present, not verified); errors carry `__type` and the error shape's members."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from cosell_local.partner_central.errors import ApiError
from cosell_local.partner_central.model import target_prefix

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

CONTENT_TYPE = "application/x-amz-json-1.0"


def parse(request: Request) -> tuple[str, dict[str, Any]]:
    """The operation name and request object, or the protocol error AWS would answer."""
    authorization = request.headers.get("Authorization", "")
    if not authorization:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token", status=403)
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        raise ApiError(
            "IncompleteSignatureException",
            "Authorization header requires a AWS4-HMAC-SHA256 signature",
            status=403,
        )
    prefix, _, operation = request.headers.get("X-Amz-Target", "").partition(".")
    if prefix != target_prefix() or not operation:
        raise ApiError("UnknownOperationException", "Missing or unknown X-Amz-Target", status=400)
    if request.mimetype != CONTENT_TYPE:
        raise ApiError("SerializationException", f"Content-Type must be {CONTENT_TYPE}", status=400)
    raw = request.get_data()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        raise ApiError("SerializationException", "The request body is not valid JSON", status=400) from None
    if not isinstance(body, dict):
        raise ApiError("SerializationException", "The request body must be a JSON object", status=400)
    return operation, body


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def success(body: dict[str, Any]) -> Response:
    return Response(
        json.dumps(_without_nulls(body)),
        status=200,
        headers={"x-amzn-RequestId": str(uuid.uuid4())},
        content_type=CONTENT_TYPE,
    )


def failure(error: ApiError) -> Response:
    return Response(
        json.dumps(error.body()),
        status=error.http_status,
        headers={"x-amzn-RequestId": str(uuid.uuid4()), "x-amzn-ErrorType": error.code},
        content_type=CONTENT_TYPE,
    )
