"""Webhook intake: real HubSpot deliveries become coalesced sync requests; anything else is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosell.hubspot.signature import SignatureError, sign_v3
from cosell.hubspot.webhook_events import WebhookDelivery
from cosell.hubspot.webhook_intake import (
    MAX_BODY_BYTES,
    MalformedDeliveryError,
    accept_delivery,
    from_webhook_events,
)
from cosell.queue.messages import Subject, parse_message

if TYPE_CHECKING:
    from cosell.queue.messages import SyncRequest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hubspot_webhooks"
SECRET = "client-secret"
URL = "https://hooks.example.com/v1/hubspot/webhook"
NOW = 1_782_371_980_000


def deliver(body: bytes, *, secret: str = SECRET, timestamp: int = NOW) -> list[SyncRequest]:
    requests, _ = deliver_all(body, secret=secret, timestamp=timestamp)
    return requests


def deliver_all(
    body: bytes, *, secret: str = SECRET, timestamp: int = NOW
) -> tuple[list[SyncRequest], list[str]]:
    headers = {
        "X-HubSpot-Signature-v3": sign_v3(secret, "POST", URL, body, str(timestamp)),
        "X-HubSpot-Request-Timestamp": str(timestamp),
    }
    return accept(headers, body)


def accept(headers: dict[str, str], body: bytes) -> tuple[list[SyncRequest], list[str]]:
    delivery = accept_delivery(
        method="POST",
        url=URL,
        headers=headers,
        body=body,
        client_secrets=[SECRET],
        now_ms=NOW,
        correlation_id="c-1",
    )
    assert not delivery.signed_with_previous_secret
    return delivery.requests, delivery.ignored_event_types


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_every_reference_delivery_is_accepted(path: Path) -> None:
    requests = deliver(path.read_bytes())
    assert requests
    for request in requests:
        assert parse_message(request.model_dump_json()) == request


def test_changes_to_one_deal_coalesce_into_one_request_in_time_order() -> None:
    requests = deliver(sample("captured__deal.propertyChange.json"))
    assert len(requests) == 1
    (request,) = requests
    assert request.subject is Subject.HUBSPOT_DEAL
    assert request.object_id == "332507367156"
    assert [t.property_name for t in request.triggers] == ["amount", "dealstage"]
    assert {t.change_source for t in request.triggers} == {"INTEGRATION"}
    assert request.group_id == "hubspot.deal:332507367156"


def test_association_change_names_both_sides() -> None:
    requests = deliver(sample("CONSTRUCTED__deal.associationChange_DEAL_TO_COMPANY_both_sides.json"))
    assert {(r.subject, r.object_id) for r in requests} == {
        (Subject.HUBSPOT_DEAL, "1001"),
        (Subject.HUBSPOT_COMPANY, "2001"),
    }


def test_requests_carry_no_property_values() -> None:
    """Values stay in HubSpot (but the opportunity id a deal shows): the worker reads current state, and the queue holds no personal data."""
    body = sample("captured__contact.propertyChange.json")
    values = [event["propertyValue"] for event in json.loads(body) if event.get("propertyValue")]
    serialised = "".join(request.model_dump_json() for request in deliver(body))
    assert values
    assert not [value for value in values if value in serialised]


def test_the_one_value_a_request_carries_is_the_opportunity_id_a_deal_shows() -> None:
    """`aws_opportunity_id` tells cosell's own write-back of the link from a rep naming another opportunity
    (cosell.sync.deals.echoes); it names an AWS record, no person."""
    events = [
        {"eventId": 1, "portalId": 1, "occurredAt": 1, "subscriptionType": "deal.propertyChange", "objectId": 7,
         "propertyName": "aws_opportunity_id", "propertyValue": "O1234567"},
        {"eventId": 2, "portalId": 1, "occurredAt": 2, "subscriptionType": "deal.propertyChange", "objectId": 7,
         "propertyName": "dealname", "propertyValue": "Contoso #AWS"},
    ]  # fmt: skip
    (request,), _ = from_webhook_events(WebhookDelivery.validate_python(events), "c")
    assert [(t.property_name, t.property_value) for t in request.triggers] == [
        ("aws_opportunity_id", "O1234567"),
        ("dealname", None),
    ]


def test_redelivery_has_the_same_deduplication_id() -> None:
    body = sample("captured__deal.propertyChange.json")
    assert deliver(body)[0].deduplication_id == deliver(body, timestamp=NOW - 1000)[0].deduplication_id


def test_bad_signature_is_refused_before_parsing() -> None:
    with pytest.raises(SignatureError):
        deliver(b"not even json", secret="wrong")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not a HubSpot webhook delivery"),
        (b"{}", "not a HubSpot webhook delivery"),
        (b"[]", "at least 1"),
        (b'[{"eventId": 1}]', "portalId"),
        (
            json.dumps(
                [
                    {
                        "eventId": i,
                        "subscriptionId": 1,
                        "portalId": 1,
                        "occurredAt": 1,
                        "subscriptionType": "deal.creation",
                        "objectId": i,
                    }
                    for i in range(101)
                ]
            ).encode(),
            "at most 100",
        ),
    ],
)
def test_malformed_delivery_says_why(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedDeliveryError, match=reason):
        deliver(body)


def test_events_about_other_objects_are_acknowledged_and_named_not_refused() -> None:
    """One event cosell does not sync must not make HubSpot retry (and finally drop) the rest of the batch."""
    body = (
        b'[{"eventId":1,"subscriptionId":1,"portalId":1,"occurredAt":1,"subscriptionType":"ticket.creation",'
        b'"objectId":5},{"eventId":2,"subscriptionId":1,"portalId":1,"occurredAt":2,'
        b'"subscriptionType":"deal.creation","objectId":6}]'
    )
    requests, ignored = deliver_all(body)
    assert [(r.subject, r.object_id) for r in requests] == [(Subject.HUBSPOT_DEAL, "6")]
    assert ignored == ["ticket.creation"]


def test_oversized_body_is_refused() -> None:
    with pytest.raises(MalformedDeliveryError, match="bytes"):
        deliver(b" " * (MAX_BODY_BYTES + 1))


def test_an_association_with_an_activity_is_acknowledged_not_reconciled() -> None:
    events = [
        {"eventId": 1, "portalId": 1, "occurredAt": 1, "subscriptionType": "deal.associationChange",
         "fromObjectId": 7, "associationType": "DEAL_TO_TASK"},
        {"eventId": 2, "portalId": 1, "occurredAt": 1, "subscriptionType": "deal.associationChange",
         "fromObjectId": 8, "associationType": "DEAL_TO_COMPANY"},
    ]  # fmt: skip
    requests, ignored = from_webhook_events(WebhookDelivery.validate_python(events), "c")
    assert [request.object_id for request in requests] == ["8"]
    assert ignored == ["deal.associationChange"]


# --- any bytes, any headers: a 2xx, a 400 or a 401, never an exception ------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
event_like = st.fixed_dictionaries(
    {},
    optional={
        "eventId": st.integers(),
        "portalId": st.integers(),
        "occurredAt": st.integers(),
        "subscriptionType": st.sampled_from(
            ["deal.creation", "deal.propertyChange", "company.deletion", "x"]
        ),
        "objectId": st.integers() | st.text(max_size=5),
        "fromObjectId": st.integers(),
        "mergedObjectIds": st.lists(st.integers(), max_size=3),
        "propertyName": st.text(max_size=10),
        "associationType": st.text(max_size=10),
    },
)
bodies = (
    st.binary(max_size=300)
    | json_values.map(lambda value: json.dumps(value).encode())
    | st.lists(event_like, max_size=3).map(lambda events: json.dumps(events).encode())
)
header_text = st.text(max_size=40)


def outcome(headers: dict[str, str], body: bytes) -> str:
    try:
        accept(headers, body)
    except SignatureError:
        return "401"
    except MalformedDeliveryError:
        return "400"
    return "2xx"


@given(
    st.dictionaries(header_text, header_text, max_size=4), st.binary(max_size=300), header_text, header_text
)
def test_unsigned_input_of_any_shape_is_refused_as_unauthenticated(
    headers: dict[str, str], body: bytes, timestamp: str, signature: str
) -> None:
    headers |= {"X-HubSpot-Request-Timestamp": timestamp, "X-HubSpot-Signature-v3": signature}
    assert outcome(headers, body) == "401"


@given(bodies)
def test_a_signed_body_of_any_shape_is_accepted_or_refused_as_malformed(body: bytes) -> None:
    headers = {
        "X-HubSpot-Signature-v3": sign_v3(SECRET, "POST", URL, body, str(NOW)),
        "X-HubSpot-Request-Timestamp": str(NOW),
    }
    assert outcome(headers, body) in ("2xx", "400")


@pytest.mark.parametrize(
    "timestamp",
    ["²", "١٢٣", "1" * 5000, str(NOW) + "0" * 10, "-1", " 1782371980000", "1782371980000.0", ""],
)
def test_a_timestamp_that_is_not_epoch_milliseconds_is_refused_not_a_crash(timestamp: str) -> None:
    body = b"[]"
    headers = {
        "X-HubSpot-Signature-v3": sign_v3(SECRET, "POST", URL, body, timestamp),
        "X-HubSpot-Request-Timestamp": timestamp,
    }
    with pytest.raises(SignatureError, match="X-HubSpot-Request-Timestamp"):
        accept(headers, body)


def test_an_object_id_beyond_hubspots_64_bit_ids_is_malformed_not_a_crash() -> None:
    event = {
        "eventId": 1,
        "portalId": 1,
        "occurredAt": NOW,
        "subscriptionType": "deal.creation",
        "objectId": int("9" * 129),
    }
    with pytest.raises(MalformedDeliveryError, match="objectId"):
        deliver(json.dumps([event]).encode())
