"""What the stack costs a month, at AWS's list prices, from template.yaml and a stated traffic model.

    python bench/cost.py [--template template.yaml] [--deals 1000] [--edits-per-deal 10]

Everything fixed (secrets, alarms and the metrics each watches, the dashboard, the schedules and how often
they run, the SQS event source's polling, tracing on or off by default) is read from the template and its
parameter defaults, so the estimate follows the template. What traffic costs comes from the model below,
whose every assumption is an argument: 1,000 deals a month, each created once and edited `--edits-per-deal`
times. Prices are us-east-1 list prices in USD (each service's pricing page, aws.amazon.com/<service>/pricing),
with no free tier; the column "after free tier" subtracts AWS's always-free monthly allowances, which every
account has but shares with whatever else runs in it.

It prints one line per cost, its quantity and arithmetic, and the totals. Run it on an older template
(`git show REV:template.yaml > old.yaml; python bench/cost.py --template old.yaml`) to compare.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cosell_local.runner.template import StackTemplate
from ratios import ratio

ROOT = Path(__file__).resolve().parents[1]

HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600

# us-east-1 list prices, USD.
SECRET_MONTH = 0.40
SECRETS_API_PER_10K = 0.05
LAMBDA_REQUEST_PER_M = 0.20
LAMBDA_GB_SECOND = 0.0000166667  # x86_64
SQS_FIFO_REQUEST_PER_M = 0.50
ALARM_METRIC_MONTH = (
    0.10  # standard resolution; an alarm on a metric math expression pays per metric it reads
)
DASHBOARD_MONTH = 3.00
CUSTOM_METRIC_MONTH = 0.30  # prorated by the hour: a metric costs only in the hours it receives data
LOGS_INGESTED_GB = 0.50
XRAY_TRACE_PER_M = 5.00
DYNAMODB_WRITE_PER_M = 0.625  # on-demand write request units
DYNAMODB_READ_PER_M = 0.125
SCHEDULER_PER_M = 1.00
API_GATEWAY_REST_PER_M = 3.50

# AWS's always-free allowances per account and month (shared with the rest of the account).
FREE = {
    "Lambda requests": 1_000_000,
    "Lambda GB-seconds": 400_000,
    "SQS requests": 1_000_000,
    "alarm metrics": 10,
    "dashboards": 3,
    "custom metrics": 10,
    "log GB": 5,
    "X-Ray traces": 100_000,
    "Scheduler invocations": 14_000_000,
}

# The traffic model's assumptions, beyond the arguments.
SQS_POLLERS = 5  # Lambda's pollers per SQS event source, each long-polling (20 s) while the queue is idle
LONG_POLL_SECONDS = 20
INIT_SECONDS = 1.0  # a cold start's INIT phase in Lambda (billed since August 2025); not measured here
SCHEDULE_RUN_SECONDS = 1.0  # one scheduled safety-net run with little to do
WEBHOOK_RUN_SECONDS = 0.1
WORKER_RUN_SECONDS = 2.0  # one reconcile, mostly waiting on HubSpot and the paced Partner Central writes
DYNAMODB_UNITS_PER_RECONCILE = 20  # claim, link, snapshot, pacer slot, audit records (reads about the same)
LOG_KB_PER_INVOCATION = 3
ACTIVE_HOURS = 22 * 10  # working hours in a month: when the deals' metrics receive data
METRICS_EVERY_ACTIVE_HOUR = 6  # DealsSynced, PartnerCentralWrites(Today), WebhookDeliveries, Opportunities...
# Secret reads per cold start: the token (GetSecretValue); the webhook also lists the versions of its secret
# and reads the current and previous one.
SECRET_READS_PER_COLD_START = {"webhook": 3, "other": 1}


@dataclass(frozen=True)
class Line:
    item: str
    quantity: str
    list_price: float
    after_free_tier: float


def _alarm_metrics(alarm: dict[str, Any]) -> int:
    properties = alarm["Properties"]
    if "Metrics" in properties:
        return sum(1 for query in properties["Metrics"] if "MetricStat" in query)
    return 1


def _tracing_by_default(template: StackTemplate) -> bool:
    tracing = template.document["Globals"]["Function"].get("Tracing", "PassThrough")
    if isinstance(tracing, str):
        return tracing == "Active"
    # !If [IsTracing, Active, PassThrough] with IsTracing: !Equals [!Ref Tracing, "on"]
    condition = template.document["Conditions"][tracing["Fn::If"][0]]["Fn::Equals"]
    return bool(str(template.parameter_default(condition[0]["Ref"])) == str(condition[1]))


def _free(amount: float, allowance: float, unit_price: float) -> float:
    return max(0.0, amount - allowance) * unit_price


def estimate(template: StackTemplate, deals: int, edits_per_deal: int) -> list[Line]:
    lines: list[Line] = []
    memory_gb = int(template.document["Globals"]["Function"].get("MemorySize", 128)) / 1024

    secrets = len(template.resources_of_type("AWS::SecretsManager::Secret"))
    alarm_metrics = sum(
        _alarm_metrics(a) for a in template.resources_of_type("AWS::CloudWatch::Alarm").values()
    )
    dashboards = len(template.resources_of_type("AWS::CloudWatch::Dashboard"))
    scheduled_runs = sum(
        SECONDS_PER_MONTH / schedule.period_seconds
        for function in template.functions.values()
        for schedule in function.schedules
    )
    event_sources = sum(len(function.queue_triggers) for function in template.functions.values())

    webhooks = deals * (1 + edits_per_deal)  # the creation and each edit: one delivery each
    reconciles = webhooks  # coalesced edits would be fewer: the model keeps the upper bound
    worker_invocations = reconciles  # batches of one at this traffic
    invocations = scheduled_runs + webhooks + worker_invocations
    cold_starts = scheduled_runs + 2 * ACTIVE_HOURS  # schedules run minutes apart: each run starts cold
    secret_calls = scheduled_runs * SECRET_READS_PER_COLD_START["other"] + ACTIVE_HOURS * (
        SECRET_READS_PER_COLD_START["webhook"] + SECRET_READS_PER_COLD_START["other"]
    )

    lines.append(
        Line(
            "Secrets Manager secrets",
            f"{secrets} × ${SECRET_MONTH:.2f}",
            secrets * SECRET_MONTH,
            secrets * SECRET_MONTH,
        )
    )
    lines.append(
        Line(
            "Secrets Manager API calls",
            f"{secret_calls:,.0f} reads (a cold start reads its secrets)",
            secret_calls / 10_000 * SECRETS_API_PER_10K,
            secret_calls / 10_000 * SECRETS_API_PER_10K,
        )
    )
    polls = event_sources * SQS_POLLERS * SECONDS_PER_MONTH / LONG_POLL_SECONDS
    # A SendMessageBatch per webhook delivery; a receive, a delete and a send (forward or fan-out) per reconcile.
    sqs_requests = polls + webhooks + reconciles * 3
    lines.append(
        Line(
            "SQS requests (idle polling included)",
            f"{polls:,.0f} long polls ({event_sources} event source × {SQS_POLLERS} pollers) + {sqs_requests - polls:,.0f}",
            sqs_requests / 1e6 * SQS_FIFO_REQUEST_PER_M,
            _free(sqs_requests, FREE["SQS requests"], SQS_FIFO_REQUEST_PER_M / 1e6),
        )
    )
    lines.append(
        Line(
            "CloudWatch alarms",
            f"{alarm_metrics} alarm metrics × ${ALARM_METRIC_MONTH:.2f}",
            alarm_metrics * ALARM_METRIC_MONTH,
            _free(alarm_metrics, FREE["alarm metrics"], ALARM_METRIC_MONTH),
        )
    )
    lines.append(
        Line(
            "CloudWatch dashboard",
            f"{dashboards} × ${DASHBOARD_MONTH:.2f}",
            dashboards * DASHBOARD_MONTH,
            _free(dashboards, FREE["dashboards"], DASHBOARD_MONTH),
        )
    )
    metric_months = METRICS_EVERY_ACTIVE_HOUR * ACTIVE_HOURS / HOURS_PER_MONTH
    lines.append(
        Line(
            "custom metrics (EMF)",
            f"{METRICS_EVERY_ACTIVE_HOUR} metrics × {ACTIVE_HOURS} active h / {HOURS_PER_MONTH} h",
            metric_months * CUSTOM_METRIC_MONTH,
            _free(metric_months, FREE["custom metrics"], CUSTOM_METRIC_MONTH),
        )
    )
    gb_seconds = memory_gb * (
        cold_starts * INIT_SECONDS
        + scheduled_runs * SCHEDULE_RUN_SECONDS
        + webhooks * WEBHOOK_RUN_SECONDS
        + worker_invocations * WORKER_RUN_SECONDS
    )
    lines.append(
        Line(
            "Lambda requests",
            f"{invocations:,.0f} invocations ({scheduled_runs:,.0f} scheduled)",
            invocations / 1e6 * LAMBDA_REQUEST_PER_M,
            _free(invocations, FREE["Lambda requests"], LAMBDA_REQUEST_PER_M / 1e6),
        )
    )
    lines.append(
        Line(
            "Lambda compute (INIT included)",
            f"{gb_seconds:,.0f} GB-s ({cold_starts:,.0f} cold starts × {INIT_SECONDS} s at {memory_gb:.1f} GB)",
            gb_seconds * LAMBDA_GB_SECOND,
            _free(gb_seconds, FREE["Lambda GB-seconds"], LAMBDA_GB_SECOND),
        )
    )
    lines.append(
        Line(
            "EventBridge Scheduler",
            f"{scheduled_runs:,.0f} invocations",
            scheduled_runs / 1e6 * SCHEDULER_PER_M,
            _free(scheduled_runs, FREE["Scheduler invocations"], SCHEDULER_PER_M / 1e6),
        )
    )
    lines.append(
        Line(
            "API Gateway (REST)",
            f"{webhooks:,} webhook deliveries",
            webhooks / 1e6 * API_GATEWAY_REST_PER_M,
            webhooks / 1e6 * API_GATEWAY_REST_PER_M,  # its free tier lasts 12 months only
        )
    )
    units = reconciles * DYNAMODB_UNITS_PER_RECONCILE
    lines.append(
        Line(
            "DynamoDB on-demand",
            f"{units:,} write and {units:,} read units",
            units / 1e6 * (DYNAMODB_WRITE_PER_M + DYNAMODB_READ_PER_M),
            units / 1e6 * (DYNAMODB_WRITE_PER_M + DYNAMODB_READ_PER_M),
        )
    )
    log_gb = (invocations + webhooks) * LOG_KB_PER_INVOCATION / 2**20
    lines.append(
        Line(
            "CloudWatch Logs ingested",
            f"{log_gb:.2f} GB",
            log_gb * LOGS_INGESTED_GB,
            _free(log_gb, FREE["log GB"], LOGS_INGESTED_GB),
        )
    )
    traced = _tracing_by_default(template)
    traces = invocations + webhooks if traced else 0
    lines.append(
        Line(
            "X-Ray traces",
            f"{traces:,.0f} ({'Tracing on' if traced else 'off'} by default)",
            traces / 1e6 * XRAY_TRACE_PER_M,
            _free(traces, FREE["X-Ray traces"], XRAY_TRACE_PER_M / 1e6),
        )
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    parser.add_argument("--deals", type=int, default=1000, help="deals created a month")
    parser.add_argument(
        "--edits-per-deal", type=int, default=10, help="rep edits reaching the sync, per deal"
    )
    args = parser.parse_args()
    lines = estimate(StackTemplate.read(args.template), args.deals, args.edits_per_deal)
    print(f"Template: {args.template}; {args.deals:,} deals a month, {args.edits_per_deal} edits each\n")
    print("| cost | quantity | list price ($/month) | after free tier ($/month) |")
    print("|---|---|---|---|")
    for line in lines:
        print(f"| {line.item} | {line.quantity} | {line.list_price:.2f} | {line.after_free_tier:.2f} |")
    total = sum(line.list_price for line in lines)
    after = sum(line.after_free_tier for line in lines)
    print(f"| **total** | | **{total:.2f}** | **{after:.2f}** |")
    ratio(f"cost a month at {args.deals:,} deals, list prices, $", round(total, 2))
    ratio(f"cost a month at {args.deals:,} deals, after the always-free allowances, $", round(after, 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
