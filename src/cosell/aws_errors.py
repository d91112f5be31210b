"""What an AWS service answered, read off botocore's `ClientError` in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.exceptions import ClientError


# Partner Central's answers that say "not now", not "no": the message is retried by the queue (and parked in the
# DLQ after its retries); any other refusal is shown on the deal.
TRANSIENT = frozenset({"ThrottlingException", "InternalServerException", "ServiceQuotaExceededException"})


def error_code(error: ClientError) -> str | None:
    """The service's error code (`ValidationException`, `ConditionalCheckFailedException`, …), if it gave one."""
    return error.response.get("Error", {}).get("Code")


def error_message(error: ClientError, default: str = "no reason given") -> str:
    """The service's own words for the error."""
    return error.response.get("Error", {}).get("Message") or default
