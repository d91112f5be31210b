"""A whole sync world for use-case tests: both emulators, moto's DynamoDB, and use-case contexts on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import boto3
from botocore.config import Config

from cosell.domain.mapping_rules import MappingRules
from cosell.domain.reconcile import ConflictPolicy
from cosell.domain.to_hubspot import ContactFields
from cosell.hubspot.client import HubSpotClient, RetryPolicy
from cosell.hubspot.deal_reader import DealReader
from cosell.hubspot.records import find_or_create_contacts
from cosell.partner_central.client import paced
from cosell.partner_central.schema import vocabulary
from cosell.partner_central.search import OpportunitySearch
from cosell.sns import NoTopic
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
from cosell.sync.onboarding.setup import SCOPE_CHECKS, SetupReport, ensure_deal_properties
from cosell.sync.ports import SyncConfig
from cosell_local.hubspot import AccessToken, HubSpotEmulator
from cosell_local.partner_central import EmulatorConfig, PartnerCentralEmulator, QuotaConfig
from tests.support.clock import VirtualClock

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Literal

    from cosell.domain.audit import AuditRecord
    from cosell.queue.messages import SyncRequest

TOKEN = "pat-na1-integration"
REP_TOKEN = "rep-ada"
CATALOG: Final = "Sandbox"
PARTNER_ACCOUNT_ID = EmulatorConfig().account_id  # the emulator's partner account
SYNC_SCOPES = frozenset(check.scope for check in SCOPE_CHECKS)
OWNER_ID = "110000001"  # seeded by the HubSpot emulator: ada.rep@example.com


def create_state_table(name: str) -> None:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )


@dataclass
class WorkerClock:
    """The use cases' `now`, moved by the test (a worker retrying a message minutes later)."""

    offset: timedelta = field(default_factory=timedelta)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


DEAL_CLAIM_LEASE = timedelta(minutes=2)


@dataclass
class AuditTrail:
    """The use cases' audit log, kept in memory (the DynamoDB store has its own tests)."""

    records: list[AuditRecord] = field(default_factory=list)

    def record(self, record: AuditRecord) -> AuditRecord:
        self.records.append(record)
        return record

    def actions(self, deal_id: str | None = None) -> list[str]:
        return [r.action.value for r in self.records if deal_id is None or r.deal_id == deal_id]


@dataclass
class RecordedQueue:
    """The use cases' queue, kept in memory: what they asked to reconcile next."""

    requests: list[SyncRequest] = field(default_factory=list)

    def send(self, requests: Sequence[SyncRequest]) -> None:
        self.requests.extend(requests)


def partner_central_client(url: str, total_max_attempts: int = 1) -> Any:
    """A boto3 client of the emulator, by default one attempt per call: error paths reach the test, not a
    retry loop."""
    return boto3.client(
        "partnercentral-selling",
        region_name="us-east-1",
        endpoint_url=url,
        config=Config(retries={"total_max_attempts": total_max_attempts}),
    )


@dataclass(frozen=True)
class WorldPorts:
    """cosell.sync.ports.Ports on the test world."""

    config: SyncConfig
    hubspot: HubSpotClient
    deals: DealReader
    partner_central: Any
    links: StateStore
    customers: CustomerIndex
    referrals: InvitationStore
    conflicts: ConflictStore
    solutions: SolutionStore
    submissions: SubmissionStore
    opportunity_search: OpportunitySearch
    audit: AuditTrail
    queue: RecordedQueue
    notifications: NotificationStore
    topic: NoTopic
    engagements: EngagementStore
    failures: FailureStore
    scheduled: ScheduledRequestStore
    clock: Callable[[], datetime]
    partner_account_id: str = PARTNER_ACCOUNT_ID

    def now(self) -> datetime:
        return self.clock()


