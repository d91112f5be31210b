"""The referral state machine (cosell.domain.referral): every recorded phase, invitation status, policy and
decision leads to one step, reads come before the steps that need them, and a run always ends."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosell.domain.referral import Known, Phase, Step, TaskStep, after_task, next_step

READS = {Step.READ_INVITATION, Step.CHECK_RECEIVED, Step.READ_DECISION}
STATUSES = ("PENDING", "ACCEPTED", "EXPIRED", "REJECTED")


def run(
    known: Known, policy: str, *, status: str, received: bool = True, decision: str | None = None
) -> tuple[Step, list[Step]]:
    """Answer the machine's reads as the use case does, until it names a step."""
    reads: list[Step] = []
    for _ in range(10):
        step = next_step(known, policy)  # type: ignore[arg-type]
        if step not in READS:
            return step, reads
        reads.append(step)
        if step is Step.READ_INVITATION:
            known = replace(known, status=status)
        elif step is Step.CHECK_RECEIVED:
            known = replace(known, received=received)
        else:
            known = replace(known, decision=decision, decision_read=True)
    pytest.fail("the machine kept asking for reads")


@pytest.mark.parametrize(
    ("phase", "step"),
    [(Phase.DONE, Step.ALREADY_TAKEN), (Phase.CLOSED, Step.STAY_CLOSED), (Phase.ACCEPTING, Step.FOLLOW_ACCEPTANCE), (Phase.ACCEPTED, Step.FOLLOW_ACCEPTANCE)],
)  # fmt: skip
def test_a_referral_cosell_has_taken_on_needs_no_read(phase: Phase, step: Step) -> None:
    assert run(Known(phase=phase), "auto", status="PENDING") == (step, [])


def test_a_new_pending_referral_is_checked_then_accepted_in_auto_mode() -> None:
    step, reads = run(Known(), "auto", status="PENDING")
    assert (step, reads) == (Step.ACCEPT, [Step.READ_INVITATION, Step.CHECK_RECEIVED])


def test_an_invitation_this_partner_sent_is_closed_whatever_its_status() -> None:
    for status in STATUSES:
        assert run(Known(), "review", status=status, received=False)[0] is Step.CLOSE_AS_SENT


def test_review_makes_a_deal_then_waits_for_and_follows_the_reps_decision() -> None:
    assert run(Known(), "review", status="PENDING")[0] is Step.MAKE_REVIEW_DEAL
    reviewing = Known(phase=Phase.REVIEW, has_review_deal=True)
    assert run(reviewing, "review", status="PENDING", decision=None) == (
        Step.AWAIT_DECISION,
        [Step.READ_INVITATION, Step.READ_DECISION],  # received was checked when the deal was made
    )
    assert run(reviewing, "review", status="PENDING", decision="Accept")[0] is Step.ACCEPT
    assert run(reviewing, "review", status="PENDING", decision="Reject")[0] is Step.REJECT
    # A review phase without its deal (a run stopped in between) makes the deal again.
    assert run(Known(phase=Phase.REVIEW), "review", status="PENDING")[0] is Step.MAKE_REVIEW_DEAL


@pytest.mark.parametrize(
    ("status", "step"),
    [("ACCEPTED", Step.ADOPT_ACCEPTANCE), ("EXPIRED", Step.CLOSE_EXPIRED), ("REJECTED", Step.CLOSE_REJECTED)],
)
@pytest.mark.parametrize("policy", ["auto", "review"])
def test_an_invitation_no_longer_pending_is_settled_by_its_status(
    status: str, step: Step, policy: str
) -> None:
    assert run(Known(), policy, status=status)[0] is step
    assert run(Known(phase=Phase.REVIEW, has_review_deal=True), policy, status=status)[0] is step


@given(
    phase=st.sampled_from([None, *Phase]),
    has_review_deal=st.booleans(),
    status=st.sampled_from(STATUSES),
    received=st.booleans(),
    decision=st.sampled_from([None, "Accept", "Reject", "maybe"]),
    policy=st.sampled_from(["auto", "review"]),
)
def test_every_state_ends_in_one_step_after_each_read_at_most_once(
    phase: Phase | None, has_review_deal: bool, status: str, received: bool, decision: str | None, policy: str
) -> None:
    step, reads = run(
        Known(phase=phase, has_review_deal=has_review_deal),
        policy,
        status=status,
        received=received,
        decision=decision,
    )
    assert step not in READS
    assert len(reads) == len(set(reads))
    if step in (Step.ACCEPT, Step.MAKE_REVIEW_DEAL, Step.REJECT, Step.AWAIT_DECISION):
        assert status == "PENDING"  # nothing is decided on an invitation that moved on
        assert phase is not None or received
    if policy == "auto":
        assert step not in (Step.MAKE_REVIEW_DEAL, Step.READ_DECISION, Step.REJECT, Step.AWAIT_DECISION)


@pytest.mark.parametrize(
    ("status", "opportunity_id", "step"),
    [("IN_PROGRESS", None, TaskStep.WAIT), ("COMPLETE", "O123", TaskStep.COMPLETE), ("COMPLETE", None, TaskStep.FAIL), ("FAILED", None, TaskStep.FAIL)],
)  # fmt: skip
def test_a_tasks_status_says_what_follows(status: str, opportunity_id: str | None, step: TaskStep) -> None:
    assert after_task(status, opportunity_id) is step


@pytest.mark.parametrize(
    ("reason_code", "attempt", "step"),
    [("InternalError", 1, TaskStep.RETRY), ("RequestThrottled", 2, TaskStep.RETRY), ("InternalError", 3, TaskStep.FAIL),
     ("InvitationValidationFailed", 1, TaskStep.FAIL), ("EngagementInvitationConflict", 1, TaskStep.FAIL), (None, 1, TaskStep.FAIL)],
)  # fmt: skip
def test_a_failure_for_a_passing_reason_is_tried_again_up_to_three_attempts(
    reason_code: str | None, attempt: int, step: TaskStep
) -> None:
    assert after_task("FAILED", None, reason_code, attempt) is step
