"""Signature Version 4 as API Gateway checks it on an `AWS_IAM` route, and signing a request for one.

API Gateway recomputes the signature from the request it received and compares; so does `refusal`, with
botocore's own SigV4 signer (the canonical request, the string to sign and the signing key are botocore's, so
a client botocore or the AWS CLI signs is checked by the same rules). What it checks, in this order
and with its messages (a 403 each):

- no `Authorization` header: `Missing Authentication Token`, as for an unknown route;
- an `Authorization` header that is not a complete SigV4 one (Credential, SignedHeaders, Signature and an
  `X-Amz-Date` header): which parts are missing;
- an access key the stack does not know: `The security token included in the request is invalid.`;
- a credential scoped to another date, region or service than the request's;
- `X-Amz-Date` more than `SIGNATURE_WINDOW` before or after now: `Signature expired: ...` or
  `Signature not yet current: ...`;
- a signature other than the one recomputed (constant-time comparison): `The request signature we calculated
  does not match the signature you provided. ...`.

Local stacks know one key pair, `testing` / `testing` (moto's documented credentials), in the stack's region.
Presigned URLs (the signature in the query string) and session tokens are not checked; IAM policies neither
(any known key may call any route, as moto does not enforce IAM).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

SERVICE = "execute-api"
ALGORITHM = "AWS4-HMAC-SHA256"
# How far X-Amz-Date may be from API Gateway's clock: AWS refuses a request that does not reach it within five
# minutes of its time stamp ("Signature expired: ... (... - 5 min.)").
SIGNATURE_WINDOW = timedelta(minutes=5)
_WINDOW_MINUTES = int(SIGNATURE_WINDOW.total_seconds() // 60)

UNSIGNED = "Missing Authentication Token"
UNKNOWN_KEY = "The security token included in the request is invalid."
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
_AUTH_PART = re.compile(r"\s*([A-Za-z]+)=([^,\s]*)\s*(?:,|$)")


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as it arrived: what its signature covers, byte for byte."""

    method: str
    host: str  # the Host header
    raw_path: str  # as sent, percent-encoding and stage included: /v1/solutions/S-1
    raw_query: str  # as sent, without the `?`
    headers: Sequence[tuple[str, str]]  # every header, in order, names as sent
    body: bytes

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


class _Recomputing(SigV4Auth):
    """botocore's signer, told which headers the client signed (botocore would pick its own set)."""

    def __init__(
        self, credentials: Credentials, region: str, signed: Sequence[str], request: ReceivedRequest
    ):
        super().__init__(credentials, SERVICE, region)
        self._signed = signed
        self._received = request

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        headers = HTTPHeaders()
        for name in self._signed:
            for value in self._received.header_values(name):
                headers.add_header(name, value)
        return headers


def _authorization_parts(value: str) -> tuple[str, dict[str, str]]:
    algorithm, _, rest = value.strip().partition(" ")
    return algorithm, dict(_AUTH_PART.findall(rest))


def access_key(request: ReceivedRequest) -> str:
    """The access key id a signed request names (its Credential)."""
    authorizations = request.header_values("Authorization")
    credential = _authorization_parts(authorizations[-1])[1].get("Credential", "") if authorizations else ""
    return credential.partition("/")[0]


def _canonical_query(raw_query: str) -> str:
    """API Gateway decodes the query and signs it re-encoded as SigV4 says (RFC 3986, space as %20); botocore
    then sorts the pairs."""
    pairs = []
    for pair in raw_query.split("&") if raw_query else ():
        key, _, value = pair.partition("=")
        pairs.append(f"{quote(unquote(key), safe='-_.~')}={quote(unquote(value), safe='-_.~')}")
    return "&".join(pairs)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(SIGV4_TIMESTAMP)


@dataclass(frozen=True)
class Refusal:
    """Why API Gateway answers 403: its message, and its `x-amzn-ErrorType`."""

    error_type: str
    message: str


def _unsigned() -> Refusal:
    return Refusal("MissingAuthenticationTokenException", UNSIGNED)


def _incomplete(message: str) -> Refusal:
    return Refusal("IncompleteSignatureException", message)


def _invalid(message: str) -> Refusal:
    return Refusal("InvalidSignatureException", message)


