"""What the use cases need from the outside world, as Protocols: one `Ports` object per execution environment.

The composition root (cosell.handlers.runtime) builds it once, lazily, from the function's settings; tests pass
their own (emulators, moto, or fakes). A use case takes `ports` and reaches every adapter through it, so it
never builds one and never imports a handler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from cosell.domain.notifications import NotificationRules, Thresholds
from cosell.domain.referral import POLL_HOLD

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    from cosell.config import Catalog
    from cosell.domain.audit import AuditLog
    from cosell.domain.claims import ClaimTaken
    from cosell.domain.deal import Customers, DealView
    from cosell.domain.mapping_rules import MappingRules
    from cosell.domain.reconcile import ConflictPolicy, Side, Snapshot
    from cosell.domain.referral import InvitationPolicy, Phase
    from cosell.domain.scheduled import QueuedMark
    from cosell.domain.solutions import Solution
    from cosell.domain.vocabulary import Vocabulary
    from cosell.hubspot.crm import HubSpotCrm
    from cosell.hubspot.deal_reader import DealAssociations
    from cosell.hubspot.models import Deal
    from cosell.queue.messages import SyncRequest
    from cosell.store.conflicts import DealConflicts
    from cosell.store.engagements import EngagementState
    from cosell.store.invitations import InvitationState
    from cosell.store.solutions import CachedCatalog
    from cosell.store.state import Link, PendingCreate
    from cosell.store.submissions import Submission, SubmissionState


class DealReading(Protocol):
    """A deal and everything its mapping needs (cosell.hubspot.deal_reader.DealReader)."""

    def read_deal(self, deal_id: str) -> Deal: ...
    def view(self, deal: Deal) -> DealView: ...
    def associations(self, deal_ids: Sequence[str]) -> DealAssociations: ...
    def views(
        self, deals: Sequence[Deal], associations: DealAssociations | None = None
    ) -> dict[str, DealView]: ...


class TaggedDealReading(DealReading, Protocol):
    """And every deal the sync takes (cosell.hubspot.deal_reader.DealReader)."""

    def tagged_deal_ids(self) -> list[str]: ...


class OpportunityFinder(Protocol):
    """SearchOpportunities where the account has it (cosell.partner_central.search.OpportunitySearch)."""

    def search(
        self, catalog: str, search_filter: Mapping[str, Any], page_size: int
    ) -> list[dict[str, Any]] | None: ...


class RequestQueue(Protocol):
    """Queues sync requests (cosell.queue.sqs.SyncQueue)."""

    def send(self, requests: Sequence[SyncRequest]) -> None: ...
    def defer(self, receipt_handles: Sequence[str], seconds: int) -> None: ...


class LinkReading(Protocol):
    """The links as they are (cosell.store.state.StateStore)."""

    def link_for_deal(self, deal_id: str) -> Link | None: ...
    def deal_for_opportunity(self, catalog: str, opportunity_id: str) -> str | None: ...
    def unlinked_from(self, deal_id: str) -> str | None: ...
    def all_links(self) -> list[Link]: ...


class LinkStore(LinkReading, Protocol):
    """Links (and unlinks), recorded creates, reported problems and the sweep's cursor
    (cosell.store.state.StateStore)."""

    def save_link(self, link: Link) -> None: ...
    def move_link(self, from_deal_id: str, to_deal_id: str) -> Link: ...
    def unlink(self, deal_id: str, at: str) -> Link: ...
    def forget_unlinked(self, deal_id: str) -> None: ...
    def save_snapshot(
        self,
        link: Link,
        snapshot: Snapshot,
        synced_at: str,
        hubspot_seen_ms: int | None,
        partner_central_seen: str | None = None,
    ) -> Link: ...
    def claim_create(self, deal_id: str, pending: PendingCreate) -> PendingCreate: ...
    def forget_create(self, deal_id: str) -> None: ...
    def problems_fingerprint(self, deal_id: str) -> str | None: ...
    def problems(self, deal_id: str) -> list[str]: ...
    def save_problems(self, deal_id: str, fingerprint: str, problems: list[str]) -> None: ...
    def clear_problems(self, deal_id: str) -> None: ...
    def sweep_cursor(self, catalog: str) -> str | None: ...
    def save_sweep_cursor(self, catalog: str, modified_after: str) -> None: ...
    def hubspot_sweep_cursor(self, object_type: str) -> tuple[str | None, dict[str, int]]: ...
    def save_hubspot_sweep_cursor(
        self, object_type: str, modified_after: str, listed: dict[str, int]
    ) -> None: ...


class CustomerIndexing(Protocol):
    """Whom each deal is about, and each company's and contact's deals (cosell.store.customers.CustomerIndex)."""

    def deals_of(self, customer_type: str, customer_id: str) -> list[str]: ...
    def record(self, found: Mapping[str, Customers], read_at_ms: int) -> None: ...
    def record_unknown(self, found: Mapping[str, Customers], read_at_ms: int) -> int: ...
    def built(self) -> bool: ...
    def mark_built(self, at: str) -> None: ...


class ReferralStore(Protocol):
    """Each AWS referral's recorded phase, task and deal claim (cosell.store.invitations.InvitationStore)."""

    def get(self, catalog: str, invitation_id: str) -> InvitationState | None: ...
    def advance(self, catalog: str, invitation_id: str, phase: Phase, **fields: str) -> None: ...
    def claim_deal(self, catalog: str, invitation_id: str, now_ms: int, lease_ms: int) -> ClaimTaken: ...
    def release_deal_claim(
        self, catalog: str, invitation_id: str, claimed_at_ms: int, *, takeover: bool
    ) -> None: ...
    def record_deal(self, catalog: str, invitation_id: str, deal_id: str) -> None: ...
    def in_review(self, catalog: str) -> list[str]: ...


