"""Scheduled sweep (EventBridge Scheduler → Lambda): queue a reconcile for every linked opportunity that
changed since the last sweep (cosell.sync.schedules.sweep) and for every HubSpot change whose webhook may
have been lost (cosell.sync.schedules.hubspot_sweep), keep the solution catalog fresh, and build the customer
index on a stack that has none yet (cosell.sync.onboarding.customer_index)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.metrics import metrics
from cosell.sync.onboarding.customer_index import build_customer_index
from cosell.sync.schedules.hubspot_sweep import sweep_hubspot
from cosell.sync.schedules.sweep import sweep
from cosell.sync.solutions.catalog import refresh_when_old

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.set_correlation_id(context.aws_request_id)
    ports = runtime.ports()
    # Each part runs whatever another one met (HubSpot down must not stop Partner Central's sweep); the first
    # failure then fails the invocation, which the schedule's alarm reports.
    steps: dict[str, Callable[[], Any]] = {
        "partner_central": lambda: asdict(sweep(ports, context.aws_request_id)),
        "customer_index": lambda: asdict(built) if (built := build_customer_index(ports)) else "built before",
        "hubspot": lambda: asdict(sweep_hubspot(ports, context.aws_request_id)),
        "solutions": lambda: refresh_when_old(ports),
    }
    report: dict[str, Any] = {}
    failures: list[Exception] = []
    for name, step in steps.items():
        try:
            report[name] = step()
        except Exception as error:  # noqa: BLE001 (logged here, raised below)
            logger.exception("sweep step failed", extra={"step": name})
            report[name] = f"failed: {type(error).__name__}"
            failures.append(error)
    logger.info("sweep done", extra=report)
    if failures:
        raise failures[0]
    return report
