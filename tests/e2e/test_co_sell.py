"""Co-selling with AWS end to end, through the real handlers on the local stack: the rep works in HubSpot,
AWS (the emulator's control API) reviews in Partner Central; Partner Central's events come back through
EventBridge to the worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from cosell.domain.audit import AuditAction
from cosell.store.audit import AuditStore

if TYPE_CHECKING:
    from cosell_local.runner import LocalStack
    from tests.e2e.conftest import World

USE_CASE = "Business Intelligence & Data Warehouse"
SHOWN = [
    "dealstage",
    "aws_opportunity_id",
    "aws_sync_status",
    "aws_sync_error",
    "aws_solutions",
    "aws_submission_status",
    "aws_review_status",
    "aws_review_comments",
    "aws_engagement_id",
]


@pytest.fixture(scope="module", autouse=True)
def data_warehouse_solution(stack: LocalStack) -> None:
    """A solution the matcher can find for a data warehouse deal (the emulator seeds a few others)."""
    stack.partner_central.control.add_solution(stack.catalog, "S-0000777", "Data Warehouse Migration")


def complete_deal(world: World, name: str, **extra: str) -> str:
    """A deal with everything AWS needs to review it but the request itself."""
    deal_id = world.rep.create_deal(name, company=False, aws_customer_use_case=USE_CASE, **extra)
    company = world.rep.client.create_company(
        {
            "name": "Northwind Traders",
            "domain": "northwind.example",
            "industry": "COMPUTER_SOFTWARE",
            "country": "US",
            "state": "California",
            "zip": "94105",
        }
    )
    world.rep.make_primary_company(deal_id, company.id)
    world.stack.process_queue_until_idle(timeout=60)
    return deal_id


def shown(world: World, deal_id: str) -> dict[str, str | None]:
    properties = world.integration.get_deal(deal_id, SHOWN).properties
    return {name: properties.get(name) for name in SHOWN}


def opportunity(world: World, deal_id: str) -> dict[str, Any]:
    (found,) = world.opportunities_for(deal_id)
    return found


def calls(world: World, operation: str) -> int:
    return len(world.stack.partner_central.control.calls(operation))


def audit(world: World, deal_id: str) -> list[Any]:
    return AuditStore(world.stack.client("dynamodb"), world.stack.audit_table_name).for_deal(deal_id)


def test_committed_carries_exactly_the_deals_solutions_and_changing_them_disassociates(world: World) -> None:
    deal_id = complete_deal(world, "Northwind warehouse #AWS")
    world.rep.update_deal(deal_id, dealstage="contractsent", aws_solution_ids="S-1234567;S-0000001")
    world.stack.process_queue_until_idle(timeout=60)
    record = opportunity(world, deal_id)
    assert record["LifeCycle"]["Stage"] == "Committed"
    assert record["RelatedEntityIdentifiers"]["Solutions"] == ["S-1234567", "S-0000001"]
    deal = shown(world, deal_id)
    assert deal["aws_sync_status"] == "Synced"
    assert deal["aws_solutions"] == "Sandbox Test Solution (S-1234567); Managed Data Platform (S-0000001)"

    world.rep.update_deal(deal_id, aws_solution_ids="S-0000001")
    world.stack.process_queue_until_idle(timeout=60)
    assert opportunity(world, deal_id)["RelatedEntityIdentifiers"]["Solutions"] == ["S-0000001"]
    assert shown(world, deal_id)["aws_solutions"] == "Managed Data Platform (S-0000001)"
    actions = [r.action for r in audit(world, deal_id)]
    assert actions.count(AuditAction.ASSOCIATE_SOLUTION) == 2
    assert actions.count(AuditAction.DISASSOCIATE_SOLUTION) == 1


def test_without_ids_the_matcher_chooses_and_the_audit_says_why(world: World) -> None:
    deal_id = complete_deal(
        world, "Northwind data warehouse migration #AWS", aws_delivery_models="SaaS or PaaS"
    )
    world.rep.update_deal(deal_id, dealstage="contractsent")
    world.stack.process_queue_until_idle(timeout=60)
    record = opportunity(world, deal_id)
    assert record["LifeCycle"]["Stage"] == "Committed"
    assert record["RelatedEntityIdentifiers"]["Solutions"] == ["S-0000777"]
    (associated,) = [r for r in audit(world, deal_id) if r.action is AuditAction.ASSOCIATE_SOLUTION]
    assert "solutions chosen by the matcher: S-0000777 (Data Warehouse Migration)" in associated.detail
    assert "S-0000777 scored" in associated.detail
    assert shown(world, deal_id)["aws_sync_status"] == "Synced"


def test_a_complete_deal_is_submitted_once_and_each_step_of_aws_review_shows_on_it(world: World) -> None:
    deal_id = complete_deal(world, "Northwind co-sell #AWS")
    starts = calls(world, "StartEngagementFromOpportunityTask")
    world.rep.update_deal(deal_id, aws_involvement_type="Co-Sell", aws_solution_ids="S-1234567")
    world.until(lambda: shown(world, deal_id)["aws_submission_status"] == "Submitted")
    deal = shown(world, deal_id)
    assert (deal["aws_review_status"], deal["aws_sync_status"]) == ("Submitted", "Synced")
    assert deal["aws_engagement_id"]
    assert opportunity(world, deal_id)["LifeCycle"]["ReviewStatus"] == "Submitted"

    # The rep's change comes again (HubSpot redelivers, the rep saves again): no second submission.
    world.rep.update_deal(deal_id, aws_involvement_type="Co-Sell", aws_visibility="Full")
    world.stack.process_queue_until_idle(timeout=60)
    assert calls(world, "StartEngagementFromOpportunityTask") == starts + 1

    control = world.stack.partner_central.control
    opportunity_id = str(deal["aws_opportunity_id"])
    steps = [
        ("In review", None, None),
        ("Approved", None, None),
        ("Action Required", "Confirm the customer's address", None),
        ("Rejected", None, "Duplicate of an existing opportunity"),
    ]
    for status, comments, reason in steps:
        control.set_review_status(
            world.stack.catalog, opportunity_id, status, review_comments=comments, review_status_reason=reason
        )
        world.until(lambda status=status: shown(world, deal_id)["aws_review_status"] == status)
        deal = shown(world, deal_id)
        for said in (comments, reason):
            if said:
                assert said in (deal["aws_review_comments"] or "")
    assert shown(world, deal_id)["aws_submission_status"] == "Rejected"
    notes = world.integration.list_associations("deals", deal_id, "notes")
    assert len(notes) == 3  # Approved, Action Required, Rejected: one notification each, its note with it
    assert calls(world, "StartEngagementFromOpportunityTask") == starts + 1


def test_an_incomplete_deal_shows_every_problem_and_sends_nothing(world: World) -> None:
    deal_id = world.rep.create_deal("Northwind incomplete #AWS")  # no use case, no zip, no state
    world.stack.process_queue_until_idle(timeout=60)
    starts = calls(world, "StartEngagementFromOpportunityTask")
    world.rep.update_deal(deal_id, aws_involvement_type="Co-Sell", aws_solution_ids="S-1234567")
    world.stack.process_queue_until_idle(timeout=60)
    deal = shown(world, deal_id)
    assert (deal["aws_sync_status"], deal["aws_submission_status"]) == ("Error", "Incomplete")
    error = deal["aws_sync_error"] or ""
    for field in ("Company postal code:", "Company state:", "AWS customer use case:"):
        assert field in error
    assert calls(world, "StartEngagementFromOpportunityTask") == starts
    assert opportunity(world, deal_id)["LifeCycle"]["ReviewStatus"] == "Pending Submission"


def test_what_aws_says_reaches_the_deal_and_a_second_identical_refresh_writes_nothing(world: World) -> None:
    deal_id = complete_deal(world, "Northwind summary #AWS")
    world.rep.update_deal(deal_id, aws_involvement_type="Co-Sell", aws_solution_ids="S-1234567")
    world.until(lambda: shown(world, deal_id)["aws_submission_status"] == "Submitted")
    opportunity_id = str(shown(world, deal_id)["aws_opportunity_id"])
    world.stack.partner_central.control.set_aws_summary(
        world.stack.catalog,
        opportunity_id,
        {
            "Insights": {"EngagementScore": "High", "OpportunityQuality": {"Score": 78, "Trend": "Up"}},
            "OpportunityTeam": [
                {
                    "FirstName": "Sam",
                    "LastName": "Seller",
                    "BusinessTitle": "AWSSalesRep",
                    "Email": "sam@a.example",
                }
            ],
        },
    )
    assert world.stack.run_schedule("AwsSummaryFunction").succeeded
    world.stack.process_queue_until_idle(timeout=60)
    names = ["aws_engagement_score", "aws_quality_score", "aws_quality_trend", "aws_sellers"]
    deal = world.integration.get_deal(deal_id, names).properties
    assert [deal[name] for name in names] == ["High", "78", "Up", "Sam Seller (AWSSalesRep), sam@a.example"]

    patches = world.stack.hubspot.request_count("PATCH", "/crm/v3/objects/deals")
    assert world.stack.run_schedule("AwsSummaryFunction").succeeded
    world.stack.process_queue_until_idle(timeout=60)
    assert world.stack.hubspot.request_count("PATCH", "/crm/v3/objects/deals") == patches
