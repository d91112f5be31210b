"""moto in server mode on 127.0.0.1: SQS, DynamoDB, EventBridge, SSM, STS, Secrets Manager, SNS over HTTP.

moto's own ThreadedMotoServer waits up to half a second to notice a shutdown; this one polls ten times as
often, which keeps a test's stack cheap to stop.

DynamoDB applies a conditional write atomically; moto checks the condition and then writes, so two requests
served on two threads can both pass one condition (two workers reserving the same pacer slot). Its writes are
made one at a time here, as DynamoDB's are atomic.

moto's SQS counts a queue's messages on every send: its FIFO checks read the queue's attributes, which include
the approximate counts, three times for each message sent, and each message answers whether it is visible or
delayed by building two datetimes. With thousands of messages waiting (a long chaos run) one SendMessageBatch
took seconds, and the stack spent most of its time there (bench/queue_depth.py). Here the checks read the one
setting they need, and a message answers from the clock directly: the same answers, without the cost.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import TYPE_CHECKING, Any

from moto.dynamodb.models import DynamoDBBackend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.sqs.models import Message, SQSBackend

from cosell_local.serving import BackgroundServer

if TYPE_CHECKING:
    from moto.sqs.models import Queue

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
WRITING = threading.RLock()


def make_dynamodb_writes_atomic() -> None:
    """Each of moto's DynamoDB writes (its condition check and its change) under one lock. Idempotent."""
    for name in _WRITES:
        write = getattr(DynamoDBBackend, name)
        if getattr(write, "atomic", False):
            continue

        def atomic(*args: Any, _write: Any = write, **kwargs: Any) -> Any:
            with WRITING:
                return _write(*args, **kwargs)

        functools.update_wrapper(atomic, write)
        atomic.atomic = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, atomic)


def _now_ms() -> float:
    return time.time() * 1000.0  # moto's `unix_time_millis()`: milliseconds since the epoch, in UTC


class _QueueSettings:
    """A queue as moto's send checks read it: its attributes are the one setting they look at, not counted."""

    def __init__(self, queue: Queue) -> None:
        self._queue = queue

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)

    @property
    def attributes(self) -> dict[str, str]:
        content_based = getattr(self._queue, "content_based_deduplication")  # noqa: B009 - set by moto from its attributes
        return {"ContentBasedDeduplication": str(bool(content_based)).lower()}


def make_sqs_sends_cheap() -> None:
    """moto's send checks without counting the queue, and a message's visibility from the clock. Idempotent."""
    validate = SQSBackend._validate_message
    if not getattr(validate, "cheap", False):

        def cheap(backend: SQSBackend, queue: Queue, *args: Any, **kwargs: Any) -> None:
            validate(backend, _QueueSettings(queue), *args, **kwargs)  # type: ignore[arg-type]

        cheap.cheap = True  # type: ignore[attr-defined]
        SQSBackend._validate_message = cheap  # type: ignore[method-assign,assignment]
    Message.visible = property(lambda message: _now_ms() > message.visible_at)  # type: ignore[method-assign,assignment]
    Message.delayed = property(lambda message: _now_ms() < message.delayed_until)  # type: ignore[method-assign,assignment]


def moto_server(port: int = 0) -> BackgroundServer:
    make_dynamodb_writes_atomic()
    make_sqs_sends_cheap()
    app = DomainDispatcherApplication(create_backend_app)
    return BackgroundServer(app, name="moto", port=port, request_handler=MotoRequestHandler)
