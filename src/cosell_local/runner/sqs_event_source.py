"""Lambda's SQS event source mapping: poll the queue, invoke the function with a batch, delete what succeeded.

As Lambda does: a batch is up to BatchSize messages; with ReportBatchItemFailures only the messages named in
`batchItemFailures` stay on the queue (an unknown or empty identifier fails the whole batch); a function
error keeps the whole batch. Messages kept reappear once their visibility timeout has passed, and SQS (moto)
moves a message to the DLQ when it is received after maxReceiveCount receives.

The visibility timeout runs on a compressible clock: the poller receives with the queue's own timeout and
makes a failed message visible again (ChangeMessageVisibility 0) after `timeout / time_scale` seconds, never
while its invocation still runs.

With several environments (the event source's MaximumConcurrency, cosell_local.runner.child_environment),
each polls on a thread of its own, as Lambda's pollers do; SQS's FIFO queue hands a message group to one of
them at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell_local.runner.aws_calls import RECORDER, acting_as

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

    from cosell_local.runner.lambda_runtime import FunctionEnvironment, Invocation, LambdaFunction

log = logging.getLogger(__name__)

_IDLE_POLL_SECONDS = 0.05
_BACKGROUND_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class WorkerBatch:
    """One invocation of the function with a batch, and what became of each message."""

    invocation: Invocation
    message_ids: tuple[str, ...]
    failed_message_ids: tuple[str, ...]


@dataclass
class QueueRun:
    """The batches `run_until_idle` reports, in the order they ran."""

    batches: list[WorkerBatch] = field(default_factory=list)

    @property
    def invocations(self) -> list[Invocation]:
        return [batch.invocation for batch in self.batches]

    @property
    def failed_message_ids(self) -> list[str]:
        """One entry per failed attempt (a message that failed three times is listed three times)."""
        return [message_id for batch in self.batches for message_id in batch.failed_message_ids]

    @property
    def processed_message_ids(self) -> list[str]:
        """Messages the function finished with (deleted from the queue)."""
        return [
            message_id
            for batch in self.batches
            for message_id in batch.message_ids
            if message_id not in batch.failed_message_ids
        ]


def _lambda_record(message: MessageTypeDef, queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": list(value.get("StringListValues", [])),
                "binaryListValues": list(value.get("BinaryListValues", [])),
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def _failed_ids(invocation: Invocation, message_ids: list[str], reports_failures: bool) -> list[str]:
    if invocation.error is not None:
        return message_ids
    if not reports_failures:
        return []
    response = invocation.response if isinstance(invocation.response, dict) else {}
    failures = response.get("batchItemFailures") or []
    named = [failure.get("itemIdentifier") if isinstance(failure, dict) else None for failure in failures]
    if any(identifier not in message_ids for identifier in named):
        log.warning("%s reported unknown batch item failures %s: batch failed", invocation.function, named)
        return message_ids
    return [identifier for identifier in message_ids if identifier in named]


class SqsEventSource:
    def __init__(
        self,
        function: LambdaFunction,
        sqs: SQSClient,
        *,
        queue_url: str,
        queue_arn: str,
        batch_size: int,
        reports_batch_item_failures: bool,
        time_scale: float = 1.0,
        environments: Sequence[FunctionEnvironment] = (),
    ) -> None:
        """`environments`: the function's execution environments, each polling on its own thread once
        started (none: `function`, alone)."""
        self.function = function
        self.environments: tuple[FunctionEnvironment, ...] = tuple(environments) or (function,)
        self._sqs = sqs
        self._queue_url = queue_url
        self._queue_arn = queue_arn
        self._batch_size = batch_size
        self._reports_failures = reports_batch_item_failures
        self._time_scale = time_scale
        # What Lambda's event source mapping calls, it calls as the function's role (aws_calls).
        with acting_as(function.name):
            attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["VisibilityTimeout"])
        self._visibility_timeout = int(attributes["Attributes"]["VisibilityTimeout"])
        self._region = queue_arn.split(":")[3]
        # receipt handle → monotonic time at which the failed message becomes visible again
        self._held: dict[str, float] = {}
        self._lock = threading.Lock()
        self._history: list[WorkerBatch] = []
        self._reported = 0  # batches up to here were returned by an earlier run_until_idle
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- one step ---

    def poll_once(self, environment: FunctionEnvironment | None = None) -> bool:
        """Release due messages, then receive and run one batch (in `environment`, else the first one).
        True if a batch ran."""
        environment = environment or self.environments[0]
        with self._lock:
            self._release_due()
        received = time.monotonic()
        with acting_as(self.function.name):
            messages = self._sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=self._batch_size,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
        if not messages:
            return False
        event = {"Records": [_lambda_record(m, self._queue_arn, self._region) for m in messages]}
        invocation = environment.invoke(event)
        message_ids = [m["MessageId"] for m in messages]
        failed = _failed_ids(invocation, message_ids, self._reports_failures)
        release_at = received + self._visibility_timeout / self._time_scale
        done = [m for m in messages if m["MessageId"] not in failed]
        with self._lock:
            for message in messages:
                # A message the function made invisible itself comes back when it said (SQS's own timer).
                if message["MessageId"] in failed and not RECORDER.visibility_set_by_function(
                    message["ReceiptHandle"]
                ):
                    self._held[message["ReceiptHandle"]] = release_at
        for start in range(0, len(done), 10):
            with acting_as(self.function.name):
                self._sqs.delete_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[
                        {"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]}
                        for index, m in enumerate(done[start : start + 10])
                    ],
                )
        with self._lock:
            self._history.append(WorkerBatch(invocation, tuple(message_ids), tuple(failed)))
        return True

    def _release_due(self) -> None:
        now = time.monotonic()
        for receipt_handle, due in list(self._held.items()):
            if due <= now:
                del self._held[receipt_handle]
                try:
                    self._sqs.change_message_visibility(
                        QueueUrl=self._queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=0
                    )
                except ClientError as error:  # unscaled, SQS's own timeout may have run out first
                    log.debug("message already visible again: %s", error)

    def is_idle(self) -> bool:
        """Nothing visible, delayed or in flight on the queue, and no failed message waiting to reappear."""
        with self._lock:
            if self._held:
                return False
            counts = self._sqs.get_queue_attributes(
                QueueUrl=self._queue_url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            )["Attributes"]
            return all(int(count) == 0 for count in counts.values())

    def history(self) -> list[WorkerBatch]:
        with self._lock:
            return list(self._history)

    # --- driving it ---

    def run_until_idle(self, timeout: float) -> QueueRun:
        """Poll until `is_idle`. Returns every batch that ran since the previous call returned (or since
        start), whether this call or the background thread ran it."""
        deadline = time.monotonic() + timeout
        while True:
            ran = self.poll_once()
            if not ran and self.is_idle():
                with self._lock:
                    run = QueueRun(self._history[self._reported :])
                    self._reported = len(self._history)
                return run
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.function.name}: queue not idle after {timeout} s "
                    f"({len(self._held)} failed message(s) waiting for their visibility timeout)"
                )
            if not ran:
                time.sleep(_IDLE_POLL_SECONDS)

    def start(self) -> None:
        self._stopping.clear()
        self._threads = [
            threading.Thread(
                target=self._run, args=(environment,), name=f"sqs-{self.function.name}-{index}", daemon=True
            )
            for index, environment in enumerate(self.environments)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join()
        self._threads = []

    def _run(self, environment: FunctionEnvironment) -> None:
        while not self._stopping.is_set():
            try:
                ran = self.poll_once(environment)
            except Exception:  # a moto hiccup must not end the poller; Lambda's keeps polling too
                log.exception("polling %s failed", self._queue_url)
                ran = False
            if not ran:
                self._stopping.wait(_BACKGROUND_POLL_SECONDS)
