"""`cosell audit`: what the sync wrote or decided, for one deal or opportunity, or exported for a time range.

    cosell audit deal 123                    a deal's timeline, oldest first (--json: one record per line)
    cosell audit opportunity O123 [--catalog AWS|Sandbox]
    cosell audit export --since 2026-01-01 [--until 2027-01-01] --format csv|jsonl [--output FILE]

Where the trail is: the functions' environment (`AUDIT_TABLE_NAME`, `AWS_REGION`), or `--stack NAME`, the
outputs of a deployed stack. Exit status: 0, or 2 for a configuration error.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import boto3
from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.cli.stacks import add_stack_option, deployed_stack
from cosell.config import ConfigurationError
from cosell.config.sync import load_operator_settings
from cosell.domain.audit import AuditRecord, value_text
from cosell.store.audit import AuditStore

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import TextIO

    from cosell.cli.stacks import DeployedStack

ExportFormat = Literal["csv", "jsonl"]
CSV_COLUMNS = (
    "record_id",
    "at",
    "action",
    "catalog",
    "deal_id",
    "opportunity_id",
    "trigger",
    "correlation_id",
    "detail",
    "changes",
)


@dataclass(frozen=True)
class AuditSource:
    region: str
    table_name: str
    catalog: str  # the default for `opportunity` without --catalog


def source_from_environment() -> AuditSource:
    settings = load_operator_settings()
    if settings.audit_table_name is None:
        raise ConfigurationError(
            "AUDIT_TABLE_NAME: required by cosell audit (or give --stack NAME of a deployed stack)"
        )
    return AuditSource(settings.aws_region, settings.audit_table_name, settings.catalog)


def source_from_stack(stack: DeployedStack) -> AuditSource:
    """The audit table a deployed stack created (its AuditTableName output) and the catalog it syncs."""
    return AuditSource(stack.region, stack.output("AuditTableName"), stack.catalog)


# --- rendering ---


def _one_line(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", " ↵ ")


def render_timeline(records: Iterable[AuditRecord]) -> str:
    """One block per record: when, what, on which pair; why; what changed; the run's correlation id."""
    blocks = []
    for record in records:
        pair = " ↔ ".join(
            part
            for part in (
                f"deal {record.deal_id}" if record.deal_id else "",
                f"opportunity {record.opportunity_id} ({record.catalog})" if record.opportunity_id else "",
            )
            if part
        )
        lines = [
            f"{record.at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC  {record.action.value}  {pair}",
            f"  trigger: {record.trigger}",
        ]
        if record.detail:
            lines.append(f"  detail: {_one_line(record.detail)}")
        lines += [
            f"  {change.field}: {_one_line(value_text(change.before))} → {_one_line(value_text(change.after))}"
            for change in record.changes
        ]
        lines.append(f"  correlation id: {record.correlation_id}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# --- export ---


def write_export(records: Iterable[AuditRecord], stream: TextIO, export_format: ExportFormat) -> int:
    """Write records as CSV (CSV_COLUMNS, changes as JSON text) or JSON lines; returns how many."""
    count = 0
    if export_format == "jsonl":
        for record in records:
            stream.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        row = record.to_json()
        row["changes"] = json.dumps(row["changes"], ensure_ascii=False)
        writer.writerow({column: "" if row[column] is None else row[column] for column in CSV_COLUMNS})
        count += 1
    return count


def read_export(source: Path | str, export_format: ExportFormat) -> list[AuditRecord]:
    """The records of an export: `source` is the file (a Path) or the export's text (a str)."""
    if isinstance(source, Path):
        # newline="": a CSV field may hold a line break of its own, which must reach the reader unchanged.
        with source.open(encoding="utf-8", newline="") as stream:
            text = stream.read()
    else:
        text = source
    if export_format == "jsonl":
        # split("\n"), not splitlines(): JSON escapes newlines, but not U+2028 and the other line
        # separators splitlines() would cut a record at.
        return [AuditRecord.from_json(json.loads(line)) for line in text.split("\n") if line.strip()]
    rows = csv.DictReader(io.StringIO(text, newline=""))
    return [AuditRecord.from_json({**row, "changes": json.loads(row["changes"])}) for row in rows]


def _moment(text: str) -> datetime:
    """An ISO date or date-time; without a zone, UTC (argparse type)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date or date-time (2026-11-29, 2026-11-29T09:00:00Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# --- the command ---


def configure(parser: argparse.ArgumentParser) -> None:
    views = parser.add_subparsers(dest="view", required=True, metavar="VIEW")

    def view(name: str, help_text: str) -> argparse.ArgumentParser:
        return views.add_parser(name, help=help_text, description=help_text)

    deal = view("deal", "a deal's timeline, oldest first")
    deal.add_argument("id", help="HubSpot deal id")
    deal.add_argument("--json", action="store_true", help="one JSON record per line, for machines")
    deal.set_defaults(show=_show_deal)

    opportunity = view("opportunity", "an opportunity's timeline, oldest first")
    opportunity.add_argument("id", help="Partner Central opportunity id (O…)")
    opportunity.add_argument(
        "--catalog",
        choices=["AWS", "Sandbox"],
        help="default: the stack's catalog (PARTNER_CENTRAL_CATALOG)",
    )
    opportunity.add_argument("--json", action="store_true", help="one JSON record per line, for machines")
    opportunity.set_defaults(show=_show_opportunity)

    export = view("export", "every record in a time range, as CSV or JSON lines (compliance exports)")
    export.add_argument(
        "--since", required=True, type=_moment, help="ISO date or date-time, UTC unless a zone is given"
    )
    export.add_argument(
        "--until",
        type=_moment,
        help="up to, not including (a date means its 00:00 UTC); default: now",
    )
    export.add_argument("--format", required=True, choices=["csv", "jsonl"], dest="export_format")
    export.add_argument("--output", metavar="FILE", type=Path, help="default: standard output")
    export.set_defaults(show=_export)
    add_stack_option(parser, deal, opportunity, export, reads="the audit table", variables="AUDIT_TABLE_NAME")


def run(args: argparse.Namespace) -> int:
    if args.stack:
        stack = deployed_stack(args.stack)
        source, session = source_from_stack(stack), stack.session
    else:
        source = source_from_environment()
        session = boto3.Session(region_name=source.region)
    store = AuditStore(session.client("dynamodb"), source.table_name)
    try:
        exit_code: int = args.show(args, store, source)
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        raise ConfigurationError(
            f"audit table {source.table_name} not found in {source.region}: check AUDIT_TABLE_NAME or --stack"
        ) from None
    return exit_code


def _print_records(records: list[AuditRecord], as_json: bool, nothing: str) -> int:
    if as_json:
        write_export(records, sys.stdout, "jsonl")
    else:
        print(render_timeline(records) if records else nothing)
    return 0


def _show_deal(args: argparse.Namespace, store: AuditStore, source: AuditSource) -> int:
    return _print_records(store.for_deal(args.id), args.json, f"No audit records for deal {args.id}.")


def _show_opportunity(args: argparse.Namespace, store: AuditStore, source: AuditSource) -> int:
    catalog = args.catalog or source.catalog
    return _print_records(
        store.for_opportunity(catalog, args.id),
        args.json,
        f"No audit records for opportunity {args.id} ({catalog}).",
    )


def _export(args: argparse.Namespace, store: AuditStore, source: AuditSource) -> int:
    until = args.until or datetime.now(UTC)
    if args.since >= until:
        print(
            f"--since ({args.since.isoformat()}) must be before --until ({until.isoformat()})",
            file=sys.stderr,
        )
        return 2
    records = store.since(args.since, until)
    if args.output is None:
        count = write_export(records, sys.stdout, args.export_format)
    else:
        with args.output.open("w", encoding="utf-8", newline="") as stream:
            count = write_export(records, stream, args.export_format)
    where = f" to {args.output}" if args.output else ""
    print(
        f"Exported {count} audit record(s) from {args.since.isoformat()} to {until.isoformat()}{where}.",
        file=sys.stderr,
    )
    return 0
