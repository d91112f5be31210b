"""moto in server mode on 127.0.0.1: SQS, DynamoDB, EventBridge, SSM, STS, Secrets Manager, SNS over HTTP.

moto's own ThreadedMotoServer waits up to half a second to notice a shutdown; this one polls ten times as
often, which keeps a test's stack cheap to stop.

DynamoDB applies a conditional write atomically; moto checks the condition and then writes, so two requests
served on two threads can both pass one condition (two workers reserving the same pacer slot). Its writes are
made one at a time here, as DynamoDB's are atomic. moto backs up every table a transaction names (a deep copy
of the whole table, for a rollback) before it starts: with a stack's few thousand items, each TransactWriteItems
copied them all. Here a transaction keeps only the items it names, and a failed one puts those back through
moto's own writes (so the runner's journal records what the table holds after the rollback, not the write
that was undone).

moto's SQS counts a queue's messages on every send: its FIFO checks read the queue's attributes, which include
the approximate counts, several times for each message sent, and each message answers whether it is visible or
delayed by building two datetimes. With thousands of messages waiting (a long chaos run) one SendMessageBatch
took seconds, and the stack spent most of its time there (bench/queue_depth.py). Here the checks read the one
setting they need (`Queue.attributes` counts nothing where no count is asked for: in a send, in a
GetQueueAttributes that names only settings, such as the retention period a receive reads once per message), and a
message answers from the clock directly: the same answers, for less. (moto's deduplication still compares each message sent with every
one waiting, so a send still grows with the queue, far less.)
"""

from __future__ import annotations

import copy
import functools
import threading
import time
from types import SimpleNamespace
from typing import Any

import moto.dynamodb.models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.sqs.models import Message, Queue, SQSBackend

from cosell_local.serving import BackgroundServer

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
WRITING = threading.RLock()


_transacting = threading.local()


def _deepcopy_but_tables_in_a_transaction(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """moto.dynamodb.models' `copy.deepcopy`: in a transaction, a table is not copied (its items are kept)."""
    if isinstance(value, Table) and getattr(_transacting, "active", False):
        return value  # moto's rollback then puts the table back as it is: `_transaction` restores the items
    return copy.deepcopy(value, memo)


def _transaction(transact: Any) -> Any:
    def transaction(
        backend: DynamoDBBackend, transact_items: list[dict[str, Any]], *args: Any, **kwargs: Any
    ) -> Any:
        named = []
        for transact_item in transact_items:
            for request in transact_item.values():
                table = backend.tables.get(request.get("TableName", ""))
                if table is not None:
                    attributes = request.get("Key") or request.get("Item") or {}
                    key = {
                        name: attributes[name]
                        for name in (table.hash_key_attr, table.range_key_attr)
                        if name and name in attributes
                    }
                    before = backend.get_item(table.name, key) if len(key) == len(table.schema) else None
                    named.append(
                        (table.name, key, None if before is None else before.to_json()["Attributes"])
                    )
        _transacting.active = True
        try:
            return transact(backend, transact_items, *args, **kwargs)
        except Exception:
            _transacting.active = False
            for table_name, key, attributes in reversed(named):
                if attributes is not None:
                    backend.put_item(table_name, attributes)
                elif backend.get_item(table_name, key) is not None:
                    backend.delete_item(table_name, key)
            raise
        finally:
            _transacting.active = False

    return transaction


def make_dynamodb_writes_atomic() -> None:
    """Each of moto's DynamoDB writes (its condition check and its change) under one lock, and a transaction
    that copies only the items it names. Idempotent."""
    if not isinstance(getattr(moto.dynamodb.models, "copy"), SimpleNamespace):  # noqa: B009 - not exported
        shim = SimpleNamespace(deepcopy=_deepcopy_but_tables_in_a_transaction)
        setattr(moto.dynamodb.models, "copy", shim)  # noqa: B010 - the module's `import copy`, not exported
        DynamoDBBackend.transact_write_items = _transaction(DynamoDBBackend.transact_write_items)  # type: ignore[method-assign]
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


class _UncountedUnlessAsked(property):
    """moto's `Queue.attributes`, with the approximate counts read as 0 while nothing asks for them: inside a
    send (its deduplication checks read one setting), and in a GetQueueAttributes that names only settings
    (a receive asks for the retention period once per message it looks at; EventBridge for whether
    deduplication is content-based once per event). Each count walks every message of the queue."""


_UNCOUNTED = threading.local()

# The attributes moto computes by walking the queue.
_COUNTED = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
)


class _CountsUnread:
    """A queue whose approximate counts read 0, everything else its own."""

    approximate_number_of_messages = approximate_number_of_messages_delayed = 0
    approximate_number_of_messages_not_visible = 0

    def __init__(self, queue: Queue) -> None:
        self._queue = queue

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)


def _uncounted(call: Any, *, unless_named: bool = False) -> Any:
    """`call` with the counts unread; `unless_named`: unless its attribute names (the second argument) ask for
    one of them, or for all."""

    @functools.wraps(call)
    def marked(*args: Any, **kwargs: Any) -> Any:
        names = kwargs.get("attribute_names", args[2] if len(args) > 2 else ())
        if unless_named and any(name == "All" or name in _COUNTED for name in names):
            return call(*args, **kwargs)
        _UNCOUNTED.depth = getattr(_UNCOUNTED, "depth", 0) + 1
        try:
            return call(*args, **kwargs)
        finally:
            _UNCOUNTED.depth -= 1

    return marked


def make_sqs_sends_cheap() -> None:
    """moto's SQS reads a queue's settings without counting its messages where no count is asked for, and a
    message's visibility from the clock. Idempotent."""
    if not isinstance(Queue.__dict__["attributes"], _UncountedUnlessAsked):
        counted = Queue.__dict__["attributes"].fget

        def attributes(queue: Queue) -> dict[str, Any]:
            seen = _CountsUnread(queue) if getattr(_UNCOUNTED, "depth", 0) else queue
            return counted(seen)  # type: ignore[no-any-return]

        Queue.attributes = _UncountedUnlessAsked(attributes)  # type: ignore[method-assign,assignment]
        SQSBackend.send_message = _uncounted(SQSBackend.send_message)  # type: ignore[method-assign]
        SQSBackend.send_message_batch = _uncounted(SQSBackend.send_message_batch)  # type: ignore[method-assign]
        SQSBackend.get_queue_attributes = _uncounted(SQSBackend.get_queue_attributes, unless_named=True)  # type: ignore[method-assign]
    Message.visible = property(lambda message: _now_ms() > message.visible_at)  # type: ignore[method-assign,assignment]
    Message.delayed = property(lambda message: _now_ms() < message.delayed_until)  # type: ignore[method-assign,assignment]


def moto_server(port: int = 0) -> BackgroundServer:
    make_dynamodb_writes_atomic()
    make_sqs_sends_cheap()
    app = DomainDispatcherApplication(create_backend_app)
    return BackgroundServer(app, name="moto", port=port, request_handler=MotoRequestHandler)
