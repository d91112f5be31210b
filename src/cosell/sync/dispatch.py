"""Routes a sync request to the use case that reconciles its subject."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from cosell.sync.push_deal import push_deal
from cosell.sync.requests import Subject

if TYPE_CHECKING:
    from cosell.sync.push_deal import PushDealContext
    from cosell.sync.requests import SyncRequest


class UseCaseContexts(Protocol):
    """What the use cases need, built once per execution environment (cosell.handlers.runtime)."""

    def push_deal(self) -> PushDealContext: ...


class UnhandledSubjectError(Exception):
    """No use case reconciles this subject yet: the message is retried, then parked in the DLQ, never lost."""


def reconcile(request: SyncRequest, contexts: UseCaseContexts) -> str:
    """Reconcile the request's object; returns what happened, for the log."""
    if request.subject is Subject.HUBSPOT_DEAL:
        return push_deal(request.object_id, contexts.push_deal()).value
    raise UnhandledSubjectError(f"no use case reconciles {request.subject} requests yet")
