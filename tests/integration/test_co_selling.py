"""Co-selling with AWS through the use cases, against both emulators: solutions converge to the deal's
choice, a complete deal is submitted once, AWS's refusal and review reach the deal. The flows through the
handlers are in tests/e2e/test_co_sell.py."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest

from cosell.domain.audit import AuditAction
from cosell.domain.mapping_rules import MappingRules
from cosell.sync.deals.push import PushOutcome, push_deal
from cosell.sync.schedules.sweep import sweep
from tests.integration.sync_world import CATALOG, WorkerClock, make_world

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.sync_world import SyncWorld

USE_CASE = "Business Intelligence & Data Warehouse"
SHOWN = (
    "aws_sync_status",
    "aws_sync_error",
    "aws_submission_status",
    "aws_review_status",
    "aws_review_comments",
    "aws_engagement_id",
    "aws_solutions",
)


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    for running in make_world(f"cosell-{abs(hash(request.node.nodeid)) % 10**8}"):
        running.partner_central_emulator.control.set_task_delay(0)
        yield running


def linked(world: SyncWorld, **overrides: str) -> tuple[str, str]:
    deal_id = world.create_deal(aws_customer_use_case=USE_CASE, **overrides)
    assert push_deal(deal_id, world.ports()).startswith(PushOutcome.CREATED)
    (summary,) = world.opportunities()
    return deal_id, summary["Id"]


def ask_to_co_sell(world: SyncWorld, deal_id: str) -> None:
    """The rep asks AWS to co-sell the deal, naming its solution."""
    world.rep.update_deal(deal_id, {"aws_involvement_type": "Co-Sell", "aws_solution_ids": "S-1234567"})


def submitted(world: SyncWorld) -> tuple[str, str]:
    """A linked deal the rep asked to co-sell, reconciled once."""
    deal_id, opportunity_id = linked(world)
    ask_to_co_sell(world, deal_id)
    push_deal(deal_id, world.ports())
    return deal_id, opportunity_id


def shown(world: SyncWorld, deal_id: str) -> dict[str, str | None]:
    properties = world.hubspot.get_deal(deal_id, SHOWN).properties
    return {name: properties.get(name) for name in SHOWN}


def opportunity(world: SyncWorld, opportunity_id: str) -> dict[str, Any]:
    return dict(world.partner_central.get_opportunity(Catalog=CATALOG, Identifier=opportunity_id))


def calls(world: SyncWorld, operation: str) -> int:
    return len(world.partner_central_emulator.control.calls(operation))


def test_the_deals_solutions_are_associated_and_changing_them_disassociates_the_rest(
    world: SyncWorld,
) -> None:
    deal_id, opportunity_id = linked(world)
    world.rep.update_deal(deal_id, {"aws_solution_ids": "S-1234567; S-0000001"})
    push_deal(deal_id, world.ports())
    assert opportunity(world, opportunity_id)["RelatedEntityIdentifiers"]["Solutions"] == [
        "S-1234567",
        "S-0000001",
    ]
    assert (
        shown(world, deal_id)["aws_solutions"]
        == "Sandbox Test Solution (S-1234567); Managed Data Platform (S-0000001)"
    )

    world.rep.update_deal(deal_id, {"aws_solution_ids": "S-0000001"})
    push_deal(deal_id, world.ports())
    assert opportunity(world, opportunity_id)["RelatedEntityIdentifiers"]["Solutions"] == ["S-0000001"]
    actions = [record.action for record in world.audit.records]
    assert actions.count(AuditAction.ASSOCIATE_SOLUTION) == 2
    assert actions.count(AuditAction.DISASSOCIATE_SOLUTION) == 1
    associations = calls(world, "AssociateOpportunity") + calls(world, "DisassociateOpportunity")
    push_deal(deal_id, world.ports())  # in step: only the difference is ever sent
    assert calls(world, "AssociateOpportunity") + calls(world, "DisassociateOpportunity") == associations


def test_a_deal_created_at_committed_gets_its_solution_first_then_its_stage(world: SyncWorld) -> None:
    deal_id = world.create_deal(dealstage="contractsent", aws_solution_ids="S-1234567")
    outcome = push_deal(deal_id, world.ports())
    assert outcome.startswith(PushOutcome.CREATED)
    (summary,) = world.opportunities()
    created = opportunity(world, summary["Id"])
    assert created["LifeCycle"]["Stage"] == "Committed"
    assert created["RelatedEntityIdentifiers"]["Solutions"] == ["S-1234567"]
    assert shown(world, deal_id)["aws_sync_status"] == "Synced"


def test_without_ids_the_matcher_chooses_when_aws_needs_a_solution_and_says_why(world: SyncWorld) -> None:
    world.partner_central_emulator.control.add_solution(CATALOG, "S-0000777", "Data Warehouse Migration")
    deal_id, opportunity_id = linked(world, aws_delivery_models="SaaS or PaaS")
    assert not (opportunity(world, opportunity_id).get("RelatedEntityIdentifiers") or {}).get("Solutions")
    world.rep.update_deal(deal_id, {"dealstage": "contractsent"})  # Committed: now AWS needs one
    push_deal(deal_id, world.ports(MappingRules(solution_match_threshold=30)))
    assert opportunity(world, opportunity_id)["RelatedEntityIdentifiers"]["Solutions"] == ["S-0000777"]
    (associated,) = [r for r in world.audit.records if r.action is AuditAction.ASSOCIATE_SOLUTION]
    assert "solutions chosen by the matcher" in associated.detail
    assert "S-0000777 scored" in associated.detail


def test_a_complete_deal_asking_to_co_sell_is_submitted_once_and_shows_aws_review(world: SyncWorld) -> None:
    deal_id, opportunity_id = submitted(world)
    assert opportunity(world, opportunity_id)["LifeCycle"]["ReviewStatus"] == "Submitted"
    deal = shown(world, deal_id)
    assert (deal["aws_submission_status"], deal["aws_review_status"], deal["aws_sync_status"]) == (
        "Submitted",
        "Submitted",
        "Synced",
    )
    assert deal["aws_engagement_id"]
    for _ in range(2):  # redelivered, or reconciled again: never a second submission
        push_deal(deal_id, world.ports())
    assert calls(world, "StartEngagementFromOpportunityTask") == 1

    control = world.partner_central_emulator.control
    for status, comments in (
        ("In review", None),
        ("Action Required", "Add the customer's website path"),
        ("Approved", None),
    ):
        control.set_review_status(CATALOG, opportunity_id, status, review_comments=comments)
        push_deal(deal_id, world.ports())
        deal = shown(world, deal_id)
        assert deal["aws_review_status"] == status
        if comments:
            assert comments in (deal["aws_review_comments"] or "")


def test_an_incomplete_deal_shows_every_problem_and_sends_nothing(world: SyncWorld) -> None:
    deal_id = world.create_deal(contacts=0)  # no contacts, no customer use case
    push_deal(deal_id, world.ports())
    (summary,) = world.opportunities()
    ask_to_co_sell(world, deal_id)
    push_deal(deal_id, world.ports())
    deal = shown(world, deal_id)
    assert deal["aws_sync_status"] == "Error"
    assert deal["aws_submission_status"] == "Incomplete"
    error = deal["aws_sync_error"] or ""
    assert "AWS customer use case:" in error
    assert "Deal contacts:" in error
    assert calls(world, "StartEngagementFromOpportunityTask") == 0
    assert opportunity(world, summary["Id"])["LifeCycle"]["ReviewStatus"] == "Pending Submission"


def test_a_failed_submission_shows_aws_reason_and_is_tried_again_after_the_reps_fix(world: SyncWorld) -> None:
    # AWS needs the renewed opportunity of a Flat Renewal; cosell's pre-flight leaves that to AWS.
    deal_id, _ = linked(world, aws_opportunity_type="Flat Renewal")
    world.rep.update_deal(
        deal_id, {"aws_involvement_type": "For Visibility Only", "aws_solution_ids": "S-1234567"}
    )
    push_deal(deal_id, world.ports())
    deal = shown(world, deal_id)
    assert (deal["aws_sync_status"], deal["aws_submission_status"]) == ("Error", "Failed")
    assert "Partner Central could not submit the opportunity (OpportunityValidationFailed" in (
        deal["aws_sync_error"] or ""
    )
    push_deal(deal_id, world.ports())  # unchanged: not sent again
    assert calls(world, "StartEngagementFromOpportunityTask") == 1

    world.rep.update_deal(deal_id, {"aws_opportunity_type": "Net New Business"})
    push_deal(deal_id, world.ports())
    assert calls(world, "StartEngagementFromOpportunityTask") == 2
    deal = shown(world, deal_id)
    assert (deal["aws_sync_status"], deal["aws_submission_status"]) == ("Synced", "Submitted")


def test_rejected_by_aws_closes_the_co_sell_path_and_says_why_once(world: SyncWorld) -> None:
    deal_id, opportunity_id = submitted(world)
    world.partner_central_emulator.control.set_review_status(
        CATALOG, opportunity_id, "Rejected", review_status_reason="Duplicate opportunity"
    )
    push_deal(deal_id, world.ports())
    push_deal(deal_id, world.ports())
    deal = shown(world, deal_id)
    assert (deal["aws_review_status"], deal["aws_submission_status"]) == ("Rejected", "Rejected")
    notes = world.hubspot.list_associations("deals", deal_id, "notes")
    assert len(notes) == 1
    assert calls(world, "StartEngagementFromOpportunityTask") == 1


def test_a_solution_added_in_partner_central_is_found_once_the_cache_may_be_read_again(
    world: SyncWorld,
) -> None:
    clock = WorkerClock()
    deal_id = world.create_deal(aws_customer_use_case=USE_CASE, aws_solution_ids="S-1234567")
    push_deal(deal_id, world.ports(clock=clock))  # the catalog is read and cached
    lists = calls(world, "ListSolutions")
    world.partner_central_emulator.control.add_solution(CATALOG, "S-0000888", "Fresh Offering")
    world.rep.update_deal(deal_id, {"aws_solution_ids": "S-0000888"})
    push_deal(deal_id, world.ports(clock=clock))
    assert "S-0000888 is not an active solution" in (shown(world, deal_id)["aws_sync_error"] or "")
    assert calls(world, "ListSolutions") == lists  # read minutes ago: a mistyped id does not list it again

    clock.advance(6 * 60)
    push_deal(deal_id, world.ports(clock=clock))
    assert calls(world, "ListSolutions") == lists + 1
    deal = shown(world, deal_id)
    assert (deal["aws_sync_status"], deal["aws_solutions"]) == ("Synced", "Fresh Offering (S-0000888)")


def test_a_deal_that_needs_no_solution_costs_no_catalog_read(world: SyncWorld) -> None:
    deal_id, _ = linked(world)
    world.rep.update_deal(deal_id, {"amount": "240000"})
    push_deal(deal_id, world.ports())
    assert calls(world, "ListSolutions") == 0


class _FailsOnceToStart:
    """Partner Central, but the first submission's answer is lost (the worker stops right after sending)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def start_engagement_from_opportunity_task(self, **request: Any) -> Any:
        if not self.failed:
            self.failed = True
            raise ConnectionError("the worker stopped before Partner Central answered")
        return self._client.start_engagement_from_opportunity_task(**request)


