"""An AWS referral's life, as an explicit state machine: where it stands, and what it needs next.

A referral is an engagement invitation. cosell records how far it got (`Phase`, which only moves forward) and
decides each next step from what it knows: the recorded phase, the invitation's status once read, whether
this partner received it, and in review mode the rep's decision. `next_step` names the step, or the read that
must come first; the use case (cosell.sync.referrals) performs it and asks again. Pure: no I/O here.

    (none) ──read──► PENDING ─auto──────────────────────────► ACCEPT ─► accepting ─► accepted ─► done
                       │     └review─► review ─rep: Accept──┘            │ task FAILED
                       │                       └rep: Reject─► REJECT ─► closed ◄──┘ (a transient
                       │                                                      failure first starts a new
                       │                                                      task, up to 3 attempts)
                       └─ EXPIRED / REJECTED / sent by this partner ─► closed
                       └─ ACCEPTED outside cosell ─► its acceptance task is followed like cosell's own
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Literal

InvitationPolicy = Literal["auto", "review"]


# How long the invitation poll waits before it queues a pending invitation it queued again: an hour, so a
# worker behind is not fed again every run (12 runs at the default 5 minutes), and a poll message lost to the
# dead-letter queue is tried again the same hour (cosell.sync.schedules.poll_invitations).
POLL_HOLD = timedelta(hours=1)


class Phase(StrEnum):
    REVIEW = "review"  # a deal waits for the rep's decision
    ACCEPTING = "accepting"  # acceptance started; its task is followed
    ACCEPTED = "accepted"  # the task completed: the opportunity exists, the deal may not yet
    DONE = "done"  # the deal is complete and linked to the opportunity
    CLOSED = "closed"  # rejected, expired, failed or accepted outside cosell: nothing more to do

    @property
    def rank(self) -> int:
        """Phases only move forward: a phase is recorded only over one of lower or equal rank."""
        return _RANKS[self]


_RANKS = {Phase.REVIEW: 1, Phase.ACCEPTING: 2, Phase.ACCEPTED: 3, Phase.DONE: 4, Phase.CLOSED: 4}


class Step(StrEnum):
    # Reads that must come before a decision.
    READ_INVITATION = "read the invitation"
    CHECK_RECEIVED = "check that this partner received it"
    READ_DECISION = "read the rep's decision on the review deal"
    # Steps.
    ALREADY_TAKEN = "nothing: the referral's deal is made and linked"
    STAY_CLOSED = "nothing: the referral is closed"
    CLOSE_AS_SENT = "close: an invitation this partner sent, not a referral to it"
    ACCEPT = "accept"
    FOLLOW_ACCEPTANCE = "follow the acceptance task"
    MAKE_REVIEW_DEAL = "make the deal for the rep's decision"
    AWAIT_DECISION = "wait for the rep's decision"
    REJECT = "reject with the rep's reason"
    ADOPT_ACCEPTANCE = "follow the acceptance made outside cosell"
    CLOSE_EXPIRED = "close: expired before it was accepted"
    CLOSE_REJECTED = "close: rejected in Partner Central"


@dataclass(frozen=True)
class Known:
    """What the use case knows so far in one run."""

    phase: Phase | None = None  # as recorded by cosell
    has_review_deal: bool = False
    status: str | None = None  # the invitation's Status, once read
    received: bool | None = None  # once checked (only before anything is recorded)
    decision: str | None = None  # the rep's `aws_invitation_decision`, once read
    decision_read: bool = False


def next_step(known: Known, policy: InvitationPolicy) -> Step:
    if known.phase is Phase.DONE:
        return Step.ALREADY_TAKEN
    if known.phase is Phase.CLOSED:
        return Step.STAY_CLOSED
    if known.phase in (Phase.ACCEPTING, Phase.ACCEPTED):
        return Step.FOLLOW_ACCEPTANCE
    if known.status is None:
        return Step.READ_INVITATION
    if known.phase is None:
        # Invitation events also come for invitations this partner sent; checked once, before anything.
        if known.received is None:
            return Step.CHECK_RECEIVED
        if not known.received:
            return Step.CLOSE_AS_SENT
    if known.status != "PENDING":
        return after_pending(known.status)
    if policy == "auto":
        return Step.ACCEPT
    if known.phase is not Phase.REVIEW or not known.has_review_deal:
        return Step.MAKE_REVIEW_DEAL
    if not known.decision_read:
        return Step.READ_DECISION
    if known.decision == "Accept":
        return Step.ACCEPT
    if known.decision == "Reject":
        return Step.REJECT
    return Step.AWAIT_DECISION


def after_pending(status: str) -> Step:
    """An invitation that is no longer pending, whatever cosell was doing with it."""
    if status == "ACCEPTED":
        # Someone accepted in Partner Central, or a run stopped before recording it: an acceptance task,
        # whoever started it, leads to the opportunity.
        return Step.ADOPT_ACCEPTANCE
    if status == "EXPIRED":
        return Step.CLOSE_EXPIRED
    return Step.CLOSE_REJECTED


class TaskStep(StrEnum):
    WAIT = "the task is running: come back later"
    RETRY = "the task failed for a passing reason: start another"
    FAIL = "the task failed: tell the rep, close"
    COMPLETE = "the opportunity exists: make or complete the deal"


# Task failures that say nothing about the referral (the model's ReasonCode values): another task may succeed.
PASSING_FAILURES = frozenset({"InternalError", "RequestThrottled", "ServiceQuotaExceeded"})
MAX_ACCEPTANCE_ATTEMPTS = 3


def after_task(
    status: str, opportunity_id: str | None, reason_code: str | None = None, attempt: int = 1
) -> TaskStep:
    """An acceptance task's status (IN_PROGRESS, COMPLETE, FAILED) → what the referral does next."""
    if status == "IN_PROGRESS":
        return TaskStep.WAIT
    if status == "COMPLETE" and opportunity_id:
        return TaskStep.COMPLETE
    if reason_code in PASSING_FAILURES and attempt < MAX_ACCEPTANCE_ATTEMPTS:
        return TaskStep.RETRY
    return TaskStep.FAIL


REJECTION_REASON_MAX = 80
# RejectEngagementInvitation's RejectionReason: printable characters of the Basic Multilingual Plane.
_NOT_IN_REASON = re.compile(r"[^\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd]")


def rejection_reason(text: str | None) -> str | None:
    """The rep's reason as Partner Central takes it (1–80 printable characters), or None if there is none."""
    reason = " ".join(_NOT_IN_REASON.sub(" ", text or "").split())
    return reason[:REJECTION_REASON_MAX].rstrip() or None
