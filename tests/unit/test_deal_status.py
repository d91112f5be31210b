"""What a deal shows about its sync (cosell.domain.deal_status) and the stage rules (cosell.domain.stages)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cosell.domain.deal_status import TEXT_MAX, partner_central_refusal, review_properties, status_properties
from cosell.domain.mapping_rules import MappingRules
from cosell.domain.stages import (
    apply_closed_lost_reason,
    hubspot_stage,
    partner_central_stage,
    stage_problem,
)

RULES = MappingRules()


def test_status_is_error_with_errors_pending_while_something_waits_else_synced() -> None:
    assert status_properties() == {"aws_sync_status": "Synced", "aws_sync_error": ""}
    assert status_properties(["a", "b"])["aws_sync_error"] == "a\nb"
    assert status_properties(["a"], "held")["aws_sync_status"] == "Error"
    assert status_properties((), "held") == {
        "aws_sync_status": "Pending",
        "aws_sync_error": "",
        "aws_sync_waiting": "held",
    }
    assert status_properties((), "")["aws_sync_status"] == "Synced"


@given(st.lists(st.text(max_size=40_000), max_size=4), st.text(max_size=70_000))
def test_no_text_outgrows_what_hubspot_keeps(errors: list[str], waiting: str) -> None:
    shown = status_properties(errors, waiting)
    assert all(len(value) <= TEXT_MAX for value in shown.values())
    assert shown["aws_sync_error"] == "\n".join(errors)[:TEXT_MAX]


def test_partner_central_refusals_name_each_field_in_one_wording() -> None:
    field_errors = {
        "Error": {"Code": "ValidationException", "Message": "bad"},
        "ErrorList": [{"FieldName": "LifeCycle.Stage", "Message": "Committed needs a solution"}],
    }
    assert partner_central_refusal(field_errors, "the update") == [
        "Partner Central refused Deal stage (LifeCycle.Stage): Committed needs a solution"
    ]
    members = {
        "ErrorList": [
            {"FieldName": "Customer.Contacts[0].Email", "Message": "is not an e-mail address"},
            {"FieldName": "Customer.Account.Address.CountryCode", "Message": "unknown"},
            {"FieldName": "Project.Solutions", "Message": "must be active"},
        ]
    }
    assert partner_central_refusal(members, "the update") == [
        "Partner Central refused Deal contacts (Customer.Contacts[0].Email): is not an e-mail address",
        "Partner Central refused Company country (Customer.Account.Address.CountryCode): unknown",
        "Partner Central refused Project.Solutions: must be active",  # no HubSpot field maps to it
    ]
    assert partner_central_refusal({"Error": {"Message": "nope"}}, "the opportunity") == [
        "Partner Central refused the opportunity: nope"
    ]
    assert partner_central_refusal({}, "the update") == [
        "Partner Central refused the update: no reason given"
    ]


def test_review_properties_join_aws_reason_and_comments() -> None:
    opportunity = {
        "LifeCycle": {
            "ReviewStatus": "Action Required",
            "ReviewStatusReason": "why",
            "ReviewComments": "fix it",
        }
    }
    assert review_properties(opportunity) == {
        "aws_review_status": "Action Required",
        "aws_review_comments": "why\nfix it",
        "aws_next_steps": "",
    }


def test_the_stage_map_goes_both_ways() -> None:
    for hubspot_id, stage in RULES.stage_map["default"].items():
        assert partner_central_stage(hubspot_id, None, RULES) == stage
        assert partner_central_stage(hubspot_stage(stage, RULES, "default"), "default", RULES) == stage
    assert partner_central_stage("nowhere", "default", RULES) is None
    assert hubspot_stage("Prospect", RULES, "other-pipeline") is None


def test_stage_problems_in_the_reps_words() -> None:
    assert "has no Partner Central stage" in str(
        stage_problem(None, "x", "p", creating=True, has_solution=False)
    )
    assert "closed lost" in str(
        stage_problem("Closed Lost", "closedlost", None, creating=True, has_solution=False)
    )
    assert stage_problem("Closed Lost", "closedlost", None, creating=False, has_solution=False) is None
    assert "solution" in str(
        stage_problem("Committed", "contractsent", None, creating=False, has_solution=False)
    )
    assert stage_problem("Committed", "contractsent", None, creating=False, has_solution=True) is None
    assert stage_problem("Qualified", "qualifiedtobuy", None, creating=True, has_solution=False) is None


def test_closed_lost_carries_a_reason_and_other_stages_none() -> None:
    lost = {"Stage": "Closed Lost"}
    apply_closed_lost_reason(lost, RULES)
    assert lost["ClosedLostReason"] == RULES.closed_lost_reason
    given_reason = {"Stage": "Closed Lost", "ClosedLostReason": "Price"}
    apply_closed_lost_reason(given_reason, RULES)
    assert given_reason["ClosedLostReason"] == "Price"
    reopened = {"Stage": "Qualified", "ClosedLostReason": "Price"}
    apply_closed_lost_reason(reopened, RULES)
    assert "ClosedLostReason" not in reopened
