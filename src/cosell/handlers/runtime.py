"""What every handler shares, built once per Lambda execution environment and reused across invocations."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

import boto3

from cosell import secrets
from cosell.config import load_settings
from cosell.observability import build_logger
from cosell.queue import SyncQueue

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    from cosell.config import FunctionSettings
    from cosell.hubspot.client import HubSpotClient
    from cosell.store.audit import AuditStore
    from cosell.store.pacer import ReadPacer, WritePacer
    from cosell.sync.push_deal import PushDealContext
    from cosell.sync.requests import SyncRequest
    from cosell.sync.sweep import SweepContext
    from cosell.sync.take_invitation import TakeInvitationContext

logger = build_logger()


@cache
def settings() -> FunctionSettings:
    return load_settings()


@cache
def sync_queue() -> SyncQueue:
    config = settings()
    return SyncQueue(boto3.client("sqs", region_name=config.aws_region), str(config.sync_queue_url))


@cache
def partner_central() -> PartnerCentralSellingAPIClient:
    # Imported on first use: the webhook function never talks to Partner Central.
    from cosell.partner_central.client import partner_central_client

    return partner_central_client(settings(), session_name="cosell")


@cache
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb", region_name=settings().aws_region)


@cache
def hubspot() -> HubSpotClient:
    from cosell.hubspot.client import HubSpotClient

    config = settings()
    return HubSpotClient(
        lambda: secrets.hubspot_access_token(config), base_url=str(config.hubspot_api_base_url)
    )


def opportunity_url(opportunity_id: str) -> str:
    """The link written to a deal (PARTNER_CENTRAL_OPPORTUNITY_URL with the id)."""
    return settings().partner_central_opportunity_url.format(opportunity_id=opportunity_id)


@cache
def write_pacer() -> WritePacer:
    """Partner Central writes, paced across every invocation (DynamoDB slots)."""
    from cosell.store.pacer import WritePacer

    config = settings()
    return WritePacer(
        dynamodb(), config.state_table_name, per_second=config.partner_central_writes_per_second
    )


@cache
def read_pacer() -> ReadPacer:
    """Partner Central reads of the worker and the invitation poll, paced together."""
    from cosell.store.pacer import ReadPacer

    config = settings()
    return ReadPacer(dynamodb(), config.state_table_name, per_second=config.partner_central_reads_per_second)


@cache
def audit_store() -> AuditStore:
    """The audit trail. The functions' roles may only append to it (template.yaml: PutItem only)."""
    from cosell.store.audit import AuditStore

    return AuditStore(dynamodb(), settings().audit_table_name)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


# The use cases' dependencies are imported and built on first use: the webhook function, which shares this
# module, never pays for them at cold start.
@cache
def push_deal_context() -> PushDealContext:
    from cosell.partner_central.schema import vocabulary
    from cosell.store.conflicts import ConflictStore
    from cosell.store.state import StateStore
    from cosell.sync.deal_reader import DealReader
    from cosell.sync.push_deal import PushDealContext

    config = settings()
    return PushDealContext(
        hubspot=hubspot(),
        reader=DealReader(hubspot()),
        partner_central=partner_central(),
        store=StateStore(dynamodb(), config.state_table_name),
        pacer=write_pacer(),
        read_pacer=read_pacer(),
        conflicts=ConflictStore(dynamodb(), config.state_table_name),
        audit=audit_store(),
        policy=config.conflict_policy,
        rules=config.mapping_rules,
        vocabulary=vocabulary(),
        catalog=config.catalog,
        now=lambda: datetime.now(UTC),
        opportunity_url=opportunity_url,
    )


# Longer than the worker's 90 s timeout, shorter than the queue's 540 s visibility timeout (template.yaml).
DEAL_CLAIM_LEASE = timedelta(minutes=5)


@cache
def take_invitation_context() -> TakeInvitationContext:
    from cosell.store.invitations import InvitationStore
    from cosell.store.state import StateStore
    from cosell.sync.take_invitation import TakeInvitationContext

    config = settings()
    return TakeInvitationContext(
        hubspot=hubspot(),
        partner_central=partner_central(),
        store=StateStore(dynamodb(), config.state_table_name),
        invitations=InvitationStore(dynamodb(), config.state_table_name),
        write_pacer=write_pacer(),
        read_pacer=read_pacer(),
        rules=config.mapping_rules,
        catalog=config.catalog,
        policy=config.invitation_policy,
        pipeline=config.invitation_pipeline,
        review_stage=config.invitation_review_stage,
        owner_id=config.invitation_owner_id,
        now=lambda: datetime.now(UTC),
        opportunity_url=opportunity_url,
        deal_claim_lease=DEAL_CLAIM_LEASE,
    )


@cache
def sweep_context() -> SweepContext:
    from cosell.store.state import StateStore
    from cosell.sync.sweep import SweepContext

    config = settings()
    return SweepContext(
        partner_central=partner_central(),
        store=StateStore(dynamodb(), config.state_table_name),
        queue=sync_queue(),
        read_pacer=read_pacer(),
        catalog=config.catalog,
        now=lambda: datetime.now(UTC),
    )


class Contexts:
    """The dispatcher's view of this module (cosell.sync.dispatch.UseCaseContexts)."""

    def push_deal(self) -> PushDealContext:
        return push_deal_context()

    def take_invitation(self) -> TakeInvitationContext:
        return take_invitation_context()

    def enqueue(self, requests: Sequence[SyncRequest]) -> None:
        sync_queue().send(requests)


def reset() -> None:
    """Forget cached dependencies (tests change the environment between invocations)."""
    for cached in (
        settings,
        sync_queue,
        partner_central,
        dynamodb,
        hubspot,
        write_pacer,
        read_pacer,
        audit_store,
        push_deal_context,
        take_invitation_context,
        sweep_context,
    ):
        cached.cache_clear()