def test_a_submission_interrupted_after_it_was_recorded_is_sent_again_exactly_as_recorded(
    world: SyncWorld,
) -> None:
    deal_id, opportunity_id = linked(world)
    lossy = _FailsOnceToStart(world.partner_central)
    ports = dataclasses.replace(world.ports(), partner_central=lossy)
    ask_to_co_sell(world, deal_id)
    with pytest.raises(ConnectionError):
        push_deal(deal_id, ports)
    # Meanwhile the rep changed what they ask: the recorded attempt still goes out as it was recorded.
    world.rep.update_deal(deal_id, {"aws_visibility": "Limited"})
    push_deal(deal_id, ports)
    assert shown(world, deal_id)["aws_submission_status"] == "Submitted"
    (start,) = world.partner_central_emulator.control.calls("StartEngagementFromOpportunityTask")
    assert start["Error"] is None
    summary = world.partner_central.get_aws_opportunity_summary(
        Catalog=CATALOG, RelatedOpportunityIdentifier=opportunity_id
    )
    assert (summary["InvolvementType"], summary["Visibility"]) == ("Co-Sell", "Full")


def test_a_mistyped_id_keeps_the_solutions_and_holds_back_what_needs_one(world: SyncWorld) -> None:
    deal_id, opportunity_id = linked(world, aws_solution_ids="S-1234567")
    assert opportunity(world, opportunity_id)["RelatedEntityIdentifiers"]["Solutions"] == ["S-1234567"]
    world.rep.update_deal(deal_id, {"aws_solution_ids": "S-1234567; S-12345O7", "dealstage": "contractsent"})
    push_deal(deal_id, world.ports())
    record = opportunity(world, opportunity_id)
    assert record["RelatedEntityIdentifiers"]["Solutions"] == ["S-1234567"]  # nothing stripped
    assert record["LifeCycle"]["Stage"] != "Committed"  # held back while the deal names an unknown id
    error = shown(world, deal_id)["aws_sync_error"] or ""
    assert "S-12345O7 is not an active solution" in error


