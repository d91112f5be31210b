"""cosell backfill's use cases on the sync world: HubSpot emulator → backfill → Partner Central emulator, the
cursor and links in moto's DynamoDB. The whole command on the local stack is tests/e2e/test_backfill.py."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cosell.domain.audit import AuditAction, Cause
from cosell.domain.backfill import Outcome
from cosell.hubspot.batched import BatchingHubSpotClient
from cosell.hubspot.client import RetryPolicy
from cosell.hubspot.models import SearchFilter
from cosell.store.backfill import BackfillStore
from cosell.store.pacer import WRITES, used_on
from cosell.sync.deals.push import push_deal
from cosell.sync.onboarding.backfill import Backfill, BackfillOptions
from cosell.sync.onboarding.backfill_deals import SOURCE, backfill_deals
from cosell.sync.onboarding.backfill_opportunities import backfill_opportunities
from tests.integration.sync_world import CATALOG, TOKEN, WorkerClock, make_world
from tests.integration.test_adopt import existing_opportunity

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from tests.integration.sync_world import SyncWorld, WorldPorts


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    yield from make_world(f"state-{abs(hash(request.node.nodeid)) % 10**8}")


class Recorded:
    """What the operator would have seen."""

    def __init__(self) -> None:
        self.totals: list[int] = []
        self.outcomes: list[tuple[str, Outcome, str]] = []
        self.waits: list[tuple[datetime, str]] = []
        self.events: list[str] = []  # "done <id>" and "wait", in order

    def started(self, total: int, counts: Mapping[Outcome, int], eta: datetime, resumed: bool) -> None:
        self.totals.append(total)

    def done(self, object_id: str, outcome: Outcome, detail: str, eta: datetime) -> None:
        self.outcomes.append((object_id, outcome, detail))
        self.events.append(f"done {object_id}")

    def passed(self, object_id: str) -> None:
        self.events.append(f"passed {object_id}")

    def waiting(self, until: datetime, reason: str) -> None:
        self.waits.append((until, reason))
        self.events.append("wait")


class Run:
    """A backfill on the world, counting HubSpot's requests."""

    def __init__(self, world: SyncWorld, clock: WorkerClock | None = None) -> None:
        self.world = world
        self.clock = clock or WorkerClock()
        self.hubspot = BatchingHubSpotClient(
            lambda: TOKEN,
            base_url=world.hubspot_emulator.base_url,
            retry=RetryPolicy(max_attempts=3),
            sleep=world.hubspot_emulator.advance_clock,
        )
        self.sent: list[str] = []  # method and path of each HubSpot request
        send = self.hubspot._http.request

        def counted(method: str, url: str, **kwargs: Any) -> Any:
            self.sent.append(f"{method} {url.split('?')[0].removeprefix(world.hubspot_emulator.base_url)}")
            return send(method, url, **kwargs)

        self.hubspot._http.request = counted  # type: ignore[method-assign]
        self.ports: WorldPorts = world.ports(hubspot=self.hubspot, clock=self.clock)
        self.progress = Recorded()
        self.slept: list[float] = []

    def __call__(self, source: str = SOURCE, **options: Any) -> Any:
        backfill = Backfill(
            source,
            self.ports,
            BackfillStore(boto3.client("dynamodb", region_name="us-east-1"), self.world.table),
            lambda day: used_on(
                boto3.client("dynamodb", region_name="us-east-1"), self.world.table, WRITES, day
            ),
            BackfillOptions(writes_per_second=10, daily_quota=10_000, **options),
            self.progress,
            self.sleep,
            Cause(f"operator:backfill:{source}", "test"),
        )
        if source == SOURCE:
            return backfill_deals(backfill, self.hubspot)
        return backfill_opportunities(backfill, self.hubspot)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)


def opportunity_deals(world: SyncWorld) -> Counter[str]:
    """Deal id → how many opportunities name it."""
    return Counter(
        str(o["PartnerOpportunityIdentifier"])
        for o in world.partner_central_emulator.control.opportunities(CATALOG)
    )


