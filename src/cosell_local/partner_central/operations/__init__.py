"""Handlers of the implemented operations, and the work the emulator clock makes due."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell_local.partner_central.operations import (
    account,
    engagements,
    invitations,
    opportunities,
    search,
    snapshots,
    tasks,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from cosell_local.partner_central.backend import Backend


HANDLERS: dict[str, Callable[[Backend, dict[str, Any]], dict[str, Any]]] = {
    **opportunities.HANDLERS,
    **search.HANDLERS,
    **invitations.HANDLERS,
    **engagements.HANDLERS,
    **snapshots.HANDLERS,
    **tasks.HANDLERS,
    **account.HANDLERS,
}

# Run before every call and on every clock move (each says whether it changed anything): the order matters (a task may accept an invitation that
# would otherwise expire at the same instant, as AWS processes the accept first).
TICKS: tuple[Callable[[Backend], bool], ...] = (tasks.complete_due_tasks, invitations.expire_due_invitations)


def is_read(operation: str) -> bool:
    """Whether an operation only reads (AWS's Get, List and Search operations): its call changes nothing to save."""
    return operation.startswith(("Get", "List", "Search"))


def work_is_due(backend: Backend) -> bool:
    """Whether the clock has made a tick's work due (lets a background ticker stay idle otherwise)."""
    return bool(tasks.due_tasks(backend) or invitations.due_invitations(backend))
