"""Typed settings, read once from the environment.

Every function of the stack reads the same variables (template.yaml sets them in Globals), so one model
describes them all. A missing or malformed variable stops start-up with `ConfigurationError`, whose message
names each offending variable and says what it must be.

Secrets never travel as plain environment variables in a deployed stack: the `*_SECRET` variables name where
the secret lives (an SSM SecureString parameter name, or a Secrets Manager ARN) and `cosell.secrets` fetches
it at run time with caching. Plain `HUBSPOT_ACCESS_TOKEN` / `HUBSPOT_WEBHOOK_SECRET` are accepted only when
`ENVIRONMENT=development`, for local runs.
"""

from __future__ import annotations

import os
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    Json,
    SecretStr,
    ValidationError,
    model_validator,
)

from cosell.domain.mapping_rules import MappingRules
from cosell.domain.reconcile import ConflictPolicy, Strategy
from cosell.domain.synced_fields import BY_NAME

if TYPE_CHECKING:
    from collections.abc import Mapping


class Environment(StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"


Catalog = Literal["AWS", "Sandbox"]

# The role name the brief's infra/iam-role.yaml creates; used when PARTNER_CENTRAL_ROLE_ARN is not set.
DEFAULT_PARTNER_CENTRAL_ROLE_NAME = "HubSpotPartnerCentralServiceRole"
DEFAULT_EXTERNAL_ID = "HubSpotPartnerCentralIntegration"

SecretReference = Annotated[
    str, Field(pattern=r"^(/[\w.\-/]+|arn:aws[\w-]*:(ssm|secretsmanager):[\w-]+:\d{12}:.+)$")
]
RoleArn = Annotated[str, Field(pattern=r"^arn:aws[\w-]*:iam::\d{12}:role/.+$")]
TableName = Annotated[str, Field(pattern=r"^[a-zA-Z0-9_.\-]{3,255}$")]
TopicArn = Annotated[str, Field(pattern=r"^arn:aws[\w-]*:sns:[\w-]+:\d{12}:.+$")]


def _synced_field(name: str) -> str:
    if name not in BY_NAME:
        raise ValueError(f"{name!r} is not a synced field; one of: {', '.join(BY_NAME)}")
    return name


SyncedFieldName = Annotated[str, AfterValidator(_synced_field)]


class ConfigurationError(Exception):
    """Start-up cannot continue: the message names each variable to fix."""


class Settings(BaseModel):
    """Field `x_y` is read from environment variable `X_Y`."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=str.upper, populate_by_name=True)

    environment: Environment = Environment.DEVELOPMENT
    aws_region: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")]
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Partner Central. Its API lives in us-east-1 only, whatever region the stack runs in.
    partner_central_catalog: Catalog | None = None
    partner_central_role_arn: RoleArn | None = None
    partner_central_external_id: Annotated[str, Field(min_length=2, max_length=1224)] = DEFAULT_EXTERNAL_ID
    partner_central_region: Literal["us-east-1"] = "us-east-1"

    # HubSpot.
    hubspot_api_base_url: AnyHttpUrl = AnyHttpUrl("https://api.hubapi.com")
    # The URL HubSpot calls, when it is not the API Gateway URL (custom domain, proxy): signatures cover it.
    hubspot_webhook_url: AnyHttpUrl | None = None
    hubspot_access_token_source: SecretReference | None = None
    hubspot_webhook_secret_source: SecretReference | None = None
    hubspot_access_token: SecretStr | None = None
    hubspot_webhook_secret: SecretStr | None = None

    # Resources created by template.yaml.
    # Resources created by template.yaml; required by the functions (FunctionSettings), optional for the CLI.
    sync_queue_url: AnyHttpUrl | None = None
    state_table_name: TableName | None = None
    # The audit trail (cosell.store.audit): the functions append to it, `cosell audit` reads it.
    audit_table_name: TableName | None = None
    # The sync queue's DLQ (output SyncDeadLetterQueueUrl); only `cosell status` reads it.
    dead_letter_queue_url: AnyHttpUrl | None = None

    # Sync behaviour.
    # JSON merged over the mapping defaults (docs/MAPPING.md), e.g. {"contract_term_months": 36}.
    mapping_rules: Json[MappingRules] = MappingRules()
    # How a field changed on both sides since the last sync is settled (docs/MAPPING.md, "Conflicts"):
    # one strategy for all fields, and per synced field, e.g. {"stage": "manual", "close_date": "hubspot-wins"}.
    conflict_strategy: Strategy = Strategy.LAST_WRITE_WINS
    conflict_strategies: Json[dict[SyncedFieldName, Strategy]] = Field(default_factory=dict)
    partner_central_writes_per_second: Annotated[float, Field(gt=0, le=10)] = 0.9
    # Partner Central allows 10 reads/s; the rest is left to the invitation poll and operators.
    partner_central_reads_per_second: Annotated[float, Field(gt=0, le=10)] = 8.0

    # AWS referrals (engagement invitations): `auto` accepts at once; `review` first makes a deal in
    # INVITATION_REVIEW_STAGE and waits for the rep's decision (docs/ARCHITECTURE.md, "AWS referrals").
    invitation_policy: Literal["auto", "review"] = "auto"
    # HubSpot pipeline (internal id) of the deals made from referrals, and the stage of a deal under review.
    invitation_pipeline: Annotated[str, Field(min_length=1)] = "default"
    invitation_review_stage: Annotated[str, Field(min_length=1)] = "appointmentscheduled"
    # HubSpot owner id given to referral deals and their review tasks; none leaves them unassigned.
    invitation_owner_id: Annotated[str, Field(pattern=r"^\d+$")] | None = None
    # Link written to each deal; {opportunity_id} is replaced. AWS documents no stable deep link, so it is a
    # setting: point it at your Partner Central opportunity page.
    partner_central_opportunity_url: Annotated[str, Field(pattern=r"^https?://.*\{opportunity_id\}")] = (
        "https://partnercentral.awspartner.com/partnercentral2/s/opportunity?id={opportunity_id}"
    )

    # Notifications.
    engagement_score_threshold: Annotated[int, Field(ge=1, le=100)] = 15
    high_engagement_score: Annotated[int, Field(ge=0, le=100)] = 80
    notification_sns_topic_arn: TopicArn | None = None

    @model_validator(mode="after")
    def _check_deployment_rules(self) -> Self:
        problems: list[str] = []
        deployed = self.environment is not Environment.DEVELOPMENT
        if deployed and self.partner_central_catalog is None:
            # Defaulting to a catalog in a deployed stack could write test data to production or the reverse.
            problems.append("PARTNER_CENTRAL_CATALOG: required outside development (AWS or Sandbox)")
        for plain, reference in (
            ("hubspot_access_token", "hubspot_access_token_source"),
            ("hubspot_webhook_secret", "hubspot_webhook_secret_source"),
        ):
            has_plain = getattr(self, plain) is not None
            has_reference = getattr(self, reference) is not None
            if deployed and has_plain:
                problems.append(
                    f"{plain.upper()}: plain secrets are for local runs only; store it in SSM or "
                    f"Secrets Manager and set {reference.upper()}"
                )
            elif not has_plain and not has_reference:
                problems.append(f"{reference.upper()}: required (SSM parameter name or Secrets Manager ARN)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def conflict_policy(self) -> ConflictPolicy:
        return ConflictPolicy(self.conflict_strategy, dict(self.conflict_strategies))

    @property
    def catalog(self) -> Catalog:
        return self.partner_central_catalog or "Sandbox"


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


_S = TypeVar("_S", bound=Settings)


class FunctionSettings(Settings):
    """What a deployed function needs: everything, including the stack's resources."""

    sync_queue_url: AnyHttpUrl
    state_table_name: TableName
    audit_table_name: TableName


def load_settings(environ: Mapping[str, str] | None = None) -> FunctionSettings:
    """A function's settings, from `environ` (the process environment by default)."""
    return _load(FunctionSettings, environ)


def load_operator_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings for operator commands, which do not need the stack's queue and table."""
    return _load(Settings, environ)


def _load(model: type[_S], environ: Mapping[str, str] | None) -> _S:
    source = os.environ if environ is None else environ
    values = {key: value for key, value in source.items() if value != ""}
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise ConfigurationError(_describe(error)) from None
