"""Dispatch is a table: every subject a message can carry has its use case (companies and contacts fan out
to their deals, with the reads their worker batch shares)."""

from __future__ import annotations

from cosell.queue.messages import Subject
from cosell.sync.deals.fan_out import PARENTS
from cosell.sync.dispatch import ROUTES


def test_every_subject_has_a_route() -> None:
    assert set(ROUTES) | set(PARENTS) == set(Subject)
    assert not set(ROUTES) & set(PARENTS)
