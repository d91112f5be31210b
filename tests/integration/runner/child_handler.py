"""A Lambda handler for child environments (cosell_local.runner.child_environment): the event says what to do,
since a test cannot reach into another process to script it."""

from __future__ import annotations

import os
import time
from typing import Any

import boto3

from cosell_local.runner.lambda_runtime import InvocationKilled

invocations = 0  # module state: what a warm environment keeps between invocations


def handler(event: dict[str, Any], context: object) -> Any:
    global invocations
    invocations += 1
    if "Records" in event:  # from the SQS event source
        return _batch(event["Records"])
    if "sleep" in event:
        time.sleep(event["sleep"])
    if "print" in event:
        print(event["print"])  # on stdout, which must not reach the runner's answers
    if "raise" in event:
        raise ValueError(event["raise"])
    if "kill" in event:
        raise InvocationKilled(event["kill"])
    if "exit" in event:
        os._exit(event["exit"])
    return {"pid": os.getpid(), "invocations": invocations}


def _batch(records: list[dict[str, Any]]) -> dict[str, Any]:
    time.sleep(0.3)  # long enough that two environments overlap
    failures = []
    for record in records:
        # "hold" fails its first receive and says when it comes back, as the worker's coalescing window does.
        if record["body"] == "hold" and record["attributes"]["ApproximateReceiveCount"] == "1":
            queue_url = os.environ["CHILD_HANDLER_QUEUE_URL"]
            boto3.client("sqs").change_message_visibility_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": "0", "ReceiptHandle": record["receiptHandle"], "VisibilityTimeout": 1}],
            )
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures, "pid": os.getpid()}
