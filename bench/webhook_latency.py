"""How long the webhook function takes to acknowledge a full HubSpot delivery (100 events).

    python bench/webhook_latency.py [--runs 30] [--objects 100]

Two measurements:
- intake: what the handler computes itself for one delivery (signature v3, parsing, coalescing into sync
  requests), called directly;
- handler: the real `cosell.handlers.webhook.handler` in-process against moto's SQS server on loopback,
  including its 10 SendMessageBatch calls (10 messages each) to a fresh FIFO queue per run (moto's FIFO
  queues slow down as they fill, which real SQS does not).
HubSpot gives up after 5 s. Real SQS adds its own round trips (same region: milliseconds per call) in place of
moto's, which are slower.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from ratios import ratio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-webhook-secret"
HOST = "bench.execute-api.us-east-1.amazonaws.com"
PATH = "/v1/hubspot/webhook"


def delivery(objects: int, run: int) -> str:
    return json.dumps(
        [
            {
                "eventId": run * 1000 + index,
                "subscriptionId": 1,
                "portalId": 1,
                "appId": 1,
                "occurredAt": 1_782_371_972_438 + run,
                "subscriptionType": "deal.propertyChange",
                "propertyName": "amount",
                "propertyValue": "1000",
                "changeSource": "CRM_UI",
                "objectId": 10_000 + index,
            }
            for index in range(objects)
        ]
    )


def moto_batch_cost(sqs: Any, *, fifo: bool, batches: int = 10) -> float:
    """Median milliseconds of a bare SendMessageBatch of 10 to a moto queue: the floor under the handler."""
    name = "floor.fifo" if fifo else "floor"
    queue = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"} if fifo else {})["QueueUrl"]
    samples = []
    for batch in range(batches):
        entries = [
            {"Id": str(i), "MessageBody": "x" * 300}
            | ({"MessageGroupId": f"g{i}", "MessageDeduplicationId": f"{batch}-{i}"} if fifo else {})
            for i in range(10)
        ]
        started = time.perf_counter()
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
        samples.append((time.perf_counter() - started) * 1000)
    sqs.delete_queue(QueueUrl=queue)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--objects", type=int, default=100, help="distinct deals in the delivery (≤ 100)")
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    from tests.conftest import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "ENVIRONMENT": "development",
            "HUBSPOT_ACCESS_TOKEN": "bench",
            "HUBSPOT_WEBHOOK_SECRET": SECRET,
            "STATE_TABLE_NAME": "bench-state",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )
    import boto3

    queue_url = boto3.client("sqs").create_queue(QueueName="bench.fifo", Attributes={"FifoQueue": "true"})[
        "QueueUrl"
    ]
    os.environ["SYNC_QUEUE_URL"] = queue_url

    from cosell.handlers import runtime, webhook
    from cosell.hubspot.signature import sign_v3
    from cosell.hubspot.webhook_intake import accept_delivery
    from tests.support.lambda_context import FakeLambdaContext

    sqs = boto3.client("sqs")
    intake, handler = [], []
    for run in range(args.runs + 1):
        body = delivery(args.objects, run)
        stamp = str(time.time_ns() // 1_000_000)
        signature = sign_v3(SECRET, "POST", f"https://{HOST}{PATH}", body.encode(), stamp)
        headers = {"Host": HOST, "X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": stamp}

        started = time.perf_counter()
        accept_delivery(
            method="POST",
            url=f"https://{HOST}{PATH}",
            headers=headers,
            body=body.encode(),
            client_secrets=[SECRET],
            now_ms=int(stamp),
            correlation_id="bench",
        )
        intake.append((time.perf_counter() - started) * 1000)

        queue = sqs.create_queue(QueueName=f"bench{run}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        os.environ["SYNC_QUEUE_URL"] = queue
        runtime.reset()
        event = {
            "path": "/hubspot/webhook",
            "httpMethod": "POST",
            "headers": headers,
            "requestContext": {"path": PATH, "requestId": f"r{run}", "stage": "v1", "httpMethod": "POST"},
            "body": body,
            "isBase64Encoded": False,
        }
        started = time.perf_counter()
        response = webhook.handler(event, FakeLambdaContext())
        handler.append((time.perf_counter() - started) * 1000)
        assert response["statusCode"] == 200, response
        sqs.delete_queue(QueueUrl=queue)
    moto_fifo, moto_standard = moto_batch_cost(sqs, fifo=True), moto_batch_cost(sqs, fifo=False)
    server.stop()
    print(
        f"moto floor: one SendMessageBatch of 10 takes {moto_fifo:.0f} ms (FIFO), {moto_standard:.0f} ms (standard)"
    )
    print(f"delivery of {args.objects} events for {args.objects} deals, {args.runs} runs after one warm-up")
    for name, samples in (("intake (in-process)", intake[1:]), ("handler with moto SQS", handler[1:])):
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(
            f"{name}: median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"
        )
    batches = -(-args.objects // 10)
    ratio(
        f"webhook acknowledgement of {args.objects} events, median ms",
        statistics.median(handler[1:]),
        f"{batches} bare FIFO SendMessageBatch calls to moto, ms",
        batches * moto_fifo,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