def test_a_solution_associated_in_partner_central_lets_the_deal_reach_committed(world: SyncWorld) -> None:
    deal_id, opportunity_id = linked(world)
    world.partner_central.associate_opportunity(
        Catalog=CATALOG,
        OpportunityIdentifier=opportunity_id,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-0000001",
    )
    world.rep.update_deal(deal_id, {"dealstage": "contractsent"})
    push_deal(deal_id, world.ports(MappingRules(solution_match_threshold=100)))  # the matcher finds none
    record = opportunity(world, opportunity_id)
    assert record["LifeCycle"]["Stage"] == "Committed"
    assert record["RelatedEntityIdentifiers"]["Solutions"] == ["S-0000001"]
    assert shown(world, deal_id)["aws_solutions"] == "Managed Data Platform (S-0000001)"


def test_the_sweep_follows_a_submission_whose_task_has_not_ended(world: SyncWorld) -> None:
    deal_id, _ = linked(world)
    world.partner_central_emulator.control.set_task_delay(30)
    ask_to_co_sell(world, deal_id)
    push_deal(deal_id, world.ports())
    assert shown(world, deal_id)["aws_submission_status"] == "Submitting"
    report = sweep(world.ports(), "test")
    assert report.submissions_followed == 1
    assert [request.object_id for request in world.queued.requests][-1:] == [deal_id]
    world.partner_central_emulator.control.advance_clock(31)
    push_deal(deal_id, world.ports())  # the queued reconcile
    assert shown(world, deal_id)["aws_submission_status"] == "Submitted"
    assert sweep(world.ports(), "test").submissions_followed == 0


