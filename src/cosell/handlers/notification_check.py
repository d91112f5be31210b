"""Scheduled notifications check (EventBridge Scheduler → Lambda): queue a reconcile of every AWS referral
waiting for the rep's decision (cosell.sync.aws_summary.check)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.metrics import metrics
from cosell.sync.aws_summary.check import queue_notification_checks

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    logger.set_correlation_id(context.aws_request_id)
    queued = queue_notification_checks(runtime.ports(), context.aws_request_id)
    logger.info("referrals waiting for the rep queued for their notifications check", extra={"count": queued})
    return {"queued": queued}
