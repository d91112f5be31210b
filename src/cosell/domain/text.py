"""Values as both systems should hold them, whichever way they travel: text without control characters, web
addresses that are http(s) hosts, e-mails Partner Central accepts. Pure."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any
from urllib.parse import urlsplit

EMAIL_MAX = 80
# Partner Central's own e-mail pattern (botocore model: Email), on the lower-cased address.
_EMAIL = re.compile(
    r"(?=.{0,80}$)[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")  # a scheme, not a host:port
_HTTP = re.compile(r"(?i)https?://")
_HOST = re.compile(r"(?i)(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")
# C0 and C1 control characters but the line breaks and tabs a description may hold: invisible in HubSpot,
# and nothing Partner Central should store.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_control_characters(value: Any) -> Any:
    """`value` (a deal view, an API answer, or any of their parts) with control characters taken out of every
    string in it."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, tuple | list):
        return type(value)(without_control_characters(item) for item in value)
    if isinstance(value, dict):
        return {key: without_control_characters(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return replace(
            value, **{f.name: without_control_characters(getattr(value, f.name)) for f in fields(value)}
        )
    return value


def web_address(text: str | None) -> str | None:
    """`text` as a web address (http or https, a host name with a dot), `https://` added when it has no
    scheme; None when it is none: `javascript:...` or `mailto:...`, a bare word, a space inside."""
    text = (text or "").strip()
    if not text or (_SCHEME.match(text) and not _HTTP.match(text)):
        return None
    url = text if _HTTP.match(text) else f"https://{text}"
    try:
        host = urlsplit(url).hostname
    except ValueError:  # e.g. an unbalanced [ in the host
        return None
    if host and _HOST.fullmatch(host) and not any(c.isspace() for c in url) and 4 <= len(url) <= 255:
        return url
    return None


def email_address(text: str | None) -> str | None:
    """`text` as an e-mail address Partner Central accepts (lower case), or None."""
    email = (text or "").strip().lower()
    return email if _EMAIL.fullmatch(email) else None