class ScheduledRequests(Protocol):
    """What the schedules queued, and whether the worker reconciled it (cosell.store.scheduled)."""

    def marks(self, catalog: str, kind: str, object_ids: Sequence[str]) -> dict[str, QueuedMark]: ...
    def mark_queued(self, catalog: str, kind: str, object_ids: Sequence[str], now_ms: int) -> None: ...
    def mark_done(self, catalog: str, kind: str, object_id: str, queued_at_ms: int) -> None: ...


class ConflictReading(Protocol):
    """A deal's conflicts waiting for an operator, and the choices made (cosell.store.conflicts.ConflictStore)."""

    def get(self, deal_id: str) -> DealConflicts | None: ...


class ConflictBook(ConflictReading, Protocol):
    """Conflicts waiting for an operator (cosell.store.conflicts.ConflictStore)."""

    def save(self, conflicts: DealConflicts) -> None: ...
    def resolve(self, deal_id: str, choices: dict[str, Side]) -> DealConflicts: ...
    def clear(self, deal_id: str) -> None: ...


class SolutionCache(Protocol):
    """The partner's solution catalog as last read (cosell.store.solutions.SolutionStore)."""

    def get(self, catalog: str) -> CachedCatalog | None: ...
    def save(self, catalog: str, solutions: Sequence[Solution], read_at: datetime) -> None: ...


class SubmissionBook(Protocol):
    """Each opportunity's submission to AWS (cosell.store.submissions.SubmissionStore)."""

    def get(self, catalog: str, opportunity_id: str) -> Submission | None: ...
    def start(self, catalog: str, opportunity_id: str, attempt: Submission) -> Submission: ...
    def close_rejected(self, catalog: str, opportunity_id: str, reason: str) -> bool: ...
    def update(
        self, catalog: str, opportunity_id: str, attempt: int, state: SubmissionState, **fields: str
    ) -> None: ...
    def under_way(self, catalog: str) -> list[str]: ...


