"""The composition root: what the handlers share, built once per Lambda execution environment and reused
across invocations. Each function loads only its own settings (cosell.config), and every adapter is built
on first use, so a function pays at cold start only for what it calls."""

from __future__ import annotations

import gc
import time
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from typing import TYPE_CHECKING

from cosell import aws_clients
from cosell.config import WebhookSettings, load
from cosell.observability import build_logger
from cosell.queue.sqs import SyncQueue

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    from cosell.config.sync import FunctionSettings
    from cosell.hubspot.client import HubSpotClient
    from cosell.hubspot.deal_reader import DealReader
    from cosell.partner_central.search import OpportunitySearch
    from cosell.sns import NoTopic, SnsTopic
    from cosell.store.audit import AuditStore
    from cosell.store.conflicts import ConflictStore
    from cosell.store.customers import CustomerIndex
    from cosell.store.engagements import EngagementStore
    from cosell.store.failures import FailureStore
    from cosell.store.invitations import InvitationStore
    from cosell.store.notifications import NotificationStore
    from cosell.store.pacer import ReadPacer, WritePacer
    from cosell.store.scheduled import ScheduledRequestStore
    from cosell.store.solutions import SolutionStore
    from cosell.store.state import StateStore
    from cosell.store.submissions import SubmissionStore
    from cosell.sync.ports import SyncConfig

logger = build_logger()

# Longer than the worker's 90 s timeout (no live holder outlasts it), shorter than the queue's 540 s visibility
# timeout (template.yaml), and no longer than that: a holder killed mid-create blocks its referral this long.
DEAL_CLAIM_LEASE = timedelta(minutes=2)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@cache
def sync_queue(region: str, queue_url: str) -> SyncQueue:
    return SyncQueue(aws_clients.client("sqs", region), queue_url)


@cache
def _long_lived_from_now_on() -> None:
    """Once per process, when its first request has loaded the function's code and settings: all that (modules,
    classes, pydantic's validators) lives as long as the process, so the garbage collector stops scanning it.
    Otherwise the first full collection, which lands in the worker's first request, scans some 50,000 more
    objects: 30 ms of that request (docs/BENCHMARKS.md), and as much at every later one."""
    gc.freeze()


@cache
def webhook_settings() -> WebhookSettings:
    settings = load(WebhookSettings)
    _long_lived_from_now_on()
    return settings


