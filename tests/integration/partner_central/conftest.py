"""One Partner Central emulator per session, wiped before each test, driven through an unmodified boto3."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import urllib3
from botocore.config import Config

from cosell_local.partner_central import (
    EmulatorConfig,
    PartnerCentralEmulator,
    QuotaConfig,
    model,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi

FIXTURES = Path(__file__).parent / "fixtures"
TASK_DELAY = 5.0


def strip_nulls(value: Any) -> Any:
    """What aws-samples' scripts do to the reference payloads before calling boto3."""
    if isinstance(value, dict):
        return {key: strip_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [strip_nulls(item) for item in value]
    return value


def reference_payload(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = strip_nulls(json.loads((FIXTURES / name).read_text()))
    return payload


def future(days: int = 120) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def partner_referral(**overrides: Any) -> dict[str, Any]:
    """The aws-samples partner-referral CreateOpportunity body (Sandbox), dated in the future."""
    body = reference_payload("createOpportunity.partner-referral.aws-samples.json")
    body["ClientToken"] = "create-1"
    body["LifeCycle"]["TargetCloseDate"] = future()
    body.update(copy.deepcopy(overrides))
    return body


def make_client(url: str, **config: Any) -> PartnerCentralSellingAPIClient:
    # One attempt: the error paths under test must reach the test, not botocore's retry loop.
    return boto3.client(
        "partnercentral-selling",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}, **config),
    )


def emulator_config() -> EmulatorConfig:
    # No background ticker: tests move the clock themselves, so every outcome follows from their calls.
    return EmulatorConfig(task_delay_seconds=TASK_DELAY, quotas=QuotaConfig(enabled=False), tick_seconds=0)


@pytest.fixture(scope="session")
def emulator() -> Iterator[PartnerCentralEmulator]:
    with PartnerCentralEmulator(emulator_config()) as running:
        yield running


@pytest.fixture(scope="session")
def session_client(emulator: PartnerCentralEmulator) -> PartnerCentralSellingAPIClient:
    return make_client(emulator.url)


@pytest.fixture
def control(emulator: PartnerCentralEmulator) -> ControlApi:
    emulator.control.reset()
    emulator.control.remove_event_sinks()
    emulator.control.configure_quotas(enabled=False)
    emulator.control.configure_faults()
    emulator.control.set_task_delay(TASK_DELAY)
    emulator.control.enable_search_opportunities()
    return emulator.control


@pytest.fixture
def emulator_solutions(control: ControlApi) -> list[str]:
    """Eleven active solutions in the Sandbox catalog (one more than an opportunity may hold)."""
    identifiers = [f"S-90000{index:02d}" for index in range(11)]
    for identifier in identifiers:
        control.add_solution("Sandbox", identifier, f"Solution {identifier}")
    return identifiers


@pytest.fixture
def pc(control: ControlApi, session_client: PartnerCentralSellingAPIClient) -> PartnerCentralSellingAPIClient:
    """The boto3 client, against a freshly reset emulator."""
    return session_client


def raw_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    """An HTTP POST outside boto3, for what boto3 never sends (bad targets, bad bodies) and the control API."""
    response = urllib3.request("POST", url, body=body, headers=headers)
    return response.status, json.loads(response.data) if response.data else None


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> dict[str, Any]:
    """A ClientError's parsed response: Error.Code, Reason, ErrorList, HTTP status."""
    response: dict[str, Any] = excinfo.value.response
    return response


def field_codes(excinfo: pytest.ExceptionInfo[Any]) -> set[tuple[str, str]]:
    return {(item["FieldName"], item["Code"]) for item in error_of(excinfo).get("ErrorList", [])}


def create(pc: PartnerCentralSellingAPIClient, **overrides: Any) -> str:
    identifier: str = pc.create_opportunity(**partner_referral(**overrides))["Id"]  # type: ignore[arg-type]
    return identifier


def update_body(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """GetOpportunity's answer turned into a full UpdateOpportunity request (merge, then replace)."""
    members = model.request_shape("UpdateOpportunity").members  # type: ignore[attr-defined]
    body = {key: copy.deepcopy(value) for key, value in record.items() if key in members}
    body["Identifier"] = record["Id"]
    for path, value in changes.items():
        target = body
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target.setdefault(parent, {})
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return body


def update(
    pc: PartnerCentralSellingAPIClient, identifier: str, catalog: str = "Sandbox", **changes: Any
) -> Any:
    record = pc.get_opportunity(Catalog=catalog, Identifier=identifier)
    return pc.update_opportunity(**update_body(dict(record), **changes))