def test_withdrawing_the_request_clears_what_the_submission_showed(world: SyncWorld) -> None:
    deal_id = world.create_deal(contacts=0)
    push_deal(deal_id, world.ports())
    ask_to_co_sell(world, deal_id)
    push_deal(deal_id, world.ports())
    assert shown(world, deal_id)["aws_submission_status"] == "Incomplete"
    world.rep.update_deal(deal_id, {"aws_involvement_type": ""})
    push_deal(deal_id, world.ports())
    deal = shown(world, deal_id)
    assert (deal["aws_sync_status"], deal["aws_submission_status"]) == ("Synced", None)


def test_what_aws_says_reaches_the_deal_and_an_unchanged_summary_costs_no_write(world: SyncWorld) -> None:
    deal_id, opportunity_id = submitted(world)
    world.partner_central_emulator.control.set_aws_summary(
        CATALOG,
        opportunity_id,
        {
            "Insights": {"EngagementScore": "High", "OpportunityQuality": {"Score": 78, "Trend": "Up"}},
            "OpportunityTeam": [{"FirstName": "Sam", "LastName": "Seller", "BusinessTitle": "AWSSalesRep"}],
            "LifeCycle": {"Stage": "Seller Engaged"},
        },
    )
    push_deal(deal_id, world.ports())
    names = [
        "aws_engagement_score",
        "aws_quality_score",
        "aws_stage",
        "aws_sellers",
        "aws_summary_updated_at",
    ]
    deal = world.hubspot.get_deal(deal_id, names).properties
    assert (deal["aws_engagement_score"], deal["aws_quality_score"], deal["aws_stage"]) == (
        "High",
        "78",
        "Seller Engaged",
    )
    assert deal["aws_sellers"] == "Sam Seller (AWSSalesRep)"
    assert deal["aws_summary_updated_at"]

    patches = world.hubspot_emulator.request_count("PATCH", "/crm/v3/objects/deals")
    push_deal(deal_id, world.ports())  # the same summary again
    assert world.hubspot_emulator.request_count("PATCH", "/crm/v3/objects/deals") == patches


def test_an_involvement_aws_changes_is_followed_and_not_taken_as_a_request(world: SyncWorld) -> None:
    deal_id, opportunity_id = submitted(world)
    world.partner_central_emulator.control.set_aws_summary(
        CATALOG,
        opportunity_id,
        {"InvolvementType": "For Visibility Only", "InvolvementTypeChangeReason": "Risk Mitigation"},
    )
    push_deal(deal_id, world.ports())
    push_deal(deal_id, world.ports())  # the deal's own change coming back
    deal = world.hubspot.get_deal(
        deal_id, ["aws_involvement_type", "aws_involvement_change_reason"]
    ).properties
    assert (deal["aws_involvement_type"], deal["aws_involvement_change_reason"]) == (
        "For Visibility Only",
        "Risk Mitigation",
    )
    assert calls(world, "StartEngagementFromOpportunityTask") == 1
