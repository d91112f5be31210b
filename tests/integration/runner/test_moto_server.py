"""The runner's moto (cosell_local.runner.moto_server): its SQS no longer counts the queue where no count is asked
for (sends, GetQueueAttributes naming settings) and its
transactions copy only the items they name; SQS answers as moto's own does, and a failed transaction leaves (and
journals) every item as it was."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cosell_local.runner.aws_state import AwsStateJournal, forget, keep
from cosell_local.runner.moto_server import moto_server

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = moto_server()
    yield server.start()
    server.stop()


@pytest.fixture(scope="module")
def sqs(moto_url: str) -> Any:
    return boto3.client("sqs", endpoint_url=moto_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip


@pytest.fixture(scope="module")
def dynamodb(moto_url: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=moto_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip


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


def test_get_queue_attributes_counts_what_is_asked_and_reads_settings_as_they_are(sqs: Any) -> None:
    queue = _fifo(sqs, "attributes", ContentBasedDeduplication="true", MessageRetentionPeriod="600")
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=queue, MessageBody=body, MessageGroupId=body)
    sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, VisibilityTimeout=30)
    settings = sqs.get_queue_attributes(
        QueueUrl=queue, AttributeNames=["MessageRetentionPeriod", "ContentBasedDeduplication"]
    )["Attributes"]
    assert settings == {"MessageRetentionPeriod": "600", "ContentBasedDeduplication": "true"}
    every = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert (every["ApproximateNumberOfMessages"], every["ApproximateNumberOfMessagesNotVisible"]) == (
        "2",
        "1",
    )
    assert every["MessageRetentionPeriod"] == "600"
    assert _counts(sqs, queue) == (2, 1, 0)


def test_a_message_past_the_queues_retention_is_received_no_more(sqs: Any) -> None:
    """A receive reads the retention period (a named GetQueueAttributes, once per message it looks at)."""
    queue = str(
        sqs.create_queue(QueueName="retention", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    )
    sqs.send_message(QueueUrl=queue, MessageBody="old")
    sent = time.time()
    assert sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)["Messages"][0]["Body"] == "old"
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr("moto.sqs.models.unix_time", lambda: sent + 61)
        assert "Messages" not in sqs.receive_message(QueueUrl=queue)


def _table(dynamodb: Any, name: str) -> str:
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _key(pk: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": pk}, "sk": {"S": "item"}}


def test_a_failed_transaction_leaves_every_item_as_it_was_and_journals_that(
    dynamodb: Any, tmp_path: Path
) -> None:
    table = _table(dynamodb, "journaled-transactions")
    dynamodb.put_item(TableName=table, Item={**_key("kept"), "value": {"S": "before"}})
    dynamodb.put_item(TableName=table, Item={**_key("guard"), "value": {"S": "taken"}})
    journal = AwsStateJournal(tmp_path, "journaled-", "us-east-1")
    keep(journal)
    try:
        with pytest.raises(ClientError) as cancelled:
            dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table, "Item": {**_key("new"), "value": {"S": "x"}}}},
                    {"Put": {"TableName": table, "Item": {**_key("kept"), "value": {"S": "after"}}}},
                    {
                        "Put": {
                            "TableName": table,
                            "Item": {**_key("guard")},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
        assert "Item" not in dynamodb.get_item(TableName=table, Key=_key("new"))
        assert dynamodb.get_item(TableName=table, Key=_key("kept"))["Item"]["value"] == {"S": "before"}
        # What a restart would load: the table as the rollback left it, not the writes it undid.
        journaled = journal.items[table]
        assert not [item for item in journaled.values() if item is not None and item["pk"] == {"S": "new"}]
        kept = [
            item["value"] for item in journaled.values() if item is not None and item["pk"] == {"S": "kept"}
        ]
        assert kept == [{"S": "before"}]
        dynamodb.transact_write_items(
            TransactItems=[{"Put": {"TableName": table, "Item": {**_key("new"), "value": {"S": "y"}}}}]
        )
        assert dynamodb.get_item(TableName=table, Key=_key("new"))["Item"]["value"] == {"S": "y"}
    finally:
        forget(journal)
        journal.close()
