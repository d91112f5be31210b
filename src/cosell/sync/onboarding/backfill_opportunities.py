"""Use case: `cosell backfill --from partner-central`. The opportunities no deal is linked to (made in Partner
Central's console, by another tool, or before cosell was installed) are matched to their deal, or become one.

1. ListOpportunities (100 a page, each page a paced read), created since `--since`, in id order after the
   cursor. Linked ones are skipped.
2. `PartnerOpportunityIdentifier` names an existing HubSpot deal without a link: the deal adopts the
   opportunity (cosell.sync.deals.adopt: both sides as they are, the differences settled by the conflict
   strategy), then the pair is kept in step once, which shows the opportunity on the deal.
3. Otherwise the deal is made as an AWS referral's is (cosell.sync.referrals.deal: GetOpportunity and
   GetAwsOpportunitySummary mapped back, the company and contacts found or created, the link saved), under
   a claim kept in the cursor: a run that stopped while making it looks for the deal (by
   `aws_opportunity_id`) before it makes one. What AWS does not say of its origin is a partner's.

Neither writes to Partner Central: only reads, paced by the shared read pacer.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain import deal_properties
from cosell.domain.adoption import NotAdoptable
from cosell.domain.audit import AuditAction, FieldChange
from cosell.domain.backfill import Outcome
from cosell.domain.claims import ClaimTaken
from cosell.domain.to_hubspot import deal_from_opportunity
from cosell.hubspot.client import HubSpotNotFoundError
from cosell.hubspot.models import SearchFilter
from cosell.partner_central.opportunities import opportunity_summaries
from cosell.sync.deals.adopt import adoptable, link_existing
from cosell.sync.deals.pair import sync_pair
from cosell.sync.referrals.deal import link_made_deal, linked_properties, make_deal
from cosell.sync.reporting import audit

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling.type_defs import (
        ListOpportunitiesRequestTypeDef,
        OpportunitySummaryTypeDef,
    )

    from cosell.hubspot.models import Deal
    from cosell.sync.onboarding.backfill import Backfill, BackfillSummary
    from cosell.sync.onboarding.backfill_deals import DealSource

SOURCE = "partner-central"
_PARTNER_ORIGIN = "Partner Referral"


def backfill_opportunities(backfill: Backfill, hubspot: DealSource) -> BackfillSummary:
    """Run (or resume) to the end, the `--limit`, or an exception, saving the cursor past each opportunity."""
    ports = backfill.ports
    request: ListOpportunitiesRequestTypeDef = {
        "Catalog": ports.config.catalog,
    }
    if backfill.options.since is not None:
        request["CreatedDate"] = {"AfterCreatedDate": datetime.combine(backfill.options.since, time(), UTC)}
    listed = opportunity_summaries(ports.partner_central, request)
    after = backfill.cursor.after
    todo = sorted(
        (s for s in listed if after is None or _order(s["Id"]) > _order(after)), key=lambda s: _order(s["Id"])
    )
    backfill.remaining = len(todo)
    backfill.progress.started(len(todo), backfill.summary.all_runs, backfill.eta(), backfill.resumed)
    try:
        for summary in todo:
            if backfill.limit_reached():
                backfill.save()
                return backfill.summary
            _opportunity(backfill, summary)
            hubspot.flush()
            backfill.save()
    except BaseException:
        hubspot.flush()
        backfill.save()
        raise
    backfill.save(finished=True)
    return backfill.summary


def _order(opportunity_id: str) -> tuple[int, str]:
    """Ids in the order Partner Central makes them (O2 before O10)."""
    return len(opportunity_id), opportunity_id


def _opportunity(backfill: Backfill, summary: OpportunitySummaryTypeDef) -> None:
    ports = backfill.ports
    opportunity_id = summary["Id"]
    owner = ports.links.deal_for_opportunity(ports.config.catalog, opportunity_id)
    if owner is not None:
        _audited(backfill, opportunity_id, owner, Outcome.SKIPPED, f"linked already to deal {owner}")
        return
    deal_id = (summary.get("PartnerOpportunityIdentifier") or "").strip()
    deal = _existing_deal(backfill, deal_id) if deal_id.isdigit() else None
    if deal is None:
        _make_deal(backfill, opportunity_id)
        return
    link = ports.links.link_for_deal(deal.id)
    if link is not None:
        why = f"names deal {deal.id}, which is linked to opportunity {link.opportunity_id}"
        _audited(backfill, opportunity_id, deal.id, Outcome.INVALID, why)
        return
    found = adoptable(deal.id, opportunity_id, ports)
    if isinstance(found, NotAdoptable):
        _audited(backfill, opportunity_id, deal.id, Outcome.INVALID, found.reason)
        return
    if backfill.options.dry_run:
        backfill.record(opportunity_id, Outcome.ADOPTED, f"would link to deal {deal.id}")
        return
    why = (
        f"backfill from Partner Central: the opportunity's PartnerOpportunityIdentifier names deal {deal.id}"
    )
    adopted = link_existing(deal, found, ports, backfill.cause, why)
    in_step = sync_pair(deal, adopted, ports, backfill.cause)
    backfill.record(opportunity_id, Outcome.ADOPTED, f"linked to deal {deal.id}; {in_step}")


def _existing_deal(backfill: Backfill, deal_id: str) -> Deal | None:
    try:
        return backfill.ports.deals.read_deal(deal_id)
    except HubSpotNotFoundError:
        return None


def _make_deal(backfill: Backfill, opportunity_id: str) -> None:
    ports = backfill.ports
    if backfill.options.dry_run:
        backfill.record(opportunity_id, Outcome.CREATED, "would make its deal")
        return
    config = ports.config
    opportunity = dict(
        ports.partner_central.get_opportunity(Catalog=config.catalog, Identifier=opportunity_id)
    )
    summary = _aws_summary(backfill, opportunity_id)
    made = deal_from_opportunity(opportunity, summary, config.rules, config.invitation_pipeline)
    synced_at = ports.now().isoformat()
    found_by = SearchFilter(property_name=deal_properties.OPPORTUNITY_ID, operator="EQ", value=opportunity_id)
    claim = _CursorClaim(backfill, opportunity, synced_at)
    deal_id, created = make_deal(
        made, linked_properties(opportunity, summary, synced_at, ports), claim, found_by, ports
    )
    link = ports.links.link_for_deal(deal_id)
    if created:
        changes = [FieldChange(name, None, value) for name, value in sorted(made.deal.items())]
        audit(
            ports,
            backfill.cause,
            AuditAction.CREATE_DEAL,
            deal_id,
            link,
            changes,
            "backfill from Partner Central",
        )
        backfill.record(opportunity_id, Outcome.CREATED, f"made deal {deal_id}")
    else:
        _audited(backfill, opportunity_id, deal_id, Outcome.CREATED, f"deal {deal_id} made by an earlier run")


def _aws_summary(backfill: Backfill, opportunity_id: str) -> dict[str, Any]:
    """What AWS says of the opportunity; of one AWS has not seen, only that it is a partner's."""
    ports = backfill.ports
    try:
        summary = dict(
            ports.partner_central.get_aws_opportunity_summary(
                Catalog=ports.config.catalog, RelatedOpportunityIdentifier=opportunity_id
            )
        )
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        summary = {}
    summary.pop("ResponseMetadata", None)
    return {"Origin": _PARTNER_ORIGIN, **{k: v for k, v in summary.items() if v is not None}}


