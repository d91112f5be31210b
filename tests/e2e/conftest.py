"""End-to-end: the real handlers, wired as template.yaml deploys them, on moto's server and both emulators."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest
import urllib3

from cosell.hubspot.client import HubSpotClient
from cosell.hubspot.signature import sign_v3
from cosell_local.demo.rep import Rep
from cosell_local.partner_central import EmulatorConfig, QuotaConfig
from cosell_local.runner import LocalStack

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


class World:
    """A running local stack plus a rep acting in HubSpot."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.rep = Rep(stack.hubspot_url)
        self.create_deal = self.rep.create_deal  # the e2e tests' usual first step
        self.integration = HubSpotClient(lambda: stack.hubspot_token, base_url=stack.hubspot_url)
        self.partner_central = stack.client("partnercentral-selling")
        self.http = urllib3.PoolManager()

    def settle(self) -> None:
        """Run the worker until the queue is empty."""
        self.stack.process_queue_until_idle(timeout=60)

    def until(self, done: Callable[[], bool], timeout: float = 30) -> None:
        """Run the worker until `done` (Partner Central's tasks finish on their own time, then send events)."""
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, "timed out"
            self.settle()
            time.sleep(0.05)

    def submitted_deal(self, name: str, use_case: str, **extra: str) -> tuple[str, str]:
        """A complete deal, submitted to AWS as Co-Sell: its id and its opportunity's."""
        deal_id = self.rep.create_deal(name, company=False, aws_customer_use_case=use_case, **extra)
        company = self.rep.client.create_company(
            {"name": "Contoso", "domain": "contoso.example", "industry": "COMPUTER_SOFTWARE", "country": "US",
             "state": "Washington", "zip": "98052"}
        )  # fmt: skip
        self.rep.make_primary_company(deal_id, company.id)
        self.settle()
        self.rep.update_deal(deal_id, aws_involvement_type="Co-Sell", aws_solution_ids="S-1234567")
        self.until(
            lambda: (
                self.integration.get_deal(deal_id, ["aws_submission_status"]).get("aws_submission_status")
                in ("Submitted", "Failed")
            )
        )
        opportunity_id = self.integration.get_deal(deal_id, ["aws_opportunity_id"]).get("aws_opportunity_id")
        return deal_id, str(opportunity_id)

    def timeline(self, deal_id: str, kind: str, names: str) -> list[dict[str, Any]]:
        """The deal's notes or tasks (`kind`), with the properties `names`, oldest first."""
        found = []
        for association in self.integration.list_associations("deals", deal_id, kind):
            answer = self.http.request(
                "GET",
                f"{self.stack.hubspot_url}/crm/v3/objects/{kind}/{association.to_object_id}?properties={names}",
                headers={"Authorization": f"Bearer {self.stack.hubspot_token}"},
            )
            assert answer.status == 200, answer.data
            found.append(json.loads(answer.data)["properties"])
        return sorted(found, key=lambda item: item["hs_timestamp"])

    def deal(self, deal_id: str) -> dict[str, str | None]:
        names = ["dealname", "aws_opportunity_id", "aws_sync_status", "aws_sync_error", "aws_last_synced_at"]
        return dict(self.integration.get_deal(deal_id, names).properties)

    def opportunities_for(self, deal_id: str) -> list[dict[str, Any]]:
        """The opportunities made for a deal, read through the emulator's control API: an observer must not
        take read-quota slots from the sync it watches (a throttled GetOpportunity here once failed a test)."""
        return [
            record
            for record in self.stack.partner_central.control.opportunities(self.stack.catalog)
            if record.get("PartnerOpportunityIdentifier") == deal_id
        ]

    def post_webhook(
        self, body: bytes, *, secret: str | None = None, timestamp_ms: int | str | None = None
    ) -> urllib3.BaseHTTPResponse:
        """`body` signed (v3) as HubSpot signs it; `timestamp_ms` as sent (any text, for refusals)."""
        stamp = str(timestamp_ms if timestamp_ms is not None else time.time_ns() // 1_000_000)
        signature = sign_v3(secret or self.stack.webhook_secret, "POST", self.stack.webhook_url, body, stamp)
        return self.http.request(
            "POST",
            self.stack.webhook_url,
            body=body,
            headers={
                "Content-Type": "application/json",
                "X-HubSpot-Signature-v3": signature,
                "X-HubSpot-Request-Timestamp": stamp,
            },
        )

    def queued_messages(self) -> int:
        attributes = self.stack.client("sqs").get_queue_attributes(
            QueueUrl=self.stack.sync_queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


def running_stack(
    parameters: dict[str, str] | None = None, quotas: QuotaConfig | None = None, **options: Any
) -> Iterator[LocalStack]:
    """The e2e tests' local stack: compressed clocks, schedules run by the test, a rep signed in; `options`
    as LocalStack takes them."""
    with LocalStack(
        queue_time_scale=200,
        hubspot_time_scale=100,
        poll_in_background=False,
        run_schedules=False,
        partner_central=EmulatorConfig(
            tick_seconds=0, task_delay_seconds=0.1, quotas=quotas or QuotaConfig()
        ),
        parameters=parameters,
        **options,
    ) as running:
        Rep.sign_in(running.hubspot)
        yield running


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    yield from running_stack()


@pytest.fixture
def world(stack: LocalStack) -> Iterator[World]:
    stack.process_queue_until_idle(timeout=60)  # what an earlier test left in flight
    world = World(stack)
    yield world
    stack.hubspot.faults.reset()
    stack.partner_central.control.configure_faults(throttle_rate=0.0)


def delivery_body(events: list[dict[str, Any]]) -> bytes:
    return json.dumps(events).encode()
