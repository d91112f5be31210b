"""Quotas with AWS's numbers, scalable for tests; seeded faults; the call log tests assert on."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import pytest
import urllib3
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from cosell_local.partner_central.errors import ApiError
from tests.integration.partner_central.conftest import create, error_of

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi, PartnerCentralEmulator


def outcome(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "ok"


def test_writes_are_one_per_second_by_default(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    control.configure_quotas()
    control.freeze_clock()  # the windows must not depend on how fast this machine runs the calls
    create(pc)
    with pytest.raises(pc.exceptions.ThrottlingException):
        create(pc, ClientToken="second")
    assert len(pc.list_opportunities(Catalog="Sandbox")["OpportunitySummaries"]) == 1
    control.advance_clock(1)
    create(pc, ClientToken="second")
    assert [call["Error"] for call in control.calls("CreateOpportunity")] == [
        None,
        "ThrottlingException",
        None,
    ]


def test_reads_are_ten_per_second_by_default(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    control.configure_quotas()
    control.freeze_clock()
    outcomes = [outcome(lambda: pc.list_solutions(Catalog="Sandbox")) for _ in range(11)]
    assert outcomes == ["ok"] * 10 + ["ThrottlingException"]


def test_operations_without_a_published_quota_are_not_limited(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    control.configure_quotas()
    assert {outcome(lambda: pc.list_engagements(Catalog="Sandbox")) for _ in range(30)} == {"ok"}


def test_the_daily_quota_is_a_rolling_24_hours(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    control.configure_quotas(limits={"CreateOpportunity": {"per_second": 100, "per_day": 2}})
    create(pc, ClientToken="one")
    create(pc, ClientToken="two")
    with pytest.raises(pc.exceptions.ServiceQuotaExceededException):
        create(pc, ClientToken="three")
    control.advance_clock(24 * 3600)
    create(pc, ClientToken="three")


def test_a_scale_factor_stretches_every_quota(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    control.freeze_clock()  # six calls in one instant, however slowly this machine makes them
    control.configure_quotas(scale=5)
    assert [outcome(lambda index=index: create(pc, ClientToken=f"c{index}")) for index in range(6)] == [
        "ok"
    ] * 5 + ["ThrottlingException"]
    control.configure_quotas(scale=0.0002)  # 10,000/day becomes 2/day
    control.advance_clock(1 / 0.0002)
    assert [outcome(lambda index=index: create(pc, ClientToken=f"d{index}")) for index in range(2)] == [
        "ok",
        "ThrottlingException",
    ]


def test_injected_faults_replay_with_the_same_seed(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    def run() -> list[str]:
        control.configure_faults(seed=7, throttle_rate=0.3, internal_error_rate=0.3)
        return [outcome(lambda: pc.list_solutions(Catalog="Sandbox")) for _ in range(20)]

    first = run()
    assert {"ok", "ThrottlingException", "InternalServerException"} <= set(first)
    assert run() == first


def test_faults_can_target_some_operations(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    control.configure_faults(internal_error_rate=1.0, operations=["UpdateOpportunity"])
    identifier = create(pc)
    assert pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["Id"] == identifier


def test_injected_latency(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    control.configure_faults(latency_rate=1.0, latency_seconds=0.3)
    started = time.monotonic()
    pc.list_solutions(Catalog="Sandbox")
    assert time.monotonic() - started >= 0.3


def test_a_dropped_connection_gets_no_answer(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    control.configure_faults(drop_connection_rate=1.0)
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        pc.list_solutions(Catalog="Sandbox")
    assert control.calls()[-1]["Error"] == "DroppedConnection"


def test_the_call_log_tells_which_operations_ran(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = create(pc)
    pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)
    with pytest.raises(pc.exceptions.ResourceNotFoundException) as excinfo:
        pc.get_opportunity(Catalog="Sandbox", Identifier="O1")
    assert error_of(excinfo)["Error"]["Code"] == "ResourceNotFoundException"
    assert [call["Operation"] for call in control.calls()] == [
        "CreateOpportunity",
        "GetOpportunity",
        "GetOpportunity",
    ]
    assert control.calls("UpdateOpportunity") == []
    assert [call["Error"] for call in control.calls("GetOpportunity")] == [None, "ResourceNotFoundException"]
    control.clear_calls()
    assert control.calls() == []


def test_a_malformed_answer_is_served_for_the_calls_it_was_scripted_for(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = create(pc)
    control.answer_next("GetOpportunity", remove=["LifeCycle"], replace={"Project.Title": 7})
    spoiled = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)
    assert "LifeCycle" not in spoiled
    assert spoiled["Project"]["Title"] == 7
    assert control.answers_left() == {"AnswersLeft": 0}
    assert "LifeCycle" in pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)


def test_a_gateway_page_answers_before_the_service_sees_the_call(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    control.answer_next("CreateOpportunity", status=502, body=page, content_type="text/html", handled=False)
    with pytest.raises(ClientError) as refused:
        create(pc)
    assert error_of(refused)["ResponseMetadata"]["HTTPStatusCode"] == 502
    assert pc.list_opportunities(Catalog="Sandbox")["OpportunitySummaries"] == []
    assert control.calls("CreateOpportunity") == []  # the service never saw it


def test_a_truncated_answer_is_the_real_bodys_first_bytes(
    pc: PartnerCentralSellingAPIClient, control: ControlApi, emulator: PartnerCentralEmulator
) -> None:
    control.answer_next("ListSolutions", truncate=12)
    answer = urllib3.request(
        "POST",
        emulator.url,
        body=b'{"Catalog": "Sandbox"}',
        headers={
            "X-Amz-Target": "AWSPartnerCentralSelling.ListSolutions",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing",
        },
    )
    assert (answer.status, answer.data) == (200, b'{"SolutionSu')


@pytest.mark.parametrize(
    ("operation", "settings", "named"),
    [
        ("GetOpportunityX", {}, "no Partner Central operation"),
        ("GetOpportunity", {"colour": "red"}, "unknown malformed-answer setting(s): colour"),
        ("GetOpportunity", {"handled": False}, "needs its own status and body"),
    ],
)
def test_a_malformed_answer_that_cannot_be_served_is_refused_named(
    control: ControlApi, operation: str, settings: dict[str, Any], named: str
) -> None:
    with pytest.raises(ApiError, match=re.escape(named)):
        control.answer_next(operation, **settings)
    assert control.answers_left() == {"AnswersLeft": 0}


def test_configuring_faults_forgets_the_answers_not_served(control: ControlApi) -> None:
    control.answer_next("GetOpportunity", times=3, truncate=1)
    assert control.answers_left() == {"AnswersLeft": 3}
    control.configure_faults()
    assert control.answers_left() == {"AnswersLeft": 0}


def test_a_read_through_the_control_api_takes_no_quota_slot_and_leaves_no_call(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = create(pc)
    control.clear_calls()
    control.configure_quotas(limits={"GetOpportunity": {"per_second": 1, "per_day": 1}})
    control.freeze_clock()
    observed = [control.read("GetOpportunity", Catalog="Sandbox", Identifier=identifier) for _ in range(5)]
    assert (
        pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["Id"] == observed[0]["Id"] == identifier
    )
    assert [call["Error"] for call in control.calls()] == [None]  # the sync's one read, in its quota
    assert control.read("ListSolutions", Catalog="Sandbox")["SolutionSummaries"]
    with pytest.raises(ApiError, match="CreateOpportunity is no read the emulator implements"):
        control.read("CreateOpportunity", Catalog="Sandbox")
