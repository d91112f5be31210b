"""moto in server mode on 127.0.0.1: SQS, DynamoDB, EventBridge, SSM, STS, Secrets Manager, SNS over HTTP.

moto's own ThreadedMotoServer waits up to half a second to notice a shutdown; this one polls ten times as
often, which keeps a test's stack cheap to stop.

DynamoDB applies a conditional write atomically; moto checks the condition and then writes, so two requests
served on two threads can both pass one condition (two workers reserving the same pacer slot). Its writes are
made one at a time here, as DynamoDB's are atomic.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

from cosell_local.serving import BackgroundServer

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


def moto_server(port: int = 0) -> BackgroundServer:
    make_dynamodb_writes_atomic()
    app = DomainDispatcherApplication(create_backend_app)
    return BackgroundServer(app, name="moto", port=port, request_handler=MotoRequestHandler)
