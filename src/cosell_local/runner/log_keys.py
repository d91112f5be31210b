"""Each local invocation logs with its own Powertools keys, as each Lambda execution environment does.

Powertools keeps a logger's keys (function name, request id, correlation id, cold start) on its formatter,
one per process; deployed that is one function's, and it runs one invocation at a time. Locally every
function runs in this process, on threads of its own, so the worker's keys showed on the webhook's lines and
one request's correlation id on another's. `isolated(logger_name)` gives the formatters of that logger's
handlers a copy of their keys per invocation (a context variable): what an invocation appends is its own,
and is gone when it ends. Threads a handler starts itself see the keys shared before any invocation.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

_INVOCATION_KEYS: ContextVar[dict[str, Any] | None] = ContextVar("cosell_local_log_keys", default=None)
_SHARED = "_shared_log_format"
_ISOLATING = threading.Lock()  # two functions' first invocations may start at once


class _PerInvocationKeys:
    """`log_format` of a Powertools formatter: the running invocation's copy, else the shared one."""

    def __get__(self, formatter: object, owner: type | None = None) -> dict[str, Any]:
        keys = _INVOCATION_KEYS.get()
        return formatter.__dict__[_SHARED] if keys is None else keys

    def __set__(self, formatter: object, value: dict[str, Any]) -> None:
        if _INVOCATION_KEYS.get() is None:
            formatter.__dict__[_SHARED] = value
        else:
            _INVOCATION_KEYS.set(value)  # clear_state within an invocation: that invocation's keys only


def _isolate(formatter: logging.Formatter) -> logging.Formatter:
    if isinstance(type(formatter).__dict__.get("log_format"), _PerInvocationKeys):
        return formatter
    shared = formatter.__dict__.pop("log_format")
    formatter.__class__ = type(
        f"PerInvocation{type(formatter).__name__}", (type(formatter),), {"log_format": _PerInvocationKeys()}
    )
    formatter.__dict__[_SHARED] = shared
    return formatter


@contextlib.contextmanager
def isolated(logger_name: str) -> Iterator[None]:
    """Within this block, the keys of `logger_name`'s Powertools formatters are this invocation's own: a
    copy of the shared keys, which nothing appended inside changes."""
    with _ISOLATING:
        formatters = [
            _isolate(handler.formatter)
            for handler in logging.getLogger(logger_name).handlers
            if handler.formatter is not None and "log_format" in _class_and_instance(handler.formatter)
        ]
    shared = {key: value for formatter in formatters for key, value in formatter.__dict__[_SHARED].items()}
    token = _INVOCATION_KEYS.set(dict(shared) if formatters else None)
    try:
        yield
    finally:
        _INVOCATION_KEYS.reset(token)


def _class_and_instance(formatter: logging.Formatter) -> set[str]:
    return set(formatter.__dict__) | set(type(formatter).__dict__)
