"""The runner's moto: its SQS sends no longer count the queue, and SQS answers as before (cosell_local.runner.moto_server)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cosell_local.runner.moto_server import moto_server

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def sqs() -> Iterator[Any]:
    server = moto_server()
    url = server.start()
    yield boto3.client("sqs", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
    server.stop()


def _fifo(sqs: Any, name: str, **attributes: str) -> str:
    return str(
        sqs.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true", **attributes})["QueueUrl"]
    )


def _counts(sqs: Any, queue: str) -> tuple[int, int, int]:
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=names)["Attributes"]
    visible, not_visible, delayed = (int(attributes[name]) for name in names)
    return visible, not_visible, delayed


def test_a_fifo_send_still_needs_its_group_and_its_deduplication_id(sqs: Any) -> None:
    queue = _fifo(sqs, "checks")
    with pytest.raises(ClientError) as no_group:
        sqs.send_message(QueueUrl=queue, MessageBody="a", MessageDeduplicationId="1")
    with pytest.raises(ClientError) as no_deduplication_id:
        sqs.send_message(QueueUrl=queue, MessageBody="a", MessageGroupId="g")
    assert no_group.value.response["Error"]["Code"] == "MissingParameter"
    assert no_deduplication_id.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "ContentBasedDeduplication" in no_deduplication_id.value.response["Error"]["Message"]


def test_content_based_deduplication_still_drops_a_repeated_body(sqs: Any) -> None:
    queue = _fifo(sqs, "content", ContentBasedDeduplication="true")
    for _ in range(2):
        sqs.send_message(QueueUrl=queue, MessageBody="same", MessageGroupId="g")
    sqs.send_message(QueueUrl=queue, MessageBody="other", MessageGroupId="g")
    assert _counts(sqs, queue) == (2, 0, 0)


def test_a_received_message_is_hidden_until_its_visibility_timeout_ends(sqs: Any) -> None:
    queue = _fifo(sqs, "visibility")
    sqs.send_message(QueueUrl=queue, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="1")
    assert len(sqs.receive_message(QueueUrl=queue, VisibilityTimeout=1)["Messages"]) == 1
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    assert _counts(sqs, queue) == (0, 1, 0)
    time.sleep(1.1)
    assert _counts(sqs, queue) == (1, 0, 0)
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == "a"


def test_a_delayed_message_waits_for_its_delay(sqs: Any) -> None:
    queue = str(sqs.create_queue(QueueName="delays")["QueueUrl"])
    sqs.send_message(QueueUrl=queue, MessageBody="later", DelaySeconds=1)
    assert _counts(sqs, queue) == (0, 0, 1)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    time.sleep(1.1)
    assert _counts(sqs, queue) == (1, 0, 0)
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == "later"
