"""Structured JSON logging with correlation ids, and redaction of secrets and personal data.

Every log line goes through `RedactingFormatter`, so a handler can log an event or a payload without first
deciding what in it is sensitive: values under sensitive keys are replaced, and e-mail addresses, phone
numbers and bearer/HubSpot tokens are masked wherever they appear in text.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

if TYPE_CHECKING:
    from aws_lambda_powertools.logging.types import LogRecord

SERVICE_NAME = "cosell"
REDACTED = "[REDACTED]"

# A key is secret or personal when its lower-cased name contains one of these.
_SENSITIVE_KEY_PARTS = (
    "token",
    "secret",
    "password",
    "authorization",
    "signature",
    "cookie",
    "credential",
    "api_key",
    "apikey",
    "email",
    "phone",
)
_TEXT_PATTERNS = (
    # HubSpot private-app and OAuth tokens (pat-na1-…, pat-eu1-…), and any bearer credential.
    (re.compile(r"\bpat-[a-z]{2,4}\d?-[A-Za-z0-9-]{8,}"), REDACTED),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), f"Bearer {REDACTED}"),
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[EMAIL]"),
    # Phone numbers as people write them: a leading + or separators between digit groups. Bare digit runs
    # are left alone, because HubSpot and Partner Central ids are bare digit runs.
    (re.compile(r"\+\d[\d ().-]{6,}\d"), "[PHONE]"),
    (re.compile(r"\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b"), "[PHONE]"),
)


def redact_text(text: str) -> str:
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _is_sensitive_key(key: object) -> bool:
    name = str(key).lower()
    return any(part in name for part in _SENSITIVE_KEY_PARTS)


def redact(value: Any) -> Any:
    """A copy of `value` with secrets and personal data masked; structure and other values kept."""
    if isinstance(value, dict):
        return {key: REDACTED if _is_sensitive_key(key) else redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: LogRecord) -> str:
        return super().serialize(redact(log))


def build_logger(**kwargs: Any) -> Logger:
    """The project logger: JSON, service `cosell`, redacting; level from POWERTOOLS_LOG_LEVEL."""
    logger = Logger(service=SERVICE_NAME, logger_formatter=RedactingFormatter(), **kwargs)
    # Records must leave only through the redacting handler, never raw through a root handler that some
    # library (or the Lambda runtime) installs.
    logging.getLogger(SERVICE_NAME).propagate = False
    return logger
