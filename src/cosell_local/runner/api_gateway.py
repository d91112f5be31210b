"""API Gateway (REST API, Lambda proxy integration) on 127.0.0.1: requests become proxy events.

URLs are `http://127.0.0.1:PORT/{stage}{path}` as in the deployed `https://{api}.execute-api.../{stage}{path}`;
every API of the template is served on the one port. Path parameters (`/solutions/{id}`) reach the function
as `pathParameters`. An unknown route or method answers 403 `Missing Authentication Token`, as API Gateway
does; a route with the `AWS_IAM` authorizer refuses, with 403 and API Gateway's message, a request without a
valid SigV4 signature of one of the stack's keys (cosell_local.runner.sigv4) before the function sees it.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from cosell_local.runner.lambda_runtime import ACCOUNT_ID, NotStartedError
from cosell_local.runner.sigv4 import ReceivedRequest, access_key, refusal
from cosell_local.serving import BackgroundServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from cosell_local.runner.lambda_runtime import LambdaFunction
    from cosell_local.runner.sigv4 import Refusal

# Bodies with these content types reach the function as text; others base64-encoded (binaryMediaTypes unset
# means API Gateway passes text through; cosell's routes receive JSON, or no body).
# API Gateway's integration timeout (REST APIs, its default and, for most accounts, its most): a function that
# has not answered by then gets the caller a 504. Locally a function also waits its turn (one invocation per
# function at a time): a request still waiting then is answered 504 and never handled, as a deployed one would
# have been answered long before, instead of being handled minutes later (a webhook then stale).
INTEGRATION_TIMEOUT_SECONDS = 29.0
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


def proxy_event(
    request: Request,
    stage: str,
    resource: str,
    path_parameters: Mapping[str, str] | None = None,
    identity: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The REST API proxy event of `request` on the route `resource` (the template's path, e.g.
    /solutions/{id}); `identity`: what API Gateway adds for a SigV4-authenticated caller."""
    raw = request.get_data()
    is_text = not raw or request.mimetype.startswith(_TEXT_TYPES)
    headers: dict[str, list[str]] = {}
    for name, value in _received_headers(request):
        headers.setdefault(name, []).append(value)
    query: dict[str, list[str]] = {key: request.args.getlist(key) for key in request.args}
    path = request.path.removeprefix(f"/{stage}") or "/"
    request_id = str(uuid.uuid4())
    now = time.time()
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": {name: values[-1] for name, values in headers.items()},
        "multiValueHeaders": headers,
        "queryStringParameters": {key: values[-1] for key, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": request.method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "identity": {
                "sourceIp": request.remote_addr,
                "userAgent": request.user_agent.string,
                **(identity or {}),
            },
            "domainName": request.host,
            "apiId": "local",
        },
        # A text body that is not UTF-8 reaches the function with its bad bytes replaced, as text.
        "body": (raw.decode(errors="replace") if is_text else base64.b64encode(raw).decode())
        if raw
        else None,
        "isBase64Encoded": not is_text,
    }


def _received_headers(request: Request) -> list[tuple[str, str]]:
    return list(request.environ.get(_RAW_HEADERS) or request.headers.items())


def received(request: Request) -> ReceivedRequest:
    """What a SigV4 signature of `request` covers, as it came off the wire."""
    raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    raw_path = raw_uri.partition("?")[0] if raw_uri else quote(request.path, safe="/~!$&'()*+,;=:@")
    return ReceivedRequest(
        method=request.method,
        host=request.headers.get("Host", ""),
        raw_path=raw_path,
        raw_query=request.environ.get("QUERY_STRING", ""),
        headers=_received_headers(request),
        body=request.get_data(),
    )


_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)(\+?)\}")


def _path_pattern(path: str) -> re.Pattern[str]:
    """/solutions/{id} → a pattern whose groups are the path parameters ({proxy+} spans segments)."""
    pattern, end = "", 0
    for match in _PARAMETER.finditer(path):
        pattern += re.escape(path[end : match.start()])
        pattern += f"(?P<{match.group(1)}>{'.+' if match.group(2) else '[^/]+'})"
        end = match.end()
    return re.compile(f"^{pattern}{re.escape(path[end:])}$")


