"""Issue 5 end to end: a HubSpot deal tagged #AWS becomes one Partner Central opportunity, exactly once.

A rep works in the HubSpot emulator; its signed webhooks reach the webhook function through the local API
Gateway; the worker runs from the SQS FIFO queue with Lambda's semantics; Partner Central is the emulator.
"""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING

from tests.e2e.conftest import delivery_body

if TYPE_CHECKING:
    from tests.e2e.conftest import World


def test_tagged_deal_becomes_one_opportunity_and_untagged_deal_none(world: World) -> None:
    creates_before = len(world.stack.partner_central.control.calls("CreateOpportunity"))
    tagged = world.create_deal("Acme Data Platform #AWS")
    untagged = world.create_deal("Acme Office Move")
    world.stack.process_queue_until_idle(timeout=60)

    (opportunity,) = world.opportunities_for(tagged)
    assert opportunity["Project"]["Title"] == "Acme Data Platform"
    assert opportunity["LifeCycle"]["Stage"] == "Technical Validation"
    assert opportunity["LifeCycle"]["TargetCloseDate"] == "2027-09-30"
    assert opportunity["Project"]["ExpectedCustomerSpend"][0]["Amount"] == "5000.00"
    assert opportunity["Customer"]["Account"]["CompanyName"] == "BigCorp Inc."
    assert opportunity["Customer"]["Account"]["Address"]["CountryCode"] == "US"
    assert opportunity["Customer"]["Contacts"][0] == {
        "Email": "cto@bigcorp.example",
        "FirstName": "Casey",
        "BusinessTitle": "Customer contact",
        "Phone": "+14155550134",
    }
    assert opportunity["OpportunityTeam"][0]["Email"] == "ada.rep@example.com"
    deal = world.deal(tagged)
    assert deal["aws_opportunity_id"] == opportunity["Id"]
    assert deal["aws_sync_status"] == "Synced"

    assert world.opportunities_for(untagged) == []
    assert world.deal(untagged)["aws_sync_status"] is None
    assert len(world.stack.partner_central.control.calls("CreateOpportunity")) == creates_before + 1


