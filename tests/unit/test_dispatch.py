"""Dispatch is a table: every subject a message can carry has its use case."""

from __future__ import annotations

from cosell.queue.messages import Subject
from cosell.sync.dispatch import ROUTES


def test_every_subject_has_a_route() -> None:
    assert set(ROUTES) == set(Subject)
