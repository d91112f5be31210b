"""A message whose object must wait a known time before a reconcile can do anything with it."""

from __future__ import annotations


class DeferredError(Exception):
    """Raised by a use case: its object waits `seconds` (the coalescing window, another worker's claim).
    The worker hides the message's group from the queue until then (cosell.sync.batch): no failure recorded,
    and one receive spent on the wait rather than one per retry that could only fail again (each receive
    counts toward the five after which SQS parks a message in the DLQ)."""

    def __init__(self, reason: str, seconds: int) -> None:
        super().__init__(reason)
        self.seconds = seconds
