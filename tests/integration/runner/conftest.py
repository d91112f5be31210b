"""A local stack per test: moto, both emulators, template.yaml's functions; the queue driven by the test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cosell_local.runner import LocalStack

if TYPE_CHECKING:
    from collections.abc import Iterator

# 180 s of visibility timeout pass in 0.18 s.
QUEUE_TIME_SCALE = 1000


def _local_stack() -> LocalStack:
    return LocalStack(queue_time_scale=QUEUE_TIME_SCALE, poll_in_background=False, run_schedules=False)


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with _local_stack() as running:
        yield running


@pytest.fixture(scope="module")
def shared_stack() -> Iterator[LocalStack]:
    """For tests that only read what was provisioned."""
    with _local_stack() as running:
        yield running
