"""`cosell privacy erase --email ADDRESS [--dry-run]`: one person's data out of cosell's tables
(docs/OPERATIONS.md, "Personal data"; SECURITY.md). Erase them in HubSpot and Partner Central first.

Reads STATE_TABLE_NAME and AUDIT_TABLE_NAME, or a deployed stack's outputs with --stack NAME. Prints counts and
the pseudonym, never the address.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import boto3

from cosell.cli.stacks import add_stack_option, deployed_stack
from cosell.config import ConfigurationError
from cosell.config.sync import load_operator_settings
from cosell.store.audit import AuditStore
from cosell.store.erasure import PersonalDataStore
from cosell.sync.operations.privacy import erase_person

if TYPE_CHECKING:
    import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    erasing = actions.add_parser("erase", help="remove or mask one person's data in cosell's tables")
    erasing.add_argument("--email", required=True, help="the person's e-mail address")
    erasing.add_argument("--dry-run", action="store_true", help="count what would change; change nothing")
    add_stack_option(parser, erasing, reads="the tables", variables="STATE_TABLE_NAME, AUDIT_TABLE_NAME")


def _tables(args: argparse.Namespace) -> tuple[boto3.Session, str, str, str]:
    """The session, state table, audit table and catalog."""
    if args.stack:
        stack = deployed_stack(args.stack)
        return stack.session, stack.output("StateTableName"), stack.output("AuditTableName"), stack.catalog
    settings = load_operator_settings()
    if settings.state_table_name is None or settings.audit_table_name is None:
        raise ConfigurationError(
            "STATE_TABLE_NAME, AUDIT_TABLE_NAME: required by cosell privacy (or give --stack NAME)"
        )
    session = boto3.Session(region_name=settings.aws_region)
    return session, str(settings.state_table_name), str(settings.audit_table_name), settings.catalog


def run(args: argparse.Namespace) -> int:
    session, state_table, audit_table, catalog = _tables(args)
    dynamodb = session.client("dynamodb")
    erasure = erase_person(
        args.email,
        state=PersonalDataStore(dynamodb, state_table, entries=True),
        trail=PersonalDataStore(dynamodb, audit_table, entries=False),
        audit=AuditStore(dynamodb, audit_table),
        catalog=catalog,
        now=datetime.now(UTC),
        correlation_id=str(uuid.uuid4()),
        dry_run=args.dry_run,
    )
    print(("dry run, nothing changed: " if erasure.dry_run else "erased ") + erasure.summary)
    return 0
