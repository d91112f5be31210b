"""`cosell setup` against the HubSpot emulator and moto's STS: idempotent, and it says what it did."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cosell.cli.main import main
from cosell.domain import deal_properties
from cosell.hubspot import properties
from cosell_local.hubspot import AccessToken, HubSpotEmulator

if TYPE_CHECKING:
    from collections.abc import Iterator

TOKEN = "pat-na1-setup"
NARROW_TOKEN = "pat-na1-narrow"


@pytest.fixture
def hubspot(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[HubSpotEmulator]:
    narrow = AccessToken(NARROW_TOKEN, scopes=frozenset({"crm.objects.deals.read"}))
    with HubSpotEmulator(tokens=[TOKEN, narrow]) as emulator:
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
    assert "ok        HubSpot: read and search deals" in first

    posts_before = hubspot.request_count("POST", "/crm/v3/properties")
    assert main(["setup", "--skip-role-check"]) == 0
    second = capsys.readouterr().out
    assert "nothing to create: HubSpot is already set up" in second
    assert "created" not in second
    assert "Partner Central" not in second
    assert hubspot.request_count("POST", "/crm/v3/properties") == posts_before


def test_missing_scope_is_reported_and_nothing_is_created(
    hubspot: HubSpotEmulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", NARROW_TOKEN)
    assert main(["setup", "--skip-role-check"]) == 1
    out = capsys.readouterr().out
    assert "FAILED    HubSpot: read deal properties" in out
    assert "ok        HubSpot: read and search deals" in out
    assert hubspot.request_count("POST", "/crm/v3/properties") == 0


def test_configuration_error_names_the_variable(
    hubspot: HubSpotEmulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_API_BASE_URL", "not a url")
    assert main(["setup"]) == 2
    assert "HUBSPOT_API_BASE_URL" in capsys.readouterr().err
