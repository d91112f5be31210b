"""What needs a rep's attention in what AWS says back, as pure rules over what the deal showed before and what
Partner Central says now. Each notification has a key unique to its rule, pair and change, so an event
delivered twice, or a schedule run again, notifies once.

Rules (each can be switched off, and the score rule re-thresholded, by `NOTIFICATION_RULES`):
- `score-moved`: AWS's quality score moved by at least the threshold (`ENGAGEMENT_SCORE_THRESHOLD`), either way;
- `review`: the review status became Approved, Action Required or Rejected (with AWS's comments);
- `seller`: an AWS seller was assigned or changed;
- `submission-failed`: the submission's task failed;
- `referral-expiring`: an AWS referral waiting for the rep's decision expires soon;
- `partner-joined`: another partner joined the deal's engagement (cosell.domain.engagement).
A pair whose score is at or above `HIGH_ENGAGEMENT_SCORE` makes every notification of it high priority.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from datetime import datetime

REVIEW_OUTCOMES = ("Approved", "Action Required", "Rejected")


class Rule(StrEnum):
    SCORE_MOVED = "score-moved"
    REVIEW = "review"
    SELLER = "seller"
    SUBMISSION_FAILED = "submission-failed"
    REFERRAL_EXPIRING = "referral-expiring"
    PARTNER_JOINED = "partner-joined"


class NotificationRules(BaseModel):
    """`NOTIFICATION_RULES`, e.g. {"disabled": ["seller"], "score_threshold": 20}."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    disabled: frozenset[Rule] = frozenset()
    # None: ENGAGEMENT_SCORE_THRESHOLD and HIGH_ENGAGEMENT_SCORE.
    score_threshold: Annotated[int, Field(ge=1, le=100)] | None = None
    high_score: Annotated[int, Field(ge=0, le=100)] | None = None
    referral_expiring_within_hours: Annotated[int, Field(ge=1, le=24 * 14)] = 48

    def on(self, rule: Rule) -> bool:
        return rule not in self.disabled


@dataclass(frozen=True)
class Thresholds:
    score_moved: int
    high_score: int


@dataclass(frozen=True)
class Observed:
    """What a pair showed (the deal's properties) or shows now (Partner Central)."""

    quality_score: int | None = None
    review_status: str | None = None
    review_comments: str = ""
    sellers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notification:
    rule: Rule
    key: str  # unique per rule, pair and change: notified once
    subject: str
    body: str
    high_priority: bool
    invitation_id: str | None = None  # an AWS referral's notification
    latest_due: datetime | None = None  # a deadline the task must not outlive (a referral's expiry)

    def due(self, now: datetime) -> datetime:
        """A high-priority one within a day; the others within three business days; never after its
        deadline."""
        if self.high_priority:
            due = now + timedelta(hours=24)
        else:
            due, left = now, 3
            while left:
                due += timedelta(days=1)
                left -= due.weekday() < 5
        return min(due, self.latest_due) if self.latest_due is not None else due


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def pair_notifications(
    before: Observed,
    now: Observed,
    *,
    opportunity_id: str,
    deal_name: str,
    rules: NotificationRules,
    thresholds: Thresholds,
    marker: str,
) -> list[Notification]:
    """What changed between `before` and `now` that a rep must hear of. `marker` names `before` (when the
    deal last changed): the same change seen again has the same key, the same values reached again later a
    new one."""
    threshold = rules.score_threshold or thresholds.score_moved
    high_score = rules.high_score if rules.high_score is not None else thresholds.high_score
    high = now.quality_score is not None and now.quality_score >= high_score
    found: list[Notification] = []

    def add(rule: Rule, change: str, subject: str, body: str) -> None:
        if rules.on(rule):
            key = f"{rule}:{opportunity_id}:{_digest(f'{marker}|{change}')}"
            found.append(Notification(rule, key, subject, body, high))

    if before.quality_score is not None and now.quality_score is not None:
        moved = now.quality_score - before.quality_score
        if abs(moved) >= threshold:
            direction = "up" if moved > 0 else "down"
            add(
                Rule.SCORE_MOVED,
                f"{before.quality_score}->{now.quality_score}",
                f"AWS quality score {direction} to {now.quality_score}: {deal_name}",
                f"AWS moved its quality score of {opportunity_id} from {before.quality_score} to "
                f"{now.quality_score}. Check AWS's next best actions on the deal, and follow up with your AWS seller.",
            )
    if now.review_status in REVIEW_OUTCOMES and now.review_status != before.review_status:
        what_to_do = {
            "Approved": "AWS accepted it for co-selling: align with the AWS sellers listed on the deal.",
            "Action Required": "AWS needs changes: make them on the deal; cosell sends them and AWS reviews again.",
            "Rejected": "AWS will not co-sell it, and cosell will not submit it again: the co-sell path of this deal "
            "is closed (Partner Central keeps the opportunity as it is).",
        }[now.review_status]
        comments = f"\nAWS says: {now.review_comments}" if now.review_comments else ""
        add(
            Rule.REVIEW,
            f"{before.review_status}->{now.review_status}:{now.review_comments}",
            f"AWS review: {now.review_status}: {deal_name}",
            f"AWS's review of {opportunity_id} is now {now.review_status}. {what_to_do}{comments}",
        )
    new_sellers = [seller for seller in now.sellers if seller not in before.sellers]
    if new_sellers:
        add(
            Rule.SELLER,
            "|".join(sorted(now.sellers)),
            f"AWS seller assigned: {deal_name}",
            "AWS assigned to " + opportunity_id + ":\n" + "\n".join(new_sellers) + "\nIntroduce yourself.",
        )
    return found


