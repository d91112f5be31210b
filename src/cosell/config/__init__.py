"""Typed settings, read once from the environment; each function loads only the model it needs.

`WebhookSettings` (the webhook function) lives here and loads no mapping code, so the function that must
answer HubSpot within seconds stays small; the settings of the functions that sync, and of the operator
CLI, are in `cosell.config.sync`. A missing or malformed variable stops start-up with `ConfigurationError`,
whose message names each offending variable and says what it must be.

Secrets never travel as plain environment variables in a deployed stack: the `*_SOURCE` variables name where
the secret lives (an SSM SecureString parameter name, or a Secrets Manager ARN) and `cosell.secrets` fetches
it at run time with caching. A reference may end in `#key`: the secret is then a JSON object and the value is
its member `key`, so one secret holds both HubSpot values (the stack's `HubSpotSecret`). Plain
`HUBSPOT_ACCESS_TOKEN` / `HUBSPOT_WEBHOOK_SECRET` are accepted only when `ENVIRONMENT=development`, for local
runs.
"""

from __future__ import annotations

import os
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, Self, TypeVar

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

if TYPE_CHECKING:
    from collections.abc import Mapping


class Environment(StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"


Catalog = Literal["AWS", "Sandbox"]

# The role infra/iam-role.yaml creates; used when PARTNER_CENTRAL_ROLE_ARN is not set.
DEFAULT_PARTNER_CENTRAL_ROLE_NAME = "HubSpotPartnerCentralServiceRole"

SecretReference = Annotated[
    str,
    Field(pattern=r"^(/[\w.\-/]+|arn:aws[\w-]*:(ssm|secretsmanager):[\w-]+:\d{12}:[^#]+)(#[A-Za-z_]\w*)?$"),
]
RoleArn = Annotated[str, Field(pattern=r"^arn:aws[\w-]*:iam::\d{12}:role/.+$")]
TableName = Annotated[str, Field(pattern=r"^[a-zA-Z0-9_.\-]{3,255}$")]
TopicArn = Annotated[str, Field(pattern=r"^arn:aws[\w-]*:sns:[\w-]+:\d{12}:.+$")]


class ConfigurationError(Exception):
    """Start-up cannot continue: the message names each variable to fix."""


class CommonSettings(BaseModel):
    """Field `x_y` is read from environment variable `X_Y`."""

    # Each function validates one settings model, once: the models it only inherits from, or that other
    # functions use, are not built (pydantic builds a deferred model at its first validation).
    model_config = ConfigDict(
        frozen=True, extra="ignore", alias_generator=str.upper, populate_by_name=True, defer_build=True
    )

    # No default: a stack that forgot to say would otherwise run with development's allowances.
    environment: Environment
    aws_region: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")]
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @property
    def deployed(self) -> bool:
        return self.environment is not Environment.DEVELOPMENT

    @model_validator(mode="after")
    def _check_deployment_rules(self) -> Self:
        problems = self.deployment_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def deployment_problems(self) -> list[str]:
        """What a deployed stack may not do; subclasses add theirs, so every problem is reported at once."""
        return []

    def secret_problems(self, plain: str, reference: str) -> list[str]:
        """A secret must come from its reference (`reference`), or in development from `plain`."""
        has_plain = getattr(self, plain) is not None
        has_reference = getattr(self, reference) is not None
        if self.deployed and has_plain:
            return [
                f"{plain.upper()}: plain secrets are for local runs only; store it in SSM or Secrets Manager "
                f"and set {reference.upper()}"
            ]
        if not has_plain and not has_reference:
            return [f"{reference.upper()}: required (SSM parameter name or Secrets Manager ARN)"]
        return []


class WebhookSecretSettings(CommonSettings):
    """How HubSpot's webhooks are verified: the app's client secret, and the URL HubSpot signs."""

    # The URL HubSpot calls, when it is not the API Gateway URL (custom domain, proxy): signatures cover it, so
    # it is kept exactly as given (a URL type would lowercase the host and add a path).
    hubspot_webhook_url: Annotated[str, Field(pattern=r"^https?://[^\s/?#]+\S*$")] | None = None
    hubspot_webhook_secret_source: SecretReference | None = None
    hubspot_webhook_secret: SecretStr | None = None
    # After a rotation, how long the replaced client secret is still accepted (cosell.secrets).
    hubspot_webhook_secret_overlap_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = 60

    def deployment_problems(self) -> list[str]:
        return [
            *super().deployment_problems(),
            *self.secret_problems("hubspot_webhook_secret", "hubspot_webhook_secret_source"),
        ]


class WebhookSettings(WebhookSecretSettings):
    """The webhook function: verify HubSpot's signature, queue the delivery."""

    sync_queue_url: AnyHttpUrl


def _describe(error: ValidationError) -> str:
    lines = []
    for issue in error.errors():
        variable = ".".join(str(part) for part in issue["loc"]).upper()
        message = issue["msg"].removeprefix("Value error, ")
        if issue["type"] == "missing":
            lines.append(f"{variable}: required but not set")
        elif variable:
            lines.append(f"{variable}: {message} (got {issue.get('input')!r})")
        else:
            lines.append(message)
    return "Invalid configuration: " + "; ".join(lines)


_S = TypeVar("_S", bound=CommonSettings)


def load(model: type[_S], environ: Mapping[str, str] | None = None) -> _S:
    """`model`'s settings, from `environ` (the process environment by default)."""
    source = os.environ if environ is None else environ
    values = {key: value for key, value in source.items() if value != ""}
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise ConfigurationError(_describe(error)) from None
