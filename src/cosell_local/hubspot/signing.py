"""HubSpot's webhook signatures (v1 and v3), implemented here independently of cosell's verifier."""

from __future__ import annotations

import base64
import hashlib
import hmac

# HubSpot decodes exactly these escapes in the URI before computing a v3 signature.
_DECODED_ESCAPES = {
    "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
    "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}  # fmt: skip


def signing_uri(uri: str) -> str:
    for escape, character in _DECODED_ESCAPES.items():
        uri = uri.replace(escape, character).replace(escape.lower(), character)
    return uri


def v1_signature(client_secret: str, body: bytes) -> str:
    return hashlib.sha256(client_secret.encode() + body).hexdigest()


def v3_signature(client_secret: str, method: str, uri: str, body: bytes, timestamp_ms: int) -> str:
    message = method.encode() + signing_uri(uri).encode() + body + str(timestamp_ms).encode()
    digest = hmac.new(client_secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_headers(client_secret: str, uri: str, body: bytes, timestamp_ms: int) -> dict[str, str]:
    """The headers HubSpot puts on a webhook POST: v1 (legacy) and v3 signatures."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "HubSpot Connect 2.0 (http://dev.hubspot.com/)",
        "X-HubSpot-Signature": v1_signature(client_secret, body),
        "X-HubSpot-Signature-Version": "v1",
        "X-HubSpot-Signature-v3": v3_signature(client_secret, "POST", uri, body, timestamp_ms),
        "X-HubSpot-Request-Timestamp": str(timestamp_ms),
    }
