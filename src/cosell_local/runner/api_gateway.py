"""API Gateway (REST API, Lambda proxy integration) on 127.0.0.1: requests become proxy events.

URLs are `http://127.0.0.1:PORT/{stage}{path}` as in the deployed `https://{api}.execute-api.../{stage}{path}`.
An unknown route or method answers 403 `Missing Authentication Token`, as API Gateway does.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from cosell_local.serving import BackgroundServer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cosell_local.runner.lambda_runtime import LambdaFunction

# Bodies with these content types reach the function as text; others base64-encoded (binaryMediaTypes unset
# means API Gateway passes text through; cosell's only route receives JSON).
_TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded", "application/xml")


# WSGI turns header names into HTTP_UPPER_CASE; API Gateway passes them as the client spelled them.
_RAW_HEADERS = "cosell.raw_headers"


class _RequestHandler(WSGIRequestHandler):
    def make_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().make_environ()
        environ[_RAW_HEADERS] = list(self.headers.items())
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def proxy_event(request: Request, stage: str, resource: str) -> dict[str, Any]:
    """The REST API proxy event of `request` (its path already stripped of the stage)."""
    raw = request.get_data()
    is_text = not raw or request.mimetype.startswith(_TEXT_TYPES)
    headers: dict[str, list[str]] = {}
    for name, value in request.environ.get(_RAW_HEADERS) or request.headers.items():
        headers.setdefault(name, []).append(value)
    query: dict[str, list[str]] = {key: request.args.getlist(key) for key in request.args}
    request_id = str(uuid.uuid4())
    now = time.time()
    return {
        "resource": resource,
        "path": resource,
        "httpMethod": request.method,
        "headers": {name: values[-1] for name, values in headers.items()},
        "multiValueHeaders": headers,
        "queryStringParameters": {key: values[-1] for key, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": request.method,
            "path": f"/{stage}{resource}",
            "stage": stage,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "identity": {"sourceIp": request.remote_addr, "userAgent": request.user_agent.string},
            "domainName": request.host,
            "apiId": "local",
        },
        "body": (raw.decode() if is_text else base64.b64encode(raw).decode()) if raw else None,
        "isBase64Encoded": not is_text,
    }


def _response(result: dict[str, Any]) -> Response:
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = Response(data, status=int(result.get("statusCode", 200)))
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(name, str(value))
    return response


def _error(status: int, message: str) -> Response:
    return Response(json.dumps({"message": message}), status=status, content_type="application/json")


class ApiGateway:
    """Serves every Api route of the template's functions on one port (all routes of one stage)."""

    def __init__(self, routes: Iterable[tuple[str, str, str, LambdaFunction]], port: int = 0) -> None:
        # (stage, path, METHOD) → function
        self._routes = {(stage, path, method): function for stage, path, method, function in routes}
        self._http = BackgroundServer(
            self._wsgi, name="api-gateway", port=port, request_handler=_RequestHandler
        )

    def start(self) -> str:
        return self._http.start()

    def stop(self) -> None:
        self._http.stop()

    @property
    def url(self) -> str:
        return self._http.url

    def route_url(self, stage: str, path: str) -> str:
        return f"{self.url}/{stage}{path}"

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        stage, _, rest = request.path.lstrip("/").partition("/")
        resource = f"/{rest}"
        function = self._routes.get((stage, resource, request.method))
        if function is None:
            response = _error(403, "Missing Authentication Token")
        else:
            invocation = function.invoke(proxy_event(request, stage, resource))
            if invocation.error is not None or not isinstance(invocation.response, dict):
                response = _error(502, "Internal server error")  # a failed proxy integration
            else:
                response = _response(invocation.response)
        result: Iterable[bytes] = response(environ, start_response)
        return result