class _CursorClaim:
    """The claim on making the opportunity's deal, kept in the backfill's cursor; recording the deal is
    linking it."""

    def __init__(self, backfill: Backfill, opportunity: dict[str, Any], synced_at: str) -> None:
        self._backfill = backfill
        self._opportunity = opportunity
        self._synced_at = synced_at

    def take(self) -> ClaimTaken:
        return ClaimTaken.TAKEOVER if self._backfill.creating(self._opportunity["Id"]) else ClaimTaken.FIRST

    def recorded(self) -> str | None:
        ports = self._backfill.ports
        return ports.links.deal_for_opportunity(ports.config.catalog, self._opportunity["Id"])

    def record(self, record_id: str) -> None:
        link_made_deal(record_id, self._opportunity, self._synced_at, self._backfill.ports)

    def release(self) -> None:
        """Nothing to give up: the cursor marks the opportunity as being made until it is done, and a run after
        a failure looks for its deal before making one (a takeover)."""


def _audited(backfill: Backfill, opportunity_id: str, deal_id: str, outcome: Outcome, detail: str) -> None:
    """An opportunity done without a write of its own, with its audit record (a skip: what was found)."""
    ports = backfill.ports
    if not backfill.options.dry_run:
        link = ports.links.link_for_deal(deal_id)
        text = f"backfill from Partner Central: opportunity {opportunity_id} {detail}"
        audit(ports, backfill.cause, AuditAction.SKIP, deal_id, link, detail=text)
    backfill.record(opportunity_id, outcome, detail)
