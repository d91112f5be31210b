"""The demo's closing: both systems side by side, the sync's health, one deal's audit trail, where to look
next."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cosell.cli.audit import render_timeline
from cosell.cli.status import StackResources, collect_status, render_text
from cosell.domain import deal_properties
from cosell.domain.audit import AuditAction
from cosell.store.audit import AuditStore
from cosell.store.state import StateStore
from cosell_local.demo.story import REFERRAL

if TYPE_CHECKING:
    from pathlib import Path

    from cosell_local.demo.story import Story, StoryDeal
    from cosell_local.demo.timeline import Timeline
    from cosell_local.runner import LocalStack

COLUMNS = ("deal", "origin", "HubSpot deal name", "HubSpot stage", "sync status", "opportunity", "PC stage")


def print_side_by_side(story: Story, timeline: Timeline) -> None:
    """One row per deal of the story: what HubSpot holds, and what Partner Central holds for it."""
    timeline.heading("Both systems now (HubSpot | Partner Central)")
    links = StateStore(story.stack.client("dynamodb"), story.stack.state_table_name)
    rows = []
    linked = []
    for story_deal in story.deals:
        deal = story.deal(story_deal.deal_id)
        opportunity_id = deal.get(deal_properties.OPPORTUNITY_ID) or ""
        opportunity = story.opportunity(opportunity_id) if opportunity_id else {}
        rows.append(
            (
                story_deal.deal_id,
                story_deal.origin,
                deal.get("dealname") or "",
                deal.get("dealstage") or "",
                deal.get(deal_properties.SYNC_STATUS) or "—",
                opportunity_id or "—",
                opportunity.get("LifeCycle", {}).get("Stage", "—"),
            )
        )
        linked.append(
            deal.get(deal_properties.SYNC_STATUS) == "Synced"
            and bool(opportunity)
            and links.deal_for_opportunity(story.stack.catalog, opportunity_id) == story_deal.deal_id
            and _made_as_expected(story, opportunity, story_deal)
        )
    widths = [max(len(str(row[i])) for row in (COLUMNS, *rows)) for i in range(len(COLUMNS))]
    for row in (COLUMNS, *rows):
        cells = (str(value).ljust(width) for value, width in zip(row, widths, strict=True))
        timeline.line(("  " + "  ".join(cells)).rstrip())
    for story_deal, ok in zip(story.deals, linked, strict=True):
        story.checks.expect(
            ok, f"deal {story_deal.deal_id} is Synced and linked (both ways) to the opportunity made for it"
        )


def _made_as_expected(story: Story, opportunity: dict[str, Any], story_deal: StoryDeal) -> bool:
    """A rep's deal made its opportunity (PartnerOpportunityIdentifier); a referral's came from AWS."""
    if story_deal.origin == REFERRAL:
        summary = story.partner_central.get_aws_opportunity_summary(
            Catalog=story.stack.catalog, RelatedOpportunityIdentifier=opportunity["Id"]
        )
        return bool(summary.get("Origin") == "AWS Referral")
    return bool(opportunity.get("PartnerOpportunityIdentifier") == story_deal.deal_id)


def print_status(story: Story, timeline: Timeline) -> None:
    """What `cosell status` says about the stack the story ran on."""
    timeline.heading("cosell status")
    stack = story.stack
    resources = StackResources(
        region=stack.summary()["aws_region"],
        state_table_name=stack.state_table_name,
        sync_queue_url=stack.sync_queue_url,
        dead_letter_queue_url=stack.dead_letter_queue_url,
    )
    report = collect_status(
        stack.client("dynamodb"), stack.client("sqs"), resources, datetime.now(UTC).date()
    )
    for line in render_text(report).splitlines():
        timeline.line(f"  {line}")
    referrals = sum(1 for deal in story.deals if deal.origin == REFERRAL)
    story.checks.expect(
        report.healthy and report.links == len(story.deals) and report.referral_deals == referrals,
        f"cosell status: healthy, {len(story.deals)} links, {referrals} referral deals",
    )


def audit_table_name(stack: LocalStack) -> str:
    """The audit table template.yaml's AuditTable became on this stack (what AUDIT_TABLE_NAME names)."""
    if stack.resources is None:
        raise RuntimeError("the local stack is not started")
    return stack.resources.refs["AuditTable"]


