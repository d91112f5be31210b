"""The names of cosell's own deal properties and the values it writes to them (docs/MAPPING.md).

Plain names and value sets, so that pure decisions (what to show on a deal) can name them. Their HubSpot
definitions (types, labels, options) are `cosell.hubspot.properties`.
"""

from __future__ import annotations

from enum import StrEnum

# Written by cosell.
OPPORTUNITY_ID = "aws_opportunity_id"
OPPORTUNITY_URL = "aws_opportunity_url"
SYNC_STATUS = "aws_sync_status"
SYNC_ERROR = "aws_sync_error"
LAST_SYNCED_AT = "aws_last_synced_at"
SYNC_WAITING = (
    "aws_sync_waiting"  # changes held (opportunity under review) and conflicts awaiting an operator
)
SYNC_WARNINGS = "aws_sync_warnings"  # what the mapping left out of the opportunity, and why


class SyncStatus(StrEnum):
    SYNCED = "Synced"
    PENDING = "Pending"  # something waits: AWS's review, an operator's choice, the rep's decision
    ERROR = "Error"  # something stops the sync; `aws_sync_error` says what to fix


SYNC_STATUSES = tuple(status.value for status in SyncStatus)
# Partner Central's side of the review, pulled into the deal (written by cosell).
REVIEW_STATUS = "aws_review_status"
REVIEW_COMMENTS = "aws_review_comments"
NEXT_STEPS = "aws_next_steps"
REVIEW_STATUSES = ("Pending Submission", "Submitted", "In review", "Approved", "Action Required", "Rejected")

# AWS referrals (engagement invitations): written by cosell, except the rep's decision and reason.
INVITATION_ID = "aws_invitation_id"
ENGAGEMENT_ID = "aws_engagement_id"
ORIGIN = "aws_origin"
INVITATION_STATUS = "aws_invitation_status"
INVITATION_EXPIRES_AT = "aws_invitation_expires_at"
INVITATION_DECISION = "aws_invitation_decision"
REJECTION_REASON = "aws_rejection_reason"
INVITATION_STATUSES = ("Pending review", "Accepting", "Accepted", "Rejected", "Expired", "Failed")
DECISIONS = ("Accept", "Reject")
ORIGINS = ("AWS Referral", "Partner Referral")

# Co-selling with AWS. The rep asks for the submission (involvement type, visibility); cosell writes the
# solutions the opportunity carries (names and ids) and the submission's state.
SOLUTION_IDS = "aws_solution_ids"  # the rep's choice of solutions, ids separated by ;
SOLUTIONS = "aws_solutions"
INVOLVEMENT_TYPE = "aws_involvement_type"
VISIBILITY = "aws_visibility"
SUBMISSION_STATUS = "aws_submission_status"
INVOLVEMENT_TYPES = ("Co-Sell", "For Visibility Only")
VISIBILITIES = ("Full", "Limited")
SUBMISSION_STATUSES = ("Incomplete", "Submitting", "Submitted", "Failed", "Rejected")

# What AWS says about an opportunity it has seen (GetAwsOpportunitySummary): pulled only, written by cosell.
ENGAGEMENT_SCORE = "aws_engagement_score"
QUALITY_SCORE = "aws_quality_score"
QUALITY_TREND = "aws_quality_trend"
AWS_STAGE = "aws_stage"
NEXT_BEST_ACTIONS = "aws_next_best_actions"
RECOMMENDATIONS = "aws_recommendations"
SELLERS = "aws_sellers"
SUMMARY_UPDATED_AT = "aws_summary_updated_at"
INVOLVEMENT_CHANGE_REASON = "aws_involvement_change_reason"
ENGAGEMENT_SCORES = ("High", "Medium", "Low")

# The engagement shared with AWS and other partners (cosell.domain.engagement): pulled only, written by cosell.
ENGAGEMENT_TITLE = "aws_engagement_title"
ENGAGEMENT_STATUS = "aws_engagement_status"
ENGAGEMENT_MEMBERS = "aws_engagement_members"

# Read by the mapping: per-deal overrides of Partner Central fields HubSpot has no equivalent for.
OVERRIDES = (
    "aws_opportunity_type",
    "aws_primary_needs",
    "aws_delivery_models",
    "aws_sales_activities",
    "aws_national_security",
    "aws_industry",
    "aws_customer_use_case",
    SOLUTION_IDS,
)
# Read by the submission.
SUBMISSION_REQUEST = (INVOLVEMENT_TYPE, VISIBILITY)
