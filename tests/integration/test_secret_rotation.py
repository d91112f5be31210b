"""Rotating the HubSpot client secret: the new one is accepted at once, the old one for the overlap window,
then refused. Through the webhook handler, against Secrets Manager (moto's server) as deployed."""

from __future__ import annotations

import io
import json
import time
from typing import TYPE_CHECKING

import boto3
import pytest

from cosell import secrets
from cosell.cli import main as cli
from cosell.config.sync import load_operator_settings
from cosell.handlers import runtime, webhook
from tests.integration.test_handlers import api_event, deal_events
from tests.support.lambda_context import FakeLambdaContext

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cosell.config.sync import Settings

OLD_SECRET = "old-client-secret-0123456789"
NEW_SECRET = "new-client-secret-9876543210"
OVERLAP_MINUTES = 60


class Clock:
    """time.time() as the secrets module sees it, moved on by the test."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(secrets, "time", fake)
    return fake


@pytest.fixture
def secret_arn(fifo_queue: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    arn = boto3.client("secretsmanager").create_secret(
        Name=f"cosell-webhook-{time.time_ns()}", SecretString=OLD_SECRET
    )["ARN"]
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("HUBSPOT_WEBHOOK_SECRET_SOURCE", arn)
    monkeypatch.setenv("HUBSPOT_WEBHOOK_SECRET_OVERLAP_MINUTES", str(OVERLAP_MINUTES))
    monkeypatch.setenv("SYNC_QUEUE_URL", fifo_queue)
    monkeypatch.setattr(secrets, "_signing_secrets", {})
    runtime.reset()
    yield arn
    runtime.reset()


def status(secret: str, object_id: int) -> int:
    response = webhook.handler(api_event(deal_events(object_id), secret=secret), FakeLambdaContext())
    return int(response["statusCode"])


def test_a_rotated_secret_is_accepted_at_once_and_the_old_one_until_the_window_ends(
    secret_arn: str, clock: Clock
) -> None:
    assert status(OLD_SECRET, 1) == 200
    assert status(NEW_SECRET, 2) == 401  # not stored yet

    boto3.client("secretsmanager").put_secret_value(SecretId=secret_arn, SecretString=NEW_SECRET)
    # Just read: a failed signature may not re-read the secret for a minute (forged requests cost nothing).
    assert status(NEW_SECRET, 3) == 401
    clock.offset += secrets.REREAD_SECONDS
    assert status(NEW_SECRET, 4) == 200  # re-read on the failed match, long before the cache expires
    assert status(OLD_SECRET, 5) == 200  # HubSpot may still sign with it: inside the overlap window

    clock.offset += OVERLAP_MINUTES * 60
    assert status(NEW_SECRET, 6) == 200
    response = webhook.handler(api_event(deal_events(7), secret=OLD_SECRET), FakeLambdaContext())
    assert response["statusCode"] == 401
    assert json.loads(response["body"]) == {"message": "signature does not match the request"}


def test_an_overlap_of_zero_refuses_the_old_secret_as_soon_as_the_new_one_is_stored(
    secret_arn: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_WEBHOOK_SECRET_OVERLAP_MINUTES", "0")
    runtime.reset()
    boto3.client("secretsmanager").put_secret_value(SecretId=secret_arn, SecretString=NEW_SECRET)
    assert status(NEW_SECRET, 1) == 200
    assert status(OLD_SECRET, 2) == 401


def test_an_ssm_parameter_rotates_the_same_way(
    fifo_queue: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"/cosell/test/webhook-secret-{time.time_ns()}"
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name=name, Value=OLD_SECRET, Type="SecureString")
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("HUBSPOT_WEBHOOK_SECRET_SOURCE", name)
    monkeypatch.setenv("SYNC_QUEUE_URL", fifo_queue)
    monkeypatch.setattr(secrets, "_signing_secrets", {})
    runtime.reset()
    ssm.put_parameter(Name=name, Value=NEW_SECRET, Type="SecureString", Overwrite=True)
    assert status(NEW_SECRET, 1) == 200
    assert status(OLD_SECRET, 2) == 200
    clock.offset += 60 * 60 + secrets.CACHE_SECONDS
    assert status(OLD_SECRET, 3) == 401
    runtime.reset()


def token_settings(reference: str) -> Settings:
    return load_operator_settings(
        {
            "ENVIRONMENT": "production",
            "AWS_REGION": boto3.session.Session().region_name or "us-east-1",
            "PARTNER_CENTRAL_CATALOG": "Sandbox",
            "PARTNER_CENTRAL_ROLE_ARN": "arn:aws:iam::123456789012:role/HubSpotPartnerCentralServiceRole",
            "PARTNER_CENTRAL_EXTERNAL_ID": "5f0c3a2e-8d1b-11ef-9c1a-0a1b2c3d4e5f",
            "HUBSPOT_ACCESS_TOKEN_SOURCE": reference,
            "HUBSPOT_WEBHOOK_SECRET_SOURCE": reference.replace("#accessToken", "#webhookSecret"),
        }
    )


@pytest.fixture
def fresh_secrets(aws: str) -> Iterator[None]:
    secrets.forget()
    yield
    secrets.forget()


def both(token: str, webhook_secret: str) -> str:
    return json.dumps({"accessToken": token, "webhookSecret": webhook_secret})


@pytest.fixture
def json_secret(fifo_queue: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The stack's HubSpotSecret: both values in one JSON secret, each variable naming its member."""
    arn = boto3.client("secretsmanager").create_secret(
        Name=f"cosell-hubspot-{time.time_ns()}", SecretString=both("pat-1", OLD_SECRET)
    )["ARN"]
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("HUBSPOT_WEBHOOK_SECRET_SOURCE", f"{arn}#webhookSecret")
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN_SOURCE", f"{arn}#accessToken")
    monkeypatch.setenv("SYNC_QUEUE_URL", fifo_queue)
    monkeypatch.setattr(secrets, "_signing_secrets", {})
    runtime.reset()
    yield arn
    runtime.reset()


