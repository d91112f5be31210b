"""The settings of the functions that sync (worker, invitation poll, sweep) and of the operator CLI.

Every function of the stack is given the same variables (template.yaml sets them in Globals); these models
read the ones that syncing needs, including the mapping and conflict rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, AnyHttpUrl, Field, Json, SecretStr

from cosell.config import (
    Catalog,
    RoleArn,
    SecretReference,
    TableName,
    TopicArn,
    WebhookSecretSettings,
    load,
)
from cosell.domain.mapping_rules import MappingRules
from cosell.domain.notifications import NotificationRules
from cosell.domain.reconcile import ConflictPolicy, Strategy
from cosell.domain.referral import POLL_HOLD, InvitationPolicy
from cosell.domain.synced_fields import BY_NAME
from cosell.partner_central.schema import vocabulary

if TYPE_CHECKING:
    from collections.abc import Mapping


def _accepted_by_partner_central(rules: MappingRules) -> MappingRules:
    problems = rules.problems(vocabulary())
    if problems:
        raise ValueError("; ".join(problems))
    return rules


def _synced_field(name: str) -> str:
    if name not in BY_NAME:
        raise ValueError(f"{name!r} is not a synced field; one of: {', '.join(BY_NAME)}")
    return name


SyncedFieldName = Annotated[str, AfterValidator(_synced_field)]


class Settings(WebhookSecretSettings):
    """Everything the stack's variables say; the stack's resources are optional here (operator commands)."""

    # Partner Central. Its API lives in us-east-1 only, whatever region the stack runs in.
    partner_central_catalog: Catalog | None = None
    partner_central_role_arn: RoleArn | None = None
    # Required outside development: each install has its own (infra/iam-role.yaml's ExternalId output).
    partner_central_external_id: Annotated[str, Field(min_length=2, max_length=1224)] | None = None
    partner_central_region: Literal["us-east-1"] = "us-east-1"

    # HubSpot.
    hubspot_api_base_url: AnyHttpUrl = AnyHttpUrl("https://api.hubapi.com")
    hubspot_access_token_source: SecretReference | None = None
    hubspot_access_token: SecretStr | None = None

    # Resources created by template.yaml; required by the functions (FunctionSettings), optional for the CLI.
    sync_queue_url: AnyHttpUrl | None = None
    state_table_name: TableName | None = None
    # The audit trail (cosell.store.audit): the functions append to it, `cosell audit` reads it.
    audit_table_name: TableName | None = None
    # The sync queue's DLQ (output SyncDeadLetterQueueUrl); only `cosell status` and `cosell dlq` read it.
    dead_letter_queue_url: AnyHttpUrl | None = None

    # Sync behaviour.
    # JSON merged over the mapping defaults (docs/MAPPING.md), e.g. {"contract_term_months": 36}.
    mapping_rules: Annotated[Json[MappingRules], AfterValidator(_accepted_by_partner_central)] = (
        MappingRules()
    )
    # How a field changed on both sides since the last sync is settled (docs/MAPPING.md, "Conflicts"):
    # one strategy for all fields, and per synced field, e.g. {"stage": "manual", "close_date": "hubspot-wins"}.
    conflict_strategy: Strategy = Strategy.LAST_WRITE_WINS
    conflict_strategies: Json[dict[SyncedFieldName, Strategy]] = Field(default_factory=dict)
    # How long a rep's edit waits before its deal is reconciled (template.yaml, CoalescingWindowSeconds).
    coalescing_window_seconds: Annotated[int, Field(ge=0, le=900)] = 0
    # 2% under the quota: the pacer spaces departures, the quota counts arrivals, and the time a request takes
    # to get there varies a little.
    partner_central_writes_per_second: Annotated[float, Field(gt=0, le=10)] = 0.98
    # Partner Central allows 10 reads/s; the rest is left to the invitation poll and operators.
    partner_central_reads_per_second: Annotated[float, Field(gt=0, le=10)] = 8.0
    # How long the invitation poll waits before it queues an invitation it queued again, at most a day
    # (cosell.sync.schedules.poll_invitations, cosell.domain.scheduled.MAX_WAIT).
    invitation_poll_hold_seconds: Annotated[int, Field(ge=0, le=24 * 3600)] = int(POLL_HOLD.total_seconds())

    # AWS referrals (engagement invitations): `auto` accepts at once; `review` first makes a deal in
    # INVITATION_REVIEW_STAGE and waits for the rep's decision (docs/ARCHITECTURE.md, "AWS referrals").
    invitation_policy: InvitationPolicy = "auto"
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
    # JSON: rules switched off, thresholds overridden (cosell.domain.notifications), e.g.
    # {"disabled": ["seller"], "score_threshold": 20}.
    notification_rules: Json[NotificationRules] = NotificationRules()

    def deployment_problems(self) -> list[str]:
        problems = super().deployment_problems()
        if self.deployed and self.partner_central_catalog is None:
            # Defaulting to a catalog in a deployed stack could write test data to production or the reverse.
            problems.append("PARTNER_CENTRAL_CATALOG: required outside development (AWS or Sandbox)")
        if self.deployed and self.partner_central_external_id is None:
            problems.append(
                "PARTNER_CENTRAL_EXTERNAL_ID: required outside development (the ExternalId output of the "
                "infra/iam-role.yaml stack)"
            )
        return problems + self.secret_problems("hubspot_access_token", "hubspot_access_token_source")

    @property
    def conflict_policy(self) -> ConflictPolicy:
        return ConflictPolicy(self.conflict_strategy, dict(self.conflict_strategies))

    @property
    def catalog(self) -> Catalog:
        return self.partner_central_catalog or "Sandbox"


class FunctionSettings(Settings):
    """What a deployed syncing function needs: everything, including the stack's resources."""

    sync_queue_url: AnyHttpUrl
    state_table_name: TableName
    audit_table_name: TableName


def load_settings(environ: Mapping[str, str] | None = None) -> FunctionSettings:
    """A syncing function's settings, from `environ` (the process environment by default)."""
    return load(FunctionSettings, environ)


def load_operator_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings for operator commands, which do not need the stack's queue and table."""
    return load(Settings, environ)