def refusal(
    request: ReceivedRequest, *, credentials: Mapping[str, str], region: str, now: datetime
) -> Refusal | None:
    """None when `request` carries a valid SigV4 signature of a key in `credentials` (access key → secret);
    otherwise why API Gateway refuses it."""
    authorizations = request.header_values("Authorization")
    if not authorizations:
        return _unsigned()
    algorithm, parts = _authorization_parts(authorizations[-1])
    dates = request.header_values("X-Amz-Date")
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not parts.get(name)
    ]
    if not dates:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        return _incomplete(" ".join(missing))
    if len(authorizations) > 1 or len(dates) > 1:
        return _incomplete("Authorization and X-Amz-Date must each be given once.")
    signed_names = [name.strip().lower() for name in parts["SignedHeaders"].split(";")]
    if "host" not in signed_names:
        # Otherwise a signature would hold for any host (API Gateway refuses it the same way).
        return _incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    if algorithm != ALGORITHM:
        return _incomplete(f"Unsupported Authorization Type: {algorithm}; sign with {ALGORITHM}.")
    access_key, _, scope = parts["Credential"].partition("/")
    if access_key not in credentials:
        return Refusal("UnrecognizedClientException", UNKNOWN_KEY)
    scope_date, scope_region, scope_service, terminator = ([*scope.split("/"), "", "", "", ""])[:4]
    timestamp = dates[-1].strip()
    try:
        signed_at = datetime.strptime(timestamp, SIGV4_TIMESTAMP).replace(tzinfo=UTC)
    except ValueError:
        return _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{timestamp}'.")
    if scope_date != timestamp[:8] or terminator != "aws4_request":
        return _incomplete("Credential should be scoped to the request's date and end with 'aws4_request'.")
    if scope_region != region:
        return _incomplete(f"Credential should be scoped to a valid region, not '{scope_region}'.")
    if scope_service != SERVICE:
        return _incomplete(f"Credential should be scoped to correct service: '{SERVICE}'.")
    if signed_at < now - SIGNATURE_WINDOW:
        return _invalid(
            f"Signature expired: {timestamp} is now earlier than {_stamp(now - SIGNATURE_WINDOW)} "
            f"({_stamp(now)} - {_WINDOW_MINUTES} min.)"
        )
    if signed_at > now + SIGNATURE_WINDOW:
        return _invalid(
            f"Signature not yet current: {timestamp} is still later than {_stamp(now + SIGNATURE_WINDOW)} "
            f"({_stamp(now)} + {_WINDOW_MINUTES} min.)"
        )
    expected = _signature(
        request, parts["SignedHeaders"].split(";"), timestamp, credentials[access_key], access_key, region
    )
    if not hmac.compare_digest(expected.encode(), parts["Signature"].encode()):
        return _invalid(MISMATCH)
    return None


def _signature(
    request: ReceivedRequest, signed: Sequence[str], timestamp: str, secret: str, access_key: str, region: str
) -> str:
    # http: botocore always hashes the payload over plain HTTP, as SigV4 clients of execute-api do anyway.
    query = _canonical_query(request.raw_query)
    unsigned = AWSRequest(
        method=request.method,
        url=f"http://{request.host}{request.raw_path}{'?' + query if query else ''}",
        data=request.body,
    )
    unsigned.context["timestamp"] = timestamp
    signer = _Recomputing(Credentials(access_key, secret), region, signed, request)
    canonical = signer.canonical_request(unsigned)
    return str(signer.signature(signer.string_to_sign(unsigned, canonical), unsigned))


def sign(
    method: str,
    url: str,
    *,
    region: str,
    access_key: str,
    secret_key: str,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    at: datetime | None = None,
) -> dict[str, str]:
    """The headers of `method url` signed for execute-api with botocore's SigV4Auth, at `at` (default now):
    send them with the request, unchanged, and the same method, URL (query percent-encoded) and body."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    request.headers["Host"] = urlsplit(url).netloc
    timestamp = _stamp(at or datetime.now(UTC))
    request.context["timestamp"] = timestamp
    request.headers["X-Amz-Date"] = timestamp
    signer = SigV4Auth(Credentials(access_key, secret_key), SERVICE, region)
    signature = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    signed = signer.signed_headers(signer.headers_to_sign(request))
    request.headers["Authorization"] = (
        f"{ALGORITHM} Credential={signer.scope(request)}, SignedHeaders={signed}, Signature={signature}"
    )
    return {name: str(value) for name, value in request.headers.items()}
