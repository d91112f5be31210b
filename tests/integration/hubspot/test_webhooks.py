"""Webhooks: signed batches received by a local HTTP server and verified by an independent v3 check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from cosell_local.hubspot import HubSpotEmulator, WebhookSettings

from .conftest import REP_TOKEN, TOKEN, Api

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SECRET = "client-secret-of-the-app"
FIVE_MINUTES_MS = 5 * 60 * 1000
# Escapes HubSpot decodes in the URI before signing (request-validation docs, v3); nothing else is decoded.
V3_DECODED = {
    "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
    "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}  # fmt: skip
# Field sets of real deliveries (docs/CONTRACTS.md, "Webhook delivery").
COMMON = {"eventId", "subscriptionId", "portalId", "appId", "occurredAt", "subscriptionType", "attemptNumber"}
CREATION_FIELDS = COMMON | {"objectId", "changeSource", "sourceId", "changeFlag"}
PROPERTY_CHANGE_FIELDS = COMMON | {"objectId", "changeSource", "sourceId", "propertyName", "propertyValue"}
ASSOCIATION_FIELDS = COMMON | {"changeSource", "sourceId", "associationType", "fromObjectId", "toObjectId"}
ASSOCIATION_FIELDS |= {"associationRemoved", "isPrimaryAssociation"}
MERGE_FIELDS = COMMON | {"objectId", "changeSource", "sourceId", "primaryObjectId", "mergedObjectIds"}
MERGE_FIELDS |= {"newObjectId", "numberOfPropertiesMoved"}


def verify_v3(secret: str, method: str, url: str, body: bytes, headers: dict[str, str], now_ms: int) -> bool:
    """HubSpot's v3 check, written from its spec: stale after 5 minutes, HMAC-SHA256, base64, constant time."""
    timestamp = headers.get("X-Hubspot-Request-Timestamp", "")
    if not timestamp.isdigit() or now_ms - int(timestamp) > FIVE_MINUTES_MS:
        return False
    uri = url
    for escape, character in V3_DECODED.items():
        uri = uri.replace(escape, character).replace(escape.lower(), character)
    message = f"{method}{uri}".encode() + body + timestamp.encode()
    expected = base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, headers.get("X-Hubspot-Signature-V3", ""))


