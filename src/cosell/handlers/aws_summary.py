"""Scheduled AWS summary refresh (EventBridge Scheduler → Lambda): queue a reconcile of every linked
opportunity AWS has seen (cosell.sync.aws_summary.refresh)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.metrics import Metric, count, metrics
from cosell.sync.aws_summary.refresh import queue_summary_refresh

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.set_correlation_id(context.aws_request_id)
    report = asdict(queue_summary_refresh(runtime.ports(), context.aws_request_id))
    logger.info("aws summary refresh queued", extra=report)
    count(Metric.SUMMARY_REFRESHES, report["queued"])
    return report