def test_tagged_deals_without_an_opportunity_get_one_and_the_rest_are_explained(world: SyncWorld) -> None:
    valid = [world.create_deal(f"Valid {index} #AWS", contacts=1) for index in range(5)]
    invalid = world.create_deal("Too short #AWS", description="short")
    untagged = world.create_deal("AWS migration, not tagged")
    linked = world.create_deal("Linked already #AWS")
    push_deal(linked, world.ports())
    world.partner_central_emulator.control.clear_calls()

    run = Run(world)
    summary = run()

    assert opportunity_deals(world) == Counter(dict.fromkeys([*valid, linked], 1))
    assert summary.finished
    assert summary.counts == Counter({Outcome.CREATED: 5, Outcome.INVALID: 1, Outcome.SKIPPED: 1})
    assert {deal_id for deal_id, _, _ in run.progress.outcomes} == {*valid, invalid, linked}
    assert untagged not in {deal_id for deal_id, _, _ in run.progress.outcomes}
    shown = world.hubspot.get_deal(valid[0], ["aws_opportunity_id", "aws_sync_status"]).properties
    assert shown["aws_sync_status"] == "Synced"
    assert shown["aws_opportunity_id"] == world.store.link_for_deal(valid[0]).opportunity_id  # type: ignore[union-attr]
    explained = world.hubspot.get_deal(invalid, ["aws_sync_status", "aws_sync_error"]).properties
    assert explained["aws_sync_status"] == "Error"
    assert "description" in (explained["aws_sync_error"] or "").lower()
    # One audit record per deal looked at: its create, its error, or the skip.
    actions = {r.deal_id: r.action for r in world.audit.records if r.correlation_id == "test"}
    assert actions == {
        **dict.fromkeys(valid, AuditAction.CREATE_OPPORTUNITY),
        invalid: AuditAction.ERROR,
        linked: AuditAction.SKIP,
    }
    # Search, associations, then per hundred deals: deals, companies, contacts, one batch update.
    # One search, the associations, then for each hundred deals: the deals, their companies and contacts, one
    # batch update (and the owners, read once).
    assert sorted(run.sent) == [
        "GET /crm/v3/owners",
        "POST /crm/v3/objects/companies/batch/read",
        "POST /crm/v3/objects/contacts/batch/read",
        "POST /crm/v3/objects/deals/batch/read",
        "POST /crm/v3/objects/deals/batch/update",
        "POST /crm/v3/objects/deals/search",
        "POST /crm/v4/associations/deals/companies/batch/read",
        "POST /crm/v4/associations/deals/contacts/batch/read",
    ]


def test_a_second_run_creates_nothing_and_a_dry_run_writes_nothing(world: SyncWorld) -> None:
    deal_id = world.create_deal()
    dry = Run(world)
    planned = dry(dry_run=True)
    assert planned.counts == Counter({Outcome.CREATED: 1})
    assert not opportunity_deals(world)
    assert world.store.link_for_deal(deal_id) is None
    assert world.hubspot.get_deal(deal_id, ["aws_sync_status"]).get("aws_sync_status") is None
    assert (
        BackfillStore(boto3.client("dynamodb", region_name="us-east-1"), world.table).get(CATALOG, SOURCE)
        is None
    )
    assert not world.audit.records

    assert Run(world)().counts == Counter({Outcome.CREATED: 1})
    again = Run(world)()
    assert again.counts == Counter({Outcome.SKIPPED: 1})
    assert opportunity_deals(world) == Counter({deal_id: 1})


def test_a_dry_run_leaves_a_linked_deal_that_does_not_show_its_opportunity_as_it_is(world: SyncWorld) -> None:
    deal_id = world.create_deal()
    push_deal(deal_id, world.ports())
    world.hubspot.update_deal(deal_id, {"aws_opportunity_id": ""})  # its write-back never landed
    control = world.partner_central_emulator.control
    control.clear_calls()

    planned = Run(world)(dry_run=True)

    assert planned.counts == Counter({Outcome.SKIPPED: 1})
    assert [c for c in control.calls() if not c["Operation"].startswith(("Get", "List", "Search"))] == []
    assert not world.hubspot.get_deal(deal_id, ["aws_opportunity_id"]).get("aws_opportunity_id")
    assert Run(world)().counts == Counter({Outcome.SKIPPED: 1})  # a real run shows it
    link = world.store.link_for_deal(deal_id)
    assert link is not None
    assert world.hubspot.get_deal(deal_id, ["aws_opportunity_id"]).get("aws_opportunity_id") == (
        link.opportunity_id
    )


@pytest.mark.parametrize("parallel", [1, 4])
def test_a_run_stopped_by_its_limit_resumes_after_the_last_deal_done(world: SyncWorld, parallel: int) -> None:
    deals = [world.create_deal(f"Deal {index} #AWS", contacts=1) for index in range(5)]
    run = Run(world)
    first = run(limit=2, parallel=parallel)
    assert not first.finished
    assert first.counts == Counter({Outcome.CREATED: 2})
    assert run.progress.events == [f"done {deals[0]}", f"done {deals[1]}"]  # in order, sent at once or not
    second = Run(world)(parallel=parallel)
    assert second.finished
    assert second.counts == Counter({Outcome.CREATED: 3})
    assert second.all_runs == Counter({Outcome.CREATED: 5})
    assert opportunity_deals(world) == Counter(dict.fromkeys(deals, 1))


def test_a_crash_before_the_deals_were_written_is_repaired_on_resume(world: SyncWorld) -> None:
    deals = [world.create_deal(f"Deal {index} #AWS", contacts=1) for index in range(3)]
    run = Run(world)

    def crash() -> None:
        raise KeyboardInterrupt

    # The process dies after the creates and links, before the batch update reaches HubSpot.
    run.hubspot.flush = crash  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        run()
    assert all(
        world.hubspot.get_deal(d, ["aws_opportunity_id"]).get("aws_opportunity_id") is None for d in deals
    )

    Run(world)()
    assert opportunity_deals(world) == Counter(dict.fromkeys(deals, 1))
    for deal_id in deals:
        shown = world.hubspot.get_deal(deal_id, ["aws_opportunity_id"]).get("aws_opportunity_id")
        assert shown == world.store.link_for_deal(deal_id).opportunity_id  # type: ignore[union-attr]


