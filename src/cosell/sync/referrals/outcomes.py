"""What taking a referral can end in, and the errors that mean "not yet"."""

from __future__ import annotations

from enum import StrEnum

from cosell.sync.deferred import DeferredError


class TakeOutcome(StrEnum):
    DEAL_CREATED = "referral accepted; deal created and linked"
    DEAL_FOUND = "referral accepted; the deal an earlier or concurrent run made is linked"
    DEAL_COMPLETED = "referral accepted; review deal completed and linked"
    ALREADY_TAKEN = "already taken: the deal is linked"
    REVIEW_DEAL_CREATED = "deal created for the rep's decision"
    AWAITING_DECISION = "waiting for the rep's decision"
    AWAITING_REASON = "rejection waits for a reason; asked on the deal"
    REJECTED = "referral rejected with the rep's reason"
    EXPIRED = "referral expired before it was accepted"
    REJECTED_ELSEWHERE = "referral rejected outside cosell"
    ACCEPTED_ELSEWHERE = "referral accepted outside cosell; no acceptance task to follow"
    FAILED = "acceptance failed; reason written to the deal"
    NOT_RECEIVED = "an invitation this partner sent, not a referral to it: nothing to do"
    CLOSED = "already closed (rejected, expired or failed)"


class RetryLaterError(Exception):
    """The referral cannot move on yet. The queue retries the message; after maxReceiveCount, the DLQ."""


class AcceptanceInProgressError(RetryLaterError):
    pass


class DealClaimHeldError(RetryLaterError, DeferredError):
    """Another worker holds the claim on the referral's deal: the message waits out the claim's lease, after
    which a run takes the claim over (and first looks for the deal its holder may have made)."""
