"""Secrets fetched at run time from SSM Parameter Store or Secrets Manager, cached between invocations.

The cache lives as long as the Lambda execution environment and expires after `max_age` seconds, so a rotated
token is picked up within that time without a redeploy (docs/OPERATIONS.md, "Rotating secrets").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cosell.config import WebhookSecretSettings
    from cosell.config.sync import Settings

CACHE_SECONDS = 300


def _fetch(reference: str) -> str:
    # Imported here: the parameters utility pulls in boto3 clients that only a secret read needs.
    from aws_lambda_powertools.utilities import parameters

    if reference.startswith("arn:") and ":secretsmanager:" in reference:
        value = parameters.get_secret(reference, max_age=CACHE_SECONDS)
    else:
        name = reference.split(":parameter", 1)[-1] if reference.startswith("arn:") else reference
        value = parameters.get_parameter(name, decrypt=True, max_age=CACHE_SECONDS)
    if not isinstance(value, str) or not value:
        raise ValueError(f"secret {reference} is empty or not a string")
    return value


def hubspot_access_token(settings: Settings) -> str:
    if settings.hubspot_access_token is not None:
        return settings.hubspot_access_token.get_secret_value()
    assert settings.hubspot_access_token_source is not None  # guaranteed by Settings validation
    return _fetch(settings.hubspot_access_token_source)


def hubspot_webhook_secret(settings: WebhookSecretSettings) -> str:
    if settings.hubspot_webhook_secret is not None:
        return settings.hubspot_webhook_secret.get_secret_value()
    assert settings.hubspot_webhook_secret_source is not None  # guaranteed by Settings validation
    return _fetch(settings.hubspot_webhook_secret_source)
