"""A function's execution environment in a process of its own: warm between invocations, cold after a crash
or a timeout, its errors reported as Lambda reports a function error; and an SQS event source with several
such environments running batches side by side, as Lambda scales out a queue's function."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

import pytest

from cosell_local.runner.aws_calls import RECORDER
from cosell_local.runner.child_environment import ChildEnvironment, ChildEnvironmentError
from cosell_local.runner.lambda_runtime import InvocationKilled
from cosell_local.runner.sqs_event_source import SqsEventSource
from cosell_local.runner.template import FunctionSpec
from tests.integration.runner.conftest import QUEUE_TIME_SCALE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cosell_local.runner import LocalStack

HANDLER = "tests.integration.runner.child_handler.handler"


def _environment(timeout_seconds: int = 5, index: int = 0) -> ChildEnvironment:
    return ChildEnvironment(
        FunctionSpec("ChildFunction", HANDLER, timeout_seconds), "us-east-1", index=index, log_level="WARNING"
    )


@pytest.fixture
def environment() -> Iterator[ChildEnvironment]:
    running = _environment(timeout_seconds=1)
    yield running
    running.close()


def _answer(environment: ChildEnvironment, event: dict[str, Any]) -> dict[str, Any]:
    invocation = environment.invoke(event)
    assert invocation.error is None, invocation.error
    answer: dict[str, Any] = invocation.response
    return answer


def test_an_environment_is_a_process_of_its_own_and_stays_warm(environment: ChildEnvironment) -> None:
    first = _answer(environment, {})
    second = _answer(environment, {"print": "on stdout, not in the answers"})
    assert first["pid"] != os.getpid()
    assert second == {"pid": first["pid"], "invocations": 2}  # the module's state lived on
    assert [invocation.succeeded for invocation in environment.invocations] == [True, True]


def test_a_raise_is_a_function_error_and_the_environment_stays_warm(environment: ChildEnvironment) -> None:
    warm = _answer(environment, {})
    failed = environment.invoke({"raise": "the deal is gone"})
    assert isinstance(failed.error, ChildEnvironmentError)
    assert str(failed.error) == "ValueError: the deal is gone"
    assert _answer(environment, {})["pid"] == warm["pid"]


def test_a_killed_invocation_comes_back_as_killed(environment: ChildEnvironment) -> None:
    killed = environment.invoke({"kill": "after a Partner Central write"})
    assert isinstance(killed.error, InvocationKilled)
    assert str(killed.error) == "after a Partner Central write"


@pytest.mark.parametrize("event", [{"sleep": 3}, {"exit": 3}], ids=["over its timeout", "its process exits"])
def test_an_environment_that_ends_mid_invocation_starts_cold_for_the_next(
    environment: ChildEnvironment, event: dict[str, Any]
) -> None:
    before = _answer(environment, {})
    started = time.monotonic()
    ended = environment.invoke(event)
    assert isinstance(ended.error, ChildEnvironmentError)
    assert time.monotonic() - started < 2.9  # stopped at its 1 s timeout, not left to sleep its 3 s
    after = _answer(environment, {})
    assert after["pid"] != before["pid"]
    assert after["invocations"] == 1  # a new process: a cold start


def test_two_environments_run_a_queues_batches_side_by_side_and_its_own_visibility_holds(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHILD_HANDLER_QUEUE_URL", stack.sync_queue_url)  # the children inherit it
    assert stack.resources is not None
    environments = [_environment(index=index) for index in range(2)]
    source = SqsEventSource(
        stack.functions["WorkerFunction"],
        stack.client("sqs"),
        queue_url=stack.sync_queue_url,
        queue_arn=stack.resources.attributes[("SyncQueue", "Arn")],
        batch_size=1,
        reports_batch_item_failures=True,
        time_scale=QUEUE_TIME_SCALE,
        environments=environments,
    )
    sqs = stack.client("sqs")
    bodies = ["hold", *(f"body-{index}" for index in range(8))]
    for index, body in enumerate(bodies):
        sqs.send_message(
            QueueUrl=stack.sync_queue_url,
            MessageBody=body,
            MessageGroupId=f"group-{index}",
            MessageDeduplicationId=body,
        )
    RECORDER.take()
    try:
        source.start()
        deadline = time.monotonic() + 30
        while (
            sum(batch.invocation.succeeded and not batch.failed_message_ids for batch in source.history()) < 9
        ):
            assert time.monotonic() < deadline, source.history()
            time.sleep(0.1)
    finally:
        source.stop()
        for environment in environments:
            environment.close()
    batches = source.history()
    pids = {batch.invocation.response["pid"] for batch in batches}
    assert len(pids) == 2  # both environments ran batches
    ran = [record_body for batch in batches for record_body in _bodies(batch.invocation.event)]
    assert sorted(set(ran)) == sorted(bodies)
    # "hold" set its own visibility (1 s): the poller left it to SQS's timer instead of releasing it at the
    # scaled timeout, so it came back no sooner than that; the child's recorder told the runner so.
    holds = [batch.invocation.started_at for batch in batches if _bodies(batch.invocation.event) == ["hold"]]
    assert len(holds) >= 2
    assert holds[1] - holds[0] >= 1.0
    calls, _ = RECORDER.take()
    assert any(
        call.function == "ChildFunction" and call.action == "sqs:ChangeMessageVisibility" for call in calls
    )


def _bodies(event: dict[str, Any]) -> list[str]:
    return [record["body"] for record in event["Records"]]
