"""No token, secret, credential, e-mail or phone reaches a log line: any logger, any level, any way of
passing it (cosell.observability redacts where every record is made)."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cosell.observability import redact_every_logger

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

LOGGERS = (
    "botocore.endpoint",
    "botocore.parsers",
    "urllib3.connectionpool",
    "boto3",
    "a.brand.new.logger",
    "",
)
LEVELS = (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL)

alphanumeric = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=12)
secret_keys = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", min_size=40, max_size=40
)
emails = st.from_regex(r"[a-z][a-z0-9._]{2,20}@[a-z][a-z0-9-]{2,20}\.(com|de|co\.uk|example)", fullmatch=True)
phones = st.one_of(
    st.from_regex(r"\+1[2-9]\d{9}", fullmatch=True),
    st.from_regex(r"\([2-9]\d{2}\) [2-9]\d{2}-\d{4}", fullmatch=True),
    st.from_regex(r"\+44 20 \d{4} \d{4}", fullmatch=True),
)
hubspot_tokens = st.builds(lambda tail: f"pat-na1-{tail}", alphanumeric)

# How sensitive values reach logs in practice, each a template around the value.
SHAPES: tuple[Callable[[str], tuple[str, tuple[object, ...]]], ...] = (
    lambda v: (
        "Response body:\n%s",
        (f"<AssumeRoleResult><Credentials><SecretAccessKey>{v}</SecretAccessKey>".encode(),),
    ),
    lambda v: ("Response body:\n%s", (f"<SessionToken>{v}</SessionToken>".encode(),)),
    lambda v: (
        "Request headers: %s",
        (
            {
                "Authorization": f"AWS4-HMAC-SHA256 Credential={v}/20261202/us-east-1/sts/aws4_request, SignedHeaders=host, Signature={v}"
            },
        ),
    ),
    lambda v: ("Request headers: %r", ({"X-Amz-Security-Token": v},)),
    lambda v: ("CanonicalRequest:\nPOST\n/\n\nhost:example\nx-amz-security-token:%s\n", (v,)),
    lambda v: ("GET /object?X-Amz-Signature=%s&X-Amz-Credential=%s", (v, v)),
    lambda v: ("credentials %s", ({"aws_secret_access_key": v, "aws_session_token": v},)),
    lambda v: ('{"SecretAccessKey": "%s"}', (v,)),
    lambda v: (f"header authorization: Bearer {v}", ()),
)
PERSONAL_SHAPES: tuple[Callable[[str], tuple[str, tuple[object, ...]]], ...] = (
    lambda v: (
        "Response body:\n%s",
        (f'{{"Customer": {{"Contacts": [{{"Email": "{v}", "Phone": "{v}"}}]}}}}'.encode(),),
    ),
    lambda v: ("Making request with params: %s", ({"body": {"Customer": {"Contacts": [{"Phone": v}]}}},)),
    lambda v: (f"contact {v} updated", ()),
    lambda v: ("%s", (v,)),
)


class Captured:
    def __init__(self) -> None:
        self.stream = io.StringIO()
        # Attached where the Lambda runtime attaches its own: the root logger, a plain formatter.
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def clear(self) -> None:
        self.stream.seek(0)
        self.stream.truncate()

    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def captured() -> Iterator[Captured]:
    redact_every_logger()
    capture = Captured()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(capture.handler)
    root.setLevel(logging.DEBUG)
    yield capture
    root.removeHandler(capture.handler)
    root.setLevel(previous)


def _emit(
    logger_name: str, level: int, message: str, arguments: tuple[object, ...], as_exception: bool
) -> None:
    logger = logging.getLogger(logger_name)
    if as_exception:
        try:
            raise RuntimeError(message % arguments if arguments else message)
        except RuntimeError:
            logger.log(level, "call failed", exc_info=True, stack_info=True)
    else:
        logger.log(level, message, *arguments)


sensitive_lines = st.one_of(
    st.tuples(st.one_of(secret_keys, alphanumeric, hubspot_tokens), st.sampled_from(SHAPES)),
    st.tuples(st.one_of(emails, phones), st.sampled_from(PERSONAL_SHAPES)),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    line=sensitive_lines,
    logger_name=st.sampled_from(LOGGERS),
    level=st.sampled_from(LEVELS),
    as_exception=st.booleans(),
)
def test_no_credential_email_or_phone_reaches_a_log_line(
    captured: Captured,
    line: tuple[str, Callable[[str], tuple[str, tuple[object, ...]]]],
    logger_name: str,
    level: int,
    as_exception: bool,
) -> None:
    captured.clear()  # one example at a time
    value, shape = line
    message, arguments = shape(value)
    _emit(logger_name, level, message, arguments, as_exception)
    assert captured.text()  # the line was written...
    assert value not in captured.text()  # ...without the value


def test_a_call_whose_arguments_do_not_fit_its_format_still_logs_masked(captured: Captured) -> None:
    logging.getLogger("a.library").debug("%(missing)s for %s", {"other": "jane@example.com"})
    assert "[EMAIL]" in captured.text()
    assert "jane@example.com" not in captured.text()


def test_ids_stay_readable(captured: Captured) -> None:
    logging.getLogger("botocore.parsers").debug(
        "Response body:\n%s", b'{"Id": "O1234567890", "dealId": "18273645501", "Catalog": "Sandbox"}'
    )
    assert "O1234567890" in captured.text()
    assert "18273645501" in captured.text()


def test_a_structured_message_stays_structured() -> None:
    redact_every_logger()
    record = logging.getLogRecordFactory()(
        "x", logging.INFO, __file__, 1, {"Email": "a@b.com", "id": 7}, None, None
    )
    assert record.msg == {"Email": "[REDACTED]", "id": 7}