def verify_v1(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    expected = hashlib.sha256(secret.encode() + body).hexdigest()
    return headers.get("X-Hubspot-Signature-Version") == "v1" and hmac.compare_digest(
        expected, headers.get("X-Hubspot-Signature", "")
    )


@dataclass
class Received:
    url: str
    headers: dict[str, str]
    body: bytes
    received_ms: int

    @property
    def events(self) -> list[dict[str, Any]]:
        parsed: list[dict[str, Any]] = json.loads(self.body)
        return parsed


class Receiver:
    """The sync's webhook endpoint, played by a local server that answers from a script."""

    PATH = "/hooks/hubspot%3Aevents?tenant=acme%40example"

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[int | float] = []  # a status, or seconds to stall (past the emulator's timeout)
        self.delay = 0.0
        self.busy = 0
        self.max_busy = 0
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{self.PATH}"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        url = f"http://{environ['HTTP_HOST']}{environ['RAW_URI']}"  # the URI as sent, escapes intact
        with self._lock:
            self.busy += 1
            self.max_busy = max(self.max_busy, self.busy)
            self.received.append(
                Received(url, dict(request.headers), request.get_data(), int(time.time() * 1000))
            )
            answer = self.answers.pop(0) if self.answers else 204
        time.sleep(self.delay)
        if isinstance(answer, float):
            time.sleep(answer)
            answer = 204
        with self._lock:
            self.busy -= 1
        return Response(status=answer)(environ, start_response)

    def events(self) -> list[dict[str, Any]]:
        return [event for request in self.received for event in request.events]


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


Portal = tuple[HubSpotEmulator, Receiver, Api]


@pytest.fixture
def portal_factory() -> Iterator[Callable[..., Portal]]:
    started: list[tuple[HubSpotEmulator, Receiver]] = []

    def start(subscriptions: list[str], time_scale: float = 100_000, **settings: Any) -> Portal:
        receiver = Receiver().__enter__()
        emulator = HubSpotEmulator(
            tokens=[TOKEN],
            webhook=WebhookSettings(receiver.url, SECRET, **settings),
            time_scale=time_scale,  # by default, retry back-off (minutes to hours) passes in milliseconds
        )
        emulator.add_rep_token(REP_TOKEN)
        assert emulator.webhooks is not None
        for spec in subscriptions:
            kind, _, name = spec.partition(":")
            emulator.webhooks.subscribe(kind, name or None)
        emulator.start()
        started.append((emulator, receiver))
        return emulator, receiver, Api(emulator.base_url)

    yield start
    for emulator, receiver in started:
        emulator.stop()
        receiver.__exit__()


def _settle(emulator: HubSpotEmulator) -> None:
    assert emulator.webhooks is not None
    assert emulator.webhooks.wait_idle(timeout=10)


def test_batches_are_signed_v3_and_v1_and_pass_an_independent_check(
    portal_factory: Callable[..., Portal],
) -> None:
    emulator, receiver, api = portal_factory(["deal.creation", "deal.propertyChange:dealname"])

    api.create("deals", {"dealname": "Signed"})
    _settle(emulator)

    assert receiver.received
    for request in receiver.received:
        assert "%3A" in request.url  # the receiver saw the escaped URI; the check decodes it
        assert verify_v3(SECRET, "POST", request.url, request.body, request.headers, request.received_ms)
        assert verify_v1(SECRET, request.body, request.headers)
        assert abs(int(request.headers["X-Hubspot-Request-Timestamp"]) - request.received_ms) < 5_000
        assert request.headers["Content-Type"] == "application/json"
    first = receiver.received[0]
    assert not verify_v3(SECRET, "POST", first.url, first.body + b" ", first.headers, first.received_ms)
    assert not verify_v3("another-secret", "POST", first.url, first.body, first.headers, first.received_ms)
    stale_now = first.received_ms + FIVE_MINUTES_MS + 1
    assert not verify_v3(SECRET, "POST", first.url, first.body, first.headers, stale_now)


def test_integration_changes_carry_the_captured_fields(portal_factory: Callable[..., Portal]) -> None:
    emulator, receiver, api = portal_factory(["deal.creation", "deal.propertyChange:amount", "deal.deletion"])

    deal = api.create("deals", {"dealname": "x", "amount": "2000"})
    api.delete(f"/crm/v3/objects/deals/{deal['id']}")
    _settle(emulator)

    by_type = {event["subscriptionType"]: event for event in receiver.events()}
    creation, change, deletion = (
        by_type["deal.creation"],
        by_type["deal.propertyChange"],
        by_type["deal.deletion"],
    )
    assert set(creation) == CREATION_FIELDS
    assert set(change) == PROPERTY_CHANGE_FIELDS
    assert set(deletion) == CREATION_FIELDS
    assert (creation["changeFlag"], deletion["changeFlag"]) == ("CREATED", "DELETED")
    assert change["propertyName"] == "amount"
    assert change["propertyValue"] == "2000"
    for event in (creation, change, deletion):
        assert event["objectId"] == int(deal["id"])
        assert event["changeSource"] == "INTEGRATION"
        assert event["sourceId"] == str(emulator.app_id)
        assert event["appId"] == emulator.app_id
        assert event["portalId"] == emulator.portal_id
        assert event["attemptNumber"] == 0
    assert len({creation["subscriptionId"], change["subscriptionId"], deletion["subscriptionId"]}) == 3


def test_rep_changes_arrive_as_crm_ui_and_only_named_properties_notify(
    portal_factory: Callable[..., Portal],
) -> None:
    emulator, receiver, api = portal_factory(["deal.propertyChange:dealstage"])
    deal = api.create("deals", {"dealname": "x"})

    rep = api.as_token(REP_TOKEN)
    rep.patch(
        f"/crm/v3/objects/deals/{deal['id']}", {"properties": {"dealstage": "qualifiedtobuy", "amount": "5"}}
    )
    rep.patch(
        f"/crm/v3/objects/deals/{deal['id']}", {"properties": {"dealstage": "qualifiedtobuy"}}
    )  # no change
    _settle(emulator)

    events = sorted(receiver.events(), key=lambda e: e["occurredAt"])
    assert [(e["changeSource"], e["propertyValue"]) for e in events] == [
        ("INTEGRATION", "appointmentscheduled"),  # the default stage set at creation
        ("CRM_UI", "qualifiedtobuy"),
    ]
    assert events[1]["sourceId"] == "userId:9100001"


def test_batches_hold_at_most_100_events(portal_factory: Callable[..., Portal]) -> None:
    emulator, receiver, api = portal_factory(["deal.creation", "deal.propertyChange:dealname"])

    inputs = [{"properties": {"dealname": f"d{i}"}} for i in range(100)]
    api.post("/crm/v3/objects/deals/batch/create", {"inputs": inputs})
    api.post("/crm/v3/objects/deals/batch/create", {"inputs": inputs[:30]})
    _settle(emulator)

    sizes = [len(request.events) for request in receiver.received]
    assert max(sizes) == 100
    assert sum(sizes) == 260
    assert len({event["eventId"] for event in receiver.events()}) == 260


def test_failed_deliveries_are_retried_with_rising_attempt_numbers(
    portal_factory: Callable[..., Portal],
) -> None:
    emulator, receiver, api = portal_factory(["deal.creation"], timeout_seconds=0.2)
    receiver.answers = [500, 0.5, 404]  # an error, a stall past the 5 s (here 0.2 s) timeout, a 4xx

    api.create("deals", {"dealname": "x"})
    _settle(emulator)

    attempts = [request.events[0] for request in receiver.received]
    assert [event["attemptNumber"] for event in attempts] == [0, 1, 2, 3]
    assert len({event["eventId"] for event in attempts}) == 1
    assert all(verify_v3(SECRET, "POST", r.url, r.body, r.headers, r.received_ms) for r in receiver.received)
    assert emulator.webhooks is not None
    log = emulator.webhooks.deliveries
    assert [(d.attempt_number, d.status) for d in log] == [(0, 500), (1, None), (2, 404), (3, 204)]
    assert log[1].error == "ReadTimeoutError"


def test_delivery_gives_up_after_10_retries(portal_factory: Callable[..., Portal]) -> None:
    emulator, receiver, api = portal_factory(["deal.creation"])
    receiver.answers = [503] * 20

    api.create("deals", {"dealname": "x"})
    _settle(emulator)

    assert [request.events[0]["attemptNumber"] for request in receiver.received] == list(range(11))


def test_retry_back_off_follows_the_emulated_clock(portal_factory: Callable[..., Portal]) -> None:
    # Real time: the first retry is a minute away unless the clock is advanced.
    emulator, receiver, api = portal_factory(["deal.creation"], time_scale=1.0)
    receiver.answers = [500]

    api.create("deals", {"dealname": "x"})
    deadline = time.monotonic() + 5
    while not receiver.received and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert len(receiver.received) == 1
    emulator.advance_clock(3600)
    _settle(emulator)

    assert [request.events[0]["attemptNumber"] for request in receiver.received] == [0, 1]


def test_at_most_10_deliveries_in_flight(portal_factory: Callable[..., Portal]) -> None:
    emulator, receiver, api = portal_factory(["deal.creation"])
    receiver.delay = 0.15
    receiver.answers = [500] * 40  # each first attempt fails, so retries pile up as separate batches

    for _ in range(25):
        api.post("/crm/v3/objects/deals/batch/create", {"inputs": [{"properties": {"dealname": "d"}}]})
    _settle(emulator)

    assert emulator.webhooks is not None
    assert emulator.webhooks.max_in_flight_seen <= 10
    assert 1 < receiver.max_busy <= 10


def _shuffled_run(portal_factory: Callable[..., Portal]) -> tuple[list[int], Counter[int]]:
    emulator, receiver, api = portal_factory(["deal.creation"], duplicate_rate=0.3, reorder=True, seed=7)
    api.post("/crm/v3/objects/deals/batch/create", {"inputs": [{"properties": {"dealname": "d"}}] * 50})
    _settle(emulator)
    batches = sorted(receiver.received, key=lambda r: len(r.events), reverse=True)
    return [e["objectId"] for e in batches[0].events], Counter(e["eventId"] for e in receiver.events())


def test_duplicates_and_reordering_are_seeded(portal_factory: Callable[..., Portal]) -> None:
    order, deliveries = _shuffled_run(portal_factory)
    order_again, deliveries_again = _shuffled_run(portal_factory)

    assert len(deliveries) == 50
    duplicated = {event_id for event_id, count in deliveries.items() if count == 2}
    assert 0 < len(duplicated) < 50
    assert order != sorted(order)  # the first batch is not in creation order
    assert sorted(order) == sorted(order_again)
    assert order == order_again
    assert deliveries == deliveries_again


def test_association_merge_restore_events(portal_factory: Callable[..., Portal]) -> None:
    emulator, receiver, api = portal_factory(
        ["deal.associationChange", "company.associationChange", "deal.merge", "deal.restore"]
    )
    deal = api.create("deals", {"dealname": "keep"})["id"]
    other = api.create("deals", {"dealname": "dup", "amount": "3"})["id"]
    company = api.create("companies", {"name": "c"})["id"]

    api.put(
        f"/crm/v4/objects/deals/{deal}/associations/companies/{company}",
        [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}],
    )
    api.post("/crm/v3/objects/deals/merge", {"primaryObjectId": deal, "objectIdToMerge": other})
    api.delete(f"/crm/v3/objects/deals/{deal}")
    emulator.restore("deals", deal)
    _settle(emulator)

    events = receiver.events()
    associations = [e for e in events if e["subscriptionType"].endswith("associationChange")]
    assert all(set(e) == ASSOCIATION_FIELDS for e in associations)
    deal_side = {
        (e["associationType"], e["isPrimaryAssociation"])
        for e in associations
        if e["subscriptionType"] == "deal.associationChange"
    }
    assert deal_side == {("DEAL_TO_COMPANY", True), ("DEAL_TO_COMPANY", False)}
    company_side = [e for e in associations if e["subscriptionType"] == "company.associationChange"]
    assert {(e["fromObjectId"], e["toObjectId"]) for e in company_side} == {(int(company), int(deal))}
    merge = next(e for e in events if e["subscriptionType"] == "deal.merge")
    assert set(merge) == MERGE_FIELDS
    assert (merge["primaryObjectId"], merge["mergedObjectIds"], merge["newObjectId"]) == (
        int(deal),
        [int(other)],
        int(deal),
    )
    assert merge["numberOfPropertiesMoved"] == 1
    restore = next(e for e in events if e["subscriptionType"] == "deal.restore")
    assert restore["objectId"] == int(deal)
    assert restore["changeSource"] == "CRM_UI"
    assert api.get(f"/crm/v3/objects/deals/{deal}").status == 200


def test_webhook_deliveries_do_not_spend_the_rate_limit(portal_factory: Callable[..., Portal]) -> None:
    emulator, _, api = portal_factory(["deal.creation"], time_scale=1.0)

    api.create("deals", {"dealname": "x"})
    _settle(emulator)

    assert api.get("/crm/v3/owners").headers["X-HubSpot-RateLimit-Remaining"] == "98"
