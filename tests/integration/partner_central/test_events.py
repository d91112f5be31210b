"""EventBridge events: shaped like AWS's published samples, delivered to callbacks, HTTP and EventBridge."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from cosell_local.partner_central import CallbackSink, EventBridgeSink
from tests.integration.partner_central.conftest import FIXTURES, TASK_DELAY, create, update

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi

SAMPLES = sorted((FIXTURES / "events").glob("*.json"))


def every_kind_of_event(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> list[dict[str, Any]]:
    """One scenario that makes the emulator emit each detail-type AWS documents."""
    identifier = create(pc)
    update(pc, identifier, LifeCycle__NextSteps="Call the customer")
    pc.associate_opportunity(
        Catalog="Sandbox",
        OpportunityIdentifier=identifier,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-1234567",
    )
    pc.start_engagement_from_opportunity_task(
        Catalog="Sandbox",
        ClientToken="engage",
        Identifier=identifier,
        AwsSubmission={"InvolvementType": "Co-Sell"},
    )
    control.advance_clock(TASK_DELAY)
    engagement_id = pc.list_engagements(Catalog="Sandbox")["EngagementSummaryList"][0]["Id"]
    control.add_engagement_member("Sandbox", engagement_id, "210987654321", "Distributor Ltd")
    control.add_resource_snapshot("Sandbox", engagement_id, identifier)
    lead = control.create_lead_invitation("Sandbox")
    pc.accept_engagement_invitation(Catalog="Sandbox", Identifier=lead["Id"])
    pc.start_opportunity_from_engagement_task(
        Catalog="Sandbox", ClientToken="lead", Identifier=lead["EngagementId"], ContextIdentifier="1"
    )
    control.advance_clock(TASK_DELAY)
    rejected = control.create_opportunity_invitation("Sandbox")
    pc.reject_engagement_invitation(Catalog="Sandbox", Identifier=rejected["Id"], RejectionReason="Not a fit")
    expired = control.create_opportunity_invitation("Sandbox")
    control.expire_invitation("Sandbox", expired["Id"])
    return control.events()


def same_keys_and_types(sample: Any, emitted: Any, path: str = "") -> list[str]:
    """Where `emitted` lacks a key of `sample`, or holds another JSON type; values are placeholders."""
    if type(sample) is not type(emitted):
        return [f"{path}: {type(emitted).__name__} instead of {type(sample).__name__}"]
    problems: list[str] = []
    if isinstance(sample, dict):
        for key, value in sample.items():
            if key not in emitted:
                problems.append(f"{path}.{key}: missing")
            else:
                problems += same_keys_and_types(value, emitted[key], f"{path}.{key}")
    elif isinstance(sample, list) and sample and emitted:
        problems += same_keys_and_types(sample[0], emitted[0], f"{path}[0]")
    return problems


@pytest.mark.parametrize("sample_path", SAMPLES, ids=[path.stem for path in SAMPLES])
def test_emitted_events_match_the_reference_samples(
    pc: PartnerCentralSellingAPIClient, control: ControlApi, sample_path: Any
) -> None:
    sample = json.loads(sample_path.read_text())
    emitted = [
        event for event in every_kind_of_event(pc, control) if event["detail-type"] == sample["detail-type"]
    ]
    assert emitted, f"no {sample['detail-type']} event emitted"
    event = emitted[0]
    assert same_keys_and_types(sample, event) == []
    # Nothing beyond the sample inside `detail`; the envelope may add `resources` (EventBridge always sets it).
    assert set(event["detail"]) == set(sample["detail"])
    assert set(event) - set(sample) <= {"resources"}
    assert (event["source"], event["region"], event["detail"]["catalog"]) == (
        "aws.partnercentral-selling",
        "us-east-1",
        "Sandbox",
    )


def test_invitation_events_spell_the_participant_type_as_aws_does(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    invitation = control.create_opportunity_invitation("Sandbox")
    detail = control.events()[-1]["detail"]["engagementInvitation"]
    assert detail["participantType"] == "Receiver"
    assert (detail["id"], detail["engagementId"], detail["payloadType"]) == (
        invitation["Id"],
        invitation["EngagementId"],
        "OpportunityInvitation",
    )
    assert detail["receiverAccountId"] == "123456789012"


def test_opportunity_events_carry_only_the_identifier(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    identifier = create(pc)
    event = control.events()[-1]
    assert event["detail"]["opportunity"] == {"identifier": identifier}
    assert event["resources"] == [pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["Arn"]]


def test_a_callback_sink_sees_each_event_once_in_order(
    pc: PartnerCentralSellingAPIClient, control: ControlApi, emulator: Any
) -> None:
    received: list[dict[str, Any]] = []
    emulator.add_event_sink(CallbackSink(received.append))
    identifier = create(pc)
    update(pc, identifier, LifeCycle__NextSteps="Next")
    assert [event["detail-type"] for event in received] == ["Opportunity Created", "Opportunity Updated"]


def test_events_can_be_duplicated_or_lost_like_eventbridge(
    pc: PartnerCentralSellingAPIClient, control: ControlApi, emulator: Any
) -> None:
    received: list[dict[str, Any]] = []
    emulator.add_event_sink(CallbackSink(received.append))
    control.configure_faults(duplicate_event_rate=1.0)
    create(pc)
    assert [event["detail-type"] for event in received] == ["Opportunity Created"] * 2
    received.clear()
    control.configure_faults(lose_event_rate=1.0)
    create(pc, ClientToken="lost")
    assert received == []
    assert len(control.events("Opportunity Created")) == 2


class _Collector(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.received.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def http_collector() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/events", server.received  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def test_an_http_sink_receives_each_event_as_a_json_post(
    pc: PartnerCentralSellingAPIClient, control: ControlApi, http_collector: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = http_collector
    control.add_http_event_sink(url)
    identifier = create(pc)
    assert [event["detail"]["opportunity"]["identifier"] for event in received] == [identifier]


def test_events_reach_an_sqs_queue_through_an_eventbridge_rule(
    pc: PartnerCentralSellingAPIClient, control: ControlApi, emulator: Any, moto_url: str
) -> None:
    credentials = {
        "region_name": "us-east-1",
        "endpoint_url": moto_url,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    sqs = boto3.client("sqs", **credentials)
    events = boto3.client("events", **credentials)
    queue_url = sqs.create_queue(QueueName="partner-central-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="partner-central", EventPattern=json.dumps({"source": ["aws.partnercentral-selling"]})
    )
    events.put_targets(Rule="partner-central", Targets=[{"Id": "queue", "Arn": queue_arn}])
    try:
        emulator.add_event_sink(EventBridgeSink(moto_url))
        identifier = create(pc)
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=2)[
            "Messages"
        ]
        delivered = json.loads(messages[0]["Body"])
        assert (delivered["source"], delivered["detail-type"]) == (
            "aws.partnercentral-selling",
            "Opportunity Created",
        )
        assert delivered["detail"]["opportunity"]["identifier"] == identifier
    finally:
        # moto's default bus is shared by the whole test process, and its PutEvents fails outright when a
        # rule targets a deleted queue: leave the bus as it was found.
        events.remove_targets(Rule="partner-central", Ids=["queue"])
        events.delete_rule(Name="partner-central")
        sqs.delete_queue(QueueUrl=queue_url)
