"""Structured JSON logging with correlation ids, and redaction of secrets and personal data.

cosell's own lines go through `RedactingFormatter`, so a handler can log an event or a payload without first
deciding what in it is sensitive: values under sensitive keys are replaced, and e-mail addresses, phone
numbers, tokens and AWS credentials are masked wherever they appear in text.

Every other logger is redacted too, whatever its level: at DEBUG botocore writes whole request and response
bodies (contacts' e-mails and phones, STS's temporary credentials) and signed headers. A formatter or filter
would have to sit on every handler, and the Lambda runtime, a library or an operator can add one that has
neither; so redaction happens where every record is made, in the log record factory: its message is
formatted once, masked, and stored without its arguments, and its traceback and stack are masked the same
way. What a record carries as `extra` attributes is not seen there; cosell's formatter masks those in its own
lines, and the standard formatters do not print them.
"""

from __future__ import annotations

import logging
import re
import traceback
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
_CREDENTIAL_NAMES = (
    r"SecretAccessKey|SessionToken|AccessKeyId|aws_secret_access_key|aws_session_token|secret_key|"
    r"session_token|access_token|refresh_token|client_secret|X-Amz-Security-Token|X-Amz-Signature|"
    r"X-Amz-Credential|X-HubSpot-Signature(?:-v3)?"
)
_TEXT_PATTERNS = (
    # AWS credentials by name: XML elements (STS), JSON and Python reprs, headers and query strings.
    (re.compile(rf"<({_CREDENTIAL_NAMES})>[^<]*</\1>", re.IGNORECASE), rf"<\1>{REDACTED}</\1>"),
    (
        re.compile(
            rf"""(["']?(?:{_CREDENTIAL_NAMES})["']?\s*[:=]\s*)(b?["'])(?:\\.|(?!\2).)*\2""", re.IGNORECASE
        ),
        rf"\1\2{REDACTED}\2",
    ),
    (re.compile(rf"((?:{_CREDENTIAL_NAMES})=)[^&\s'\",]+", re.IGNORECASE), rf"\1{REDACTED}"),
    # Unquoted header lines, as botocore's CanonicalRequest writes them: `x-amz-security-token:<token>`.
    (re.compile(rf"(?<![\w-])((?:{_CREDENTIAL_NAMES}):)[^\s'\",]+", re.IGNORECASE), rf"\1{REDACTED}"),
    # A SigV4 Authorization value: the access key id, scope and signature after the algorithm.
    (re.compile(r"AWS4-HMAC-SHA256\s+[^'\"\n]+"), f"AWS4-HMAC-SHA256 {REDACTED}"),
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


_make_record = logging.getLogRecordFactory()


def _redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    if isinstance(record.msg, dict | list) and not record.args:
        record.msg = redact(record.msg)  # a structured message (Powertools logs dicts as JSON) stays one
    else:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (a logging call must never raise): mask what is there
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact_text(message), None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact_text("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)
    return record


def redact_every_logger() -> None:
    """Every record, from any logger at any level, is made redacted (idempotent)."""
    if logging.getLogRecordFactory() is not _redacted_record:
        logging.setLogRecordFactory(_redacted_record)


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: LogRecord) -> str:
        return super().serialize(redact(log))


def build_logger(**kwargs: Any) -> Logger:
    """The project logger: JSON, service `cosell`, redacting; level from POWERTOOLS_LOG_LEVEL."""
    redact_every_logger()
    logger = Logger(service=SERVICE_NAME, logger_formatter=RedactingFormatter(), **kwargs)
    # Records must leave only through the redacting handler, never raw through a root handler that some
    # library (or the Lambda runtime) installs.
    logging.getLogger(SERVICE_NAME).propagate = False
    return logger
