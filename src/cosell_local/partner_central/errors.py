"""Errors as AWS returns them: an error shape name (`__type`), a message and the shape's modelled members."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cosell_local.partner_central.model import error_http_status

REQUEST_VALIDATION_FAILED = "REQUEST_VALIDATION_FAILED"
BUSINESS_VALIDATION_FAILED = "BUSINESS_VALIDATION_FAILED"


@dataclass(frozen=True)
class FieldError:
    field_name: str
    message: str
    code: str

    def as_json(self) -> dict[str, str]:
        return {"FieldName": self.field_name, "Message": self.message, "Code": self.code}


@dataclass
class ApiError(Exception):
    code: str
    message: str
    members: dict[str, Any] = field(default_factory=dict)
    status: int | None = None

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.message}")

    @property
    def http_status(self) -> int:
        return self.status if self.status is not None else error_http_status(self.code)

    def body(self) -> dict[str, Any]:
        return {"__type": self.code, "Message": self.message, **self.members}


def describe(errors: list[FieldError]) -> str:
    """Every error by field name, as ValidationException messages and FAILED tasks say them."""
    summary = "; ".join(f"{e.field_name}: {e.message}" for e in errors)
    return f"{len(errors)} validation error(s) detected: {summary}"


def validation_error(reason: str, errors: list[FieldError]) -> ApiError:
    return ApiError(
        "ValidationException",
        describe(errors),
        {"Reason": reason, "ErrorList": [e.as_json() for e in errors]},
    )


def business_error(field_name: str, message: str, code: str = "INVALID_VALUE") -> ApiError:
    return validation_error(BUSINESS_VALIDATION_FAILED, [FieldError(field_name, message, code)])


def not_found(kind: str, identifier: str, catalog: str) -> ApiError:
    return ApiError("ResourceNotFoundException", f"{kind} {identifier} was not found in catalog {catalog}")


def conflict(message: str) -> ApiError:
    return ApiError("ConflictException", message)


def not_implemented(what: str) -> ApiError:
    """HTTP 501, which botocore does not retry: the emulator does not answer `what` (docs/EMULATORS.md)."""
    return ApiError(
        "NotImplemented",
        f"{what} is not implemented by the cosell Partner Central emulator (see docs/EMULATORS.md)",
        status=501,
    )
