"""HubSpot's error bodies: `{status, message, correlationId, category, errors[], ...}`."""

from __future__ import annotations

import json
import uuid
from typing import Any


class ApiError(Exception):
    """Raised by handlers; the server turns it into HubSpot's JSON error response."""

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        sub_category: str | None = None,
        context: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.errors = errors
        self.sub_category = sub_category
        self.context = context
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": new_correlation_id(),
        }
        if self.category:
            body["category"] = self.category
        if self.sub_category:
            body["subCategory"] = self.sub_category
        if self.errors is not None:
            body["errors"] = self.errors
        if self.context is not None:
            body["context"] = self.context
        body.update(self.extra)
        return body


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def not_found(message: str = "resource not found") -> ApiError:
    return ApiError(404, "OBJECT_NOT_FOUND", message)


def validation_error(message: str, errors: list[dict[str, Any]] | None = None) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message, errors=errors or [])


def property_values_invalid(problems: list[dict[str, Any]]) -> ApiError:
    """What HubSpot answers when a create/update carries bad property values."""
    details = [
        {
            "message": problem["message"],
            "code": problem["error"],
            "context": {"propertyName": [problem["name"]]},
        }
        for problem in problems
    ]
    enriched = [
        {"isValid": False, **problem, "localizedErrorMessage": problem["message"]} for problem in problems
    ]
    return validation_error(f"Property values were not valid: {json.dumps(enriched)}", details)
