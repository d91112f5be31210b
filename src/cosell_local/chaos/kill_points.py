"""Worker invocations killed at seeded points, where a crash costs most: after a Partner Central write and
before the DynamoDB write that records it; after a HubSpot create and before the claim is settled (the
worker's next DynamoDB write). The kill is `InvocationKilled`, raised in place of that DynamoDB call.

The worker's environments are processes of their own (the stack scales out): each installs its kill points as
it starts (`install_in_environment`), seeded by the run's seed and its own number."""

from __future__ import annotations

import random
import threading
from typing import Any

import urllib3
from botocore.client import BaseClient

from cosell_local.runner.aws_calls import acting_function
from cosell_local.runner.lambda_runtime import InvocationKilled

WORKER = "WorkerFunction"
_PARTNER_CENTRAL_WRITES = frozenset(
    {"CreateOpportunity", "UpdateOpportunity", "AssociateOpportunity", "StartEngagementFromOpportunityTask",
     "StartEngagementByAcceptingInvitationTask", "SubmitOpportunity"}
)  # fmt: skip


class KillPoints:
    def __init__(self, seed: int, probability: float) -> None:
        self._random = random.Random(seed)
        self._probability = probability
        self._lock = threading.Lock()
        self._armed = threading.local()
        self.kills: dict[str, int] = {"after a Partner Central write": 0, "after a HubSpot create": 0}

    def after_write(self, point: str) -> None:
        if acting_function() != WORKER:
            return
        with self._lock:
            chosen = self._random.random() < self._probability
        if chosen:
            self._armed.point = point

    def before_dynamodb_write(self) -> None:
        point = getattr(self._armed, "point", None)
        if point is None:
            return
        self._armed.point = None
        with self._lock:
            self.kills[point] += 1
        raise InvocationKilled(point)

    def install(self) -> None:
        """Wrap botocore's and urllib3's entry points in this process (the stack's, never a real one)."""
        make_api_call = getattr(BaseClient, "_make_api_call")  # noqa: B009
        request = urllib3.PoolManager.request

        def api_call(client: BaseClient, operation: str, parameters: dict[str, Any]) -> Any:
            service = client.meta.service_model.endpoint_prefix
            if service == "dynamodb" and operation in (
                "PutItem",
                "UpdateItem",
                "DeleteItem",
                "TransactWriteItems",
            ):
                self.before_dynamodb_write()
            answer = make_api_call(client, operation, parameters)
            if operation in _PARTNER_CENTRAL_WRITES:
                self.after_write("after a Partner Central write")
            return answer

        def http_request(pool: urllib3.PoolManager, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            answer = request(pool, method, url, *args, **kwargs)
            if method == "POST" and "/crm/v3/objects/deals" in url and answer.status == 201:
                self.after_write("after a HubSpot create")
            return answer

        setattr(BaseClient, "_make_api_call", api_call)  # noqa: B010
        setattr(urllib3.PoolManager, "request", http_request)  # noqa: B010


def install_in_environment(index: int, *, seed: int, probability: float) -> None:
    """cosell_local.runner.child_environment's setup: this environment's kill points, its own seeded
    sequence (the same seed in every environment would kill them in step)."""
    KillPoints(seed * 100 + index, probability).install()
