"""HubSpot webhook request validation, signature v3.

Spec (developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation):
`X-HubSpot-Signature-v3` = Base64(HMAC-SHA256(key = app client secret,
                                          msg = method + URI + body + timestamp)),
where the timestamp is `X-HubSpot-Request-Timestamp` (epoch milliseconds) and the URI is the full URL HubSpot
called with only a fixed set of percent-escapes decoded. Requests older than five minutes are rejected.
The body is signed as received: re-serialising JSON would change it.

While a rotated client secret takes effect, two secrets may be valid (the new one, and the old one for an
overlap window: cosell.secrets); a request signed by either is accepted, and the caller learns which.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_AGE_MS = 5 * 60 * 1000
TIMESTAMP_DIGITS = 16  # epoch milliseconds have 13 digits until the year 2286

_DECODED_ESCAPES = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
_ESCAPE_PATTERN = re.compile("|".join(_DECODED_ESCAPES), re.IGNORECASE)


class SignatureError(Exception):
    """The request is not provably from HubSpot; the message says why (safe to return to the caller)."""


def normalise_uri(uri: str) -> str:
    return _ESCAPE_PATTERN.sub(lambda match: _DECODED_ESCAPES[match.group(0).upper()], uri)


def sign_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    message = method.upper().encode() + normalise_uri(uri).encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_v3(
    *,
    secrets: Sequence[str],
    method: str,
    uri: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now_ms: int,
) -> int:
    """The index in `secrets` of the one that signed the request; raise `SignatureError` unless the request
    carries a fresh, valid v3 signature by one of them."""
    if not signature:
        raise SignatureError("missing X-HubSpot-Signature-v3 header")
    # ASCII digits only ("²".isdigit() is true too), and no more than epoch milliseconds need: a longer run
    # of digits is no timestamp, and Python refuses to parse beyond 4,300 digits.
    if (
        not timestamp
        or not (timestamp.isascii() and timestamp.isdigit())
        or len(timestamp) > TIMESTAMP_DIGITS
    ):
        raise SignatureError("missing or malformed X-HubSpot-Request-Timestamp header")
    age_ms = now_ms - int(timestamp)
    if age_ms > MAX_AGE_MS:
        raise SignatureError("stale request: X-HubSpot-Request-Timestamp is older than 5 minutes")
    if age_ms < -MAX_AGE_MS:
        raise SignatureError("X-HubSpot-Request-Timestamp is in the future")
    for index, secret in enumerate(secrets):
        expected = sign_v3(secret, method, uri, body, timestamp)
        if hmac.compare_digest(expected.encode(), signature.encode()):
            return index
    raise SignatureError("signature does not match the request")