def submission_failed(
    opportunity_id: str,
    deal_name: str,
    attempt: int,
    reason: str,
    rules: NotificationRules,
    *,
    high: bool = False,
) -> list[Notification]:
    if not rules.on(Rule.SUBMISSION_FAILED):
        return []
    return [
        Notification(
            Rule.SUBMISSION_FAILED,
            f"{Rule.SUBMISSION_FAILED}:{opportunity_id}:{attempt}",
            f"AWS submission failed: {deal_name}",
            f"Partner Central could not submit {opportunity_id} to AWS: {reason}. Fix the deal; cosell submits it "
            f"again at your next change.",
            high_priority=high,
        )
    ]


def referral_expiring(
    invitation_id: str, deal_name: str, expires_at: datetime, now: datetime, rules: NotificationRules
) -> list[Notification]:
    """A referral waiting for the rep's decision that expires within the rules' window."""
    if not rules.on(Rule.REFERRAL_EXPIRING) or not now < expires_at <= now + timedelta(
        hours=rules.referral_expiring_within_hours
    ):
        return []
    return [
        Notification(
            Rule.REFERRAL_EXPIRING,
            f"{Rule.REFERRAL_EXPIRING}:{invitation_id}",
            f"AWS referral expires {expires_at:%Y-%m-%d %H:%M} UTC: {deal_name}",
            f"AWS's referral {invitation_id} expires at {expires_at:%Y-%m-%d %H:%M} UTC. Set the deal's AWS referral "
            f"decision (Accept, or Reject with a reason) before then.",
            high_priority=True,
            invitation_id=invitation_id,
            latest_due=expires_at,
        )
    ]


def partner_joined(
    engagement_id: str,
    account_id: str,
    company_name: str,
    deal_name: str,
    deal_id: str,
    rules: NotificationRules,
) -> list[Notification]:
    """Another partner joined the engagement: the rep co-sells with them now (once per partner and deal)."""
    if not rules.on(Rule.PARTNER_JOINED):
        return []
    return [
        Notification(
            Rule.PARTNER_JOINED,
            f"{Rule.PARTNER_JOINED}:{engagement_id}:{account_id}:{deal_id}",
            f"{company_name} joined the engagement: {deal_name}",
            f"{company_name} joined the engagement {engagement_id} in Partner Central. They see what the engagement "
            f"shares of this opportunity; reach out to agree who does what with the customer.",
            high_priority=False,
        )
    ]
