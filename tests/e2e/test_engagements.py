"""Engagements end to end, through the real handlers on the local stack: the submission's engagement shows on
the deal, a member AWS adds updates it with one note (and one task when it is another partner), a lost event
is caught by the engagement schedule, each snapshot revision AWS shares is one note naming what changed, and
`cosell setup` says when the snapshot job role is missing."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cosell.cli.main import main
from tests.support.cli import without_metrics

if TYPE_CHECKING:
    import pytest

    from tests.e2e.conftest import World

USE_CASE = "Business Intelligence & Data Warehouse"
ENGAGEMENT = ["aws_engagement_id", "aws_engagement_title", "aws_engagement_status", "aws_engagement_members"]
GLOBEX = ("210987654321", "Globex Partners")
FABRIKAM = ("310987654321", "Fabrikam Consulting")


def shown(world: World, deal_id: str) -> dict[str, str | None]:
    properties = world.integration.get_deal(deal_id, ENGAGEMENT).properties
    return {name: properties.get(name) for name in ENGAGEMENT}


def notes(world: World, deal_id: str) -> list[str]:
    return [note["hs_note_body"] for note in world.timeline(deal_id, "notes", "hs_note_body,hs_timestamp")]


def tasks(world: World, deal_id: str) -> list[str]:
    return [
        task["hs_task_subject"] for task in world.timeline(deal_id, "tasks", "hs_task_subject,hs_timestamp")
    ]


def redeliver(world: World, detail_type: str) -> None:
    """The latest event of `detail_type` once more on the default bus, as EventBridge may deliver it twice."""
    event = world.stack.partner_central.control.events(detail_type)[-1]
    world.stack.client("events").put_events(
        Entries=[
            {
                "Source": event["source"],
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "Resources": event["resources"],
                "EventBusName": "default",
            }
        ]
    )


def engaged_deal(world: World, name: str) -> tuple[str, str, str]:
    """A submitted deal whose engagement shows on it: the deal, its opportunity and its engagement."""
    deal_id, opportunity_id = world.submitted_deal(name, USE_CASE)
    world.until(lambda: bool(shown(world, deal_id)["aws_engagement_members"]))
    return deal_id, opportunity_id, str(shown(world, deal_id)["aws_engagement_id"])


def test_the_submission_shows_its_engagement_and_a_partner_aws_adds_is_one_note_and_one_task(
    world: World,
) -> None:
    deal_id, opportunity_id, engagement_id = engaged_deal(world, "Contoso lakehouse #AWS")
    engagement = world.stack.partner_central.control.read(
        "GetEngagement", Catalog=world.stack.catalog, Identifier=engagement_id
    )
    assert shown(world, deal_id) == {
        "aws_engagement_id": engagement_id,
        "aws_engagement_title": engagement["Title"],
        "aws_engagement_status": "Shared with AWS",
        "aws_engagement_members": "AWS (AWS)\nExample Partner (you)",
    }
    assert engagement_id.startswith("eng-")
    before = notes(world, deal_id)

    world.stack.partner_central.control.add_engagement_member(world.stack.catalog, engagement_id, *GLOBEX)
    world.until(lambda: "Globex" in (shown(world, deal_id)["aws_engagement_members"] or ""))
    assert shown(world, deal_id)["aws_engagement_status"] == "Shared with AWS and 1 other partner"
    assert shown(world, deal_id)["aws_engagement_members"] == (
        "AWS (AWS)\nExample Partner (you)\nGlobex Partners (partner)"
    )
    added = [note for note in notes(world, deal_id) if note not in before]
    (note,) = added
    assert note.startswith("Globex Partners joined the engagement"), note
    assert [t for t in tasks(world, deal_id) if "Globex" in t] == [
        "Globex Partners joined the engagement: Contoso lakehouse #AWS"
    ]

    # The schedule run again, and the event redelivered, add nothing.
    for _ in range(2):
        assert world.stack.run_schedule("EngagementSyncFunction").succeeded
        redeliver(world, "Engagement Member Added")
        world.settle()
    assert len([note for note in notes(world, deal_id) if note not in before]) == 1
    assert len([t for t in tasks(world, deal_id) if "Globex" in t]) == 1
    assert opportunity_id  # the pair itself is untouched by its engagement's news


def test_a_member_whose_event_was_lost_is_caught_by_the_engagement_schedule(world: World) -> None:
    deal_id, _, engagement_id = engaged_deal(world, "Contoso forecasting #AWS")
    control = world.stack.partner_central.control
    control.configure_faults(lose_event_rate=1.0)
    control.add_engagement_member(world.stack.catalog, engagement_id, *FABRIKAM)
    control.configure_faults(lose_event_rate=0.0)
    world.settle()
    assert "Fabrikam" not in (shown(world, deal_id)["aws_engagement_members"] or "")

    invocation = world.stack.run_schedule("EngagementSyncFunction")
    assert invocation.succeeded
    assert invocation.response["queued"] == 1  # only the engagement whose members changed
    world.settle()
    assert "Fabrikam Consulting (partner)" in (shown(world, deal_id)["aws_engagement_members"] or "")
    assert sum(note.startswith("Fabrikam Consulting joined") for note in notes(world, deal_id)) == 1


def aws_shares(world: World, engagement_id: str, opportunity_id: str, summary: dict[str, Any]) -> None:
    control = world.stack.partner_central.control
    control.set_aws_summary(world.stack.catalog, opportunity_id, summary)
    control.add_resource_snapshot(world.stack.catalog, engagement_id, opportunity_id)
    world.settle()


def snapshot_notes(world: World, deal_id: str) -> list[str]:
    return [note for note in notes(world, deal_id) if "shared snapshot" in note]


def test_two_snapshot_revisions_make_two_notes_the_second_naming_exactly_what_changed(world: World) -> None:
    deal_id, opportunity_id, engagement_id = engaged_deal(world, "Contoso analytics #AWS")
    aws_shares(
        world,
        engagement_id,
        opportunity_id,
        {"Insights": {"EngagementScore": "Medium", "OpportunityQuality": {"Score": 55, "Trend": "Up"}}},
    )
    (first,) = snapshot_notes(world, deal_id)
    assert first.startswith(
        f"AWS shared snapshot AwsOpportunitySummaryFullView of {opportunity_id}, revision 1"
    )
    assert "- AWS engagement score: Medium" in first
    assert "- AWS quality score: 55" in first

    aws_shares(
        world,
        engagement_id,
        opportunity_id,
        {"Insights": {"EngagementScore": "High", "OpportunityQuality": {"Score": 55, "Trend": "Up"}}},
    )
    first_again, second = snapshot_notes(world, deal_id)
    assert first_again == first
    header, changed_since, *changes = second.splitlines()
    assert "revision 2" in header
    assert changed_since == "Changed since revision 1:"
    assert changes == ["- AWS engagement score: Medium → High"]

    # Redelivered snapshot events and the resource schedule add none.
    for _ in range(2):
        redeliver(world, "Engagement Resource Snapshot Created")
        assert world.stack.run_schedule("ResourceSyncFunction").succeeded
        world.settle()
    assert len(snapshot_notes(world, deal_id)) == 2


def test_a_snapshot_whose_event_was_lost_is_caught_by_the_resource_schedule(world: World) -> None:
    deal_id, opportunity_id, engagement_id = engaged_deal(world, "Contoso insights #AWS")
    control = world.stack.partner_central.control
    control.configure_faults(lose_event_rate=1.0)
    aws_shares(
        world, engagement_id, opportunity_id, {"Insights": {"NextBestActions": "Book an AWS architect"}}
    )
    control.configure_faults(lose_event_rate=0.0)
    assert snapshot_notes(world, deal_id) == []

    first = world.stack.run_schedule("ResourceSyncFunction").response
    assert first["queued"] >= 1  # this deal's engagement, and those of the module's earlier tests
    # The worker behind: the next run queues no copy of what waits.
    assert world.stack.run_schedule("ResourceSyncFunction").response == {
        **first,
        "queued": 0,
        "held_back": first["queued"],
    }
    world.settle()
    (note,) = snapshot_notes(world, deal_id)
    assert "- AWS next best actions: Book an AWS architect" in note
    # Reconciled: the next run queues them again.
    assert world.stack.run_schedule("ResourceSyncFunction").response == first
    world.settle()


def test_setup_without_a_snapshot_job_role_says_so_and_how_to_fix_it_and_the_fix_sets_it(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = world.stack.catalog
    assert main(["setup"]) == 0  # a warning: the sync works, the other partners see stale snapshots
    out = without_metrics(capsys.readouterr().out)
    (warning,) = [line for line in out.splitlines() if line.startswith("WARNING")]
    assert f"resource snapshot job role of the {catalog} catalog: none is set" in warning
    assert "cosell setup --snapshot-job-role" in warning

    role = "arn:aws:iam::123456789012:role/ResourceSnapshotJobRole"
    assert main(["setup", "--snapshot-job-role", role]) == 0
    out = without_metrics(capsys.readouterr().out)
    assert "WARNING" not in out
    assert f"ok        Partner Central: resource snapshot job role of the {catalog} catalog: {role}" in out
    settings = world.stack.partner_central.control.read("GetSellingSystemSettings", Catalog=catalog)
    assert settings["ResourceSnapshotJobRoleArn"] == role
