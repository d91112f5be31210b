"""Scheduled invitation poll (EventBridge Scheduler → Lambda): queue the pending invitations (not those whose last
request waits, or was queued within the hour: cosell.sync.schedules.poll_invitations)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.metrics import metrics
from cosell.partner_central.invitations import pending_received_invitations
from cosell.sync.schedules.poll_invitations import queue_pending_invitations

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    ports = runtime.ports()
    logger.set_correlation_id(context.aws_request_id)
    report = queue_pending_invitations(
        pending_received_invitations(ports.partner_central, ports.config.catalog),
        ports,
        context.aws_request_id,
    )
    logger.info("pending invitations queued", extra={"count": report.queued, "held_back": report.held_back})
    return {"queued": report.queued, "held_back": report.held_back}