def test_since_keeps_the_deals_created_on_or_after_it(world: SyncWorld) -> None:
    world.create_deal("Old #AWS")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    assert Run(world)(since=tomorrow).counts == Counter()
    assert not opportunity_deals(world)
    assert Run(world)(since=date(2020, 1, 1)).counts == Counter({Outcome.CREATED: 1})


def test_the_daily_quota_stops_the_run_until_the_next_day_then_it_resumes(world: SyncWorld) -> None:
    deals = [world.create_deal(f"Deal {index} #AWS", contacts=1) for index in range(3)]
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    today = datetime.now(UTC).date()
    # The sync has used all but one write of today's quota, less the reserve of 1,000.
    dynamodb.put_item(
        TableName=world.table,
        Item={
            "pk": {"S": f"quota#{WRITES}#{today.isoformat()}"},
            "sk": {"S": "count"},
            "used": {"N": "8999"},
        },
    )
    run = Run(world)
    summary = run()

    assert opportunity_deals(world) == Counter(dict.fromkeys(deals, 1))
    assert summary.quota_waits == 1
    ((until, reason),) = run.progress.waits
    assert until == datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
    assert "9,000 of 10,000" in reason
    # The one write left today, then the stop; the rest on the next day.
    assert run.progress.events == [f"done {deals[0]}", "wait", f"done {deals[1]}", f"done {deals[2]}"]


def test_throttling_is_waited_out_and_fails_no_deal(world: SyncWorld) -> None:
    deal_id = world.create_deal()
    run = Run(world)
    create = world.partner_central.create_opportunity
    answers = iter(
        [ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Create")]
    )

    def throttled_once(**request: Any) -> Any:
        failure = next(answers, None)
        if failure is not None:
            raise failure
        return create(**request)

    world.partner_central.create_opportunity = throttled_once
    summary = run()
    assert summary.counts == Counter({Outcome.CREATED: 1})
    assert summary.throttled == 1
    assert opportunity_deals(world) == Counter({deal_id: 1})


def test_opportunities_without_a_deal_are_matched_to_theirs_or_become_one(world: SyncWorld) -> None:
    # Made in Partner Central for a deal (PartnerOpportunityIdentifier is its id), never linked.
    deal_id = world.create_deal("Named by its opportunity")
    matched = existing_opportunity(world, deal_id, {})
    # Made for a customer HubSpot has no deal for: another CRM's id.
    other = world.create_deal("Template only, deleted")
    orphan = existing_opportunity(world, other, {"PartnerOpportunityIdentifier": "CRM-77"})
    linked = world.create_deal("Linked #AWS")
    push_deal(linked, world.ports())
    world.partner_central_emulator.control.clear_calls()

    assert Run(world)("partner-central", dry_run=True).counts == Counter(
        {Outcome.ADOPTED: 1, Outcome.CREATED: 1, Outcome.SKIPPED: 1}
    )
    assert world.store.link_for_deal(deal_id) is None  # the dry run linked nothing

    summary = Run(world)("partner-central")
    assert summary.counts == Counter({Outcome.ADOPTED: 1, Outcome.CREATED: 1, Outcome.SKIPPED: 1})
    assert world.store.link_for_deal(deal_id).opportunity_id == matched  # type: ignore[union-attr]
    assert world.hubspot.get_deal(deal_id, ["aws_opportunity_id"]).get("aws_opportunity_id") == matched
    made = world.store.deal_for_opportunity(CATALOG, orphan)
    assert made is not None
    assert made not in {deal_id, other, linked}
    shown = world.hubspot.get_deal(made, ["aws_opportunity_id", "aws_origin", "dealname"]).properties
    assert shown["aws_opportunity_id"] == orphan
    assert shown["aws_origin"] == "Partner Referral"
    actions = [(r.action, r.deal_id) for r in world.audit.records if r.correlation_id == "test"]
    assert (AuditAction.LINK, deal_id) in actions
    assert (AuditAction.CREATE_DEAL, made) in actions

    again = Run(world)("partner-central")
    assert again.counts == Counter({Outcome.SKIPPED: 3})
    assert not world.partner_central_emulator.control.calls(
        "CreateOpportunity"
    )  # opportunities are never made


def test_a_deal_made_by_a_run_that_stopped_before_linking_it_is_found_not_made_again(
    world: SyncWorld,
) -> None:
    other = world.create_deal("Template only")
    orphan = existing_opportunity(world, other, {"PartnerOpportunityIdentifier": "CRM-78"})
    run = Run(world)
    link = world.store.save_link

    def crash(_: Any) -> None:
        raise KeyboardInterrupt

    world.store.save_link = crash  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        run("partner-central")
    world.store.save_link = link  # type: ignore[method-assign]

    Run(world)("partner-central")
    found = world.hubspot.find_deals(
        [[SearchFilter(property_name="aws_opportunity_id", operator="EQ", value=orphan)]], ["dealname"]
    )
    assert len(found) == 1
    assert world.store.deal_for_opportunity(CATALOG, orphan) == found[0].id
