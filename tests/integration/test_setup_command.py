"""`cosell setup` against the HubSpot emulator and moto's STS: idempotent, and it says what it did."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
import pytest

from cosell.cli.main import main
from cosell.domain import deal_properties
from cosell.hubspot import properties
from cosell.sync.onboarding.setup import SCOPE_CHECKS
from cosell_local.hubspot import AccessToken, HubSpotEmulator
from cosell_local.partner_central import EmulatorConfig, PartnerCentralEmulator

if TYPE_CHECKING:
    from collections.abc import Iterator

TOKEN = "pat-na1-setup"
NARROW_TOKEN = "pat-na1-narrow"
NO_COMPANY_WRITE_TOKEN = "pat-na1-no-company-write"
EVERY_SCOPE = frozenset(check.scope for check in SCOPE_CHECKS)


@pytest.fixture
def partner_central(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[PartnerCentralEmulator]:
    with PartnerCentralEmulator(EmulatorConfig(tick_seconds=0)) as emulator:
        monkeypatch.setenv("AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING", emulator.url)
        monkeypatch.setenv("PARTNER_CENTRAL_CATALOG", "Sandbox")
        yield emulator


@pytest.fixture
def hubspot(
    partner_central: PartnerCentralEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[HubSpotEmulator]:
    narrow = AccessToken(NARROW_TOKEN, scopes=frozenset({"crm.objects.deals.read"}))
    # What README.md's scopes were before: every read, but no company write.
    no_company_write = AccessToken(
        NO_COMPANY_WRITE_TOKEN, scopes=EVERY_SCOPE - {"crm.objects.companies.write"}
    )
    with HubSpotEmulator(tokens=[TOKEN, narrow, no_company_write]) as emulator:
        monkeypatch.setenv("ENVIRONMENT", "development")
        monkeypatch.setenv("HUBSPOT_API_BASE_URL", emulator.base_url)
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("HUBSPOT_WEBHOOK_SECRET", "unused-by-setup")
        monkeypatch.setenv(
            "PARTNER_CENTRAL_ROLE_ARN", "arn:aws:iam::123456789012:role/HubSpotPartnerCentralServiceRole"
        )
        yield emulator


def test_first_run_creates_everything_and_second_run_nothing(
    hubspot: HubSpotEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["setup"]) == 0
    first = capsys.readouterr().out
    assert f"created   group {properties.GROUP.name}" in first
    assert f"created   property {deal_properties.SYNC_STATUS}" in first
    assert "ok        Partner Central: assume the service role" in first
    assert (
        "WARNING   Partner Central: resource snapshot job role of the Sandbox catalog: none is set" in first
    )
    for check in SCOPE_CHECKS:
        assert f"ok        HubSpot {check.scope}: {check.used_for}" in first

    posts_before = hubspot.request_count("POST", "/crm/v3/properties")
    assert main(["setup", "--skip-role-check"]) == 0
    second = capsys.readouterr().out
    assert "nothing to create: HubSpot is already set up" in second
    assert "created" not in second
    assert "Partner Central" not in second
    assert hubspot.request_count("POST", "/crm/v3/properties") == posts_before


@pytest.mark.parametrize(
    ("token", "failed_line", "failures"),
    [
        (
            NARROW_TOKEN,  # deals.read only
            "FAILED    HubSpot crm.schemas.deals.read: read deal properties: the token lacks scope "
            "crm.schemas.deals.read; add it to the private app's scopes",
            len(SCOPE_CHECKS) - 2,
        ),
        (
            NO_COMPANY_WRITE_TOKEN,
            "FAILED    HubSpot crm.objects.companies.write: create an AWS referral's company: the token lacks "
            "scope crm.objects.companies.write; add it to the private app's scopes",
            1,
        ),
    ],
    ids=["a-read-scope", "a-write-scope"],
)
def test_a_missing_scope_fails_setup_naming_it_and_nothing_is_created(
    hubspot: HubSpotEmulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    token: str,
    failed_line: str,
    failures: int,
) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", token)
    assert main(["setup", "--skip-role-check"]) == 1
    out = capsys.readouterr().out
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    assert failed_line in failed
    assert len(failed) == failures
    assert "ok        HubSpot crm.objects.deals.read: read and search deals" in out
    assert hubspot.request_count("POST", "/crm/v3/properties") == 0


def test_the_write_checks_leave_nothing_behind(hubspot: HubSpotEmulator) -> None:
    assert main(["setup", "--skip-role-check"]) == 0
    writes = [entry for entry in hubspot.requests if entry.method in {"PATCH", "DELETE", "PUT"}]
    assert {entry.path for entry in writes} == {
        "/crm/v3/objects/deals/0",
        "/crm/v3/objects/companies/0",
        "/crm/v3/objects/contacts/0",
        "/crm/v3/objects/notes/0",
        "/crm/v3/objects/tasks/0",
        "/crm/v3/properties/deals/cosell_write_check",
    }
    assert {entry.status for entry in writes} <= {400, 404}
    object_posts = [
        e for e in hubspot.requests if e.method == "POST" and e.path.startswith("/crm/v3/objects")
    ]
    assert all(e.path.endswith(("/search", "/batch/read")) for e in object_posts)


def test_configuration_error_names_the_variable(
    hubspot: HubSpotEmulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_API_BASE_URL", "not a url")
    assert main(["setup"]) == 2
    assert "HUBSPOT_API_BASE_URL" in capsys.readouterr().err


def test_the_snapshot_job_role_is_set_when_asked_and_then_reported(
    hubspot: HubSpotEmulator, partner_central: PartnerCentralEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    role = "arn:aws:iam::123456789012:role/cosell-iam-ResourceSnapshotJobRole"
    assert main(["setup", "--snapshot-job-role", role]) == 0
    out = capsys.readouterr().out
    assert f"created   Partner Central: resource snapshot job role of the Sandbox catalog: {role}" in out
    assert f"ok        Partner Central: resource snapshot job role of the Sandbox catalog: {role}" in out
    assert "WARNING" not in out
    settings = boto3.client(
        "partnercentral-selling", region_name="us-east-1", endpoint_url=partner_central.url
    )
    assert settings.get_selling_system_settings(Catalog="Sandbox")["ResourceSnapshotJobRoleArn"] == role


def test_a_malformed_snapshot_job_role_fails_with_partner_centrals_reason(
    hubspot: HubSpotEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["setup", "--snapshot-job-role", "not a role!"]) == 1
    (failed,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAILED")]
    assert "resource snapshot job role" in failed
    assert "ValidationException" in failed
