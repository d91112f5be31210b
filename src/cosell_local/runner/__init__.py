"""The local runner: template.yaml's functions and their AWS plumbing, played on one machine (docs/LOCAL.md)."""

from cosell_local.runner.lambda_runtime import Invocation
from cosell_local.runner.sqs_event_source import QueueRun, WorkerBatch
from cosell_local.runner.stack import DEFAULT_SUBSCRIPTIONS, LocalStack, Ports

__all__ = ["DEFAULT_SUBSCRIPTIONS", "Invocation", "LocalStack", "Ports", "QueueRun", "WorkerBatch"]
