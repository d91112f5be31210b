"""`cosell setup`: create cosell's HubSpot properties and check access, reading the functions' environment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell import secrets
from cosell.config.sync import load_operator_settings
from cosell.hubspot.client import HubSpotClient
from cosell.partner_central.client import partner_central_client
from cosell.partner_central.schema import vocabulary
from cosell.sync.onboarding.setup import (
    SetupReport,
    check_hubspot_access,
    check_partner_central_role,
    check_snapshot_job_role,
    ensure_deal_properties,
)

if TYPE_CHECKING:
    import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--skip-role-check",
        action="store_true",
        help="do not assume the Partner Central service role (e.g. before infra/iam-role.yaml is deployed)",
    )
    parser.add_argument(
        "--snapshot-job-role",
        metavar="ROLE_ARN",
        help="set the selling system settings' resource snapshot job role (the ResourceSnapshotJobRoleArn "
        "output of infra/iam-role.yaml), so engagement partners see your updates",
    )


def run(args: argparse.Namespace) -> int:
    settings = load_operator_settings()
    hubspot = HubSpotClient(
        lambda: secrets.hubspot_access_token(settings), base_url=str(settings.hubspot_api_base_url)
    )
    report = SetupReport()
    check_hubspot_access(hubspot, report)
    if report.ok:
        ensure_deal_properties(hubspot, vocabulary(), report)
    if not args.skip_role_check:
        client = check_partner_central_role(
            lambda: partner_central_client(settings, session_name="cosell-setup"), report
        )
        if client is not None:
            check_snapshot_job_role(client, settings.catalog, report, set_to=args.snapshot_job_role)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1
