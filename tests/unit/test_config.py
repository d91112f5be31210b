"""Settings: every missing or malformed variable stops start-up with a message naming it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cosell.config import ConfigurationError, Environment, WebhookSettings, load
from cosell.config.sync import load_settings
from cosell.domain.mapping_rules import MappingRules
from cosell.domain.reconcile import ConflictPolicy
from cosell.partner_central.schema import vocabulary
from cosell.sync.ports import SyncConfig

VALID = {
    "ENVIRONMENT": "production",
    "AWS_REGION": "eu-west-1",
    "PARTNER_CENTRAL_CATALOG": "AWS",
    "PARTNER_CENTRAL_ROLE_ARN": "arn:aws:iam::123456789012:role/HubSpotPartnerCentralServiceRole",
    "PARTNER_CENTRAL_EXTERNAL_ID": "5f0c3a2e-8d1b-11ef-9c1a-0a1b2c3d4e5f",
    "HUBSPOT_ACCESS_TOKEN_SOURCE": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cosell-token-AbCdEf",
    "HUBSPOT_WEBHOOK_SECRET_SOURCE": "/cosell/hubspot/webhook-secret",
    "SYNC_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/cosell-sync.fifo",
    "STATE_TABLE_NAME": "cosell-state",
    "AUDIT_TABLE_NAME": "cosell-audit",
}


def _error_for(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigurationError) as raised:
        load_settings(environ)
    return str(raised.value)


def test_valid_production_settings_load() -> None:
    settings = load_settings(VALID)
    assert settings.environment is Environment.PRODUCTION
    assert settings.catalog == "AWS"
    assert settings.partner_central_region == "us-east-1"
    assert settings.engagement_score_threshold == 15
    assert settings.high_engagement_score == 80
    assert str(settings.hubspot_api_base_url) == "https://api.hubapi.com/"


@pytest.mark.parametrize(
    "variable",
    [
        "AWS_REGION",
        "PARTNER_CENTRAL_CATALOG",
        "HUBSPOT_ACCESS_TOKEN_SOURCE",
        "HUBSPOT_WEBHOOK_SECRET_SOURCE",
        "SYNC_QUEUE_URL",
        "STATE_TABLE_NAME",
        "AUDIT_TABLE_NAME",
    ],
)
def test_missing_required_setting_is_named(variable: str) -> None:
    environ = {key: value for key, value in VALID.items() if key != variable}
    assert variable in _error_for(environ)


def test_empty_value_counts_as_missing() -> None:
    assert "STATE_TABLE_NAME: required" in _error_for({**VALID, "STATE_TABLE_NAME": ""})


@pytest.mark.parametrize(
    ("variable", "bad_value"),
    [
        ("ENVIRONMENT", "prod"),
        ("AWS_REGION", "Europe"),
        ("LOG_LEVEL", "LOUD"),
        ("PARTNER_CENTRAL_CATALOG", "Production"),
        ("PARTNER_CENTRAL_ROLE_ARN", "HubSpotPartnerCentralServiceRole"),
        ("PARTNER_CENTRAL_EXTERNAL_ID", "x"),
        ("PARTNER_CENTRAL_REGION", "eu-west-1"),
        ("HUBSPOT_API_BASE_URL", "api.hubapi.com"),
        ("HUBSPOT_WEBHOOK_URL", "not a url"),
        ("HUBSPOT_ACCESS_TOKEN_SOURCE", "pat-na1-looks-like-a-token-not-a-reference"),
        ("HUBSPOT_WEBHOOK_SECRET_SOURCE", "s3://bucket/secret"),
        ("SYNC_QUEUE_URL", "cosell-sync.fifo"),
        ("STATE_TABLE_NAME", "a"),
        ("AUDIT_TABLE_NAME", "a b"),
        ("ENGAGEMENT_SCORE_THRESHOLD", "fifteen"),
        ("ENGAGEMENT_SCORE_THRESHOLD", "0"),
        ("HIGH_ENGAGEMENT_SCORE", "101"),
        ("NOTIFICATION_SNS_TOPIC_ARN", "arn:aws:sqs:us-east-1:123456789012:not-a-topic"),
    ],
)
def test_malformed_setting_is_named(variable: str, bad_value: str) -> None:
    message = _error_for({**VALID, variable: bad_value})
    assert message.startswith("Invalid configuration: ")
    assert variable in message


def test_every_problem_is_reported_at_once() -> None:
    message = _error_for({"AWS_REGION": "nowhere"})
    for variable in ("AWS_REGION", "SYNC_QUEUE_URL", "STATE_TABLE_NAME"):
        assert variable in message


def test_plain_secrets_are_refused_outside_development() -> None:
    message = _error_for({**VALID, "HUBSPOT_ACCESS_TOKEN": "pat-na1-11111111-2222-3333-4444-555555555555"})
    assert "HUBSPOT_ACCESS_TOKEN: plain secrets are for local runs only" in message
    assert "pat-na1" not in message  # the refusal never echoes the secret


def test_environment_must_be_said_it_never_defaults_to_development() -> None:
    environ = {key: value for key, value in VALID.items() if key != "ENVIRONMENT"}
    assert "ENVIRONMENT: required" in _error_for(environ)
    webhook = {key: value for key, value in WEBHOOK.items() if key != "ENVIRONMENT"}
    with pytest.raises(ConfigurationError, match="ENVIRONMENT: required"):
        load(WebhookSettings, webhook)


def test_a_deployed_stack_needs_its_own_external_id() -> None:
    environ = {key: value for key, value in VALID.items() if key != "PARTNER_CENTRAL_EXTERNAL_ID"}
    assert "PARTNER_CENTRAL_EXTERNAL_ID: required outside development" in _error_for(environ)
    assert load_settings({**environ, "ENVIRONMENT": "development"}).partner_central_external_id is None


def test_development_accepts_plain_secrets_and_defaults_to_sandbox() -> None:
    environ = {
        "ENVIRONMENT": "development",
        "AWS_REGION": "us-east-1",
        "HUBSPOT_ACCESS_TOKEN": "pat-na1-local",
        "HUBSPOT_WEBHOOK_SECRET": "local-secret",
        "SYNC_QUEUE_URL": "http://127.0.0.1:5000/123456789012/sync.fifo",
        "STATE_TABLE_NAME": "cosell-local",
        "AUDIT_TABLE_NAME": "cosell-local-audit",
    }
    settings = load_settings(environ)
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.catalog == "Sandbox"
    assert settings.hubspot_access_token is not None
    assert "pat-na1-local" not in repr(settings)  # SecretStr keeps it out of reprs and logs


def test_development_still_needs_some_secret() -> None:
    environ = {key: value for key, value in VALID.items() if not key.startswith("HUBSPOT_WEBHOOK")}
    environ["ENVIRONMENT"] = "development"
    assert "HUBSPOT_WEBHOOK_SECRET_SOURCE: required" in _error_for(environ)


WEBHOOK = {
    "ENVIRONMENT": "production",
    "AWS_REGION": "eu-west-1",
    "HUBSPOT_WEBHOOK_SECRET_SOURCE": "/cosell/hubspot/webhook-secret",
    "SYNC_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/cosell-sync.fifo",
}


def test_the_webhook_function_needs_only_its_secret_and_the_queue() -> None:
    settings = load(WebhookSettings, WEBHOOK)
    assert settings.hubspot_webhook_secret_source == "/cosell/hubspot/webhook-secret"
    with pytest.raises(ConfigurationError, match="SYNC_QUEUE_URL: required"):
        load(WebhookSettings, {k: v for k, v in WEBHOOK.items() if k != "SYNC_QUEUE_URL"})


@pytest.mark.parametrize("url", ["https://Hooks.Example.com", "https://hooks.example.com:443/hubspot?x=1"])
def test_the_webhook_url_is_kept_as_given_because_hubspot_signs_it(url: str) -> None:
    assert load(WebhookSettings, {**WEBHOOK, "HUBSPOT_WEBHOOK_URL": url}).hubspot_webhook_url == url


def test_the_webhook_function_refuses_a_plain_secret_when_deployed_and_needs_one_in_development() -> None:
    plain = {**WEBHOOK, "HUBSPOT_WEBHOOK_SECRET": "s3cr3t-value"}
    with pytest.raises(
        ConfigurationError, match="HUBSPOT_WEBHOOK_SECRET: plain secrets are for local runs only"
    ):
        load(WebhookSettings, plain)
    development = {**WEBHOOK, "ENVIRONMENT": "development"}
    del development["HUBSPOT_WEBHOOK_SECRET_SOURCE"]
    with pytest.raises(ConfigurationError, match="HUBSPOT_WEBHOOK_SECRET_SOURCE: required"):
        load(WebhookSettings, development)
    assert load(WebhookSettings, {**development, "HUBSPOT_WEBHOOK_SECRET": "local"}).deployed is False


def test_notification_rules_are_validated_at_start_up() -> None:
    settings = load_settings(
        {**VALID, "NOTIFICATION_RULES": '{"disabled": ["seller"], "score_threshold": 20}'}
    )
    assert settings.notification_rules.score_threshold == 20
    for bad in ('{"disabled": ["no-such-rule"]}', '{"score_threshold": 0}', "not json", '{"unknown": 1}'):
        assert "NOTIFICATION_RULES" in _error_for({**VALID, "NOTIFICATION_RULES": bad})


@pytest.mark.parametrize(
    "reference",
    [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:cosell-hubspot-AbCdEf#accessToken",
        "/cosell/hubspot#webhookSecret",
    ],
)
def test_a_secret_reference_may_name_a_member_of_a_json_secret(reference: str) -> None:
    settings = load(WebhookSettings, {**VALID, "HUBSPOT_WEBHOOK_SECRET_SOURCE": reference})
    assert settings.hubspot_webhook_secret_source == reference


@pytest.mark.parametrize("reference", ["/cosell/hubspot#", "/cosell/hubspot#web-hook", "/a#b#c"])
def test_a_member_must_be_a_plain_name(reference: str) -> None:
    with pytest.raises(ConfigurationError, match="HUBSPOT_WEBHOOK_SECRET_SOURCE"):
        load(WebhookSettings, {**VALID, "HUBSPOT_WEBHOOK_SECRET_SOURCE": reference})


def test_the_opportunity_link_replaces_only_its_placeholder() -> None:
    """An operator's URL may hold other braces (a query's `{...}`): they stay, and nothing raises."""
    template = "https://pc.example/opportunity?id={opportunity_id}&view={list}"
    settings = load_settings({**VALID, "PARTNER_CENTRAL_OPPORTUNITY_URL": template})
    config = SyncConfig(
        catalog="AWS",
        rules=MappingRules(),
        vocabulary=vocabulary(),
        conflict_policy=ConflictPolicy(),
        invitation_policy="auto",
        invitation_pipeline="default",
        invitation_review_stage="appointmentscheduled",
        invitation_owner_id=None,
        opportunity_url_template=settings.partner_central_opportunity_url,
        deal_claim_lease=timedelta(minutes=15),
    )
    assert config.opportunity_url("O123") == "https://pc.example/opportunity?id=O123&view={list}"