class NotificationLog(Protocol):
    """Notifications sent, by key (cosell.store.notifications.NotificationStore)."""

    def claim(self, key: str) -> bool: ...
    def release(self, key: str) -> None: ...


class EngagementBook(Protocol):
    """Each engagement as last seen (cosell.store.engagements.EngagementStore)."""

    def get(self, catalog: str, engagement_id: str) -> EngagementState | None: ...
    def save(self, catalog: str, engagement_id: str, state: EngagementState) -> None: ...


class FailureLog(Protocol):
    """How often each queue message failed, and why (cosell.store.failures.FailureStore)."""

    def record(self, body: str, error: str, at: str) -> None: ...


class Topic(Protocol):
    """Where notifications also go, outside HubSpot (cosell.sns)."""

    def publish(self, subject: str, message: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class SyncConfig:
    """The settings the use cases act on (from cosell.config.sync.FunctionSettings)."""

    catalog: Catalog
    rules: MappingRules
    vocabulary: Vocabulary
    conflict_policy: ConflictPolicy
    invitation_policy: InvitationPolicy
    invitation_pipeline: str
    invitation_review_stage: str
    invitation_owner_id: str | None
    # The link written to each deal; {opportunity_id} is replaced.
    opportunity_url_template: str
    # Longer than a worker can run (the Lambda timeout), shorter than the queue's visibility timeout: a
    # retried message always finds a dead worker's claim on a referral's deal expired.
    deal_claim_lease: timedelta
    # How long a rep's edit waits before its deal is reconciled, so a burst of edits costs one write.
    coalescing_window: timedelta = field(default_factory=timedelta)
    invitation_poll_hold: timedelta = POLL_HOLD  # INVITATION_POLL_HOLD_SECONDS
    notification_rules: NotificationRules = field(default_factory=NotificationRules)
    thresholds: Thresholds = field(default_factory=lambda: Thresholds(score_moved=15, high_score=80))

    def opportunity_url(self, opportunity_id: str) -> str:
        # Not str.format: any other brace in the operator's URL (a query's `{...}`) stays as it is.
        return self.opportunity_url_template.replace("{opportunity_id}", opportunity_id)


class CatalogPorts(Protocol):
    """What reading the solution catalog needs."""

    @property
    def config(self) -> SyncConfig: ...
    @property
    def partner_central(self) -> PartnerCentralSellingAPIClient: ...
    @property
    def solutions(self) -> SolutionCache: ...
    def now(self) -> datetime: ...


class ReadPorts(CatalogPorts, Protocol):
    """What reading both sides and deciding needs, and nothing that writes to them (`cosell plan` has only
    these; its catalog cache and read pacer keep their state in memory)."""

    @property
    def deals(self) -> DealReading: ...
    @property
    def links(self) -> LinkReading: ...
    @property
    def conflicts(self) -> ConflictReading: ...


class PlanPorts(ReadPorts, Protocol):
    @property
    def deals(self) -> TaggedDealReading: ...


class Ports(ReadPorts, Protocol):
    """Everything a use case reaches outside itself."""

    @property
    def hubspot(self) -> HubSpotCrm: ...
    @property
    def links(self) -> LinkStore: ...
    @property
    def customers(self) -> CustomerIndexing: ...
    @property
    def referrals(self) -> ReferralStore: ...
    @property
    def conflicts(self) -> ConflictBook: ...
    @property
    def submissions(self) -> SubmissionBook: ...
    @property
    def opportunity_search(self) -> OpportunityFinder: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def queue(self) -> RequestQueue: ...
    @property
    def notifications(self) -> NotificationLog: ...
    @property
    def topic(self) -> Topic: ...
    @property
    def engagements(self) -> EngagementBook: ...
    @property
    def failures(self) -> FailureLog: ...
    @property
    def scheduled(self) -> ScheduledRequests: ...
    @property
    def partner_account_id(self) -> str:
        """The AWS account Partner Central knows the partner by (its role's): "you" among engagement members."""
        ...