class Runtime:
    """The production ports of the use cases (cosell.sync.ports.Ports), each adapter built on first use."""

    def __init__(self, settings: FunctionSettings) -> None:
        self.settings = settings

    @cached_property
    def config(self) -> SyncConfig:
        from cosell.domain.notifications import Thresholds
        from cosell.partner_central.schema import vocabulary
        from cosell.sync.ports import SyncConfig

        settings = self.settings
        return SyncConfig(
            catalog=settings.catalog,
            rules=settings.mapping_rules,
            vocabulary=vocabulary(),
            conflict_policy=settings.conflict_policy,
            invitation_policy=settings.invitation_policy,
            invitation_pipeline=settings.invitation_pipeline,
            invitation_review_stage=settings.invitation_review_stage,
            invitation_owner_id=settings.invitation_owner_id,
            opportunity_url_template=settings.partner_central_opportunity_url,
            deal_claim_lease=DEAL_CLAIM_LEASE,
            coalescing_window=timedelta(seconds=settings.coalescing_window_seconds),
            invitation_poll_hold=timedelta(seconds=settings.invitation_poll_hold_seconds),
            notification_rules=settings.notification_rules,
            thresholds=Thresholds(settings.engagement_score_threshold, settings.high_engagement_score),
        )

    @cached_property
    def hubspot(self) -> HubSpotClient:
        from cosell import secrets
        from cosell.hubspot.client import HubSpotClient

        settings = self.settings
        return HubSpotClient(
            lambda: secrets.hubspot_access_token(settings), base_url=str(settings.hubspot_api_base_url)
        )

    @cached_property
    def deals(self) -> DealReader:
        from cosell.hubspot.deal_reader import DealReader

        return DealReader(self.hubspot, customers_found=self.customers.record)

    @cached_property
    def partner_central(self) -> PartnerCentralSellingAPIClient:
        from cosell.partner_central.client import paced, partner_central_client

        client = partner_central_client(self.settings, session_name="cosell")
        return paced(client, writes=self.write_pacer, reads=self.read_pacer)

    @cached_property
    def opportunity_search(self) -> OpportunitySearch:
        from cosell.partner_central.search import OpportunitySearch

        return OpportunitySearch(self.partner_central)

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        return aws_clients.client("dynamodb", self.settings.aws_region)

    @cached_property
    def links(self) -> StateStore:
        from cosell.store.state import StateStore

        return StateStore(self.dynamodb, self.settings.state_table_name)

    @cached_property
    def customers(self) -> CustomerIndex:
        from cosell.store.customers import CustomerIndex

        return CustomerIndex(self.dynamodb, self.settings.state_table_name)

    @cached_property
    def referrals(self) -> InvitationStore:
        from cosell.store.invitations import InvitationStore

        return InvitationStore(self.dynamodb, self.settings.state_table_name)

    @cached_property
    def conflicts(self) -> ConflictStore:
        from cosell.store.conflicts import ConflictStore

        return ConflictStore(self.dynamodb, self.settings.state_table_name)

    @cached_property
    def solutions(self) -> SolutionStore:
        from cosell.store.solutions import SolutionStore

        return SolutionStore(self.dynamodb, self.settings.state_table_name)

    @cached_property
    def submissions(self) -> SubmissionStore:
        from cosell.store.submissions import SubmissionStore

        return SubmissionStore(self.dynamodb, self.settings.state_table_name)

    @cached_property
    def write_pacer(self) -> WritePacer:
        """Partner Central's write budget, shared by every invocation of every function (DynamoDB slots)."""
        from cosell.store.pacer import WritePacer

        settings = self.settings
        return WritePacer(
            self.dynamodb, settings.state_table_name, per_second=settings.partner_central_writes_per_second
        )

    @cached_property
    def read_pacer(self) -> ReadPacer:
        """Partner Central's read budget, shared likewise."""
        from cosell.store.pacer import ReadPacer

        settings = self.settings
        return ReadPacer(
            self.dynamodb, settings.state_table_name, per_second=settings.partner_central_reads_per_second
        )

    @cached_property
    def audit(self) -> AuditStore:
        """The audit trail. The functions' roles may only append to it (template.yaml: PutItem only)."""
        from cosell.store.audit import AuditStore

        return AuditStore(self.dynamodb, self.settings.audit_table_name)

    @cached_property
    def notifications(self) -> NotificationStore:
        from cosell.store.notifications import NotificationStore

        return NotificationStore(self.dynamodb, self.settings.state_table_name)

    @cached_property
    def engagements(self) -> EngagementStore:
        from cosell.store.engagements import EngagementStore

        return EngagementStore(self.dynamodb, self.settings.state_table_name)

    @cached_property
    def failures(self) -> FailureStore:
        from cosell.store.failures import FailureStore

        return FailureStore(self.dynamodb, self.settings.state_table_name)

    @cached_property
    def scheduled(self) -> ScheduledRequestStore:
        from cosell.store.scheduled import ScheduledRequestStore

        return ScheduledRequestStore(self.dynamodb, self.settings.state_table_name)

    @cached_property
    def partner_account_id(self) -> str:
        from cosell.partner_central.client import partner_account_id

        return partner_account_id(self.settings)

    @cached_property
    def topic(self) -> SnsTopic | NoTopic:
        from cosell.sns import NoTopic, SnsTopic

        topic_arn = self.settings.notification_sns_topic_arn
        if topic_arn is None:
            return NoTopic()
        region = topic_arn.split(":")[
            3
        ]  # arn:aws:sns:<region>:<account>:<name>: the topic may live elsewhere
        return SnsTopic(aws_clients.client("sns", region), topic_arn)

    @cached_property
    def queue(self) -> SyncQueue:
        return sync_queue(self.settings.aws_region, str(self.settings.sync_queue_url))

    def now(self) -> datetime:
        return datetime.now(UTC)


@cache
def ports() -> Runtime:
    """The worker's, the sweep's and the invitation poll's ports."""
    from cosell.config.sync import load_settings

    runtime = Runtime(load_settings())
    _long_lived_from_now_on()
    return runtime


def reset() -> None:
    """Forget what was built (tests change the environment between invocations)."""
    for cached in (sync_queue, webhook_settings, ports):
        cached.cache_clear()
    from cosell import secrets

    secrets.forget()
