"""The Partner Central client's pacing (cosell.partner_central.client.paced) against the emulator's quotas,
on its frozen clock: every attempt takes a slot, retries included, and any number of workers share the
quota without exceeding it."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import boto3
import botocore.endpoint
import pytest

from cosell.partner_central.client import paced
from cosell.store.pacer import ReadPacer, WritePacer
from tests.integration.partner_central.conftest import partner_referral
from tests.integration.sync_world import make_world, partner_central_client

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.sync_world import SyncWorld
    from tests.support.clock import VirtualClock


@pytest.fixture
def world(aws: str, request: pytest.FixtureRequest) -> Iterator[SyncWorld]:
    yield from make_world(f"pacing-{abs(hash(request.node.nodeid)) % 10**8}")


class RecordingPacer:
    """A pacer that says what it was asked, in order."""

    def __init__(self, pacer: WritePacer, record: list[str]) -> None:
        self._pacer, self._record = pacer, record

    def reserve(self) -> int:
        self._record.append("slot")
        return self._pacer.reserve()

    def depart(self, gap_ms: int) -> float:
        self._record.append("sent")
        return self._pacer.depart(gap_ms)

    def answered(self, sent: float) -> None:
        self._record.append("answered")
        self._pacer.answered(sent)

    def throttled(self) -> float:
        self._record.append("throttled")
        return self._pacer.throttled()


def worker_client(world: SyncWorld, time: VirtualClock, *, writes_per_second: float, **client: Any) -> Any:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    return paced(
        partner_central_client(world.partner_central_emulator.url, **client),
        writes=WritePacer(
            dynamodb, world.table, per_second=writes_per_second, clock=time.now, sleep=time.sleep
        ),
        reads=ReadPacer(dynamodb, world.table, per_second=10, clock=time.now, sleep=time.sleep),
    )


def test_a_throttled_write_is_retried_through_the_pacer_never_by_botocore(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    control = world.partner_central_emulator.control
    time = world.emulator_time()
    control.configure_quotas(enabled=True)  # AWS's published quotas: 1 write/s
    botocore_sleeps: list[float] = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", botocore_sleeps.append)
    record: list[str] = []
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    # Paced at 4/s against a quota of 1/s (an operator's mistake, or another tool spending the quota): the
    # second write is throttled, and so are its first retries, until the learned slowdown fits the quota.
    writes = WritePacer(dynamodb, world.table, per_second=4, clock=time.now, sleep=time.sleep)
    client = paced(
        partner_central_client(world.partner_central_emulator.url, total_max_attempts=6),
        writes=RecordingPacer(writes, record),
        reads=ReadPacer(dynamodb, world.table, per_second=10, clock=time.now, sleep=time.sleep),
    )

    client.create_opportunity(**partner_referral(ClientToken="first"))
    second = client.create_opportunity(**partner_referral(ClientToken="second"))

    calls = control.calls("CreateOpportunity")
    throttled = [call for call in calls if call["Error"] is not None]
    assert throttled, "the test needs a throttle to happen"
    assert {call["Error"] for call in throttled} == {"ThrottlingException"}
    assert calls[-1]["Error"] is None
    assert second["ResponseMetadata"]["RetryAttempts"] == len(throttled)
    # Every attempt, first or retry, took a slot first; each throttle slowed the budget before the retry.
    assert record == (
        ["slot", "sent", "answered"] * 2 + ["throttled", "slot", "sent", "answered"] * len(throttled)
    )
    # botocore never waited out a backoff of its own: it resent at once, and the pacer chose when.
    assert all(seconds == 0 for seconds in botocore_sleeps)


def test_two_workers_together_never_exceed_the_write_quota(world: SyncWorld) -> None:
    control = world.partner_central_emulator.control
    time = world.emulator_time(participants=2)
    control.configure_quotas(enabled=True)  # AWS's published quotas: 1 write/s, 10 reads/s
    control.clear_calls()
    answers: list[Any] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        client = worker_client(world, time, writes_per_second=0.98)
        try:
            for index in range(6):
                answer = client.create_opportunity(**partner_referral(ClientToken=f"{name}-{index}"))
                with lock:
                    answers.append(answer)
        finally:
            time.leave()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(answers) == 12
    assert [call["Error"] for call in control.calls()] == [None] * 12  # not one throttled attempt
    assert all(answer["ResponseMetadata"]["RetryAttempts"] == 0 for answer in answers)
