"""The worker's partial batch response (cosell.queue.fifo_batch): FIFO order holds per group."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from cosell.queue.fifo_batch import process_in_group_order

if TYPE_CHECKING:
    from cosell.queue.fifo_batch import SqsRecord


def record(message_id: str, group: str) -> SqsRecord:
    return {
        "messageId": message_id,
        "receiptHandle": f"receipt-{message_id}",
        "body": "{}",
        "attributes": {"MessageGroupId": group, "SentTimestamp": "1"},
    }


def test_a_failure_returns_the_rest_of_its_group_unhandled_and_other_groups_go_on() -> None:
    records = [record("1", "a"), record("2", "b"), record("3", "a"), record("4", "b"), record("5", "c")]
    handled: list[str] = []

    def handle(one: SqsRecord) -> None:
        handled.append(one["messageId"])
        if one["messageId"] == "1":
            raise RuntimeError("HubSpot is down")

    response = process_in_group_order(records, handle)
    assert response == {"batchItemFailures": [{"itemIdentifier": "1"}, {"itemIdentifier": "3"}]}
    assert handled == ["1", "2", "4", "5"]  # 3 waited behind 1: never handled


@given(st.lists(st.tuples(st.sampled_from("abc"), st.booleans()), max_size=30))
def test_a_group_never_has_a_message_handled_after_one_of_its_failures(
    batch: list[tuple[str, bool]],
) -> None:
    records = [record(str(number), group) for number, (group, _) in enumerate(batch)]
    fails = {str(number) for number, (_, failing) in enumerate(batch) if failing}
    handled: list[SqsRecord] = []

    def handle(one: SqsRecord) -> None:
        handled.append(one)
        if one["messageId"] in fails:
            raise ValueError(one["messageId"])

    failed = {item["itemIdentifier"] for item in process_in_group_order(records, handle)["batchItemFailures"]}
    for group in "abc":
        of_group = [one["messageId"] for one in records if one["attributes"]["MessageGroupId"] == group]
        first_failure = next((n for n, message in enumerate(of_group) if message in fails), len(of_group))
        assert set(of_group[first_failure:]) <= failed  # the failure and all after it are returned
        assert not set(of_group[:first_failure]) & failed  # all before it succeeded
        assert [
            one["messageId"] for one in handled if one["attributes"]["MessageGroupId"] == group
        ] == of_group[: first_failure + 1]
