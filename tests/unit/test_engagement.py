"""An engagement as its deals show it, who joined it, and what changed between two snapshot revisions
(cosell.domain.engagement, cosell.domain.snapshots)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cosell.domain.engagement import (
    ENGAGEMENT_STARTED,
    MEMBERS_SCHEDULE,
    SNAPSHOTS_SCHEDULE,
    MemberRole,
    Part,
    engagement_properties,
    joined,
    members_of,
    parts_for,
    status,
)
from cosell.domain.snapshots import EMPTY, MAX_LINES, NOTE_MAX, VALUE_MAX, changes, fields_of, snapshot_note

OWN = "123456789012"
LISTED = [
    {"AccountId": "999999999999", "CompanyName": "Zeta Partners"},
    {"AccountId": OWN, "CompanyName": "Example Partner"},
    {"AccountId": "aws", "CompanyName": "AWS"},
    {"AccountId": "888888888888", "CompanyName": "Acme Consulting"},
]


def test_members_are_aws_then_you_then_the_other_partners_by_name() -> None:
    members = members_of(LISTED, OWN)
    assert [(m.company_name, m.role) for m in members] == [
        ("AWS", MemberRole.AWS),
        ("Example Partner", MemberRole.YOU),
        ("Acme Consulting", MemberRole.PARTNER),
        ("Zeta Partners", MemberRole.PARTNER),
    ]


def test_the_deal_shows_id_title_who_shares_it_and_each_member() -> None:
    members = members_of(LISTED, OWN)
    assert engagement_properties({"Id": "eng-1", "Title": "Contoso lakehouse"}, members) == {
        "aws_engagement_id": "eng-1",
        "aws_engagement_title": "Contoso lakehouse",
        "aws_engagement_status": "Shared with AWS and 2 other partners",
        "aws_engagement_members": (
            "AWS (AWS)\nExample Partner (you)\nAcme Consulting (partner)\nZeta Partners (partner)"
        ),
    }
    assert status(members_of(LISTED[1:3], OWN)) == "Shared with AWS"
    assert status(members_of(LISTED[:2], OWN)) == "Not shared with AWS and 1 other partner"


def test_first_sight_only_other_partners_joined_afterwards_whoever_is_new() -> None:
    members = members_of(LISTED, OWN)
    assert {m.company_name for m in joined(members, None)} == {"Acme Consulting", "Zeta Partners"}
    assert [m.company_name for m in joined(members, ("aws", OWN, "999999999999"))] == ["Acme Consulting"]
    assert joined(members, tuple(entry["AccountId"] for entry in LISTED)) == []


def test_snapshot_triggers_read_the_snapshots_and_a_new_engagement_everything() -> None:
    assert parts_for(["Engagement Member Added"]) == {Part.MEMBERS}
    assert parts_for([MEMBERS_SCHEDULE, "Engagement Updated"]) == {Part.MEMBERS}
    assert parts_for(["Engagement Resource Snapshot Created"]) == set(Part)
    assert parts_for(["Resource Snapshot Created"]) == set(Part)
    assert parts_for([SNAPSHOTS_SCHEDULE]) == set(Part)
    assert parts_for([ENGAGEMENT_STARTED]) == set(Part)


def note_of(
    payload: dict[str, Any],
    previous: dict[str, Any] | None,
    *,
    revision: int,
    template: str = "AwsOpportunitySummaryFullView",
    shared_by: str = "AWS",
) -> str:
    """The note for a revision of resource O1 in engagement eng-1."""
    return snapshot_note(
        shared_by=shared_by,
        template=template,
        resource_id="O1",
        revision=revision,
        engagement_id="eng-1",
        payload=payload,
        previous=previous,
    )


AWS_VIEW_1 = {
    "AwsOpportunitySummaryFullView": {
        "Insights": {"EngagementScore": "Medium", "OpportunityQuality": {"Score": 55}},
        "OpportunityTeam": [
            {
                "FirstName": "Sam",
                "LastName": "Seller",
                "BusinessTitle": "AWSSalesRep",
                "Email": "sam@aws.example",
            }
        ],
        "LifeCycle": {"Stage": "Prospect"},
    }
}
AWS_VIEW_2 = {
    "AwsOpportunitySummaryFullView": {
        "Insights": {"EngagementScore": "High", "OpportunityQuality": {"Score": 55}},
        "OpportunityTeam": [
            {
                "FirstName": "Sam",
                "LastName": "Seller",
                "BusinessTitle": "AWSSalesRep",
                "Email": "sam@aws.example",
            }
        ],
        "LifeCycle": {"Stage": "Qualified", "NextSteps": "Architecture review"},
    }
}


def test_fields_are_labelled_as_the_deal_labels_them_and_people_shown_by_name_only() -> None:
    assert fields_of(AWS_VIEW_1) == {
        "AWS engagement score": "Medium",
        "AWS quality score": "55",
        "AWS sellers": "Sam Seller (AWSSalesRep)",
        "AWS stage": "Prospect",
    }
    assert "sam@aws.example" not in note_of(AWS_VIEW_1, None, revision=1)


def test_the_opportunity_view_uses_the_mappings_words() -> None:
    view = {
        "OpportunitySummary": {
            "Lifecycle": {"TargetCloseDate": "2027-01-31", "Stage": "Qualified"},
            "Project": {
                "ExpectedCustomerSpend": [{"Amount": "5000", "CurrencyCode": "USD", "Frequency": "Monthly"}]
            },
            "Customer": {"Account": {"CompanyName": "Contoso", "Address": {"CountryCode": "US"}}},
        }
    }
    assert fields_of(view) == {
        "Close date": "2027-01-31",
        "Deal stage": "Qualified",
        "Amount and currency": "5000 USD Monthly",
        "Company name": "Contoso",
        "Company country": "US",
    }


def test_the_second_revision_names_exactly_what_changed() -> None:
    assert [change.line for change in changes(AWS_VIEW_1, AWS_VIEW_2)] == [
        "- AWS engagement score: Medium → High",
        "- AWS stage: Prospect → Qualified",
        f"- AWS next steps: {EMPTY} → Architecture review",
    ]
    note = note_of(AWS_VIEW_2, AWS_VIEW_1, revision=2)
    assert note.splitlines()[:2] == [
        "AWS shared snapshot AwsOpportunitySummaryFullView of O1, revision 2, in the engagement eng-1.",
        "Changed since revision 1:",
    ]


def test_a_long_change_list_is_cut_and_says_how_much_more() -> None:
    before = {"OpportunitySummary": {"Project": {f"Field{n}": "a" for n in range(MAX_LINES + 5)}}}
    after = {"OpportunitySummary": {"Project": {f"Field{n}": "b" for n in range(MAX_LINES + 5)}}}
    lines = note_of(
        after, before, revision=3, template="OpportunitySummaryView", shared_by="Globex"
    ).splitlines()
    assert len(lines) == 2 + MAX_LINES + 1
    assert lines[-1] == "- … and 5 more: see the snapshot in Partner Central"


leaf = st.one_of(
    st.none(), st.text(max_size=12), st.integers(-5, 5), st.lists(st.text(max_size=5), max_size=3)
)
payloads = st.fixed_dictionaries(
    {
        "AwsOpportunitySummaryFullView": st.fixed_dictionaries(
            {},
            optional={
                "Origin": leaf,
                "Visibility": leaf,
                "Insights": st.fixed_dictionaries(
                    {}, optional={"EngagementScore": leaf, "NextBestActions": leaf}
                ),
                "LifeCycle": st.fixed_dictionaries({}, optional={"Stage": leaf, "NextSteps": leaf}),
            },
        )
    }
)


@given(payloads)
def test_a_revision_compared_with_itself_changed_nothing(payload: dict[str, Any]) -> None:
    assert changes(payload, payload) == []


@given(payloads, payloads)
def test_changes_name_exactly_the_labels_whose_shown_values_differ(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    old, new = fields_of(before), fields_of(after)
    found = changes(before, after)
    assert {change.label for change in found} == {
        label for label in old.keys() | new.keys() if old.get(label) != new.get(label)
    }
    for change in found:
        assert change.before == old.get(change.label, EMPTY)
        assert change.after == new.get(change.label, EMPTY)


def test_a_note_stays_within_what_hubspot_keeps_however_large_the_snapshot() -> None:
    products = [
        {"ProductCode": f"P{n}", "Amount": "1", "Optimizations": [{"Description": "x" * 200}] * 3}
        for n in range(300)
    ]
    insights = {
        "AwsProductsSpendInsightsBySource": {
            "AWS": {"AwsProducts": products},
            "Partner": {"AwsProducts": products},
        }
    }
    before = {"AwsOpportunitySummaryFullView": {"Insights": insights}}
    after = {"AwsOpportunitySummaryFullView": {"Insights": insights | {"EngagementScore": "High"}}}
    note = note_of(after, None, revision=1)
    assert len(note) <= NOTE_MAX
    assert all(len(line) <= VALUE_MAX + 40 for line in note.splitlines())  # the label, then the value cut
    assert [change.label for change in changes(before, after)] == ["AWS engagement score"]
