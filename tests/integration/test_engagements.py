"""An engagement's reconcile through the use cases against both emulators: a run that stops between its notes
and its record notes nothing twice, an engagement of no linked deal or one the partner cannot see changes
nothing, and the partner's own snapshots make no note (tests/e2e/test_engagements.py runs the flows through
the handlers)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pytest

from cosell.domain.engagement import SNAPSHOTS_SCHEDULE
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.sync.deals.push import push_deal
from cosell.sync.engagements.reconcile import reconcile_engagement
from tests.integration.partner_central.test_engagements import engaged as engaged_in_partner_central
from tests.integration.sync_world import CATALOG, make_world
from tests.integration.test_notifications import submitted

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cosell.store.engagements import EngagementState, EngagementStore
    from tests.integration.sync_world import SyncWorld


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    for running in make_world(f"engage-{abs(hash(request.node.nodeid)) % 10**8}"):
        running.partner_central_emulator.control.set_task_delay(0)
        yield running


def engaged(world: SyncWorld) -> tuple[str, str, str]:
    """A submitted deal, its opportunity, and the engagement its submission queued."""
    deal_id, opportunity_id = submitted(world)
    push_deal(deal_id, world.ports())  # follows the submission's task to its end
    (request,) = [r for r in world.queued.requests if r.subject is Subject.ENGAGEMENT]
    return deal_id, opportunity_id, request.object_id


def engagement_request(engagement_id: str, kind: str) -> SyncRequest:
    """A request for the engagement, as a schedule (or a submission's start) queues it."""
    trigger = Trigger(source="schedule", kind=kind, occurred_at_ms=0)
    return SyncRequest(
        subject=Subject.ENGAGEMENT, object_id=engagement_id, triggers=(trigger,), correlation_id="test"
    )


def snapshot_request(engagement_id: str) -> SyncRequest:
    return engagement_request(engagement_id, SNAPSHOTS_SCHEDULE)


def notes(world: SyncWorld, deal_id: str) -> int:
    return len(world.hubspot.list_associations("deals", deal_id, "notes"))


@dataclasses.dataclass
class SaveFailsOnce:
    """The engagement store, with the run stopping at its first save (after its HubSpot writes)."""

    store: EngagementStore
    failed: bool = False

    def get(self, catalog: str, engagement_id: str) -> EngagementState | None:
        return self.store.get(catalog, engagement_id)

    def save(self, catalog: str, engagement_id: str, state: EngagementState) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("the run stopped here")
        self.store.save(catalog, engagement_id, state)


def test_the_submissions_engagement_shows_on_its_deal(world: SyncWorld) -> None:
    deal_id, _, engagement_id = engaged(world)
    control = world.partner_central_emulator.control
    control.add_engagement_member(CATALOG, engagement_id, "210987654321", "Globex Partners")
    control.clear_calls()
    outcome = reconcile_engagement(engagement_request(engagement_id, "engagement started"), world.ports())
    # Multi-partner: the other partner shows, and nothing cosell did wrote to Partner Central.
    operations = {call["Operation"] for call in control.calls()}
    assert operations == {
        "GetEngagement",
        "ListEngagementMembers",
        "ListEngagementResourceAssociations",
        "ListResourceSnapshots",
    }
    assert outcome == f"engagement {engagement_id}: 3 members on 1 deal(s), 1 joined, 0 snapshot note(s)"
    shown = world.hubspot.get_deal(deal_id, ["aws_engagement_id", "aws_engagement_status"]).properties
    assert shown["aws_engagement_id"] == engagement_id
    assert shown["aws_engagement_status"] == "Shared with AWS and 1 other partner"


def test_a_run_that_stops_after_its_notes_notes_nothing_twice_when_retried(world: SyncWorld) -> None:
    deal_id, opportunity_id, engagement_id = engaged(world)
    ports = world.ports()
    reconcile_engagement(snapshot_request(engagement_id), ports)  # seen: AWS and the partner
    control = world.partner_central_emulator.control
    control.add_engagement_member(CATALOG, engagement_id, "210987654321", "Globex Partners")
    control.set_aws_summary(CATALOG, opportunity_id, {"Insights": {"EngagementScore": "High"}})
    control.add_resource_snapshot(CATALOG, engagement_id, opportunity_id)
    before = notes(world, deal_id)

    stopping = dataclasses.replace(ports, engagements=SaveFailsOnce(ports.engagements))
    with pytest.raises(RuntimeError):
        reconcile_engagement(snapshot_request(engagement_id), stopping)
    after_stop = notes(world, deal_id)
    assert after_stop == before + 2  # the partner's notification note and the snapshot's note
    reconcile_engagement(snapshot_request(engagement_id), stopping)  # the message's retry
    assert notes(world, deal_id) == after_stop


def test_an_engagement_of_no_linked_deal_is_only_remembered(world: SyncWorld) -> None:
    _, task = engaged_in_partner_central(world.partner_central, world.partner_central_emulator.control)
    engagement_id = task["EngagementId"]
    hubspot_calls = world.hubspot_emulator.request_count("PATCH", "/crm/v3/objects/deals")
    outcome = reconcile_engagement(snapshot_request(engagement_id), world.ports())
    assert outcome == f"engagement {engagement_id}: linked to no deal"
    assert world.hubspot_emulator.request_count("PATCH", "/crm/v3/objects/deals") == hubspot_calls
    stored = world.ports().engagements.get(CATALOG, engagement_id)
    assert stored is not None
    assert stored.members is None  # shown on no deal yet: its partners still count as joined once it is
    assert stored.summary.startswith("2|")


def test_an_engagement_this_partner_cannot_see_is_acknowledged(world: SyncWorld) -> None:
    outcome = reconcile_engagement(snapshot_request("eng-00000000000000"), world.ports())
    assert outcome == "engagement eng-00000000000000: not visible to this partner (ResourceNotFoundException)"


def test_the_partners_own_snapshots_make_no_note(world: SyncWorld) -> None:
    deal_id, opportunity_id, engagement_id = engaged(world)
    ports = world.ports()
    reconcile_engagement(snapshot_request(engagement_id), ports)
    world.partner_central.put_selling_system_settings(
        Catalog=CATALOG, ResourceSnapshotJobRoleIdentifier="ResourceSnapshotJobRole"
    )
    world.partner_central_emulator.control.set_review_status(
        CATALOG, opportunity_id, "Approved"
    )  # its job runs
    own = world.partner_central.list_resource_snapshots(Catalog=CATALOG, EngagementIdentifier=engagement_id)
    assert own["ResourceSnapshotSummaries"], "the submission's snapshot job took a snapshot"
    before = notes(world, deal_id)
    reconcile_engagement(snapshot_request(engagement_id), ports)
    assert notes(world, deal_id) == before
    stored = ports.engagements.get(CATALOG, engagement_id)
    assert stored is not None
    assert max(stored.revisions.values()) == max(s["Revision"] for s in own["ResourceSnapshotSummaries"])


def test_two_revisions_shared_before_one_reconcile_make_two_notes(world: SyncWorld) -> None:
    deal_id, opportunity_id, engagement_id = engaged(world)
    ports = world.ports()
    reconcile_engagement(snapshot_request(engagement_id), ports)  # the engagement's first read
    control = world.partner_central_emulator.control
    for score in ("Medium", "High"):
        control.set_aws_summary(CATALOG, opportunity_id, {"Insights": {"EngagementScore": score}})
        control.add_resource_snapshot(CATALOG, engagement_id, opportunity_id)
    before = notes(world, deal_id)
    outcome = reconcile_engagement(snapshot_request(engagement_id), ports)  # both came in one coalesced run
    assert outcome.endswith("2 snapshot note(s)")
    assert notes(world, deal_id) == before + 2