def print_audit_trail(story: Story, timeline: Timeline) -> None:
    """What `cosell audit deal <id>` prints for the deal the story updated: every write and decision."""
    deal_id = story.updated_deal
    if deal_id is None:
        return
    timeline.heading(f"cosell audit deal {deal_id}")
    records = AuditStore(story.stack.client("dynamodb"), audit_table_name(story.stack)).for_deal(deal_id)
    for line in render_timeline(records).splitlines():
        timeline.line(f"  {line}".rstrip())
    actions = [record.action for record in records]
    story.checks.expect(
        actions.count(AuditAction.CREATE_OPPORTUNITY) == 1
        and actions.count(AuditAction.UPDATE_OPPORTUNITY) == 2
        and actions.count(AuditAction.HOLD) == 1
        and actions.count(AuditAction.UPDATE_DEAL) >= 3,
        f"the audit trail of deal {deal_id} holds its opportunity's creation, both updates, the hold and the "
        "deal updates",
    )


def status_environment(stack: LocalStack) -> dict[str, str]:
    """The functions' environment as `cosell status`, `cosell audit` and `cosell backfill` need it to work on
    this stack from another shell."""
    return {
        "ENVIRONMENT": "development",
        "AWS_REGION": stack.summary()["aws_region"],
        "AWS_ENDPOINT_URL": stack.aws_endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING": stack.partner_central_url,
        "HUBSPOT_API_BASE_URL": stack.hubspot_url,
        "HUBSPOT_ACCESS_TOKEN": stack.hubspot_token,
        "HUBSPOT_WEBHOOK_SECRET": stack.webhook_secret,
        "PARTNER_CENTRAL_CATALOG": stack.catalog,
        "STATE_TABLE_NAME": stack.state_table_name,
        "AUDIT_TABLE_NAME": audit_table_name(stack),
        "SYNC_QUEUE_URL": stack.sync_queue_url,
        "DEAD_LETTER_QUEUE_URL": stack.dead_letter_queue_url,
    }


def print_next_steps(
    stack: LocalStack, timeline: Timeline, log_path: Path, *, keep_running: bool, deal_id: str | None = None
) -> None:
    timeline.heading("Where to look next")
    if keep_running:
        places = [
            (f"{stack.hubspot_url}/", "the HubSpot emulator's page: deals, their aws_* properties, notes"),
            (stack.partner_central_url, "the Partner Central emulator (boto3 endpoint; /_emulator/ control)"),
        ]
    else:
        places = [
            (
                "python -m cosell_local.demo --keep-running",
                "the same story, then the stack stays up to explore",
            ),
        ]
    places += [
        ("cosell local up", "the local stack alone; prints its URLs as one JSON line"),
        ("cosell status", "sync health: links, errors by reason, DLQ depth, quota used today"),
        (f"cosell audit deal {deal_id or '<id>'}", "what the sync wrote or decided for a deal, and why"),
        ("docs/LOCAL.md", "what runs locally, and how it maps to the deployed stack"),
        (str(log_path), "the functions' JSON logs of this run"),
    ]
    width = max(len(where) for where, _ in places)
    for where, what in places:
        timeline.line(f"  {where:<{width}}  {what}")
    if keep_running:
        environment = " ".join(
            f"{name}={shlex.quote(value)}" for name, value in status_environment(stack).items()
        )
        timeline.line(
            "\n  cosell status, cosell audit and cosell backfill of this stack, from another shell:\n"
            f"    {environment} cosell status\n"
            f"    {environment} cosell audit deal {deal_id or '<id>'}"
        )
