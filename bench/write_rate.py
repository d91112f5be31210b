"""Partner Central writes per second against the 1-per-second quota, with 1, 2 and 4 concurrent workers.

    python bench/write_rate.py [--writes 60] [--workers 1 2 4] [--repeats 3] [--old-pacing]

Each worker is a thread with its own boto3 client, paced as the deployed functions are
(cosell.partner_central.client.paced, cosell.store.pacer on moto's DynamoDB in server mode), writing
CreateOpportunity as fast as its pacer lets it to the Partner Central emulator with AWS's published quotas on
a real clock (1 write/s: a token bucket that admits a write one second after the last). Figures:

- writes/s ÷ quota: (writes − 1) ÷ (last accepted write − first), on the emulator's clock, ÷ 1/s;
- throttled: ThrottlingException answers (each costs a slot: the retry waits for a new one);
- botocore backoff: seconds botocore slept between attempts (0 when every retry goes through the pacer).

`--old-pacing` measures what the code did before 2026-12-02 for comparison, as far as it can be rebuilt from
outside: the same slots but at 0.9/s, with botocore's standard retries resending throttled writes themselves.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.endpoint
from botocore.config import Config
from moto.server import ThreadedMotoServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cosell.store.pacer import ReadPacer, WritePacer
from cosell_local.partner_central import EmulatorConfig, PartnerCentralEmulator
from cosell_local.runner.moto_server import make_dynamodb_writes_atomic
from ratios import ratio
from tests.conftest import free_port
from tests.integration.partner_central.conftest import partner_referral
from tests.integration.sync_world import create_state_table

QUOTA_PER_SECOND = 1.0


def client(emulator_url: str, table: str, *, old: bool) -> Any:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    retries = {"mode": "standard", "max_attempts": 5}
    raw = boto3.client(
        "partnercentral-selling",
        region_name="us-east-1",
        endpoint_url=emulator_url,
        config=Config(retries=retries),  # type: ignore[arg-type]
    )
    writes = WritePacer(dynamodb, table, per_second=0.9 if old else 0.98)
    reads = ReadPacer(dynamodb, table, per_second=8)
    if old:
        # Before: the pacer was asked once per write, by the use case; botocore's retries went around it.
        raw.meta.events.register_first(
            "before-call.partnercentral-selling.CreateOpportunity", lambda **_: writes.acquire()
        )
        return raw
    from cosell.partner_central.client import paced  # not at the top: --old-pacing also runs older code

    return paced(raw, writes=writes, reads=reads)


def run(emulator: PartnerCentralEmulator, writes: int, workers: int, *, old: bool) -> dict[str, float]:
    table = f"rate-{uuid.uuid4().hex[:8]}"
    create_state_table(table)
    emulator.control.reset()
    emulator.control.configure_quotas(enabled=True)
    slept: list[float] = []
    lock = threading.Lock()
    real_sleep = time.sleep

    def recording_sleep(seconds: float) -> None:
        with lock:
            slept.append(seconds)
        real_sleep(seconds)

    botocore.endpoint.time.sleep = recording_sleep  # type: ignore[attr-defined]
    share = [writes // workers + (1 if index < writes % workers else 0) for index in range(workers)]

    def worker(count: int) -> None:
        pc = client(emulator.url, table, old=old)
        for _ in range(count):
            pc.create_opportunity(**partner_referral(ClientToken=uuid.uuid4().hex))

    threads = [threading.Thread(target=worker, args=(count,)) for count in share]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    botocore.endpoint.time.sleep = real_sleep  # type: ignore[attr-defined]
    calls = emulator.control.calls("CreateOpportunity")
    accepted = [call["Time"] for call in calls if call["Error"] is None]
    throttled = sum(1 for call in calls if call["Error"] == "ThrottlingException")
    first, last = min(accepted), max(accepted)
    span = (_seconds(last) - _seconds(first)) or float("nan")
    return {
        "ratio": (len(accepted) - 1) / span / QUOTA_PER_SECOND,
        "throttled": throttled,
        "backoff": sum(slept),
        "accepted": len(accepted),
    }


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writes", type=int, default=60)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--old-pacing", action="store_true")
    arguments = parser.parse_args()

    make_dynamodb_writes_atomic()
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's fake credentials
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
    )
    try:
        with PartnerCentralEmulator(EmulatorConfig(tick_seconds=0)) as emulator:
            os.environ.pop("AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING", None)
            label = (
                "before (0.9/s, botocore retries)" if arguments.old_pacing else "now (0.98/s, paced retries)"
            )
            print(f"{arguments.writes} CreateOpportunity per run, quota 1/s, {label}")
            print("| workers | writes/s ÷ quota (each run) | throttled (each run) | botocore backoff s |")
            print("|---|---|---|---|")
            for workers in arguments.workers:
                runs = [
                    run(emulator, arguments.writes, workers, old=arguments.old_pacing)
                    for _ in range(arguments.repeats)
                ]
                ratios = ", ".join(f"{r['ratio']:.3f}" for r in runs)
                throttles = ", ".join(str(int(r["throttled"])) for r in runs)
                backoff = statistics.fmean(r["backoff"] for r in runs)
                print(f"| {workers} | {ratios} | {throttles} | {backoff:.1f} |")
                lowest = min(runs, key=lambda r: r["ratio"])
                ratio(
                    f"writes/s, {workers} worker(s), lowest of {len(runs)}",
                    lowest["ratio"],
                    "the quota (1/s)",
                    1.0,
                )
                ratio(
                    f"ThrottlingExceptions, {workers} worker(s), all runs", sum(r["throttled"] for r in runs)
                )
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
