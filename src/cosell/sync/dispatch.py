"""Routes a sync request to the use case that reconciles its subject."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cosell.sync.requests import SyncRequest


class UnhandledSubjectError(Exception):
    """No use case reconciles this subject yet: the message is retried, then parked in the DLQ, never lost."""


def reconcile(request: SyncRequest) -> None:
    # The reconcile use cases (push a deal, take an invitation, pull an opportunity) plug in here.
    raise UnhandledSubjectError(f"no use case reconciles {request.subject} requests yet")