@dataclass(frozen=True)
class Route:
    """One method on one resource of a stage, and the function behind it."""

    stage: str
    path: str  # the template's, e.g. /solutions/{id}
    method: str  # upper case, or ANY
    function: LambdaFunction
    authorizer: str | None = None  # AWS_IAM, or None for an open route
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", _path_pattern(self.path))

    def parameters(self, stage: str, path: str, method: str) -> dict[str, str] | None:
        """The path parameters when this route serves `method path` on `stage`, else None."""
        if stage != self.stage or self.method not in (method, "ANY"):
            return None
        match = self.pattern.match(path)
        return match.groupdict() if match else None


def _merged_headers(result: dict[str, Any]) -> dict[str, list[str]]:
    """`headers` and `multiValueHeaders` merged as API Gateway merges them: one list per name, a value given in
    both only once."""
    merged: dict[str, list[str]] = {}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        merged[name] = [str(value) for value in values]
    for name, value in (result.get("headers") or {}).items():
        if str(value) not in merged.setdefault(name, []):
            merged[name].append(str(value))
    return merged


def _response(result: dict[str, Any]) -> Response:
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = Response(data, status=int(result.get("statusCode", 200)))
    for name, values in _merged_headers(result).items():
        response.headers.remove(name)  # werkzeug's default Content-Type is not API Gateway's
        for value in values:
            response.headers.add(name, value)
    return response


def _error(status: int, message: str, error_type: str | None = None) -> Response:
    response = Response(json.dumps({"message": message}), status=status, content_type="application/json")
    if error_type is not None:
        response.headers["x-amzn-ErrorType"] = error_type
    return response


def _refused(why: Refusal) -> Response:
    return _error(403, why.message, why.error_type)


class ApiGateway:
    """Serves every Api route of the template's functions on one port (all stages, all APIs).

    `credentials` (access key → secret key) and `region` are what SigV4 signatures on `AWS_IAM` routes are
    checked against; `clock` is API Gateway's (UTC), for the signature's time window."""

    def __init__(
        self,
        routes: Iterable[Route],
        port: int = 0,
        *,
        region: str = "us-east-1",
        credentials: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        # Fixed paths before templated ones, as API Gateway prefers the more specific resource.
        self._routes = sorted(routes, key=lambda route: ("{" in route.path, route.path))
        seen: dict[tuple[str, str, str], Route] = {}
        for route in self._routes:
            key = (route.stage, route.path, route.method)
            if key in seen:
                raise ValueError(
                    f"{route.method} /{route.stage}{route.path} is served by both {seen[key].function.name} "
                    f"and {route.function.name}: on one local port two APIs may not share a stage and a path"
                )
            seen[key] = route
        self._region = region
        self._credentials = dict(credentials or {})
        self._clock = clock
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

    def stage_url(self, stage: str) -> str:
        return f"{self.url}/{stage}"

    def route_url(self, stage: str, path: str) -> str:
        return f"{self.stage_url(stage)}{path}"

    def _route(self, stage: str, path: str, method: str) -> tuple[Route, dict[str, str]] | None:
        for route in self._routes:
            parameters = route.parameters(stage, path, method)
            if parameters is not None:
                return route, parameters
        return None

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        stage, _, rest = request.path.lstrip("/").partition("/")
        found = self._route(stage, f"/{rest}", request.method)
        if found is None:
            response = _error(403, "Missing Authentication Token", "MissingAuthenticationTokenException")
        else:
            response = self._serve(request, *found)
        result: Iterable[bytes] = response(environ, start_response)
        return result

    def _serve(self, request: Request, route: Route, parameters: dict[str, str]) -> Response:
        received_at = time.monotonic()
        identity: dict[str, str] = {}
        if route.authorizer == "AWS_IAM":
            incoming = received(request)
            why = refusal(incoming, credentials=self._credentials, region=self._region, now=self._clock())
            if why is not None:
                return _refused(why)
            caller = access_key(incoming)
            identity = {
                "accessKey": caller,
                "accountId": ACCOUNT_ID,
                "caller": caller,
                "user": caller,
                "userArn": f"arn:aws:iam::{ACCOUNT_ID}:user/{caller}",
            }
        event = proxy_event(request, route.stage, route.path, parameters, identity)
        try:
            invocation = route.function.invoke(
                event, start_within=INTEGRATION_TIMEOUT_SECONDS - (time.monotonic() - received_at)
            )
        except NotStartedError:
            return _error(504, "Endpoint request timed out")
        if time.monotonic() - received_at > INTEGRATION_TIMEOUT_SECONDS:
            return _error(504, "Endpoint request timed out")  # the function ran; its caller had its answer
        if invocation.error is not None or not isinstance(invocation.response, dict):
            return _error(502, "Internal server error")  # a failed proxy integration
        return _response(invocation.response)
