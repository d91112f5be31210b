"""The demo's story, played on a running local stack: each step acts as one side, lets the sync run, then
reads both systems and says what happened, checking it against what should have.

What it plays: a rep creates two #AWS deals, one of them invalid; fixes it; AWS refers two customers; the
rep edits a synced deal and AWS updates an opportunity. The last two show honestly what happens today:
neither edit crosses over yet (issue 8), and the checks assert exactly that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from cosell.hubspot import properties
from cosell.hubspot.client import HubSpotClient
from cosell.hubspot.models import SearchFilter
from cosell_local.demo.rep import VALID_DESCRIPTION, Rep
from cosell_local.demo.timeline import AWS, COSELL, HUBSPOT_REP

if TYPE_CHECKING:
    from collections.abc import Callable

    from cosell_local.demo.timeline import Checks, Timeline, WorkerLog
    from cosell_local.runner import LocalStack

DEAL_PROPERTIES = (
    "dealname",
    "dealstage",
    "amount",
    properties.OPPORTUNITY_ID,
    properties.SYNC_STATUS,
    properties.SYNC_ERROR,
    properties.INVITATION_ID,
)
# How long the sync may take to settle after a step; generous, since a slow machine is not a failure.
SETTLE_TIMEOUT_SECONDS = 60.0
REFERRALS = (
    ("Globex Corporation", "https://www.globex.example", "Globex SAP migration"),
    ("Initech", "https://www.initech.example", "Initech analytics on AWS"),
)
SHORT_DESCRIPTION = "Move to AWS"  # Partner Central needs 20 characters or more
REP, REFERRAL = "rep", "AWS referral"  # where a story deal came from
NEXT_STEPS = "AWS account manager joins the customer's architecture review"


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

    def play(self) -> None:
        acme, umbrella = self.rep_creates_deals()
        if umbrella is not None:
            self.rep_fixes_deal(umbrella)
        self.aws_refers_customers()
        if acme is not None:
            self.rep_edits_synced_deal(acme)
            self.aws_updates_opportunity(acme)

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
        error = deal.get(properties.SYNC_ERROR) or ""
        if deal.get(properties.SYNC_STATUS) == "Error":
            self.timeline.say(COSELL, f"webhook → queue → worker: deal {umbrella} not sent; on the deal:")
            for line in error.splitlines():
                self.timeline.detail(f"{properties.SYNC_ERROR}: {line}")
        invalid = self.checks.expect(
            deal.get(properties.SYNC_STATUS) == "Error"
            and "Deal description:" in error
            and "Company:" in error
            and not deal.get(properties.OPPORTUNITY_ID),
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
                    f"created, linked to {deal.get(properties.OPPORTUNITY_ID)}",
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
        self.timeline.heading("4. The rep edits a synced deal (HubSpot → Partner Central updates: issue 8)")
        opportunity_id = self.deal(deal_id).get(properties.OPPORTUNITY_ID) or ""
        spend_before = self.monthly_spend(opportunity_id)
        updates_before = len(self.stack.partner_central.control.calls("UpdateOpportunity"))
        self.worker_log.mark()
        self.rep.update_deal(deal_id, amount="90000")
        self.timeline.say(HUBSPOT_REP, f"raised the amount of deal {deal_id} from 60000 to 90000")
        self.settle()
        outcomes = [entry.outcome for entry in self.worker_log.reconciled(deal_id)]
        spend_after = self.monthly_spend(opportunity_id)
        self.timeline.say(
            COSELL,
            f"webhook → queue → worker: {', '.join(repr(o) for o in outcomes) or 'nothing logged'}; "
            f"{opportunity_id} keeps ExpectedCustomerSpend {spend_after}/month (updates are not built yet)",
        )
        self.checks.expect(
            "already linked" in outcomes,
            f"the worker reconciled deal {deal_id} and logged 'already linked'",
        )
        self.checks.expect(
            spend_after == spend_before
            and len(self.stack.partner_central.control.calls("UpdateOpportunity")) == updates_before,
            f"{opportunity_id} is not updated (no UpdateOpportunity call): the edit stays in HubSpot for now",
        )

    def aws_updates_opportunity(self, deal_id: str) -> None:
        self.timeline.heading("5. AWS updates an opportunity (Partner Central → HubSpot updates: issue 8)")
        before = self.deal(deal_id)
        opportunity_id = before.get(properties.OPPORTUNITY_ID) or ""
        self.worker_log.mark()
        self.stack.partner_central.control.set_aws_summary(
            self.stack.catalog, opportunity_id, {"LifeCycle": {"NextSteps": NEXT_STEPS}}
        )
        self.timeline.say(AWS, f'added next steps to {opportunity_id}: "{NEXT_STEPS}"')
        self.settle()
        outcomes = [entry.outcome for entry in self.worker_log.reconciled(opportunity_id)]
        after = self.deal(deal_id)
        self.timeline.say(
            COSELL,
            f"EventBridge → queue → worker: {', '.join(repr(o) for o in outcomes) or 'nothing logged'}",
        )
        self.timeline.detail(
            f"deal {deal_id} is unchanged; the event was acknowledged, not parked in the DLQ"
        )
        self.checks.expect(
            any("not pulled into HubSpot yet" in outcome for outcome in outcomes),
            f"the worker received the Opportunity Updated event of {opportunity_id} and logged it as not pulled yet",
        )
        self.checks.expect(
            after == before and self.stack.dlq_messages() == [],
            f"deal {deal_id} is unchanged and the DLQ is empty",
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

    def monthly_spend(self, opportunity_id: str) -> str:
        spend = self.opportunity(opportunity_id)["Project"]["ExpectedCustomerSpend"][0]
        return f"{spend['Amount']} {spend['CurrencyCode']}"

    def expect_synced(self, deal_id: str, path: str) -> bool:
        deal = self.deal(deal_id)
        opportunity_id = deal.get(properties.OPPORTUNITY_ID)
        synced = bool(opportunity_id) and deal.get(properties.SYNC_STATUS) == "Synced"
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
            [[SearchFilter(property_name=properties.INVITATION_ID, operator="EQ", value=invitation_id)]],
            DEAL_PROPERTIES,
        )

    def _linked_referral_deals(self, invitation_id: str) -> list[Any]:
        deals = self._referral_deals(invitation_id)
        done = [
            d for d in deals if d.get(properties.OPPORTUNITY_ID) and d.get(properties.SYNC_STATUS) == "Synced"
        ]
        return deals if done else []
