"""The engagement schedules (EventBridge Scheduler → Lambda), the safety net behind Partner Central's events
(cosell.sync.engagements.schedule):
- `members_handler` (`EngagementSyncRate`): a reconcile of every engagement whose members or contexts changed;
- `snapshots_handler` (`ResourceSyncRate`): a read of the resource snapshots of every engagement on a deal."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from cosell.domain.engagement import Part
from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.metrics import metrics
from cosell.sync.engagements.schedule import queue_engagement_sync

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.utilities.typing import LambdaContext

    Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def _scheduled(part: Part) -> Handler:
    @logger.inject_lambda_context
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        logger.set_correlation_id(context.aws_request_id)
        report = asdict(queue_engagement_sync(runtime.ports(), context.aws_request_id, part))
        logger.info("engagement schedule queued", extra={"part": part.value, **report})
        return report

    return handler


members_handler = _scheduled(Part.MEMBERS)
snapshots_handler = _scheduled(Part.SNAPSHOTS)
