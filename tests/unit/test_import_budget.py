"""Each handler's cold start: the modules it loads, within a budget, and none of what it never uses.

Measured in a fresh interpreter per handler (as Lambda starts one), after the handler's own settings are
loaded, so a lazy import that every invocation pays is counted too. A budget that no longer holds means a
handler's cold start grew: see docs/BENCHMARKS.md before raising it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src"
ENVIRONMENT = {
    "ENVIRONMENT": "development",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "HUBSPOT_ACCESS_TOKEN": "pat-na1-budget",
    "HUBSPOT_WEBHOOK_SECRET": "budget-secret",
    "SYNC_QUEUE_URL": "http://127.0.0.1:9/123456789012/sync.fifo",
    "STATE_TABLE_NAME": "cosell-budget",
    "AUDIT_TABLE_NAME": "cosell-budget-audit",
}
PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
__import__(sys.argv[2])
from cosell.handlers import runtime
runtime.webhook_settings() if sys.argv[2].endswith(".webhook") else runtime.ports().config
print(json.dumps(sorted(sys.modules)))
"""
# Never loaded by any function's cold start: Powertools' batch and event classes (asyncio and every Lambda
# event shape, 30 ms; cosell.queue.fifo_batch and plain dicts do the little they did), and pydantic-settings.
HEAVY = (
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.data_classes",
    "pydantic_settings",
)
SCHEDULE_NEVER = (*HEAVY, "cosell.sync.deals", "cosell.sync.referrals", "cosell.cli")
# Never loaded by the webhook function: it verifies a signature and queues, nothing else; its SQS, SSM and
# Secrets Manager clients come from botocore (cosell.aws_clients), without boto3's own import.
WEBHOOK_NEVER = (
    *HEAVY,
    "boto3",
    "s3transfer",
    "cosell.sync",
    "cosell.config.sync",
    "cosell.domain.to_partner_central",
    "cosell.domain.reconcile",
    "cosell.domain.mapping_rules",
    "cosell.domain.synced_fields",
    "cosell.hubspot.client",
    "cosell.partner_central",
    "cosell.store",
)
# handler → (most cosell modules, most modules in all, what it must not load). Every function queues, and the
# queue reads SQS's refusals with cosell.aws_errors (no imports of its own).
BUDGETS: dict[str, tuple[int, int, tuple[str, ...]]] = {
    "cosell.handlers.webhook": (20, 460, WEBHOOK_NEVER),
    # The referral use case is loaded by the first referral message (cosell.sync.dispatch).
    "cosell.handlers.worker": (71, 512, (*HEAVY, "cosell.sync.referrals", "cosell.cli", "cosell_local")),
    # The schedules queue through cosell.sync.schedules.held (its marks), which the worker settles.
    "cosell.handlers.invitation_poll": (34, 474, SCHEDULE_NEVER),
    # The sweep reads HubSpot too (its models and the subscribed properties: the HubSpot sweep).
    "cosell.handlers.sweep": (44, 484, SCHEDULE_NEVER),
    "cosell.handlers.notification_check": (34, 473, SCHEDULE_NEVER),
    "cosell.handlers.aws_summary": (36, 475, SCHEDULE_NEVER),
    "cosell.handlers.engagement_sync": (39, 478, SCHEDULE_NEVER),
    # Routed on the resource API Gateway matched (cosell.handlers.api_gateway), without Powertools' resolver.
    "cosell.handlers.solutions_api": (
        42,
        483,
        (*SCHEDULE_NEVER, "aws_lambda_powertools.event_handler", "asyncio", "cosell_local"),
    ),
}


def _loaded(handler: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-I", "-c", PROBE, str(SOURCE), handler],
        capture_output=True,
        text=True,
        check=True,
        env=ENVIRONMENT,
    ).stdout
    loaded: list[str] = json.loads(out)
    return loaded


@pytest.mark.parametrize("handler", sorted(BUDGETS))
def test_handler_loads_within_its_budget(handler: str) -> None:
    most_own, most_all, never = BUDGETS[handler]
    loaded = _loaded(handler)
    own = [name for name in loaded if name == "cosell" or name.startswith("cosell.")]
    assert handler in own
    forbidden = [name for name in loaded if any(name == n or name.startswith(n + ".") for n in never)]
    assert not forbidden, f"{handler} loads {forbidden}"
    assert len(own) <= most_own, f"{handler} loads {len(own)} cosell modules: {own}"
    assert len(loaded) <= most_all, f"{handler} loads {len(loaded)} modules"
