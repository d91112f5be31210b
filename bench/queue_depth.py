"""What a full FIFO queue costs the local stack: one SendMessageBatch (10 messages) to moto's SQS and one
ReceiveMessage (up to 10), by depth.

    python bench/queue_depth.py [--depths 0 1000 4000 15000] [--runs 20]

The webhook function sends every delivery's sync requests to the FIFO sync queue, and in a long chaos run
thousands of them wait there while the one local worker reconciles. moto (as shipped) counts the queue's
messages on every send, once per attribute check, asking each message for the time: a send grew with the
queue's depth until the stack spent most of its time in it (py-spy on a 200-deal run: three quarters of the
stack process's samples). The local runner's patch (`cosell_local.runner.moto_server`) keeps moto's
behaviour and removes most of that cost (what still grows with depth is moto's deduplication, which compares
each message sent with every one waiting). The figure: a send at each depth divided by a send to an empty
queue, measured in the same run (moto's own floor). Real SQS does not slow down with depth.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import boto3

from ratios import ratio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cosell_local.runner.moto_server import moto_server  # noqa: E402 - after the path


def _entries(start: int) -> list[dict[str, str]]:
    return [
        {"Id": str(number), "MessageBody": f"message {start + number}", "MessageGroupId": f"g{start + number}",
         "MessageDeduplicationId": str(start + number)}
        for number in range(10)
    ]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--depths", type=int, nargs="+", default=[0, 1000, 4000, 15000])
    parser.add_argument("--runs", type=int, default=20)
    arguments = parser.parse_args()
    server = moto_server()
    url = server.start()
    sqs = boto3.client("sqs", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="bench", aws_secret_access_key="bench")  # noqa: S106  # fmt: skip
    sends: dict[int, float] = {}
    receives: dict[int, float] = {}
    try:
        for depth in arguments.depths:
            queue = sqs.create_queue(QueueName=f"depth-{depth}.fifo", Attributes={"FifoQueue": "true"})[
                "QueueUrl"
            ]
            for start in range(0, depth, 10):
                sqs.send_message_batch(QueueUrl=queue, Entries=_entries(start))
            send_times, receive_times = [], []
            for run in range(arguments.runs):
                started = time.perf_counter()
                sqs.send_message_batch(QueueUrl=queue, Entries=_entries(depth + run * 10))
                send_times.append(time.perf_counter() - started)
                # As the worker's event source polls: up to 10, left visible again at once for the next run.
                started = time.perf_counter()
                sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)
                receive_times.append(time.perf_counter() - started)
            sends[depth], receives[depth] = statistics.median(send_times), statistics.median(receive_times)
            print(
                f"depth {depth:>6}: SendMessageBatch median {sends[depth] * 1000:.1f} ms, ReceiveMessage "
                f"{receives[depth] * 1000:.1f} ms ({arguments.runs} runs)"
            )
    finally:
        server.stop()
    for call, medians in (("send", sends), ("receive", receives)):
        floor = medians[min(medians)]
        for depth, median in medians.items():
            if depth != min(medians):
                ratio(
                    f"SQS FIFO {call} at depth {depth}",
                    round(median / floor, 2),
                    f"{call} at an empty queue",
                    round(floor, 4),
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
