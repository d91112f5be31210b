"""The control API over HTTP (/_emulator/<action>, JSON keyword arguments): the same actions as in Python."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from cosell_local.partner_central.control import HTTP_ACTIONS, ControlApi
from tests.integration.partner_central.conftest import TASK_DELAY, create, raw_post

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import PartnerCentralEmulator


def act(emulator: PartnerCentralEmulator, action: str, **arguments: Any) -> tuple[int, Any]:
    return raw_post(
        f"{emulator.url}/_emulator/{action}",
        json.dumps(arguments).encode(),
        {"Content-Type": "application/json"},
    )


def test_every_http_action_is_a_control_method() -> None:
    assert all(callable(getattr(ControlApi, action, None)) for action in HTTP_ACTIONS)


def test_playing_aws_over_http(pc: PartnerCentralSellingAPIClient, emulator: PartnerCentralEmulator) -> None:
    status, invitation = act(
        emulator,
        "create-opportunity-invitation",
        catalog="Sandbox",
        fields={"Payload": {"OpportunityInvitation": {"Customer": {"CompanyName": "Over HTTP Inc"}}}},
    )
    assert status == 200
    shown = pc.get_engagement_invitation(Catalog="Sandbox", Identifier=invitation["Id"])
    assert shown["Payload"]["OpportunityInvitation"]["Customer"]["CompanyName"] == "Over HTTP Inc"
    pc.start_engagement_by_accepting_invitation_task(
        Catalog="Sandbox", ClientToken="http", Identifier=invitation["Id"]
    )
    status, now = act(emulator, "advance-clock", seconds=TASK_DELAY)
    assert status == 200
    assert now["Now"].endswith("Z")
    status, calls = act(emulator, "calls", operation="StartEngagementByAcceptingInvitationTask")
    assert [call["Error"] for call in calls] == [None]
    status, events = act(emulator, "events", detail_type="Engagement Invitation Accepted")
    assert len(events) == 1


def test_review_status_and_summary_over_http(
    pc: PartnerCentralSellingAPIClient, emulator: PartnerCentralEmulator
) -> None:
    identifier = create(pc)
    status, _ = act(
        emulator,
        "set-review-status",
        catalog="Sandbox",
        opportunity_id=identifier,
        review_status="Rejected",
        review_comments="Duplicate",
    )
    assert status == 200
    lifecycle = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]
    assert (lifecycle["ReviewStatus"], lifecycle["ReviewComments"]) == ("Rejected", "Duplicate")
    status, _ = act(
        emulator,
        "set-aws-summary",
        catalog="Sandbox",
        opportunity_id=identifier,
        summary={"Insights": {"EngagementScore": "Low"}},
    )
    assert status == 200
    summary = pc.get_aws_opportunity_summary(Catalog="Sandbox", RelatedOpportunityIdentifier=identifier)
    assert summary["Insights"]["EngagementScore"] == "Low"


@pytest.mark.parametrize(
    ("action", "arguments", "status", "field"),
    [
        ("no-such-action", {}, 404, None),
        ("advance-clock", {"minutes": 3}, 400, None),
        (
            "set-review-status",
            {"catalog": "Sandbox", "opportunity_id": "O1", "review_status": "Done"},
            400,
            "review_status",
        ),
        ("set-aws-summary", {"catalog": "Sandbox", "opportunity_id": "O1", "summary": {}}, 400, None),
        (
            "create-opportunity-invitation",
            {
                "catalog": "Sandbox",
                "fields": {"Payload": {"OpportunityInvitation": {"Customer": {"CountryCode": "XX"}}}},
            },
            400,
            "Payload.OpportunityInvitation.Customer.CountryCode",
        ),
        (
            "create-lead-invitation",
            {"catalog": "Sandbox", "fields": {"ParticipantType": "OBSERVER"}},
            400,
            "ParticipantType",
        ),
    ],
)
def test_control_errors_say_what_is_wrong(
    emulator: PartnerCentralEmulator,
    control: ControlApi,
    action: str,
    arguments: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    answered, body = act(emulator, action, **arguments)
    assert answered == status
    if field is not None:
        assert body["ErrorList"][0]["FieldName"] == field


def test_a_control_body_must_be_a_json_object(emulator: PartnerCentralEmulator, control: ControlApi) -> None:
    status, _ = raw_post(f"{emulator.url}/_emulator/now", b"[1]", {"Content-Type": "application/json"})
    assert status == 400


def test_quotas_and_faults_over_http(
    pc: PartnerCentralSellingAPIClient, emulator: PartnerCentralEmulator
) -> None:
    status, config = act(emulator, "configure-faults", seed=1, internal_error_rate=1.0)
    assert (status, config["internal_error_rate"]) == (200, 1.0)
    with pytest.raises(pc.exceptions.InternalServerException):
        pc.list_solutions(Catalog="Sandbox")
    act(emulator, "configure-faults")
    status, config = act(
        emulator, "configure-quotas", limits={"ListSolutions": {"per_second": 1, "per_day": 1}}
    )
    assert status == 200
    pc.list_solutions(Catalog="Sandbox")
    with pytest.raises(pc.exceptions.ServiceQuotaExceededException):
        pc.list_solutions(Catalog="Sandbox")


def test_reset_wipes_state(pc: PartnerCentralSellingAPIClient, emulator: PartnerCentralEmulator) -> None:
    create(pc)
    assert act(emulator, "reset")[0] == 200
    assert pc.list_opportunities(Catalog="Sandbox")["OpportunitySummaries"] == []