def test_one_json_secret_holds_both_values_and_its_webhook_member_rotates_with_an_overlap(
    json_secret: str, clock: Clock
) -> None:
    """The stack's HubSpotSecret: a token rotation leaves the webhook's member as it was and opens no
    overlap; a webhook secret rotation does, as with a secret of its own."""
    client, arn = boto3.client("secretsmanager"), json_secret
    assert status(OLD_SECRET, 1) == 200

    client.put_secret_value(SecretId=arn, SecretString=both("pat-2", OLD_SECRET))  # the token rotated
    clock.offset += secrets.CACHE_SECONDS
    assert status(OLD_SECRET, 2) == 200
    assert secrets.hubspot_access_token(token_settings(f"{arn}#accessToken")) == "pat-2"

    client.put_secret_value(SecretId=arn, SecretString=both("pat-2", NEW_SECRET))  # the client secret rotated
    clock.offset += secrets.REREAD_SECONDS
    assert status(NEW_SECRET, 3) == 200
    assert status(OLD_SECRET, 4) == 200  # inside the overlap window
    clock.offset += OVERLAP_MINUTES * 60
    assert status(OLD_SECRET, 5) == 401
    assert status(NEW_SECRET, 6) == 200


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        ("pat-not-json", "is not a JSON object, so it has no member 'accessToken'"),
        (json.dumps({"webhookSecret": "s"}), "has no member 'accessToken' that is a non-empty string"),
        (json.dumps({"accessToken": ""}), "has no member 'accessToken' that is a non-empty string"),
    ],
)
def test_a_member_that_is_not_there_is_named_and_no_value_is_shown(
    fifo_queue: str, stored: str, problem: str
) -> None:
    arn = boto3.client("secretsmanager").create_secret(
        Name=f"cosell-hubspot-{time.time_ns()}", SecretString=stored
    )["ARN"]
    secrets.forget()
    with pytest.raises(ValueError, match=r"has no member|not a JSON object") as raised:
        secrets.hubspot_access_token(token_settings(f"{arn}#accessToken"))
    assert str(raised.value) == f"secret {arn} {problem}"
    assert "pat-not-json" not in str(raised.value)


def test_cosell_rotate_secret_replaces_one_member_and_keeps_the_other(
    json_secret: str, clock: Clock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    client, arn = boto3.client("secretsmanager"), json_secret
    assert status(OLD_SECRET, 1) == 200

    monkeypatch.setattr("sys.stdin", io.StringIO(f"{NEW_SECRET}\n"))
    assert cli.main(["rotate-secret", "webhook-secret"]) == 0
    assert NEW_SECRET not in capsys.readouterr().out  # never echoed
    assert json.loads(client.get_secret_value(SecretId=arn)["SecretString"]) == {
        "accessToken": "pat-1",
        "webhookSecret": NEW_SECRET,
    }
    clock.offset += secrets.REREAD_SECONDS
    assert status(NEW_SECRET, 2) == 200
    assert status(OLD_SECRET, 3) == 200  # the overlap window, as for any rotation

    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert cli.main(["rotate-secret", "access-token"]) == 2
    assert "no access-token given: nothing stored" in capsys.readouterr().err
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN_SOURCE")
    assert cli.main(["rotate-secret", "access-token"]) == 2
    assert "HUBSPOT_ACCESS_TOKEN_SOURCE must name the secret" in capsys.readouterr().err


def test_the_access_token_is_read_from_its_member_and_a_rotation_seen_when_the_cache_expires(
    clock: Clock, fresh_secrets: None
) -> None:
    manager = boto3.client("secretsmanager")
    arn = manager.create_secret(
        Name=f"cosell-hubspot-{time.time_ns()}", SecretString=both("pat-1", OLD_SECRET)
    )["ARN"]
    settings = token_settings(f"{arn}#accessToken")
    assert secrets.hubspot_access_token(settings) == "pat-1"

    manager.put_secret_value(SecretId=arn, SecretString=both("pat-2", OLD_SECRET))
    assert secrets.hubspot_access_token(settings) == "pat-1"  # cached: not read per HubSpot request
    clock.offset += secrets.CACHE_SECONDS
    assert secrets.hubspot_access_token(settings) == "pat-2"


def test_the_access_token_may_be_an_ssm_parameter(fresh_secrets: None) -> None:
    name = f"/cosell/test/access-token-{time.time_ns()}"
    boto3.client("ssm").put_parameter(Name=name, Value="pat-na1-from-ssm", Type="SecureString")
    assert secrets.hubspot_access_token(token_settings(name)) == "pat-na1-from-ssm"
