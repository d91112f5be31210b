"""What a handler receives and returns, and how routes declare their scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import validation_error
from .schema import object_type

if TYPE_CHECKING:
    from collections.abc import Callable

    from werkzeug.datastructures import MultiDict

    from .account import Account
    from .auth import AccessToken
    from .store import Actor

Reply = tuple[int, Any]


@dataclass
class ApiRequest:
    account: Account
    token: AccessToken
    actor: Actor
    params: dict[str, str]
    args: MultiDict[str, str]
    body: Any


@dataclass(frozen=True)
class Route:
    method: str
    rule: str  # werkzeug rule, e.g. "/crm/v3/objects/<objectType>/<objectId>"
    handler: Callable[[ApiRequest], Reply]
    scope: Callable[[dict[str, str]], str]
    is_search: bool = False


def body_object(request: ApiRequest) -> dict[str, Any]:
    if not isinstance(request.body, dict):
        raise validation_error("Invalid input JSON: expected an object")
    return request.body


def batch_inputs(request: ApiRequest, limit: int) -> list[dict[str, Any]]:
    """HubSpot rejects a batch over its input limit as a whole, before touching any record."""
    inputs = body_object(request).get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(item, dict) for item in inputs):
        raise validation_error("Invalid input JSON: `inputs` must be a list of objects")
    if len(inputs) > limit:
        raise validation_error(
            f"Too many inputs: {len(inputs)}. The maximum number of inputs is {limit}.",
            [{"message": f"size must be between 0 and {limit}", "in": "inputs", "code": "INVALID_SIZE"}],
        )
    return inputs


def int_arg(request: ApiRequest, name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise validation_error(f"Invalid value for query parameter `{name}`: {raw}") from None
    if value < 1:
        raise validation_error(f"`{name}` must be at least 1")
    return min(value, maximum)


def offset_arg(request: ApiRequest) -> int:
    """`after` cursors are offsets here; HubSpot's are opaque strings, so callers only echo them back."""
    after = request.args.get("after") or "0"
    if not after.isdigit():
        raise validation_error(f"Invalid `after` cursor: {after}")
    return int(after)


def csv_args(request: ApiRequest, name: str) -> list[str]:
    """HubSpot takes repeated parameters and comma-separated lists alike."""
    return [part for raw in request.args.getlist(name) for part in raw.split(",") if part]


def flag_arg(request: ApiRequest, name: str) -> bool:
    return request.args.get(name, "false").lower() == "true"


def batch_envelope(
    results: list[Any], errors: list[dict[str, Any]], started_at: str, completed_at: str
) -> Reply:
    """HubSpot's BatchResponse: 207 with `errors` when some inputs failed."""
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started_at,
        "completedAt": completed_at,
    }
    if errors:
        body["errors"] = errors
        body["numErrors"] = len(errors)
        return 207, body
    return 200, body


def standard_error(category: str, message: str, context: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    }


def object_scope(access: str) -> Callable[[dict[str, str]], str]:
    """`crm.objects.<type>.<access>` for the route's (source) object type."""

    def scope(params: dict[str, str]) -> str:
        segment = params.get("objectType") or params.get("fromObjectType") or ""
        return f"crm.objects.{object_type(segment).scope}.{access}"

    return scope