def test_one_webhook_delivered_five_times_concurrently_and_out_of_order_makes_one_opportunity(
    world: World,
) -> None:
    deal_id = world.create_deal("Globex Analytics #AWS")
    world.stack.hubspot.webhooks.wait_idle()
    sent = [
        d
        for d in world.stack.hubspot.webhooks.deliveries
        if any(str(e.get("objectId")) == deal_id for e in d.events)
    ]
    events = [e for d in sent for e in d.events if str(e.get("objectId")) == deal_id]
    assert events, "HubSpot sent no webhook for the new deal"
    replays = [delivery_body(list(reversed(events))), delivery_body(events)] * 2 + [
        delivery_body(events[::-1])
    ]
    statuses: list[int] = []

    def replay(body: bytes) -> None:
        statuses.append(world.post_webhook(body).status)

    threads = [threading.Thread(target=replay, args=(body,)) for body in replays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 5
    world.stack.process_queue_until_idle(timeout=60)
    assert len(world.opportunities_for(deal_id)) == 1
    assert world.deal(deal_id)["aws_sync_status"] == "Synced"


def test_crash_between_create_and_write_back_still_makes_one_opportunity(world: World) -> None:
    deal_id = world.create_deal("Initech Migration #AWS")
    # Every attempt of the first reconcile to write the result back fails (the client's five tries).
    world.stack.hubspot.faults.fail_next(
        503, times=5, path_prefix=f"/crm/v3/objects/deals/{deal_id}", method="PATCH"
    )
    run = world.stack.process_queue_until_idle(timeout=90)
    assert run.failed_message_ids, "the first attempt should have failed after creating the opportunity"
    assert len(world.opportunities_for(deal_id)) == 1
    assert world.deal(deal_id)["aws_sync_status"] == "Synced"
    assert world.stack.dlq_messages() == []


def test_invalid_deal_gets_a_readable_error_and_no_partner_central_call(world: World) -> None:
    creates_before = len(world.stack.partner_central.control.calls("CreateOpportunity"))
    deal_id = world.create_deal("Umbrella Cloud #AWS", description="Too short", company=False)
    world.stack.process_queue_until_idle(timeout=60)
    deal = world.deal(deal_id)
    assert deal["aws_sync_status"] == "Error"
    error = deal["aws_sync_error"] or ""
    assert (
        "Deal description: Partner Central needs the customer's business problem in 20 to 2,000 characters"
        in error
    )
    assert "Company: the deal has no associated company" in error
    assert len(world.stack.partner_central.control.calls("CreateOpportunity")) == creates_before


def test_bad_signature_stale_timestamp_and_malformed_body_are_refused_and_nothing_queued(
    world: World,
) -> None:
    invocations_before = len(world.stack.invocations("WorkerFunction"))
    event = [
        {
            "eventId": 1,
            "subscriptionId": 1,
            "portalId": 1,
            "occurredAt": 1,
            "subscriptionType": "deal.creation",
            "objectId": 1,
        }
    ]
    body = delivery_body(event)

    bad_signature = world.post_webhook(body, secret="not-the-app-secret")
    stale = world.post_webhook(body, timestamp_ms=time.time_ns() // 1_000_000 - 6 * 60 * 1000)
    malformed = world.post_webhook(b'{"eventId": 1}')
    unsigned = world.http.request("POST", world.stack.webhook_url, body=body)

    assert (bad_signature.status, json.loads(bad_signature.data)["message"]) == (
        401,
        "signature does not match the request",
    )
    assert stale.status == 401
    assert "older than 5 minutes" in json.loads(stale.data)["message"]
    assert malformed.status == 400
    assert "not a HubSpot webhook delivery" in json.loads(malformed.data)["message"]
    assert unsigned.status == 401
    assert world.queued_messages() == 0
    world.stack.process_queue_until_idle(timeout=30)
    assert len(world.stack.invocations("WorkerFunction")) == invocations_before


def test_input_that_once_crashed_the_webhook_function_is_refused_with_its_reason(world: World) -> None:
    """A timestamp of "²" or of 5,000 digits, an objectId beyond 64 bits, a body that is not UTF-8: 4xx."""
    event = {"eventId": 1, "portalId": 1, "occurredAt": 1, "subscriptionType": "deal.creation", "objectId": 1}
    stamp = str(time.time_ns() // 1_000_000)

    def post(body: bytes, timestamp: str) -> tuple[int, str]:
        answer = world.post_webhook(body, timestamp_ms=timestamp)
        return answer.status, json.loads(answer.data)["message"]

    body = delivery_body([event])
    assert post(body, "²") == (401, "missing or malformed X-HubSpot-Request-Timestamp header")
    assert post(body, "9" * 5000) == (401, "missing or malformed X-HubSpot-Request-Timestamp header")
    status, message = post(delivery_body([event | {"objectId": int("9" * 129)}]), stamp)
    assert (status, "0.objectId" in message) == (400, True)
    status, message = post(b'[{"eventId": 1, "note": "' + bytes([0xFF, 0xFE]) + b'"}]', stamp)
    assert status in (400, 401), message
    assert world.queued_messages() == 0


def test_thirty_percent_throttling_on_both_sides_still_syncs_every_deal_once(world: World) -> None:
    world.stack.hubspot.faults.fail_randomly(429, 0.3)
    world.stack.partner_central.control.configure_faults(throttle_rate=0.3, seed=11)
    deal_ids = []
    for index in range(6):
        for _ in range(5):  # the rep's own requests meet the same 429s; a rep retries
            try:
                deal_ids.append(world.create_deal(f"Throttled {index} #AWS"))
                break
            except Exception:  # noqa: BLE001, S112 - HubSpot said 429 to the rep: try again
                continue
    world.stack.process_queue_until_idle(timeout=300)
    world.stack.hubspot.faults.reset()
    world.stack.partner_central.control.configure_faults(throttle_rate=0.0)
    world.stack.process_queue_until_idle(timeout=60)
    assert len(deal_ids) == 6
    for deal_id in deal_ids:
        assert len(world.opportunities_for(deal_id)) == 1, deal_id
        assert world.deal(deal_id)["aws_sync_status"] == "Synced", deal_id
    assert world.stack.dlq_messages() == []


def test_the_creations_own_opportunity_created_event_costs_no_second_reconcile(world: World) -> None:
    """The create saved the pair's snapshot; its echo from Partner Central brings nothing, and is dropped
    before it is forwarded to the deal's group (a reconcile there would read the deal, its associations,
    company and contacts again)."""
    control = world.stack.partner_central.control
    deal_id = world.create_deal("Fabrikam Lakehouse #AWS")
    world.settle()
    opportunity_id = world.deal(deal_id)["aws_opportunity_id"]
    assert any(
        event["detail"]["opportunity"]["identifier"] == opportunity_id
        for event in control.events("Opportunity Created")
    ), "Partner Central sent no Opportunity Created event"
    handled = [
        json.loads(record["body"])
        for source in world.stack.event_sources
        for batch in source.history()
        for record in batch.invocation.event["Records"]
    ]
    received = [
        body
        for body in handled
        if body.get("detail", {}).get("opportunity", {}).get("identifier") == opportunity_id
    ]
    assert [body["detail-type"] for body in received] == ["Opportunity Created"]  # the worker got it, ...
    forwarded = [
        body
        for body in handled
        if body.get("object_id") == deal_id
        and any(trigger["source"] == "eventbridge" for trigger in body.get("triggers", []))
    ]
    assert forwarded == []  # ... and did not send it on to the deal
