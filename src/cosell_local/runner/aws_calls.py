"""The AWS calls each function makes, as IAM authorizes them: what a function's role must allow.

Deployed, every call a function makes is authorized against its role; locally moto authorizes nothing, so
the runner records instead (as CloudTrail would show them per role): each boto3 call made while a function
runs, as the IAM actions it needs and the resource each acts on. tests/e2e/test_least_privilege.py holds
every role in template.yaml to exactly what its function was seen doing.

Partner Central calls are left out: they are made as the Partner Central service role, whose policy
tests/unit/test_infrastructure.py derives from the code.
"""

from __future__ import annotations

import contextlib
import threading
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.client import BaseClient

if TYPE_CHECKING:
    from collections.abc import Iterator

_acting: ContextVar[str | None] = ContextVar("cosell_local_acting_function", default=None)
_NOT_RECORDED = frozenset({"partnercentral-selling"})

# Operations IAM authorizes as other actions (the Service Authorization Reference for SQS and DynamoDB).
_AUTHORIZED_AS = {
    ("sqs", "SendMessageBatch"): "SendMessage",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
    ("dynamodb", "TransactGetItems"): "GetItem",
}
_TRANSACT_WRITE_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_RESOURCE_PARAMETERS = ("TableName", "QueueUrl", "SecretId", "RoleArn", "TopicArn", "Name")


@dataclass(frozen=True)
class AwsCall:
    function: str  # the template's logical id
    action: str  # as IAM names it, e.g. dynamodb:GetItem
    resource: str  # the physical name the call names: table, queue URL, secret or role ARN, ...


def _table_resource(table: str, parameters: dict[str, Any]) -> str:
    index = parameters.get("IndexName")
    return f"{table}/index/{index}" if index else table


def authorizations(service: str, operation: str, parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """The (IAM action, resource) pairs one call needs."""
    if (service, operation) == ("dynamodb", "TransactWriteItems"):
        return [
            (f"dynamodb:{_TRANSACT_WRITE_ACTIONS[kind]}", request["TableName"])
            for item in parameters["TransactItems"]
            for kind, request in item.items()
        ]
    if (service, operation) == ("dynamodb", "TransactGetItems"):
        return [("dynamodb:GetItem", item["Get"]["TableName"]) for item in parameters["TransactItems"]]
    if (service, operation) in (("dynamodb", "BatchGetItem"), ("dynamodb", "BatchWriteItem")):
        return [(f"dynamodb:{operation}", table) for table in parameters["RequestItems"]]
    action = f"{service}:{_AUTHORIZED_AS.get((service, operation), operation)}"
    name = next((str(parameters[key]) for key in _RESOURCE_PARAMETERS if key in parameters), "*")
    if service == "dynamodb" and "TableName" in parameters:
        name = _table_resource(name, parameters)
    return [(action, name)]


class AwsCallRecorder:
    """Collects the calls made inside `acting_as(function)`, from any thread."""

    def __init__(self) -> None:
        self._calls: set[AwsCall] = set()
        self._lock = threading.Lock()
        self._visibility_set: set[str] = set()  # receipt handles whose visibility a function changed

    def record(self, service: str, operation: str, parameters: dict[str, Any]) -> None:
        function = _acting.get()
        if function is None or service in _NOT_RECORDED:
            return
        if (service, operation) == ("sqs", "ChangeMessageVisibilityBatch"):
            with self._lock:
                self._visibility_set.update(entry["ReceiptHandle"] for entry in parameters["Entries"])
        found = [
            AwsCall(function, action, resource)
            for action, resource in authorizations(service, operation, parameters)
        ]
        with self._lock:
            self._calls.update(found)

    def visibility_set_by_function(self, receipt_handle: str) -> bool:
        """Whether a function changed this received message's visibility itself (asked once per message)."""
        with self._lock:
            if receipt_handle not in self._visibility_set:
                return False
            self._visibility_set.discard(receipt_handle)
            return True

    def add(self, calls: set[AwsCall], *, visibility_set: list[str]) -> None:
        """What another process's recorder saw (cosell_local.runner.child_environment)."""
        with self._lock:
            self._calls.update(calls)
            self._visibility_set.update(visibility_set)

    def take(self) -> tuple[frozenset[AwsCall], set[str]]:
        """Everything recorded so far, forgotten here: the calls, and the receipt handles whose visibility
        a function changed."""
        with self._lock:
            calls, self._calls = frozenset(self._calls), set()
            visibility_set, self._visibility_set = self._visibility_set, set()
        return calls, visibility_set

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def calls(self) -> frozenset[AwsCall]:
        with self._lock:
            return frozenset(self._calls)


RECORDER = AwsCallRecorder()
_installed = False
_install_lock = threading.Lock()


def acting_function() -> str | None:
    """The function whose invocation this thread runs, if any."""
    return _acting.get()


@contextlib.contextmanager
def acting_as(function: str) -> Iterator[None]:
    """Calls made inside are `function`'s (its role's)."""
    _install()
    token = _acting.set(function)
    try:
        yield
    finally:
        _acting.reset(token)


def _install() -> None:
    # One wrapper around botocore's single entry point for API calls: every client, every session.
    global _installed
    with _install_lock:
        if _installed:
            return
        make_api_call = getattr(BaseClient, "_make_api_call")  # noqa: B009 (private: not in the stubs)

        def recorded(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
            model = self.meta.service_model
            RECORDER.record(model.signing_name or model.endpoint_prefix, operation_name, api_params)
            return make_api_call(self, operation_name, api_params)

        setattr(BaseClient, "_make_api_call", recorded)  # noqa: B010
        _installed = True
