"""A local stack survives a restart; `cosell emulate partner-central` serves until told to stop."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central import (
    CallbackSink,
    EmulatorConfig,
    PartnerCentralEmulator,
    QuotaConfig,
    backend,
)
from cosell_local.partner_central.store import save_state
from tests.integration.partner_central.conftest import emulator_config, make_client, partner_referral

if TYPE_CHECKING:
    import pytest

    from cosell_local.partner_central import ControlApi
    from cosell_local.partner_central.store import State


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "partner-central.json"
    with PartnerCentralEmulator(emulator_config(), state_file=state_file) as first:
        client = make_client(first.url)
        identifier = client.create_opportunity(**partner_referral())["Id"]
        invitation = first.control.create_opportunity_invitation("AWS")
        first.control.advance_clock(3600)
        clock = first.control.now()["Now"]
    with PartnerCentralEmulator(emulator_config(), state_file=state_file) as second:
        client = make_client(second.url)
        assert client.get_opportunity(Catalog="Sandbox", Identifier=identifier)["Id"] == identifier
        # The client token is remembered too: the retried create is still the same opportunity.
        assert client.create_opportunity(**partner_referral())["Id"] == identifier
        assert (
            client.get_engagement_invitation(Catalog="AWS", Identifier=invitation["Id"])["Status"]
            == "PENDING"
        )
        assert second.control.now()["Now"] >= clock


def test_a_read_saves_nothing_but_the_work_it_made_due(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves: list[Path] = []

    def counted_save(state: State, path: Path) -> None:
        saves.append(path)
        save_state(state, path)

    monkeypatch.setattr(backend, "save_state", counted_save)
    state_file = tmp_path / "partner-central.json"
    config = EmulatorConfig(task_delay_seconds=0.2, quotas=QuotaConfig(enabled=False), tick_seconds=0)
    with PartnerCentralEmulator(config, state_file=state_file) as emulator:
        client = make_client(emulator.url)
        identifier = client.create_opportunity(**partner_referral())["Id"]
        saved = len(saves)
        client.get_opportunity(Catalog="Sandbox", Identifier=identifier)
        client.list_opportunities(Catalog="Sandbox")
        emulator.control.opportunities("Sandbox")
        assert len(saves) == saved
        invitation = emulator.control.create_opportunity_invitation("Sandbox")
        client.start_engagement_by_accepting_invitation_task(
            Catalog="Sandbox", ClientToken="accept", Identifier=invitation["Id"]
        )
        time.sleep(0.3)  # the task falls due; the next call, a read, completes it
        client.list_opportunities(Catalog="Sandbox")
    with PartnerCentralEmulator(config, state_file=state_file) as restarted:
        accepted = make_client(restarted.url).get_engagement_invitation(
            Catalog="Sandbox", Identifier=invitation["Id"]
        )
        assert accepted["Status"] == "ACCEPTED"
        assert len(restarted.control.opportunities("Sandbox")) == 2


def test_a_running_server_finishes_due_tasks_without_being_called(control: ControlApi) -> None:
    received: list[dict[str, Any]] = []
    config = EmulatorConfig(task_delay_seconds=0.2, tick_seconds=0.05, quotas=QuotaConfig(enabled=False))
    with PartnerCentralEmulator(config, sinks=[CallbackSink(received.append)]) as emulator:
        invitation = emulator.control.create_opportunity_invitation("Sandbox")
        client = make_client(emulator.url)
        client.start_engagement_by_accepting_invitation_task(
            Catalog="Sandbox", ClientToken="accept", Identifier=invitation["Id"]
        )
        deadline = time.monotonic() + 5
        while "Opportunity Created" not in [event["detail-type"] for event in received]:
            assert time.monotonic() < deadline, "the ticker never completed the task"
            time.sleep(0.02)
        assert [call["Operation"] for call in emulator.control.calls()] == [
            "StartEngagementByAcceptingInvitationTask"
        ]


def test_the_cli_prints_its_url_serves_and_stops_on_sigterm(tmp_path: Path, control: ControlApi) -> None:
    cosell = Path(sys.executable).parent / "cosell"
    process = subprocess.Popen(
        [
            str(cosell),
            "emulate",
            "partner-central",
            "--port",
            "0",
            "--state-file",
            str(tmp_path / "state.json"),
            "--no-quotas",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert ready["emulator"] == "partner-central"
        assert ready["url"].startswith("http://127.0.0.1:")
        client = make_client(ready["url"])
        assert client.create_opportunity(**partner_referral())["Id"].startswith("O")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert "opportunities" in (tmp_path / "state.json").read_text()
