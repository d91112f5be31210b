"""`cosell conflicts`: fields changed on both sides that wait for an operator (strategy `manual`).

    cosell conflicts list [--json]                                 every deal in conflict, both sides' values
    cosell conflicts resolve DEAL (--field NAME --take SIDE)...    pick a side per field
    cosell conflicts resolve DEAL --all SIDE                       the same side for every field in conflict

SIDE is `hubspot` or `partner-central`. `resolve` audits the choice (action `resolve`), records it on the
deal's conflict in the state table and queues a reconcile of the deal: the worker's sync of the pair applies it.

Where things are: the functions' environment (`STATE_TABLE_NAME`; `resolve` also needs `SYNC_QUEUE_URL` and
`AUDIT_TABLE_NAME`), or `--stack NAME`, the outputs of a deployed stack. Exit status: `list` 0 when nothing
waits, 1 when conflicts wait; `resolve` 0, or 1 when the choice was recorded but the reconcile could not be
queued; 2 for a configuration error, an unknown deal or a field not in conflict.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.cli.stacks import add_stack_option, deployed_stack
from cosell.config import ConfigurationError
from cosell.config.sync import load_operator_settings
from cosell.domain.audit import value_text
from cosell.domain.reconcile import Side
from cosell.domain.synced_fields import BY_NAME
from cosell.queue.sqs import SyncQueue
from cosell.store.audit import AuditStore
from cosell.store.conflicts import ConflictStore
from cosell.sync.deals.conflicts import resolve_conflicts

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cosell.cli.stacks import DeployedStack
    from cosell.store.conflicts import DealConflicts, FieldConflict

SIDES = tuple(side.value for side in Side)
_SIDE_NAMES = {Side.HUBSPOT: "HubSpot", Side.PARTNER_CENTRAL: "Partner Central"}


@dataclass(frozen=True)
class ConflictResources:
    region: str
    state_table_name: str
    sync_queue_url: str | None  # needed by `resolve` only
    audit_table_name: str | None  # needed by `resolve` only


def resources_from_environment(*, resolving: bool) -> ConflictResources:
    settings = load_operator_settings()
    needed: dict[str, object] = {"STATE_TABLE_NAME": settings.state_table_name}
    if resolving:
        needed |= {"SYNC_QUEUE_URL": settings.sync_queue_url, "AUDIT_TABLE_NAME": settings.audit_table_name}
    missing = [name for name, value in needed.items() if value is None]
    if missing:
        command = "cosell conflicts resolve" if resolving else "cosell conflicts"
        raise ConfigurationError(
            f"{', '.join(missing)}: required by {command} (or give --stack NAME of a deployed stack)"
        )
    return ConflictResources(
        region=settings.aws_region,
        state_table_name=str(settings.state_table_name),
        sync_queue_url=str(settings.sync_queue_url) if settings.sync_queue_url else None,
        audit_table_name=settings.audit_table_name,
    )


def resources_of_stack(stack: DeployedStack, *, resolving: bool) -> ConflictResources:
    """The state table, and for `resolve` the sync queue and audit table, a deployed stack created."""
    return ConflictResources(
        stack.region,
        stack.output("StateTableName"),
        stack.output("SyncQueueUrl") if resolving else None,
        stack.output("AuditTableName") if resolving else None,
    )


# --- rendering ---


def field_label(name: str) -> str:
    synced = BY_NAME.get(name)
    return f"{name} ({synced.label})" if synced else name


def _moment(text: str) -> str:
    try:
        return f"{datetime.fromisoformat(text).astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    except ValueError:
        return text


def one_line(value: Any) -> str:
    return value_text(value).replace("\r\n", "\n").replace("\n", " ↵ ")


def render_text(waiting: Sequence[DealConflicts]) -> str:
    if not waiting:
        return "No conflicts waiting."
    blocks = []
    for deal in waiting:
        lines = [
            f"Deal {deal.deal_id} ↔ opportunity {deal.opportunity_id} ({deal.catalog})",
            f"  detected: {_moment(deal.detected_at)}",
        ]
        for conflict in deal.fields:
            lines += [
                f"  {field_label(conflict.field)}",
                f"    HubSpot:          {one_line(conflict.hubspot)}",
                f"    Partner Central:  {one_line(conflict.partner_central)}",
            ]
            chosen = deal.resolutions.get(conflict.field)
            if chosen is not None:
                lines.append(f"    chosen:           {chosen.value} (applied at the deal's next sync)")
        blocks.append("\n".join(lines))
    fields = sum(len(deal.fields) for deal in waiting)
    blocks.append(
        f"{len(waiting)} deal(s), {fields} field(s) in conflict. Pick a side: cosell conflicts resolve DEAL_ID "
        "--field NAME --take hubspot|partner-central (or --all hubspot|partner-central)"
    )
    return "\n\n".join(blocks)


def render_json(waiting: Sequence[DealConflicts]) -> str:
    return json.dumps(
        {
            "deals": len(waiting),
            "conflicts": [
                {
                    "deal_id": deal.deal_id,
                    "opportunity_id": deal.opportunity_id,
                    "catalog": deal.catalog,
                    "detected_at": deal.detected_at,
                    "fields": [
                        {
                            "field": conflict.field,
                            "label": BY_NAME[conflict.field].label if conflict.field in BY_NAME else None,
                            "hubspot": conflict.hubspot,
                            "partner_central": conflict.partner_central,
                            "chosen": deal.resolutions.get(conflict.field),
                        }
                        for conflict in deal.fields
                    ],
                }
                for deal in waiting
            ],
        },
        indent=2,
        ensure_ascii=False,
        default=str,
    )


def _outcome(conflict: FieldConflict, side: Side) -> str:
    """What the deal's next sync does with the chosen side (cosell.domain.reconcile: push/hold, pull/keep)."""
    synced = BY_NAME.get(conflict.field)
    if side is Side.HUBSPOT:
        return (
            f"HubSpot's {one_line(conflict.hubspot)} will be sent to Partner Central "
            "(held while AWS reviews the opportunity)"
        )
    if synced is not None and not synced.pulled:
        return (
            f"Partner Central keeps {one_line(conflict.partner_central)}; the deal is left as it is "
            "(HubSpot does not take this field back)"
        )
    return f"Partner Central's {one_line(conflict.partner_central)} will be written to the deal"


