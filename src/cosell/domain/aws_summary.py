"""What AWS says about an opportunity it has seen (GetAwsOpportunitySummary), as the deal shows it. Pure.

Pulled only, never pushed back: these are AWS's own values. AWS's stage is kept apart from the deal's stage
(`aws_stage`), as AWS advises: the partner's stage is the partner's. When AWS changes the involvement type,
the deal's `aws_involvement_type` follows, with AWS's reason in `aws_involvement_change_reason`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell.domain import deal_properties
from cosell.domain.deal_status import fit
from cosell.domain.notifications import Observed

if TYPE_CHECKING:
    from collections.abc import Mapping

# The summary's parts the deal shows, in the order the deal lists them.
SUMMARY_PROPERTIES = (
    deal_properties.ENGAGEMENT_SCORE,
    deal_properties.QUALITY_SCORE,
    deal_properties.QUALITY_TREND,
    deal_properties.AWS_STAGE,
    deal_properties.NEXT_BEST_ACTIONS,
    deal_properties.RECOMMENDATIONS,
    deal_properties.SELLERS,
)


def seen_by_aws(opportunity: Mapping[str, Any]) -> bool:
    """AWS has a summary to tell: the opportunity was submitted, or it came from AWS."""
    review_status = (opportunity.get("LifeCycle") or {}).get("ReviewStatus")
    return opportunity.get("Origin") == "AWS Referral" or review_status not in (
        None,
        "",
        "Pending Submission",
    )


def summary_properties(summary: Mapping[str, Any]) -> dict[str, str]:
    """The deal's AWS summary properties ("" where AWS says nothing, so a value AWS dropped is cleared)."""
    insights = summary.get("Insights") or {}
    quality = insights.get("OpportunityQuality") or {}
    score = quality.get("Score")
    recommendations = [
        ": ".join(str(part) for part in (item.get("Type"), item.get("Details")) if part)
        for item in insights.get("Recommendations") or []
    ]
    return {
        deal_properties.ENGAGEMENT_SCORE: insights.get("EngagementScore") or "",
        deal_properties.QUALITY_SCORE: "" if score is None else str(score),
        deal_properties.QUALITY_TREND: quality.get("Trend") or "",
        deal_properties.AWS_STAGE: (summary.get("LifeCycle") or {}).get("Stage") or "",
        deal_properties.NEXT_BEST_ACTIONS: fit(insights.get("NextBestActions") or ""),
        deal_properties.RECOMMENDATIONS: fit("\n".join(line for line in recommendations if line)),
        deal_properties.SELLERS: fit(
            "\n".join(_seller(member) for member in summary.get("OpportunityTeam") or [])
        ),
    }


def involvement_from_aws(summary: Mapping[str, Any], shown: str | None) -> dict[str, str]:
    """AWS changed the involvement type (it says why): the deal follows. Nothing when AWS did not."""
    involvement = summary.get("InvolvementType")
    reason = summary.get("InvolvementTypeChangeReason")
    if not involvement or not reason or involvement == shown:
        return {}
    return {deal_properties.INVOLVEMENT_TYPE: involvement, deal_properties.INVOLVEMENT_CHANGE_REASON: reason}


def observed(shown: Mapping[str, str | None]) -> Observed:
    """What a pair shows, in the deal's property names (the deal's own, or what it is about to show)."""
    score = shown.get(deal_properties.QUALITY_SCORE) or ""
    return Observed(
        quality_score=int(score) if score.isdecimal() and score.isascii() else None,
        review_status=shown.get(deal_properties.REVIEW_STATUS) or None,
        review_comments=shown.get(deal_properties.REVIEW_COMMENTS) or "",
        sellers=tuple(line for line in (shown.get(deal_properties.SELLERS) or "").splitlines() if line),
    )


def _seller(member: Mapping[str, Any]) -> str:
    name = (
        " ".join(part for part in (member.get("FirstName"), member.get("LastName")) if part) or "AWS seller"
    )
    role = member.get("BusinessTitle")
    email = member.get("Email")
    return name + (f" ({role})" if role else "") + (f", {email}" if email else "")
