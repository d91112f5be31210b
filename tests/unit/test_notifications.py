"""What needs a rep (cosell.domain.notifications): each rule, its threshold, its priority, its due date, and a
key that makes one notification of one change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from cosell.domain.notifications import (
    NotificationRules,
    Observed,
    Rule,
    Thresholds,
    pair_notifications,
    referral_expiring,
    submission_failed,
)

THRESHOLDS = Thresholds(score_moved=15, high_score=80)
RULES = NotificationRules()


def notes(before: Observed, now: Observed, rules: NotificationRules = RULES) -> list[tuple[Rule, bool]]:
    found = pair_notifications(
        before, now, opportunity_id="O1", deal_name="D", rules=rules, thresholds=THRESHOLDS, marker="t1"
    )
    return [(n.rule, n.high_priority) for n in found]


def test_a_score_that_moves_by_the_threshold_either_way_notifies_and_a_high_one_is_high_priority() -> None:
    assert notes(Observed(quality_score=60), Observed(quality_score=78)) == [(Rule.SCORE_MOVED, False)]
    assert notes(Observed(quality_score=78), Observed(quality_score=82)) == []  # moved 4: nothing
    assert notes(Observed(quality_score=82), Observed(quality_score=60)) == [(Rule.SCORE_MOVED, False)]
    assert notes(Observed(quality_score=65), Observed(quality_score=85)) == [(Rule.SCORE_MOVED, True)]
    assert notes(Observed(), Observed(quality_score=60)) == []  # a first score is no move


def test_review_outcomes_notify_with_awss_comments_and_other_moves_do_not() -> None:
    for outcome in ("Approved", "Action Required", "Rejected"):
        (found,) = pair_notifications(
            Observed(review_status="In review"),
            Observed(review_status=outcome, review_comments="Add the website"),
            opportunity_id="O1",
            deal_name="D",
            rules=RULES,
            thresholds=THRESHOLDS,
            marker="t1",
        )
        assert found.rule is Rule.REVIEW
        assert outcome in found.subject
        assert "Add the website" in found.body
    assert notes(Observed(review_status="Submitted"), Observed(review_status="In review")) == []
    assert notes(Observed(review_status="Approved"), Observed(review_status="Approved")) == []


def test_a_new_seller_notifies_and_one_who_left_does_not() -> None:
    assert notes(Observed(sellers=("Sam",)), Observed(sellers=("Sam", "Kim"))) == [(Rule.SELLER, False)]
    assert notes(Observed(sellers=("Sam", "Kim")), Observed(sellers=("Sam",))) == []


def test_a_rule_switched_off_fires_nothing_and_thresholds_can_be_changed() -> None:
    off = NotificationRules(disabled=frozenset({Rule.SCORE_MOVED}))
    assert notes(Observed(quality_score=10), Observed(quality_score=90), off) == []
    assert notes(
        Observed(quality_score=60), Observed(quality_score=70), NotificationRules(score_threshold=10)
    ) == [(Rule.SCORE_MOVED, False)]
    with pytest.raises(ValidationError):
        NotificationRules.model_validate({"disabled": ["no-such-rule"]})


def test_high_priority_is_due_in_a_day_the_others_in_three_business_days() -> None:
    friday = datetime(2026, 12, 4, 15, tzinfo=UTC)
    (high,) = referral_expiring("i-1", "D", datetime(2026, 12, 6, tzinfo=UTC), friday, RULES)
    assert high.due(friday) == datetime(2026, 12, 5, 15, tzinfo=UTC)
    (normal,) = submission_failed("O1", "D", 1, "OpportunityValidationFailed: no title", RULES)
    assert normal.due(friday) == datetime(2026, 12, 9, 15, tzinfo=UTC)  # Mon, Tue, Wed


def test_a_referral_notifies_only_within_its_window() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert referral_expiring("i-1", "D", datetime(2026, 12, 2, tzinfo=UTC), now, RULES)
    assert not referral_expiring("i-1", "D", datetime(2026, 12, 10, tzinfo=UTC), now, RULES)
    assert not referral_expiring("i-1", "D", datetime(2026, 11, 30, tzinfo=UTC), now, RULES)  # expired


scores = st.integers(0, 100)


@given(scores, scores, st.integers(1, 100))
def test_a_change_has_one_key_and_repeating_it_gives_the_same_one(
    before: int, now: int, threshold: int
) -> None:
    rules = NotificationRules(score_threshold=threshold)
    first = pair_notifications(
        Observed(quality_score=before), Observed(quality_score=now), opportunity_id="O1", deal_name="D", rules=rules,
        thresholds=THRESHOLDS, marker="t1",
    )  # fmt: skip
    again = pair_notifications(
        Observed(quality_score=before), Observed(quality_score=now), opportunity_id="O1", deal_name="D", rules=rules,
        thresholds=THRESHOLDS, marker="t1",
    )  # fmt: skip
    assert [n.key for n in first] == [n.key for n in again]
    assert bool(first) == (abs(now - before) >= threshold)
    assert len({n.key for n in first}) == len(first)


def test_the_same_values_reached_again_later_are_a_new_change_with_a_new_key() -> None:
    def key(marker: str) -> str:
        (found,) = pair_notifications(
            Observed(quality_score=60), Observed(quality_score=80), opportunity_id="O1", deal_name="D",
            rules=RULES, thresholds=THRESHOLDS, marker=marker,
        )  # fmt: skip
        return found.key

    assert key("2026-12-01T10:00:00") == key("2026-12-01T10:00:00")  # the same change, seen again
    assert key("2026-12-01T10:00:00") != key("2026-12-03T08:00:00")  # 60 → 80 again, days later


def test_an_expiring_referrals_task_is_due_before_it_expires() -> None:
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    expires = datetime(2026, 12, 1, 12, tzinfo=UTC)
    (found,) = referral_expiring("i-1", "D", expires, now, RULES)
    assert found.due(now) == expires
    assert found.invitation_id == "i-1"