# --- resolving ---


def _choices(args: argparse.Namespace, current: DealConflicts) -> dict[str, Side]:
    """The operator's choices, checked against the deal's conflict; UsageError when they do not fit."""
    in_conflict = [conflict.field for conflict in current.fields]
    if args.take_all is not None:
        return dict.fromkeys(in_conflict, Side(args.take_all))
    choices: dict[str, Side] = {}
    for name, side in args.pairs:
        if side is None:
            raise _UsageError(f"--field {name} needs --take hubspot|partner-central after it")
        if name in choices:
            raise _UsageError(f"--field {name} is given twice")
        choices[name] = Side(side)
    unknown = [name for name in choices if name not in in_conflict]
    if unknown:
        raise _UsageError(
            f"deal {current.deal_id} has no conflict on {', '.join(unknown)}; "
            f"fields in conflict: {', '.join(in_conflict)}"
        )
    return choices


class _UsageError(Exception):
    """The operator's request does not fit the deal's conflicts: exit status 2."""


# --- the command ---


class _FieldAction(argparse.Action):
    """`--field NAME`: starts a (field, side) pair, completed by the `--take` after it."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        namespace.pairs = [*(namespace.pairs or []), (values, None)]


class _TakeAction(argparse.Action):
    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        pairs = list(namespace.pairs or [])
        if not pairs or pairs[-1][1] is not None:
            parser.error(f"--take {values}: give it after the --field NAME it is for")
        pairs[-1] = (pairs[-1][0], values)
        namespace.pairs = pairs


def configure(parser: argparse.ArgumentParser) -> None:
    views = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        return views.add_parser(name, help=help_text, description=help_text)

    listing = action("list", "every deal in conflict: each field with both sides' values and any choice made")
    listing.add_argument("--json", action="store_true", help="one JSON object, for machines")
    listing.set_defaults(act=_list)

    resolve = action(
        "resolve", "pick a side for fields in conflict; the deal's next sync (queued now) applies it"
    )
    resolve.add_argument("deal_id", metavar="DEAL_ID", help="HubSpot deal id (cosell conflicts list)")
    picks = resolve.add_mutually_exclusive_group(required=True)
    picks.add_argument(
        "--field",
        metavar="NAME",
        dest="pairs",
        action=_FieldAction,
        help="a field in conflict (its synced field name, e.g. stage); repeatable, each with its --take",
    )
    picks.add_argument(
        "--all", choices=SIDES, dest="take_all", help="the same side for every field in conflict on the deal"
    )
    resolve.add_argument(
        "--take", choices=SIDES, dest="pairs", action=_TakeAction, help="the side whose value wins"
    )
    resolve.set_defaults(act=_resolve, pairs=None)
    add_stack_option(
        parser,
        listing,
        resolve,
        reads="the table and queue",
        variables="STATE_TABLE_NAME, SYNC_QUEUE_URL, AUDIT_TABLE_NAME",
    )


def run(args: argparse.Namespace) -> int:
    resolving = args.act is _resolve
    if args.stack:
        stack = deployed_stack(args.stack)
        resources, session = resources_of_stack(stack, resolving=resolving), stack.session
    else:
        resources = resources_from_environment(resolving=resolving)
        session = boto3.Session(region_name=resources.region)
    try:
        exit_code: int = args.act(args, session, resources)
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        raise ConfigurationError(
            f"table not found in {resources.region} ({error}): check STATE_TABLE_NAME, AUDIT_TABLE_NAME "
            "or --stack"
        ) from None
    return exit_code


def _list(args: argparse.Namespace, session: boto3.Session, resources: ConflictResources) -> int:
    store = ConflictStore(session.client("dynamodb"), resources.state_table_name)
    waiting = sorted(store.list(), key=lambda deal: (deal.detected_at, deal.deal_id))
    print(render_json(waiting) if args.json else render_text(waiting))
    return 1 if waiting else 0


def _resolve(args: argparse.Namespace, session: boto3.Session, resources: ConflictResources) -> int:
    dynamodb = session.client("dynamodb")
    store = ConflictStore(dynamodb, resources.state_table_name)
    current = store.get(args.deal_id)
    try:
        if current is None:
            raise _UsageError(f"deal {args.deal_id} has no conflicts waiting (cosell conflicts list)")
        choices = _choices(args, current)
    except _UsageError as error:
        print(f"cosell conflicts resolve: {error}", file=sys.stderr)
        return 2

    correlation_id = str(uuid.uuid4())
    try:
        resolution = resolve_conflicts(
            current,
            choices,
            conflicts=store,
            audit=AuditStore(dynamodb, str(resources.audit_table_name)),
            queue=SyncQueue(session.client("sqs"), str(resources.sync_queue_url)),
            now=datetime.now(UTC),
            correlation_id=correlation_id,
        )
    except LookupError as error:  # a sync settled the conflict in between
        print(f"cosell conflicts resolve: {error}", file=sys.stderr)
        return 2
    resolved = resolution.resolved
    by_field = {conflict.field: conflict for conflict in resolved.fields}
    lines = [f"Deal {resolved.deal_id} ↔ opportunity {resolved.opportunity_id} ({resolved.catalog}):"]
    lines += [f"  {field_label(name)}: {_outcome(by_field[name], side)}" for name, side in choices.items()]
    open_fields = [
        conflict.field for conflict in resolved.fields if conflict.field not in resolved.resolutions
    ]
    if open_fields:
        lines.append(f"  still waiting for a choice: {', '.join(open_fields)}")
    print("\n".join(lines))
    if resolution.not_queued is not None:
        print(
            f"The choice is recorded, but the deal's reconcile could not be queued ({resolution.not_queued}): it "
            f"applies at the deal's next sync, when either side changes. Run this command again to queue it.",
            file=sys.stderr,
        )
        return 1
    print(
        f"Queued a reconcile of deal {resolved.deal_id} (correlation id {correlation_id}); "
        f"cosell audit deal {resolved.deal_id} shows the result."
    )
    return 0
