"""The SQS poller keeps Lambda's promises: event shape, batches, partial failures, visibility, DLQ.

A scripted handler plays the function, so these hold whatever the sync's worker does today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from cosell_local.runner.lambda_runtime import LambdaFunction
from cosell_local.runner.sqs_event_source import SqsEventSource
from cosell_local.runner.template import FunctionSpec
from tests.integration.runner import scripted_handler
from tests.integration.runner.conftest import QUEUE_TIME_SCALE
from tests.support.cfn import load_template

if TYPE_CHECKING:
    from collections.abc import Callable

    from cosell_local.runner import LocalStack

TEMPLATE = load_template("template.yaml")
QUEUE = TEMPLATE["Resources"]["SyncQueue"]["Properties"]
MAX_RECEIVES = QUEUE["RedrivePolicy"]["maxReceiveCount"]
BATCH_SIZE = TEMPLATE["Resources"]["WorkerFunction"]["Properties"]["Events"]["SyncQueue"]["Properties"][
    "BatchSize"
]


@pytest.fixture
def stack(shared_stack: LocalStack) -> LocalStack:
    """One stack for the module: every test drains the queue, and sends bodies no other test sends."""
    return shared_stack


@pytest.fixture
def source(stack: LocalStack) -> SqsEventSource:
    scripted_handler.events.clear()
    function = LambdaFunction(
        FunctionSpec(
            "ScriptedFunction", "tests.integration.runner.scripted_handler.handler", timeout_seconds=5
        ),
        "us-east-1",
    )
    assert stack.resources is not None
    return SqsEventSource(
        function,
        stack.client("sqs"),
        queue_url=stack.sync_queue_url,
        queue_arn=stack.resources.attributes[("SyncQueue", "Arn")],
        batch_size=BATCH_SIZE,
        reports_batch_item_failures=True,
        time_scale=QUEUE_TIME_SCALE,
    )


def send(stack: LocalStack, *bodies: str) -> list[str]:
    sqs = stack.client("sqs")
    return [
        sqs.send_message(
            QueueUrl=stack.sync_queue_url,
            MessageBody=body,
            MessageGroupId=f"group-{index}",
            MessageDeduplicationId=body,
        )["MessageId"]
        for index, body in enumerate(bodies)
    ]


def dead_lettered(stack: LocalStack, *bodies: str) -> list[str]:
    return [message["Body"] for message in stack.dlq_messages() if message["Body"] in bodies]


def script(answer: Callable[[dict[str, Any]], Any]) -> None:
    scripted_handler.answer = answer


def failing(*bodies: str) -> Callable[[dict[str, Any]], Any]:
    def answer(event: dict[str, Any]) -> Any:
        return {
            "batchItemFailures": [
                {"itemIdentifier": record["messageId"]}
                for record in event["Records"]
                if record["body"] in bodies
            ]
        }

    return answer


def test_records_have_lambdas_shape(stack: LocalStack, source: SqsEventSource) -> None:
    script(failing())
    (message_id,) = send(stack, "hello")
    source.run_until_idle(timeout=5)
    ((record,),) = [event["Records"] for event in scripted_handler.events]
    assert record["messageId"] == message_id
    assert record["body"] == "hello"
    assert record["eventSource"] == "aws:sqs"
    assert (
        record["eventSourceARN"]
        == stack.client("sqs").get_queue_attributes(
            QueueUrl=stack.sync_queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
    )
    assert record["awsRegion"] == "us-east-1"
    assert record["receiptHandle"]
    assert record["md5OfBody"]
    attributes = record["attributes"]
    assert attributes["MessageGroupId"] == "group-0"
    assert attributes["MessageDeduplicationId"] == "hello"
    assert attributes["ApproximateReceiveCount"] == "1"
    assert attributes["SentTimestamp"].isdigit()


def test_partial_failure_retries_only_the_failed_message_until_it_is_dead_lettered(
    stack: LocalStack, source: SqsEventSource
) -> None:
    script(failing("bad"))
    good_1, bad, good_2 = send(stack, "good-1", "bad", "good-2")
    run = source.run_until_idle(timeout=10)
    assert sorted(run.processed_message_ids) == sorted([good_1, good_2])
    assert run.failed_message_ids == [bad] * MAX_RECEIVES
    receive_counts = [
        record["attributes"]["ApproximateReceiveCount"]
        for event in scripted_handler.events
        for record in event["Records"]
        if record["messageId"] == bad
    ]
    assert receive_counts == [str(count) for count in range(1, MAX_RECEIVES + 1)]
    assert dead_lettered(stack, "good-1", "bad", "good-2") == ["bad"]


def test_a_function_error_keeps_the_whole_batch_until_the_visibility_timeout(
    stack: LocalStack, source: SqsEventSource
) -> None:
    def fail_once(event: dict[str, Any]) -> Any:
        if len(scripted_handler.events) == 1:
            raise RuntimeError("boom")
        return {"batchItemFailures": []}

    script(fail_once)
    sent = send(stack, "one", "two")
    run = source.run_until_idle(timeout=10)
    first, second = run.invocations
    assert isinstance(first.error, RuntimeError)
    assert second.succeeded
    assert sorted(r["messageId"] for r in second.event["Records"]) == sorted(sent)
    assert {r["attributes"]["ApproximateReceiveCount"] for r in second.event["Records"]} == {"2"}
    assert second.started_at - first.started_at >= QUEUE["VisibilityTimeout"] / QUEUE_TIME_SCALE
    assert dead_lettered(stack, "one", "two") == []


def test_an_unknown_failure_identifier_fails_the_whole_batch(
    stack: LocalStack, source: SqsEventSource
) -> None:
    def unknown_then_fine(event: dict[str, Any]) -> Any:
        first_call = len(scripted_handler.events) == 1
        return {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}] if first_call else []}

    script(unknown_then_fine)
    sent = send(stack, "a", "b")
    run = source.run_until_idle(timeout=10)
    assert sorted(run.failed_message_ids) == sorted(sent)
    assert sorted(run.processed_message_ids) == sorted(sent)


def test_batches_hold_at_most_the_templates_batch_size(stack: LocalStack, source: SqsEventSource) -> None:
    script(failing())
    sent = send(stack, *(f"message-{n}" for n in range(BATCH_SIZE + 2)))
    run = source.run_until_idle(timeout=10)
    assert [len(batch.message_ids) for batch in run.batches] == [BATCH_SIZE, 2]
    assert sorted(run.processed_message_ids) == sorted(sent)


def test_a_response_without_failures_deletes_the_batch(stack: LocalStack, source: SqsEventSource) -> None:
    script(lambda event: None)  # a handler that reports nothing succeeded with every record
    send(stack, "x")
    source.run_until_idle(timeout=5)
    assert len(scripted_handler.events) == 1
    assert dead_lettered(stack, "x") == []
