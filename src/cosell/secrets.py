"""Secrets fetched at run time from SSM Parameter Store or Secrets Manager, cached between invocations.

The cache lives as long as the Lambda execution environment and expires after `CACHE_SECONDS`, so a rotated
token is picked up within that time without a redeploy (docs/OPERATIONS.md, "Rotating secrets").

The webhook's signing secret rotates without refusing HubSpot: the version a rotation replaced (Secrets
Manager's AWSPREVIOUS, or the parameter's previous version) stays accepted for an overlap window after the new
one was stored, then is refused; and a signature that matches no cached secret re-reads them, at most once a
minute, so a new secret is used at once rather than when the cache expires.

A reference ending in `#key` names a member of a JSON secret: the stack keeps both HubSpot values in one
secret (one secret's monthly fee instead of two). A version that left the webhook's member as it was (the
token was rotated) replaced nothing the webhook checks: it opens no overlap window.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell import aws_clients

if TYPE_CHECKING:
    from datetime import datetime

    from cosell.config import WebhookSecretSettings
    from cosell.config.sync import Settings

CACHE_SECONDS = 300
# How soon a signature that matched no secret may re-read them: bounds what forged requests can cost.
REREAD_SECONDS = 60

_signing_secrets: dict[str, _SigningSecrets] = {}
# The other secrets by reference: (value, when it was read, time.time()).
_values: dict[str, tuple[str, float]] = {}


def forget() -> None:
    """Drop every cached secret (a new environment, or tests): the next use reads them again."""
    _signing_secrets.clear()
    _values.clear()


def _parameter_name(secret: str) -> str | None:
    """The SSM parameter a reference names (a name, or a parameter's ARN); None for a Secrets Manager ARN."""
    if secret.startswith("arn:") and ":secretsmanager:" in secret:
        return None
    return secret.split(":parameter", 1)[-1] if secret.startswith("arn:") else secret


def _where(reference: str) -> tuple[str, str | None]:
    """The secret or parameter a reference names, and the JSON member it selects (`#key`), if any."""
    secret, _, key = reference.partition("#")
    return secret, key or None


def _document(value: str, secret: str, key: str) -> dict[str, object]:
    """The JSON object a secret holds. Errors name the secret and the member, never a value."""
    try:
        document = json.loads(value)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ValueError(f"secret {secret} is not a JSON object, so it has no member {key!r}")
    return document


def _member(value: str, secret: str, key: str | None) -> str:
    """`value` itself, or its JSON member `key`."""
    if key is None:
        return value
    member = _document(value, secret, key).get(key)
    if not isinstance(member, str) or not member:
        raise ValueError(f"secret {secret} has no member {key!r} that is a non-empty string")
    return member


def _fetch(reference: str, region: str) -> str:
    """The value `reference` names, read at most once per `CACHE_SECONDS`."""
    now = time.time()
    cached = _values.get(reference)
    if cached is not None and now - cached[1] < CACHE_SECONDS:
        return cached[0]
    secret, key = _where(reference)
    name = _parameter_name(secret)
    if name is None:
        value = (
            aws_clients.client("secretsmanager", region).get_secret_value(SecretId=secret).get("SecretString")
        )
    else:
        ssm = aws_clients.client("ssm", region)
        value = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"].get("Value")
    if not value:
        raise ValueError(f"secret {secret} is empty or not a string")
    member = _member(value, secret, key)
    _values[reference] = (member, now)
    return member


def hubspot_access_token(settings: Settings) -> str:
    if settings.hubspot_access_token is not None:
        return settings.hubspot_access_token.get_secret_value()
    assert settings.hubspot_access_token_source is not None  # guaranteed by Settings validation
    return _fetch(settings.hubspot_access_token_source, settings.aws_region)


@dataclass(frozen=True)
class _Version:
    value: str
    stored_at: datetime


@dataclass(frozen=True)
class _SigningSecrets:
    current: _Version
    previous: _Version | None
    read_at: float  # time.time()


def hubspot_webhook_secrets(settings: WebhookSecretSettings, *, reread: bool = False) -> tuple[str, ...]:
    """The secrets a webhook may be signed with, the current one first. `reread`: a signature matched none
    of them, so read them again if they were not read in the last `REREAD_SECONDS`."""
    if settings.hubspot_webhook_secret is not None:
        return (settings.hubspot_webhook_secret.get_secret_value(),)
    reference = settings.hubspot_webhook_secret_source
    assert reference is not None  # guaranteed by Settings validation
    now = time.time()
    cached = _signing_secrets.get(reference)
    age = now - cached.read_at if cached is not None else None
    if cached is None or age is None or age >= CACHE_SECONDS or (reread and age >= REREAD_SECONDS):
        cached = _read_signing_secrets(reference, settings.aws_region, now)
        _signing_secrets[reference] = cached
    overlap_seconds = settings.hubspot_webhook_secret_overlap_minutes * 60
    previous = cached.previous
    if previous is None or now - cached.current.stored_at.timestamp() >= overlap_seconds:
        return (cached.current.value,)
    return (cached.current.value, previous.value)


def _read_signing_secrets(reference: str, region: str, now: float) -> _SigningSecrets:
    secret, key = _where(reference)
    name = _parameter_name(secret)
    current, previous = (
        _secret_versions(secret, region) if name is None else _parameter_versions(name, region)
    )
    current = _Version(_member(current.value, secret, key), current.stored_at)
    if previous is not None:
        try:
            previous = _Version(_member(previous.value, secret, key), previous.stored_at)
        except ValueError:
            previous = None  # a replaced value of another shape signs nothing HubSpot sends now
    if previous is not None and previous.value == current.value:
        previous = None  # the version replaced another member (the token): nothing to overlap
    return _SigningSecrets(current, previous, read_at=now)


def _secret_versions(secret_id: str, region: str) -> tuple[_Version, _Version | None]:
    client = aws_clients.client("secretsmanager", region)
    stages: dict[str, tuple[str, datetime]] = {}
    token: str | None = None
    while True:  # no paginator in botocore's model for this operation
        page = client.list_secret_version_ids(SecretId=secret_id, **({"NextToken": token} if token else {}))
        for version in page["Versions"]:
            for stage in version.get("VersionStages", []):
                stages[stage] = (version["VersionId"], version["CreatedDate"])
        token = page.get("NextToken")
        if not token:
            break

    def read(stage: str) -> _Version | None:
        if stage not in stages:
            return None
        version_id, created = stages[stage]
        value = client.get_secret_value(SecretId=secret_id, VersionId=version_id).get("SecretString")
        if not value:
            raise ValueError(f"secret {secret_id} ({stage}) is empty or not a string")
        return _Version(value, created)

    current = read("AWSCURRENT")
    if current is None:
        raise ValueError(f"secret {secret_id} has no AWSCURRENT version")
    return current, read("AWSPREVIOUS")


def _parameter_versions(name: str, region: str) -> tuple[_Version, _Version | None]:
    client = aws_clients.client("ssm", region)
    versions = [
        parameter
        for page in client.get_paginator("get_parameter_history").paginate(Name=name, WithDecryption=True)
        for parameter in page["Parameters"]
    ]
    newest = sorted(versions, key=lambda parameter: parameter["Version"], reverse=True)[:2]
    if not newest or not newest[0].get("Value"):
        raise ValueError(f"parameter {name} is empty")
    current, *older = (_Version(p.get("Value", ""), p["LastModifiedDate"]) for p in newest)
    return current, (older[0] if older and older[0].value else None)


def store(reference: str, value: str, region: str) -> None:
    """Store `value` as the new version of what `reference` names: for `#key`, that member of the JSON
    secret, the others kept as they are. The version it replaces becomes the previous one (the webhook's
    overlap window, above). For `cosell rotate-secret`."""
    secret, key = _where(reference)
    name = _parameter_name(secret)
    if name is None:
        manager = aws_clients.client("secretsmanager", region)
        current = manager.get_secret_value(SecretId=secret).get("SecretString", "") if key else ""
        manager.put_secret_value(SecretId=secret, SecretString=_with_member(current, secret, key, value))
        return
    ssm = aws_clients.client("ssm", region)
    current = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"].get("Value", "") if key else ""
    ssm.put_parameter(
        Name=name, Value=_with_member(current, secret, key, value), Type="SecureString", Overwrite=True
    )


def _with_member(current: str, secret: str, key: str | None, value: str) -> str:
    return value if key is None else json.dumps({**_document(current, secret, key), key: value})
