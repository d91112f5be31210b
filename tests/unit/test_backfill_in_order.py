"""The backfill's sends: several at once, done in the order they came."""

from __future__ import annotations

import threading
import time

import pytest

from cosell.sync.onboarding.backfill import InOrder


def direct(send: object) -> str:
    assert callable(send)
    return str(send())


def test_sends_overlap_up_to_parallel_and_are_done_in_order_whatever_finishes_first() -> None:
    lock = threading.Lock()
    at_once: list[int] = []
    running = 0
    done: list[str] = []

    def send(name: str, seconds: float) -> str:
        nonlocal running
        with lock:
            running += 1
            at_once.append(running)
        time.sleep(seconds)
        with lock:
            running -= 1
        return name

    sends = InOrder(direct, parallel=3)
    # The first takes longest: the later ones finish before it, and wait to be done after it.
    for name, seconds in [("a", 0.3), ("b", 0.01), ("c", 0.01), ("d", 0.01), ("e", 0.01)]:
        sends.send(lambda name=name, seconds=seconds: send(name, seconds), done.append)  # type: ignore[misc]
    sends.record(lambda: done.append("recorded"))
    sends.finish()
    sends.close()

    assert done == ["a", "b", "c", "d", "e", "recorded"]
    assert max(at_once) == 3
    assert sends.on_their_way == 0


def test_something_done_without_a_send_is_recorded_at_once_when_nothing_is_on_its_way() -> None:
    done: list[str] = []
    sends = InOrder(direct, parallel=2)
    sends.record(lambda: done.append("now"))
    assert done == ["now"]
    sends.close()


def test_a_failed_send_raises_where_it_is_done_and_nothing_after_it_is_done() -> None:
    done: list[str] = []

    def fail() -> str:
        raise RuntimeError("Partner Central is down")

    sends = InOrder(direct, parallel=4)
    sends.send(fail, done.append)
    sends.send(lambda: "after", done.append)
    with pytest.raises(RuntimeError, match="down"):
        sends.finish()
    sends.close()
    assert done == []
