"""The local runner: template.yaml's functions and their AWS plumbing, played on one machine (docs/LOCAL.md).

Its names are loaded on first use: the stack imports moto, which a child environment
(cosell_local.runner.child_environment) that imports one of this package's modules never needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cosell_local.runner.lambda_runtime import Invocation
    from cosell_local.runner.sqs_event_source import QueueRun, WorkerBatch
    from cosell_local.runner.stack import DEFAULT_SUBSCRIPTIONS, LocalStack, Ports

_HOMES = {
    "Invocation": "cosell_local.runner.lambda_runtime",
    "QueueRun": "cosell_local.runner.sqs_event_source",
    "WorkerBatch": "cosell_local.runner.sqs_event_source",
    "DEFAULT_SUBSCRIPTIONS": "cosell_local.runner.stack",
    "LocalStack": "cosell_local.runner.stack",
    "Ports": "cosell_local.runner.stack",
}

__all__ = ["DEFAULT_SUBSCRIPTIONS", "Invocation", "LocalStack", "Ports", "QueueRun", "WorkerBatch"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
