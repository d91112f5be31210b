"""Partner Central's answers checked where they arrive (cosell.partner_central.answers): botocore's model and
what cosell needs beyond it; a malformed answer is named, member by member, without its values."""

from __future__ import annotations

import copy
import json
from typing import Any

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosell.partner_central.answers import NEEDED, MalformedAnswerError, answer_problems

MODEL = botocore.session.get_session().get_service_model("partnercentral-selling")
OPPORTUNITY = {
    "Catalog": "Sandbox",
    "Id": "O1234567890",
    "Arn": "arn:aws:partnercentral:us-east-1:123456789012:catalog/Sandbox/opportunity/O1234567890",
    "LastModifiedDate": "2026-12-02T15:27:46.534Z",
    "CreatedDate": "2026-12-01T09:00:00Z",
    "RelatedEntityIdentifiers": {"Solutions": ["S-1234567"]},
    "Customer": {"Account": {"CompanyName": "Ann Example Ltd", "WebsiteUrl": "https://ann.example"}},
    "Project": {
        "Title": "Lakehouse",
        "ExpectedCustomerSpend": [
            {"Amount": "100", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}
        ],
    },
    "LifeCycle": {"Stage": "Qualified", "ReviewStatus": "Pending Submission", "NextStepsHistory": []},
}
INVITATION = {
    "Catalog": "Sandbox",
    "Id": "engi-123",
    "Status": "PENDING",
    "PayloadType": "OpportunityInvitation",
    "EngagementId": "eng-123",
    "ExpirationDate": "2026-12-20T00:00:00Z",
}


def found(operation: str, body: Any, status: int = 200, raw: bytes | None = None) -> list[str]:
    return answer_problems(
        MODEL.operation_model(operation),
        {
            "status_code": status,
            "headers": {"content-type": "application/x-amz-json-1.0"},
            "body": raw if raw is not None else json.dumps(body).encode(),
        },
    )


def check(operation: str, body: Any, status: int = 200, raw: bytes | None = None) -> None:
    assert found(operation, body, status, raw) == []


def problems(operation: str, body: Any, raw: bytes | None = None) -> str:
    """The error a call answered `body` fails with."""
    malformed = found(operation, body, raw=raw)
    assert malformed
    return str(MalformedAnswerError(operation, malformed))


def test_answers_as_the_model_and_cosell_need_them_pass() -> None:
    check("GetOpportunity", OPPORTUNITY)
    check("GetEngagementInvitation", INVITATION)
    check("ListEngagementByAcceptingInvitationTasks", {"TaskSummaries": []})
    check("UpdateOpportunity", {"Id": "O1", "LastModifiedDate": 1_764_000_000})  # epoch seconds, too


@pytest.mark.parametrize(
    ("operation", "body", "named"),
    [
        ("GetOpportunity", {**OPPORTUNITY, "LastModifiedDate": None}, "LastModifiedDate is missing"),
        ("GetOpportunity", {**OPPORTUNITY, "LastModifiedDate": "yesterday"}, "LastModifiedDate is not a date"),
        ("GetOpportunity", {**OPPORTUNITY, "LifeCycle": "Prospect"}, "LifeCycle is not an object"),
        ("GetOpportunity", {**OPPORTUNITY, "LifeCycle": {"Stage": 3}}, "LifeCycle.Stage is not a string"),
        ("GetOpportunity", {**OPPORTUNITY, "LifeCycle": {}}, "LifeCycle.Stage is missing"),
        ("GetOpportunity", {k: v for k, v in OPPORTUNITY.items() if k != "Customer"}, "Customer is missing"),
        ("GetOpportunity", {**OPPORTUNITY, "Project": {"ExpectedCustomerSpend": {}}}, "ExpectedCustomerSpend is not a list"),
        ("GetOpportunity", [OPPORTUNITY], "the answer is not an object"),
        ("GetEngagementInvitation", {**INVITATION, "Status": "ARCHIVED"}, "Status is 'ARCHIVED', not one of ACCEPTED, EXPIRED, PENDING, REJECTED"),
        ("GetEngagementInvitation", {**INVITATION, "Status": None}, "Status is missing"),
        ("GetEngagementInvitation", {**INVITATION, "ExpirationDate": True}, "ExpirationDate is not a date"),
        ("StartEngagementByAcceptingInvitationTask", {"TaskStatus": "IN_PROGRESS"}, "TaskId is missing"),
        ("ListEngagementByAcceptingInvitationTasks", {"TaskSummaries": [{"TaskId": "t", "TaskStatus": "PAUSED"}]}, "TaskSummaries[0].TaskStatus is 'PAUSED'"),
        ("ListOpportunities", {"OpportunitySummaries": [{"Catalog": "Sandbox", "LastModifiedDate": "x"}]}, "OpportunitySummaries[0].LastModifiedDate is not a date"),
        ("CreateOpportunity", {}, "Id is missing"),
    ],
)  # fmt: skip
def test_a_malformed_answer_names_its_operation_and_the_member(operation: str, body: Any, named: str) -> None:
    message = problems(operation, body)
    assert message.startswith(f"Partner Central's {operation} answer is malformed: ")
    assert named in message


def test_a_body_that_is_not_json_is_named_by_its_size_and_type_not_its_content() -> None:
    raw = json.dumps(OPPORTUNITY).encode()[:40]
    message = problems("GetOpportunity", None, raw=raw)
    assert message.endswith("the body is not JSON (40 bytes, application/x-amz-json-1.0)")
    assert "Ann" not in message


def test_values_are_never_quoted_but_the_statuses_cosell_decides_on() -> None:
    body = copy.deepcopy(OPPORTUNITY)
    body["Customer"]["Account"]["CompanyName"] = ["Ann Example Ltd"]
    message = problems("GetOpportunity", body)
    assert "Customer.Account.CompanyName is not a string" in message
    assert "Ann" not in message


def test_error_answers_are_left_to_botocore() -> None:
    check("GetOpportunity", None, status=502, raw=b"<html>502 Bad Gateway</html>")


def test_many_problems_are_counted_past_the_first_five() -> None:
    message = problems("ListOpportunities", {"OpportunitySummaries": [{"Catalog": 1}] * 8})
    assert message.endswith("; 3 more")


def test_every_operation_named_is_one_the_model_has() -> None:
    assert set(NEEDED) <= set(MODEL.operation_names)


answers = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from([*sorted(OPPORTUNITY), "Stage", "x"]), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(answers)
def test_any_answer_is_checked_without_an_error_of_the_check(body: Any) -> None:
    assert isinstance(found("GetOpportunity", body), list)
