"""The demo's story, played on a running local stack: each step acts as one side, lets the sync run, then
reads both systems and says what happened, checking it against what should have.

What it plays: a rep creates two #AWS deals, one of them invalid; fixes it; AWS refers two customers. Then
updates, both ways, on one deal: the rep edits it (one UpdateOpportunity); a colleague moves the opportunity
on in Partner Central (the deal follows); AWS reviews it, and the rep's next edit waits until AWS asks for
changes, then lands. After each of those, the writes on both sides are counted: exactly the expected ones,
and none more once the sync's own writes have come back. Last, AWS brings another partner into a referral's
engagement and shares two revisions of what it sees: the deal shows the members, and gets one note each.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

import urllib3

from cosell.domain import deal_properties
from cosell.domain.mapping_rules import MappingRules
from cosell.domain.opportunity_update import AWS_OWNED_LIFE_CYCLE
from cosell.hubspot.client import HubSpotClient
from cosell.hubspot.models import SearchFilter
from cosell.partner_central.schema import update_members
from cosell.sync.deals.pair import IN_STEP
from cosell_local.demo.rep import VALID_DESCRIPTION, Rep
from cosell_local.demo.timeline import AWS, COSELL, HUBSPOT_REP, PARTNER_USER
from cosell_local.partner_central.config import WRITE_OPERATIONS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from cosell_local.demo.timeline import Checks, Timeline, WorkerLog
    from cosell_local.runner import LocalStack

DEAL_PROPERTIES = (
    "dealname",
    "dealstage",
    "amount",
    "closedate",
    deal_properties.OPPORTUNITY_ID,
    deal_properties.SYNC_STATUS,
    deal_properties.SYNC_ERROR,
    deal_properties.SYNC_WAITING,
    deal_properties.INVITATION_ID,
    deal_properties.REVIEW_STATUS,
    deal_properties.REVIEW_COMMENTS,
    deal_properties.NEXT_STEPS,
)
ENGAGEMENT_PROPERTIES = (
    deal_properties.ENGAGEMENT_ID,
    deal_properties.OPPORTUNITY_ID,
    deal_properties.ENGAGEMENT_STATUS,
    deal_properties.ENGAGEMENT_MEMBERS,
)
ENGAGEMENT_PARTNER = ("210987654321", "Contoso Consulting")  # the partner AWS adds (step 7)
# How long the sync may take to settle after a step; generous, since a slow machine is not a failure.
SETTLE_TIMEOUT_SECONDS = 60.0
REFERRALS = (
    ("Globex Corporation", "https://www.globex.example", "Globex SAP migration"),
    ("Initech", "https://www.initech.example", "Initech analytics on AWS"),
)
SHORT_DESCRIPTION = "Move to AWS"  # Partner Central needs 20 characters or more
REP, REFERRAL = "rep", "AWS referral"  # where a story deal came from
EDITED_AMOUNT, EDITED_CLOSE_DATE = "90000", "2027-12-15"  # the rep's edit (step 4)
COLLEAGUE_STAGE, COLLEAGUE_HUBSPOT_STAGE = "Business Validation", "decisionmakerboughtin"  # step 5
NEXT_STEPS = "AWS account manager joins the customer's architecture review"
HELD_AMOUNT = "120000"  # the rep's edit while AWS reviews (step 6)
REVIEW_COMMENTS = "Confirm the expected monthly spend with the customer."
# Writes the demo counts: Partner Central's write operations, and HubSpot deal updates by cosell (not the rep).
DEAL_PATH = "/crm/v3/objects/deals/"


@dataclass(frozen=True)
class Writes:
    """Writes so far (or between two moments): Partner Central write calls that succeeded, by operation, and
    HubSpot deal updates made by cosell (not by the rep)."""

    partner_central: dict[str, int] = field(default_factory=dict)
    deal_updates: int = 0

    def __add__(self, other: Writes) -> Writes:
        return self._combined(other, 1)

    def __sub__(self, other: Writes) -> Writes:
        return self._combined(other, -1)

    def _combined(self, other: Writes, sign: int) -> Writes:
        calls = {
            operation: self.partner_central.get(operation, 0) + sign * other.partner_central.get(operation, 0)
            for operation in self.partner_central.keys() | other.partner_central.keys()
        }
        return Writes(
            {operation: count for operation, count in calls.items() if count},
            self.deal_updates + sign * other.deal_updates,
        )

    def __str__(self) -> str:
        calls = [f"{count} × {operation}" for operation, count in sorted(self.partner_central.items())]
        if self.deal_updates:
            calls.append(f"{self.deal_updates} × HubSpot deal update")
        return ", ".join(calls) or "nothing"


@dataclass(frozen=True)
class StoryDeal:
    """A deal the story made or expects, for the side-by-side table."""

    deal_id: str
    origin: str  # REP or REFERRAL


class Story:
    def __init__(self, stack: LocalStack, timeline: Timeline, checks: Checks, worker_log: WorkerLog) -> None:
        self.stack = stack
        self.timeline = timeline
        self.checks = checks
        self.worker_log = worker_log
        self.rep = Rep.sign_in(stack.hubspot)
        self.hubspot = HubSpotClient(lambda: stack.hubspot_token, base_url=stack.hubspot_url)
        self.partner_central = stack.client("partnercentral-selling")
        self.deals: list[StoryDeal] = []
        self.updated_deal: str | None = None  # the deal steps 4 to 6 update: its audit trail closes the demo
        self.contract_months = (
            MappingRules().contract_term_months
        )  # the spend is the amount over this, monthly

    def play(self) -> None:
        acme, umbrella = self.rep_creates_deals()
        if umbrella is not None:
            self.rep_fixes_deal(umbrella)
        self.aws_refers_customers()
        if acme is not None:
            self.updated_deal = acme
            self.rep_edits_synced_deal(acme)
            self.colleague_updates_opportunity(acme)
            self.aws_reviews_opportunity(acme)
        referral = next((deal for deal in self.deals if deal.origin == REFERRAL), None)
        if referral is not None:
            self.aws_shares_engagement(referral.deal_id)

    # --- the steps ---

    def rep_creates_deals(self) -> tuple[str | None, str | None]:
        self.timeline.heading("1. A rep tags two deals #AWS; one lacks what Partner Central requires")
        acme = self.rep.create_deal(
            "Acme Data Platform #AWS", company_name="Acme Corp", company_domain="acme.example"
        )
        self.timeline.say(HUBSPOT_REP, f'created deal {acme} "Acme Data Platform #AWS"')
        umbrella = self.rep.create_deal(
            "Umbrella Cloud Migration #AWS", description=SHORT_DESCRIPTION, company=False
        )
        self.timeline.say(
            HUBSPOT_REP,
            f'created deal {umbrella} "Umbrella Cloud Migration #AWS": no company, '
            f"{len(SHORT_DESCRIPTION)}-character description",
        )
        self.deals += [StoryDeal(acme, REP), StoryDeal(umbrella, REP)]
        self.settle()
        synced = self.expect_synced(acme, "webhook → queue → worker")
        deal = self.deal(umbrella)
        error = deal.get(deal_properties.SYNC_ERROR) or ""
        if deal.get(deal_properties.SYNC_STATUS) == "Error":
            self.timeline.say(COSELL, f"webhook → queue → worker: deal {umbrella} not sent; on the deal:")
            for line in error.splitlines():
                self.timeline.detail(f"{deal_properties.SYNC_ERROR}: {line}")
        invalid = self.checks.expect(
            deal.get(deal_properties.SYNC_STATUS) == "Error"
            and "Deal description:" in error
            and "Company:" in error
            and not deal.get(deal_properties.OPPORTUNITY_ID),
            f"deal {umbrella} shows status Error, with its description and company problems, and no opportunity",
        )
        return (acme if synced else None), (umbrella if invalid else None)

    def rep_fixes_deal(self, deal_id: str) -> None:
        self.timeline.heading("2. The rep reads the error on the deal and fixes it")
        self.rep.make_primary_company(deal_id, self.rep.create_company("Umbrella Corp", "umbrella.example"))
        self.timeline.say(HUBSPOT_REP, f'associated company "Umbrella Corp" with deal {deal_id}')
        self.rep.update_deal(deal_id, description=VALID_DESCRIPTION)
        self.timeline.say(HUBSPOT_REP, f'rewrote the description: "{VALID_DESCRIPTION}"')
        self.settle()
        self.expect_synced(deal_id, "webhook → queue → worker")

    def aws_refers_customers(self) -> None:
        self.timeline.heading("3. AWS refers two customers (engagement invitations)")
        control = self.stack.partner_central.control
        invitations = []
        for company, website, title in REFERRALS:
            invitation = control.create_opportunity_invitation(
                self.stack.catalog,
                {
                    "Payload": {
                        "OpportunityInvitation": {
                            "Customer": {"CompanyName": company, "WebsiteUrl": website},
                            "Project": {"Title": title},
                        }
                    }
                },
            )
            invitations.append((str(invitation["Id"]), company))
            self.timeline.say(AWS, f'referred "{company}" (invitation {invitation["Id"]})')
        for invitation_id, company in invitations:
            deals = self.wait_for(partial(self._linked_referral_deals, invitation_id))
            if deals:
                deal = deals[0]
                self.deals.append(StoryDeal(deal.id, REFERRAL))
                self.timeline.say(
                    COSELL,
                    f'EventBridge → queue → worker: accepted the referral; HubSpot deal {deal.id} "{deal.name}" '
                    f"created, linked to {deal.get(deal_properties.OPPORTUNITY_ID)}",
                )
            self.checks.expect(
                len(deals) == 1,
                f'exactly one HubSpot deal, linked and Synced, for "{company}" ({invitation_id})',
            )
        poll = self.stack.run_schedule("InvitationPollFunction")
        self.settle()
        still_once = all(len(self._referral_deals(invitation_id)) == 1 for invitation_id, _ in invitations)
        self.timeline.say(
            COSELL,
            "the scheduled invitation poll ran again: "
            + (
                "nothing new, still one deal per referral"
                if still_once
                else "a referral now has another deal"
            ),
        )
        self.checks.expect(poll.succeeded and still_once, "the invitation poll makes no second deal")

    def rep_edits_synced_deal(self, deal_id: str) -> None:
        self.timeline.heading("4. The rep edits a synced deal: HubSpot → Partner Central")
        opportunity_id = self.deal(deal_id).get(deal_properties.OPPORTUNITY_ID) or ""
        before = self.writes()
        self.worker_log.mark()
        self.rep.update_deal(deal_id, amount=EDITED_AMOUNT, closedate=f"{EDITED_CLOSE_DATE}T00:00:00.000Z")
        self.timeline.say(
            HUBSPOT_REP,
            f"raised the amount of deal {deal_id} from 60000 to {EDITED_AMOUNT} and moved its close date "
            f"from 2027-09-30 to {EDITED_CLOSE_DATE}",
        )
        self.settle()
        written = self.writes() - before
        opportunity = self.opportunity(opportunity_id)
        self.timeline.say(COSELL, f"webhook → queue → worker: {self.outcomes(deal_id)}")
        self.timeline.detail(
            f"{opportunity_id} now: ExpectedCustomerSpend {spend_text(opportunity)}, "
            f"TargetCloseDate {opportunity['LifeCycle'].get('TargetCloseDate')}"
        )
        self.timeline.detail(f"cosell wrote: {written}")
        self.checks.expect(
            written == Writes({"UpdateOpportunity": 1}, 0),
            f"exactly one UpdateOpportunity for deal {deal_id}, and no other write on either side",
        )
        self.checks.expect(
            has_monthly_spend(opportunity, EDITED_AMOUNT)
            and opportunity["LifeCycle"].get("TargetCloseDate") == EDITED_CLOSE_DATE
            and self.deal(deal_id).get(deal_properties.SYNC_STATUS) == "Synced",
            f"{opportunity_id} has ExpectedCustomerSpend {EDITED_AMOUNT} / {self.contract_months} per month and "
            f"TargetCloseDate {EDITED_CLOSE_DATE}; the deal is Synced",
        )
        self.expect_settled(deal_id)

    def colleague_updates_opportunity(self, deal_id: str) -> None:
        self.timeline.heading(
            "5. A colleague moves the opportunity on in Partner Central: Partner Central → HubSpot"
        )
        opportunity_id = self.deal(deal_id).get(deal_properties.OPPORTUNITY_ID) or ""
        stage_before = self.opportunity(opportunity_id)["LifeCycle"].get("Stage")
        # Counted from before the colleague's write: the sync may take its event at once.
        before = self.writes() + Writes({"UpdateOpportunity": 1})  # the colleague's own write
        self.worker_log.mark()
        self.console_update(opportunity_id, {"Stage": COLLEAGUE_STAGE, "NextSteps": NEXT_STEPS})
        self.timeline.say(
            PARTNER_USER,
            f'moved {opportunity_id} from {stage_before} to {COLLEAGUE_STAGE} and set its next steps: "{NEXT_STEPS}"',
        )
        self.timeline.detail(
            "(UpdateOpportunity through boto3, as the console does: read, change, write it all back)"
        )
        self.settle()
        written = self.writes() - before
        deal = self.deal(deal_id)
        self.timeline.say(COSELL, f"EventBridge → queue → worker: {self.outcomes(deal_id)}; on the deal:")
        self.show_properties(deal, ("dealstage", deal_properties.NEXT_STEPS, deal_properties.SYNC_STATUS))
        self.timeline.detail(f"cosell wrote: {written}")
        self.checks.expect(
            deal.get("dealstage") == COLLEAGUE_HUBSPOT_STAGE
            and deal.get(deal_properties.NEXT_STEPS) == NEXT_STEPS
            and deal.get(deal_properties.SYNC_STATUS) == "Synced",
            f"deal {deal_id} shows stage {COLLEAGUE_HUBSPOT_STAGE} ({COLLEAGUE_STAGE}) and the next steps; Synced",
        )
        self.checks.expect(
            written == Writes({}, 1),
            f"one HubSpot update of deal {deal_id}, nothing written back to Partner Central",
        )
        self.expect_settled(deal_id)

    def aws_reviews_opportunity(self, deal_id: str) -> None:
        self.timeline.heading("6. AWS reviews the opportunity: the rep's next edit waits for it, then lands")
        opportunity_id = self.deal(deal_id).get(deal_properties.OPPORTUNITY_ID) or ""
        control = self.stack.partner_central.control

        before = self.writes()
        self.worker_log.mark()
        control.set_review_status(self.stack.catalog, opportunity_id, "In review")
        self.timeline.say(AWS, f"started reviewing {opportunity_id} (ReviewStatus In review)")
        self.settle()
        written = self.writes() - before
        deal = self.deal(deal_id)
        self.timeline.say(
            COSELL,
            f"EventBridge → queue → worker: {self.outcomes(deal_id)}; "
            f"{deal_properties.REVIEW_STATUS}: {deal.get(deal_properties.REVIEW_STATUS)}; cosell wrote: {written}",
        )
        self.checks.expect(
            deal.get(deal_properties.REVIEW_STATUS) == "In review" and written == Writes({}, 1),
            f"deal {deal_id} shows {deal_properties.REVIEW_STATUS} In review (one HubSpot update)",
        )

        before = self.writes()
        self.worker_log.mark()
        self.rep.update_deal(deal_id, amount=HELD_AMOUNT)
        self.timeline.say(
            HUBSPOT_REP, f"raised the amount of deal {deal_id} from {EDITED_AMOUNT} to {HELD_AMOUNT}"
        )
        self.settle()
        written = self.writes() - before
        deal = self.deal(deal_id)
        self.timeline.say(COSELL, f"webhook → queue → worker: {self.outcomes(deal_id)}; on the deal:")
        self.show_properties(deal, (deal_properties.SYNC_STATUS, deal_properties.SYNC_WAITING))
        self.timeline.detail(f"cosell wrote: {written}")
        self.checks.expect(
            deal.get(deal_properties.SYNC_STATUS) == "Pending"
            and (deal.get(deal_properties.SYNC_WAITING) or "").startswith(
                "waiting: opportunity is In review;"
            )
            and written == Writes({}, 1)
            and has_monthly_spend(self.opportunity(opportunity_id), EDITED_AMOUNT),
            f"while {opportunity_id} is In review the amount is held: deal {deal_id} shows Pending and what "
            "waits; no Partner Central write",
        )

        before = self.writes()
        self.worker_log.mark()
        control.set_review_status(self.stack.catalog, opportunity_id, "Action Required", REVIEW_COMMENTS)
        self.timeline.say(
            AWS, f'asked for changes on {opportunity_id} (ReviewStatus Action Required): "{REVIEW_COMMENTS}"'
        )
        self.settle()
        written = self.writes() - before
        deal = self.deal(deal_id)
        opportunity = self.opportunity(opportunity_id)
        self.timeline.say(COSELL, f"EventBridge → queue → worker: {self.outcomes(deal_id)}")
        self.timeline.detail(
            f"{opportunity_id} now: ExpectedCustomerSpend {spend_text(opportunity)}; on the deal:"
        )
        self.show_properties(
            deal,
            (
                deal_properties.REVIEW_STATUS,
                deal_properties.REVIEW_COMMENTS,
                deal_properties.SYNC_STATUS,
                deal_properties.SYNC_WAITING,
            ),
        )
        self.timeline.detail(f"cosell wrote: {written}")
        # AWS documents that the partner's update under Action Required sends the opportunity back to review.
        self.checks.expect(
            deal.get(deal_properties.REVIEW_STATUS) == "Submitted"
            and deal.get(deal_properties.REVIEW_COMMENTS) == REVIEW_COMMENTS,
            f"deal {deal_id} shows AWS's comments, and {deal_properties.REVIEW_STATUS} Submitted: the partner's "
            f"update under Action Required sent it back to AWS's review",
        )
        self.checks.expect(
            written == Writes({"UpdateOpportunity": 1}, 1)
            and has_monthly_spend(opportunity, HELD_AMOUNT)
            and deal.get(deal_properties.SYNC_STATUS) == "Synced"
            and not deal.get(deal_properties.SYNC_WAITING),
            f"Action Required lets the partner edit the spend: the held amount went out in one UpdateOpportunity "
            f"({HELD_AMOUNT} / {self.contract_months} per month); deal {deal_id} is Synced, nothing waits",
        )
        self.expect_settled(deal_id)

    def aws_shares_engagement(self, deal_id: str) -> None:
        self.timeline.heading("7. AWS brings a partner into a referral's engagement and shares what it sees")
        engagement = self.hubspot.get_deal(deal_id, ENGAGEMENT_PROPERTIES).properties
        engagement_id = str(engagement.get(deal_properties.ENGAGEMENT_ID) or "")
        opportunity_id = str(engagement.get(deal_properties.OPPORTUNITY_ID) or "")
        control = self.stack.partner_central.control

        before = self.writes()
        self.worker_log.mark()
        control.add_engagement_member(self.stack.catalog, engagement_id, *ENGAGEMENT_PARTNER)
        self.timeline.say(AWS, f"added {ENGAGEMENT_PARTNER[1]} to the engagement {engagement_id}")
        self.settle()
        written = self.writes() - before
        shown = self.hubspot.get_deal(deal_id, ENGAGEMENT_PROPERTIES).properties
        self.timeline.say(
            COSELL, f"EventBridge → queue → worker: {self.outcomes(engagement_id)}; on the deal:"
        )
        self.show_properties(shown, ENGAGEMENT_PROPERTIES[2:])
        joined = [note for note in self.notes(deal_id) if note.startswith(f"{ENGAGEMENT_PARTNER[1]} joined")]
        heading = joined[0].splitlines()[0] if joined else "(none)"
        self.timeline.detail(f"cosell wrote: {written}, a task and a note: {heading}")
        self.checks.expect(
            f"{ENGAGEMENT_PARTNER[1]} (partner)" in (shown.get(deal_properties.ENGAGEMENT_MEMBERS) or "")
            and len(joined) == 1
            and not written.partner_central,
            f"deal {deal_id} shows {ENGAGEMENT_PARTNER[1]} among the engagement's members, with one note; "
            "nothing written to Partner Central",
        )

        for score in ("Medium", "High"):
            control.set_aws_summary(
                self.stack.catalog, opportunity_id, {"Insights": {"EngagementScore": score}}
            )
            control.add_resource_snapshot(self.stack.catalog, engagement_id, opportunity_id)
            self.timeline.say(
                AWS, f"shared a snapshot of its view of {opportunity_id} (engagement score {score})"
            )
            self.settle()
        snapshots = [note for note in self.notes(deal_id) if "shared snapshot" in note]
        for note in snapshots:
            self.timeline.say(COSELL, "note on the deal:")
            for line in note.splitlines():
                self.timeline.detail(line)
        self.checks.expect(
            len(snapshots) == 2
            and snapshots[1].splitlines()[2:] == ["- AWS engagement score: Medium → High"],
            f"two snapshot revisions make two notes on deal {deal_id}, the second naming exactly what changed",
        )

    def notes(self, deal_id: str) -> list[str]:
        """The deal's notes, oldest first."""
        found = []
        for association in self.hubspot.list_associations("deals", deal_id, "notes"):
            answer = urllib3.request(
                "GET",
                f"{self.stack.hubspot_url}/crm/v3/objects/notes/{association.to_object_id}"
                "?properties=hs_note_body,hs_timestamp",
                headers={"Authorization": f"Bearer {self.stack.hubspot_token}"},
            )
            note = json.loads(answer.data)["properties"]
            found.append((note.get("hs_timestamp") or "", note.get("hs_note_body") or ""))
        return [body for _, body in sorted(found)]

    def expect_settled(self, deal_id: str) -> None:
        """The sync's own writes came back (as webhooks and events) during the step's settle; now the sweep
        re-reads every pair changed since its last run, and re-lists HubSpot's changes (which that pair's
        sync had read: not even reconciled): in step, nothing more is written."""
        before = self.writes()
        self.worker_log.mark()
        sweep = self.stack.run_schedule("SweepFunction")
        self.settle()
        written = self.writes() - before
        outcomes = [entry.outcome for entry in self.worker_log.reconciled(deal_id)]
        self.timeline.say(
            COSELL,
            f"the scheduled sweep, run now: {self.outcomes(deal_id)}; cosell wrote since: {written}",
        )
        self.checks.expect(
            sweep.succeeded
            and written == Writes({}, 0)
            and all(outcome.startswith(IN_STEP) for outcome in outcomes),
            f"settled: the sync's own writes came back and nothing more is written for deal {deal_id}",
        )

    # --- reading both sides ---

    def settle(self) -> None:
        self.stack.process_queue_until_idle(timeout=SETTLE_TIMEOUT_SECONDS)

    def wait_for(self, found: Callable[[], list[Any]]) -> list[Any]:
        """Let the sync run until `found` returns something (referrals finish through retries and events)."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        while True:
            self.settle()
            result = found()
            if result or time.monotonic() > deadline:
                return result
            time.sleep(0.2)

    def deal(self, deal_id: str) -> dict[str, str | None]:
        return dict(self.hubspot.get_deal(deal_id, DEAL_PROPERTIES).properties)

    def opportunity(self, opportunity_id: str) -> dict[str, Any]:
        record: dict[str, Any] = self.partner_central.get_opportunity(
            Catalog=self.stack.catalog, Identifier=opportunity_id
        )
        return record

    def writes(self) -> Writes:
        calls = self.stack.partner_central.control.calls()
        counts: dict[str, int] = {}
        for call in calls:
            # A refused call (throttled, conflict) wrote nothing: the sync's pacer and the colleague's console
            # share Partner Central's 1 write/s, and boto3 retries a throttled call.
            if call["Operation"] in WRITE_OPERATIONS and call["Error"] is None:
                counts[call["Operation"]] = counts.get(call["Operation"], 0) + 1
        deal_updates = sum(
            1
            for request in list(self.stack.hubspot.requests)
            if request.method == "PATCH" and request.path.startswith(DEAL_PATH) and request.by_rep is False
        )
        return Writes(counts, deal_updates)

    def outcomes(self, object_id: str) -> str:
        """What the worker logged for `object_id` since the last mark, for the timeline."""
        outcomes = [entry.outcome for entry in self.worker_log.reconciled(object_id)]
        return ", ".join(repr(outcome) for outcome in outcomes) or "nothing logged"

    def show_properties(self, deal: dict[str, str | None], names: Iterable[str]) -> None:
        for name in names:
            value = deal.get(name) or ""
            lines = value.splitlines() or ["(empty)"]
            for line in lines:
                self.timeline.detail(f"{name}: {line}")

    def console_update(self, opportunity_id: str, life_cycle: dict[str, str]) -> None:
        """A partner user's edit in Partner Central: UpdateOpportunity replaces the whole record, so the
        console reads it, changes what the user changed and sends it all back with the LastModifiedDate read."""
        record = self.opportunity(opportunity_id)
        body = {
            name: copy.deepcopy(value)
            for name, value in record.items()
            if name in update_members() and name not in ("Catalog", "Identifier", "LastModifiedDate")
        }
        changed = body.setdefault("LifeCycle", {})
        for name in AWS_OWNED_LIFE_CYCLE:
            changed.pop(name, None)
        changed.update(life_cycle)
        self.partner_central.update_opportunity(
            Catalog=self.stack.catalog,
            Identifier=opportunity_id,
            LastModifiedDate=record["LastModifiedDate"],
            **body,
        )

    def expect_synced(self, deal_id: str, path: str) -> bool:
        deal = self.deal(deal_id)
        opportunity_id = deal.get(deal_properties.OPPORTUNITY_ID)
        synced = bool(opportunity_id) and deal.get(deal_properties.SYNC_STATUS) == "Synced"
        if synced:
            title = self.opportunity(str(opportunity_id))["Project"]["Title"]
            self.timeline.say(
                COSELL, f'{path}: opportunity {opportunity_id} "{title}" created; deal {deal_id} Synced'
            )
        return self.checks.expect(
            synced, f"deal {deal_id} is Synced and carries its new Partner Central opportunity id"
        )

    def _referral_deals(self, invitation_id: str) -> list[Any]:
        return self.hubspot.find_deals(
            [[SearchFilter(property_name=deal_properties.INVITATION_ID, operator="EQ", value=invitation_id)]],
            DEAL_PROPERTIES,
        )

    def _linked_referral_deals(self, invitation_id: str) -> list[Any]:
        deals = self._referral_deals(invitation_id)
        done = [
            d
            for d in deals
            if d.get(deal_properties.OPPORTUNITY_ID) and d.get(deal_properties.SYNC_STATUS) == "Synced"
        ]
        return deals if done else []


def spend_text(opportunity: dict[str, Any]) -> str:
    spend = opportunity["Project"]["ExpectedCustomerSpend"][0]
    return f"{spend['Amount']} {spend['CurrencyCode']} {spend['Frequency']}"


def has_monthly_spend(opportunity: dict[str, Any], amount: str) -> bool:
    """The opportunity's expected spend is the deal amount over the contract months, in USD, monthly."""
    spends = opportunity["Project"].get("ExpectedCustomerSpend") or []
    if len(spends) != 1:
        return False
    spend, months = spends[0], MappingRules().contract_term_months
    return (
        Decimal(spend["Amount"]) == (Decimal(amount) / months).quantize(Decimal("0.01"))
        and spend["CurrencyCode"] == "USD"
        and spend["Frequency"] == "Monthly"
    )
