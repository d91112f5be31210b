"""API Gateway's REST proxy event and response, as the dicts they are.

The stack's two APIs (the webhook, the solutions API) declare each of their routes in template.yaml, so API
Gateway has matched the route before the function runs: the event's `resource` names it and
`pathParameters` holds its parameters. Powertools' REST resolver would match them again and loads every
Lambda event class and asyncio to do it (23 ms of each cold start, docs/BENCHMARKS.md).
"""

from __future__ import annotations

import json
from typing import Any


def json_response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def path_parameter(event: dict[str, Any], name: str) -> str:
    return str((event.get("pathParameters") or {})[name])
