"""`cosell dlq`: the messages parked in the sync queue's dead-letter queue (docs/OPERATIONS.md, "Dead-letter
queue").

    cosell dlq list [--json]                       each message: what it concerns, what queued it, how often it
                                                   failed and its last error
    cosell dlq show ID                             one message in full, its body included
    cosell dlq replay (--all | ID ...) [--dry-run] back on the sync queue, oldest first, each in its message
                                                   group; audited (action `replay`)
    cosell dlq drop ID [--dry-run]                 deleted without a replay; audited (action `drop`)

Reads the functions' environment (DEAD_LETTER_QUEUE_URL, SYNC_QUEUE_URL, STATE_TABLE_NAME, AUDIT_TABLE_NAME),
or a deployed stack's outputs with --stack NAME.
"""

from __future__ import annotations

import json
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import boto3

from cosell.cli.stacks import add_stack_option, deployed_stack
from cosell.config import ConfigurationError
from cosell.config.sync import load_operator_settings
from cosell.queue.dead_letters import DeadLetterQueue
from cosell.store.audit import AuditStore
from cosell.store.failures import FailureStore
from cosell.store.state import StateStore
from cosell.sync.operations.dead_letters import OperatorRun, describe, drop, replay

if TYPE_CHECKING:
    import argparse

    from cosell.cli.stacks import DeployedStack
    from cosell.sync.operations.dead_letters import ParkedMessage


@dataclass(frozen=True)
class DlqResources:
    region: str
    catalog: str
    dead_letter_queue_url: str
    sync_queue_url: str
    state_table_name: str
    audit_table_name: str


def resources_from_environment() -> DlqResources:
    settings = load_operator_settings()
    needed = {
        "DEAD_LETTER_QUEUE_URL": settings.dead_letter_queue_url,
        "SYNC_QUEUE_URL": settings.sync_queue_url,
        "STATE_TABLE_NAME": settings.state_table_name,
        "AUDIT_TABLE_NAME": settings.audit_table_name,
    }
    missing = [name for name, value in needed.items() if value is None]
    if missing:
        raise ConfigurationError(
            f"{', '.join(missing)}: required by cosell dlq (or give --stack NAME of a deployed stack)"
        )
    return DlqResources(
        settings.aws_region,
        settings.catalog,
        str(settings.dead_letter_queue_url),
        str(settings.sync_queue_url),
        str(settings.state_table_name),
        str(settings.audit_table_name),
    )


def resources_of_stack(stack: DeployedStack) -> DlqResources:
    return DlqResources(
        stack.region,
        stack.catalog,
        stack.output("SyncDeadLetterQueueUrl"),
        stack.output("SyncQueueUrl"),
        stack.output("StateTableName"),
        stack.output("AuditTableName"),
    )


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every parked message, oldest first")
    listing.add_argument("--json", action="store_true", help="one JSON object per message, for machines")
    actions.add_parser("show", help="one message in full").add_argument("message_id", metavar="ID")
    replaying = actions.add_parser("replay", help="back on the sync queue, in order, each in its group")
    chosen = replaying.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--all", action="store_true", help="every parked message")
    chosen.add_argument("message_ids", metavar="ID", nargs="*", default=[], help="these messages")
    replaying.add_argument(
        "--dry-run", action="store_true", help="say what would be replayed; change nothing"
    )
    dropping = actions.add_parser("drop", help="delete a message without replaying it")
    dropping.add_argument("message_id", metavar="ID")
    dropping.add_argument("--dry-run", action="store_true", help="say what would be dropped; change nothing")
    add_stack_option(
        parser,
        *actions.choices.values(),
        reads="the queues and tables",
        variables="DEAD_LETTER_QUEUE_URL, SYNC_QUEUE_URL, STATE_TABLE_NAME, AUDIT_TABLE_NAME",
    )


def run(args: argparse.Namespace) -> int:
    if args.stack:
        stack = deployed_stack(args.stack)
        session, resources = stack.session, resources_of_stack(stack)
    else:
        resources = resources_from_environment()
        session = boto3.Session(region_name=resources.region)
    dynamodb = session.client("dynamodb")
    queue = DeadLetterQueue(session.client("sqs"), resources.dead_letter_queue_url)
    failures = FailureStore(dynamodb, resources.state_table_name)
    links = StateStore(dynamodb, resources.state_table_name)
    parked = queue.parked()
    done: set[str] = set()  # replayed or dropped: no longer in the queue to release
    try:
        messages = [describe(message, failures, links, resources.catalog) for message in parked]
        operator = OperatorRun(
            audit=AuditStore(dynamodb, resources.audit_table_name),
            failures=failures,
            catalog=resources.catalog,
            now=datetime.now(UTC),
            correlation_id=str(uuid.uuid4()),
        )
        return _act(args, messages, queue, resources, operator, done)
    finally:
        # What was listed and is still there is visible again, for the next command.
        queue.release([message for message in parked if message.message_id not in done])


def _act(
    args: argparse.Namespace,
    messages: list[ParkedMessage],
    queue: DeadLetterQueue,
    resources: DlqResources,
    operator: OperatorRun,
    done: set[str],
) -> int:
    by_id = {message.message_id: message for message in messages}
    if args.action == "list":
        for message in messages:
            print(json.dumps(_json(message)) if args.json else _line(message))
        if not args.json:
            print(f"{len(messages)} message(s) in the dead-letter queue")
        return 0
    wanted = (
        [message.message_id for message in messages]
        if getattr(args, "all", False)
        else (getattr(args, "message_ids", None) or [args.message_id])
    )
    unknown = [message_id for message_id in wanted if message_id not in by_id]
    if unknown:
        print(
            f"cosell dlq: not in the dead-letter queue: {', '.join(unknown)} (cosell dlq list)",
            file=sys.stderr,
        )
        return 2
    chosen = [by_id[message_id] for message_id in wanted]
    if args.action == "show":
        (message,) = chosen
        print(json.dumps(_json(message) | {"body": _body(message.parked.body)}, indent=2))
        return 0
    if args.dry_run:
        for message in sorted(chosen, key=lambda m: (m.parked.sent_at, m.message_id)):
            print(f"would {args.action} {_line(message)}")
        return 0
    if args.action == "replay":
        for message in replay(chosen, queue, resources.sync_queue_url, operator):
            done.add(message.message_id)
            print(f"replayed {_line(message)}")
    else:
        (message,) = chosen
        drop(message, queue, operator)
        done.add(message.message_id)
        print(f"dropped {_line(message)}")
    print(f"audited with correlation id {operator.correlation_id} (cosell audit deal <id> shows it)")
    return 0


def _body(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return text  # shown as it is: it is why the message failed


def _line(message: ParkedMessage) -> str:
    failed = (
        f"failed {message.failures}×: {message.last_error}" if message.failures else "no failure recorded"
    )
    deal = f", deal {message.deal_id}" if message.deal_id else ""
    return (
        f"{message.message_id}  {message.parked.sent_at:%Y-%m-%d %H:%M:%S} UTC  {message.about}{deal}  "
        f"({message.trigger}); {failed}"
    )


def _json(message: ParkedMessage) -> dict[str, object]:
    return {
        "message_id": message.message_id,
        "sent_at": message.parked.sent_at.isoformat(),
        "group_id": message.parked.group_id,
        "about": message.about,
        "deal_id": message.deal_id,
        "opportunity_id": message.opportunity_id,
        "trigger": message.trigger,
        "failures": message.failures,
        "last_error": message.last_error,
    }
