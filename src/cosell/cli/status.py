"""`cosell status`: the sync's health, read from the stack's table and queues (local or deployed alike).

What it reads: the state table (links, referral deals, deals in error and why, the pacer's daily counters),
the sync queue and its dead-letter queue. Where they are: the functions' environment (`STATE_TABLE_NAME`,
`SYNC_QUEUE_URL`, `DEAD_LETTER_QUEUE_URL`), or `--stack NAME`, the outputs of a deployed stack.
Exit status: 0 healthy, 1 when the DLQ holds messages or deals are in error.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import boto3

from cosell.cli.stacks import add_stack_option, deployed_stack
from cosell.config import ConfigurationError
from cosell.config.sync import load_operator_settings
from cosell.store.pacer import DAILY_WRITE_QUOTA, WRITES, used_on
from cosell.store.state import StateStore

if TYPE_CHECKING:
    import argparse
    from datetime import date

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_sqs.client import SQSClient

    from cosell.cli.stacks import DeployedStack


@dataclass(frozen=True)
class StackResources:
    region: str
    state_table_name: str
    sync_queue_url: str | None
    dead_letter_queue_url: str | None


@dataclass(frozen=True)
class QuotaUse:
    used: int
    limit: int


@dataclass(frozen=True)
class StatusReport:
    links: int  # deal ↔ opportunity, whichever side made them
    referral_deals: int  # HubSpot deals made from AWS referrals
    # Reason → number of deals failing for it (a deal with two problems counts under both).
    errors_by_reason: dict[str, int]
    deals_in_error: int
    dead_letter_messages: int | None  # None: the queue is not configured
    sync_queue_messages: int | None  # waiting, in flight or delayed
    day: str  # UTC
    partner_central_writes: QuotaUse

    @property
    def problems(self) -> list[str]:
        found = []
        if self.dead_letter_messages:
            found.append(
                f"{self.dead_letter_messages} message(s) in the dead-letter queue: read and replay them "
                "(docs/OPERATIONS.md)"
            )
        if self.deals_in_error:
            found.append(
                f"{self.deals_in_error} deal(s) in error: their reps see why on the deal (aws_sync_error)"
            )
        return found

    @property
    def healthy(self) -> bool:
        return not self.problems


def resources_from_environment() -> StackResources:
    settings = load_operator_settings()
    if settings.state_table_name is None:
        raise ConfigurationError(
            "STATE_TABLE_NAME: required by cosell status (or give --stack NAME of a deployed stack)"
        )
    return StackResources(
        region=settings.aws_region,
        state_table_name=settings.state_table_name,
        sync_queue_url=str(settings.sync_queue_url) if settings.sync_queue_url else None,
        dead_letter_queue_url=str(settings.dead_letter_queue_url) if settings.dead_letter_queue_url else None,
    )


def resources_from_stack(stack: DeployedStack) -> StackResources:
    """The table and queues a deployed stack created, from its outputs (template.yaml)."""
    return StackResources(
        region=stack.region,
        state_table_name=stack.output("StateTableName"),
        sync_queue_url=stack.outputs.get("SyncQueueUrl"),
        dead_letter_queue_url=stack.outputs.get("SyncDeadLetterQueueUrl"),
    )


def collect_status(
    dynamodb: DynamoDBClient, sqs: SQSClient, resources: StackResources, today: date
) -> StatusReport:
    census = StateStore(dynamodb, resources.state_table_name).census()
    return StatusReport(
        links=census.links,
        referral_deals=census.referral_deals,
        errors_by_reason=census.errors_by_reason,
        deals_in_error=census.deals_in_error,
        dead_letter_messages=_queue_depth(sqs, resources.dead_letter_queue_url),
        sync_queue_messages=_queue_depth(sqs, resources.sync_queue_url),
        day=today.isoformat(),
        partner_central_writes=QuotaUse(
            used_on(dynamodb, resources.state_table_name, WRITES, today), DAILY_WRITE_QUOTA
        ),
    )


def _queue_depth(sqs: SQSClient, queue_url: str | None) -> int | None:
    if queue_url is None:
        return None
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def render_text(report: StatusReport) -> str:
    def depth(value: int | None, variable: str) -> str:
        return str(value) if value is not None else f"unknown (set {variable} or use --stack)"

    def row(label: str, value: object) -> str:
        return f"{label + ':':<34}{value}"

    lines = [
        row("Links (deal ↔ opportunity)", report.links),
        row("Deals made from AWS referrals", report.referral_deals),
        row("Deals in error", report.deals_in_error),
        *(f"  {count} × {reason}" for reason, count in report.errors_by_reason.items()),
        row("Dead-letter queue", depth(report.dead_letter_messages, "DEAD_LETTER_QUEUE_URL")),
        row("Sync queue (waiting or running)", depth(report.sync_queue_messages, "SYNC_QUEUE_URL")),
        row(
            "Partner Central writes today",
            f"{report.partner_central_writes.used:,} of {report.partner_central_writes.limit:,} "
            f"({report.day} UTC)",
        ),
    ]
    if report.healthy:
        lines.append("Healthy.")
    else:
        lines += [f"NOT HEALTHY: {problem}" for problem in report.problems]
    return "\n".join(lines)


def render_json(report: StatusReport) -> str:
    return json.dumps({**asdict(report), "healthy": report.healthy, "problems": report.problems}, indent=2)


def configure(parser: argparse.ArgumentParser) -> None:
    add_stack_option(
        parser,
        reads="the table and queues",
        variables="STATE_TABLE_NAME, SYNC_QUEUE_URL, DEAD_LETTER_QUEUE_URL",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object, for machines")


def run(args: argparse.Namespace) -> int:
    if args.stack:
        stack = deployed_stack(args.stack)
        resources, session = resources_from_stack(stack), stack.session
    else:
        resources = resources_from_environment()
        session = boto3.Session(region_name=resources.region)
    report = collect_status(
        session.client("dynamodb"), session.client("sqs"), resources, datetime.now(UTC).date()
    )
    print(render_json(report) if args.json else render_text(report))
    return 0 if report.healthy else 1
