"""What AWS says about an opportunity, as the deal shows it (cosell.domain.aws_summary)."""

from __future__ import annotations

from cosell.domain.aws_summary import involvement_from_aws, seen_by_aws, summary_properties

SUMMARY = {
    "InvolvementType": "Co-Sell",
    "LifeCycle": {"Stage": "Seller Engaged"},
    "Insights": {
        "EngagementScore": "High",
        "NextBestActions": "Book the architecture review",
        "OpportunityQuality": {"Score": 78, "Trend": "Up"},
        "Recommendations": [{"Type": "Funding", "Details": "Apply for MAP"}, {"Type": "Solution"}],
    },
    "OpportunityTeam": [
        {
            "FirstName": "Sam",
            "LastName": "Seller",
            "BusinessTitle": "AWSSalesRep",
            "Email": "sam@amazon.example",
        },
        {"Email": "pdm@amazon.example", "BusinessTitle": "PDM"},
    ],
}


def test_the_summary_becomes_the_deals_aws_properties() -> None:
    assert summary_properties(SUMMARY) == {
        "aws_engagement_score": "High",
        "aws_quality_score": "78",
        "aws_quality_trend": "Up",
        "aws_stage": "Seller Engaged",
        "aws_next_best_actions": "Book the architecture review",
        "aws_recommendations": "Funding: Apply for MAP\nSolution",
        "aws_sellers": "Sam Seller (AWSSalesRep), sam@amazon.example\nAWS seller (PDM), pdm@amazon.example",
    }


def test_what_aws_no_longer_says_is_cleared() -> None:
    assert set(summary_properties({}).values()) == {""}


def test_the_deal_follows_only_an_involvement_aws_changed_and_explained() -> None:
    assert involvement_from_aws(SUMMARY, "Co-Sell") == {}
    changed = {
        **SUMMARY,
        "InvolvementType": "For Visibility Only",
        "InvolvementTypeChangeReason": "Risk Mitigation",
    }
    assert involvement_from_aws(changed, "Co-Sell") == {
        "aws_involvement_type": "For Visibility Only",
        "aws_involvement_change_reason": "Risk Mitigation",
    }
    assert involvement_from_aws({**changed, "InvolvementTypeChangeReason": None}, "Co-Sell") == {}


def test_aws_has_seen_what_was_submitted_or_came_from_aws() -> None:
    assert not seen_by_aws(
        {"LifeCycle": {"ReviewStatus": "Pending Submission"}, "Origin": "Partner Referral"}
    )
    assert seen_by_aws({"LifeCycle": {"ReviewStatus": "Submitted"}, "Origin": "Partner Referral"})
    assert seen_by_aws({"LifeCycle": {"ReviewStatus": "Approved"}, "Origin": "AWS Referral"})