@dataclass
class SyncWorld:
    hubspot_emulator: HubSpotEmulator
    partner_central_emulator: PartnerCentralEmulator
    hubspot: HubSpotClient
    rep: HubSpotClient
    partner_central: Any
    store: StateStore
    table: str
    audit: AuditTrail = field(default_factory=lambda: AuditTrail())
    queued: RecordedQueue = field(default_factory=lambda: RecordedQueue())

    def ports(
        self,
        rules: MappingRules | None = None,
        policy: ConflictPolicy | None = None,
        *,
        invitation_policy: Literal["auto", "review"] = "auto",
        clock: WorkerClock | None = None,
        write_pacer: WritePacer | None = None,
        read_pacer: ReadPacer | None = None,
        hubspot: HubSpotClient | None = None,
    ) -> WorldPorts:
        """The use cases' ports on this world: both emulators, moto's DynamoDB, the audit kept in memory."""
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        client = hubspot or self.hubspot
        partner_central = self.partner_central
        if write_pacer or read_pacer:
            partner_central = paced(
                partner_central_client(self.partner_central_emulator.url),
                writes=write_pacer or WritePacer(dynamodb, self.table, per_second=10),
                reads=read_pacer or ReadPacer(dynamodb, self.table, per_second=10),
            )
        customers = CustomerIndex(dynamodb, self.table)
        return WorldPorts(
            config=SyncConfig(
                catalog=CATALOG,
                rules=rules or MappingRules(),
                vocabulary=vocabulary(),
                conflict_policy=policy or ConflictPolicy(),
                invitation_policy=invitation_policy,
                invitation_pipeline="default",
                invitation_review_stage="appointmentscheduled",
                invitation_owner_id=OWNER_ID,
                opportunity_url_template="https://partnercentral.example/opportunity/{opportunity_id}",
                deal_claim_lease=DEAL_CLAIM_LEASE,
            ),
            hubspot=client,
            deals=DealReader(client, customers_found=customers.record),
            partner_central=partner_central,
            links=self.store,
            customers=customers,
            referrals=InvitationStore(dynamodb, self.table),
            conflicts=ConflictStore(dynamodb, self.table),
            solutions=SolutionStore(dynamodb, self.table),
            submissions=SubmissionStore(dynamodb, self.table),
            opportunity_search=OpportunitySearch(partner_central),
            audit=self.audit,
            queue=self.queued,
            notifications=NotificationStore(dynamodb, self.table),
            topic=NoTopic(),
            engagements=EngagementStore(dynamodb, self.table),
            failures=FailureStore(dynamodb, self.table),
            scheduled=ScheduledRequestStore(dynamodb, self.table),
            clock=(clock or WorkerClock()).now,
        )

    def emulator_time(self, participants: int = 1) -> VirtualClock:
        """Partner Central's clock (its quotas run on it), frozen, as a clock that moves only when the callers
        sleep: pacing costs no time, and a call arrives when it was paced for, whatever the machine's speed."""
        control = self.partner_central_emulator.control
        control.freeze_clock()
        now = datetime.fromisoformat(control.now()["Now"].replace("Z", "+00:00")).timestamp()
        return VirtualClock(now, on_advance=control.advance_clock, participants=participants)

    def referral_ports(self, policy: Literal["auto", "review"] = "auto", **options: Any) -> WorldPorts:
        return self.ports(invitation_policy=policy, **options)

    def create_deal(
        self,
        name: str = "BigCorp Cloud Migration #AWS",
        *,
        description: str = "Move the on-premises ERP to AWS and cut hosting costs by 40 percent.",
        with_company: bool = True,
        contacts: int = 2,
        **overrides: str,
    ) -> str:
        """A deal as a rep makes it: company (primary), contacts, owner, amount, close date."""
        properties = {
            "dealname": name,
            "description": description,
            "pipeline": "default",
            "dealstage": "qualifiedtobuy",
            "amount": "120000",
            "deal_currency_code": "EUR",
            "closedate": "2027-06-30T00:00:00.000Z",
            "hubspot_owner_id": OWNER_ID,
            **overrides,
        }
        deal = self.rep.create_deal(properties)
        if with_company:
            company = self.rep.create_company(
                {
                    "name": "BigCorp Inc.",
                    "domain": "bigcorp.example",
                    "industry": "COMPUTER_SOFTWARE",
                    "city": "Berlin",
                    "zip": "10115",
                    "country": "Germany",
                }
            )
            self.rep.associate("deals", deal.id, "companies", company.id, [5])
        # The customer's people: HubSpot keeps one contact per e-mail, so a second deal gets the same ones.
        people = [
            ContactFields(
                f"person{index}@bigcorp.example",
                {
                    "email": f"Person{index}@BigCorp.example",
                    "firstname": f"P{index}",
                    "phone": "+49 30 1234567",
                },
            )
            for index in range(contacts)
        ]
        for contact_id in find_or_create_contacts(self.rep, people):
            self.rep.associate("deals", deal.id, "contacts", contact_id, [3])
        return deal.id

    def opportunities(self) -> list[dict[str, Any]]:
        summaries = self.partner_central.list_opportunities(Catalog=CATALOG, MaxResults=100)
        return list(summaries["OpportunitySummaries"])


def make_world(table: str) -> Iterator[SyncWorld]:
    create_state_table(table)
    no_sleep_retry = RetryPolicy(max_attempts=3)
    with (
        # The integration's token holds exactly the scopes README.md lists: the sync must need no other.
        HubSpotEmulator(tokens=[AccessToken(TOKEN, scopes=SYNC_SCOPES)]) as hubspot_emulator,
        PartnerCentralEmulator(
            EmulatorConfig(tick_seconds=0, quotas=QuotaConfig(enabled=False))
        ) as pc_emulator,
    ):
        hubspot_emulator.add_rep_token(REP_TOKEN)
        # A client's back-off moves the emulator's clock, so rate-limit windows pass without waiting.
        hubspot = HubSpotClient(
            lambda: TOKEN,
            base_url=hubspot_emulator.base_url,
            retry=no_sleep_retry,
            sleep=hubspot_emulator.advance_clock,
        )
        rep = HubSpotClient(
            lambda: REP_TOKEN,
            base_url=hubspot_emulator.base_url,
            retry=no_sleep_retry,
            sleep=hubspot_emulator.advance_clock,
        )
        ensure_deal_properties(hubspot, vocabulary(), SetupReport())
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        partner_central = paced(
            partner_central_client(pc_emulator.url),
            writes=WritePacer(dynamodb, table, per_second=10),
            reads=ReadPacer(dynamodb, table, per_second=10),
        )
        yield SyncWorld(
            hubspot_emulator=hubspot_emulator,
            partner_central_emulator=pc_emulator,
            hubspot=hubspot,
            rep=rep,
            partner_central=partner_central,
            store=StateStore(dynamodb, table),
            table=table,
        )
