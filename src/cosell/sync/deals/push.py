"""Use case: push a HubSpot deal to Partner Central (create its opportunity, exactly once; once linked, keep
the pair in step with cosell.sync.deals.pair).

Reconciles, whatever triggered it: reads the deal, decides, converges. Safe to run any number of times,
concurrently or after a crash at any step:
- the link (DynamoDB, conditional write) says whether the deal already has its opportunity;
- the create request is recorded before it is sent, so a retry sends the same body with the same
  ClientToken and Partner Central returns the same opportunity;
- the HubSpot write-back runs again until it lands ("repaired").
Before it creates, it looks in Partner Central (SearchOpportunities, where the account has it): an
opportunity already made for the deal is linked instead, and the customer's other open opportunities are
named on the deal as possible duplicates (cosell.domain.opportunity_search).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain import deal_properties
from cosell.domain.audit import OPERATOR, AuditAction, FieldChange
from cosell.domain.deal import fingerprint
from cosell.domain.deal_status import link_properties, partner_central_refusal, status_properties
from cosell.domain.opportunity_search import PAGE_SIZE, Found, found_by_search, search_filter
from cosell.domain.reconcile import Snapshot
from cosell.domain.stages import stage_to_create
from cosell.domain.submission import requested
from cosell.domain.synced_fields import values_of
from cosell.domain.tag import is_tagged
from cosell.domain.to_partner_central import map_deal
from cosell.hubspot.client import HubSpotNotFoundError
from cosell.metrics import Refusal
from cosell.partner_central.schema import instant
from cosell.store.state import Link, LinkChangedError, PendingCreate
from cosell.sync.deals.echoes import hubspot_seen_ms
from cosell.sync.deals.pair import sync_pair
from cosell.sync.reporting import audit, show_on_deal
from cosell.sync.solutions.choice import choose_solutions

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cosell.domain.audit import Cause
    from cosell.domain.deal import DealView
    from cosell.domain.solutions import SolutionChoice
    from cosell.domain.to_partner_central import MappingResult
    from cosell.hubspot.models import Deal
    from cosell.sync.ports import CatalogPorts, Ports


class PushOutcome(StrEnum):
    NOT_TAGGED = "not tagged: nothing to do"
    GONE = "the deal no longer exists in HubSpot (deleted or merged): nothing to do"
    CREATED = "opportunity created"
    FOUND = "opportunity made for the deal found in Partner Central and linked, not created"
    INVALID = "pre-flight problems written to the deal"
    STILL_INVALID = "unchanged since its problems were reported"
    REJECTED = "Partner Central refused the opportunity; reason written to the deal"
    FROM_INVITATION = "made from an AWS referral: never pushed as a new opportunity"
    ADOPTED = "linked to the opportunity the deal names, which already existed"
    NOT_ADOPTED = "the opportunity the deal names cannot be linked; the reason is written to the deal"


def client_token(catalog: str, deal_id: str, fields: dict[str, Any]) -> str:
    """The deal and the body it sends. Retries after a crash reuse the recorded request (token and body
    together), so they never make a second opportunity; a deal fixed after Partner Central refused it sends a
    new body under a new token, which the refused token could not carry ("conflicting client token")."""
    body = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]
    return f"cosell-{catalog.lower()}-deal-{deal_id}-{body}"


def push_deal(
    deal_id: str, ports: Ports, cause: Cause = OPERATOR, merged_deal_ids: Sequence[str] = ()
) -> str:
    """What happened: a `PushOutcome`, or for a linked deal what keeping the pair in step did.

    `merged_deal_ids`: deals HubSpot merged into this one. A merged deal's link moves to this deal when it
    has none, so the merged deal's opportunity keeps being synced and no second one is created.
    """
    try:
        deal = ports.deals.read_deal(deal_id)
    except HubSpotNotFoundError:
        _note_gone(deal_id, ports, cause)
        return PushOutcome.GONE
    link = ports.links.link_for_deal(deal_id) or _take_over_merged_link(
        deal_id, [*merged_deal_ids, *_merged_away_owner(deal, ports)], ports, cause
    )
    if link is not None:
        # Linked deals stay in step even if the tag is removed later: the opportunity exists either way.
        return sync_pair(deal, link, ports, cause)
    if (reason := reason_not_to_create(deal)) is not None:
        return reason
    named = (deal.get(deal_properties.OPPORTUNITY_ID) or "").strip()
    if named:
        return _adopt(deal, named, ports, cause)
    return push_new(deal, ports.deals.view(deal), ports, cause)


def reason_not_to_create(deal: Deal) -> PushOutcome | None:
    """Why an unlinked deal gets no opportunity from cosell, or None when it should have one."""
    if not is_tagged(deal.name):
        return PushOutcome.NOT_TAGGED
    if deal.get(deal_properties.INVITATION_ID):
        # A referral's deal gets its opportunity from AWS (cosell.sync.referrals).
        return PushOutcome.FROM_INVITATION
    return None


@dataclass(frozen=True)
class Preflight:
    """What the sync would send for a deal, or why it cannot: the same checks, with no write."""

    result: MappingResult  # its fields (None when there are problems) and what is left out
    choice: SolutionChoice | None  # None: stopped before its solutions mattered
    problems: list[str]


def preflight(view: DealView, ports: CatalogPorts) -> Preflight:
    config = ports.config
    today = ports.now().date()
    result = map_deal(view, config.rules, config.vocabulary, today, has_solution=True)
    if result.fields is None:  # what stops the deal whatever its solutions: no Partner Central call yet
        return Preflight(result, None, [str(problem) for problem in result.problems])
    choice, _ = choose_solutions(view, ports, result.draft)
    if not choice.ids or choice.unknown:  # a stage that needs a solution cannot be sent
        result = map_deal(view, config.rules, config.vocabulary, today, has_solution=False)
    problems = [] if result.fields is not None else [str(p) for p in result.problems] + choice.problems
    return Preflight(result, choice, problems)


def push_new(deal: Deal, view: DealView, ports: Ports, cause: Cause) -> str:
    """The create path of a deal that should have an opportunity and has none (`reason_not_to_create` is None):
    pre-flight, then CreateOpportunity exactly once, the link, the deal told."""
    deal_id = deal.id
    config = ports.config
    checked = preflight(view, ports)
    result, choice = checked.result, checked.choice
    if result.fields is None or choice is None:
        return _report_problems(
            deal_id, fingerprint(view), checked.problems, ports, PushOutcome.INVALID, cause
        )

    fields = _to_create(result.fields)
    found = _look_before_creating(deal_id, fields, ports)
    if found.made_for_deal is not None:
        link = _link_found(deal_id, found.made_for_deal, fields, found.duplicates, ports, cause)
        in_step = sync_pair(ports.deals.read_deal(deal_id), link, ports, cause)
        return f"{PushOutcome.FOUND}; {in_step}"
    pending = ports.links.claim_create(
        deal_id, PendingCreate(client_token(config.catalog, deal_id, fields), fields)
    )
    if (linked := ports.links.link_for_deal(deal_id)) is not None:
        # Another run (the worker, while a backfill runs) created it after this one looked: it saves the link
        # before it forgets its recorded create, so a claim taken after that sees the link here.
        ports.links.forget_create(deal_id)
        return sync_pair(ports.deals.read_deal(deal_id), linked, ports, cause)
    try:
        created = ports.partner_central.create_opportunity(
            Catalog=config.catalog, ClientToken=pending.client_token, **pending.fields
        )
    except ClientError as error:
        if error_code(error) != "ValidationException":
            raise  # throttling, 5xx, access: retried by the queue, then parked in the DLQ
        ports.links.forget_create(deal_id)
        refusal = partner_central_refusal(error.response, "the opportunity")
        return _report_problems(deal_id, fingerprint(view), refusal, ports, PushOutcome.REJECTED, cause)

    values = values_of(pending.fields)
    link = Link(
        deal_id=deal_id,
        opportunity_id=created["Id"],
        catalog=config.catalog,
        synced_fields=pending.fields,
        synced_at=ports.now().isoformat(),
        snapshot=Snapshot(hubspot=dict(values), partner_central=dict(values)),
        warnings=found.duplicates,
    )
    ports.links.save_link(link)
    created_fields = [FieldChange(name, None, value) for name, value in values.items() if value is not None]
    audit(
        ports,
        cause,
        AuditAction.CREATE_OPPORTUNITY,
        deal_id,
        link,
        created_fields,
        "; ".join(
            [
                f"ClientToken {pending.client_token}",
                *(f"left out: {w}" for w in result.warnings),
                *link.warnings,
            ]
        ),
    )
    ports.hubspot.update_deal(
        deal_id,
        {
            **link_properties(link.opportunity_id, config.opportunity_url(link.opportunity_id)),
            **status_properties(warnings=[*result.warnings, *link.warnings]),
            deal_properties.LAST_SYNCED_AT: link.synced_at,
            deal_properties.REVIEW_STATUS: "Pending Submission",  # where every new opportunity starts
        },
    )
    ports.links.forget_create(deal_id)
    ports.links.clear_problems(deal_id)
    # Only now, the deal told: a retry of this request after a failed write-back must not count as seen.
    made_at = instant(created.get("LastModifiedDate"))
    try:
        link = ports.links.save_snapshot(
            link,
            link.last_in_step,
            link.synced_at,
            hubspot_seen_ms(deal),
            made_at.isoformat() if made_at else None,
        )
    except LinkChangedError:
        # Another sync of the new pair (a backfill, an operator's link, beside the worker) read both sides
        # after the creation and saved first: its snapshot stands. Only this run's seen-marks are lost.
        saved = ports.links.link_for_deal(deal_id)
        if saved is None:
            return f"{PushOutcome.CREATED}; unlinked since by an operator"
        link = saved
    if not (choice.ids or choice.problems or requested(view, config.rules)):
        return PushOutcome.CREATED
    # Its solutions, the stage they allow, the submission, and what the deal names that the catalog does not
    # have: keeping the new pair in step does them (from the link as saved: an unsettled run takes its marks back).
    in_step = sync_pair(ports.deals.read_deal(deal_id), link, ports, cause)
    return f"{PushOutcome.CREATED}; {in_step}"


def _look_before_creating(deal_id: str, fields: dict[str, Any], ports: Ports) -> Found:
    """What Partner Central already holds for the deal whose opportunity `fields` would create."""
    catalog = ports.config.catalog
    company_name = ((fields.get("Customer") or {}).get("Account") or {}).get("CompanyName")
    summaries = ports.opportunity_search.search(catalog, search_filter(deal_id, company_name), PAGE_SIZE)
    if summaries is None:  # the account has no SearchOpportunities: create as before
        return Found(made_for_deal=None, duplicates=())
    linked = frozenset(
        summary["Id"]
        for summary in summaries
        if summary.get("PartnerOpportunityIdentifier") == deal_id
        and ports.links.deal_for_opportunity(catalog, summary["Id"]) not in (None, deal_id)
    )
    return found_by_search(summaries, deal_id, company_name, linked)


def _link_found(
    deal_id: str,
    opportunity_id: str,
    fields: dict[str, Any],
    warnings: tuple[str, ...],
    ports: Ports,
    cause: Cause,
) -> Link:
    """Link the deal to the opportunity made for it, as if both had last been in step at what Partner Central
    holds: what the deal says now is then pushed by the pair's sync, as a create would have sent it."""
    opportunity = ports.partner_central.get_opportunity(
        Catalog=ports.config.catalog, Identifier=opportunity_id
    )
    values = values_of(opportunity)
    link = Link(
        deal_id=deal_id,
        opportunity_id=opportunity_id,
        catalog=ports.config.catalog,
        synced_fields=fields,
        synced_at=ports.now().isoformat(),
        snapshot=Snapshot(hubspot=dict(values), partner_central=dict(values)),
        warnings=warnings,
    )
    ports.links.save_link(link)
    ports.links.forget_create(deal_id)  # a create a crash interrupted: the opportunity it made was found
    ports.links.clear_problems(deal_id)
    audit(
        ports,
        cause,
        AuditAction.SKIP,
        deal_id,
        link,
        [FieldChange("opportunity", None, opportunity_id)],
        f"not created: Partner Central already has opportunity {opportunity_id} made for this deal "
        f"(PartnerOpportunityIdentifier {deal_id}); linked to it",
    )
    return link


def _adopt(deal: Deal, opportunity_id: str, ports: Ports, cause: Cause) -> str:
    """The deal names an opportunity: linked to it if it exists and no other deal has it, never a second
    one made (cosell.sync.deals.adopt); otherwise why not, on the deal."""
    # Loaded on first use: few deals name an opportunity before they are linked.
    from cosell.domain.adoption import NotAdoptable, refusal_fingerprint
    from cosell.sync.deals.adopt import adoptable, link_existing

    found = adoptable(deal.id, opportunity_id, ports)
    if isinstance(found, NotAdoptable):
        problems = [str(found.problem())]
        seen = refusal_fingerprint(opportunity_id, problems)
        return _report_problems(deal.id, seen, problems, ports, PushOutcome.NOT_ADOPTED, cause)
    link = link_existing(
        deal, found, ports, cause, "the deal's aws_opportunity_id names an existing opportunity"
    )
    return f"{PushOutcome.ADOPTED}; {sync_pair(deal, link, ports, cause)}"


def _to_create(fields: dict[str, Any]) -> dict[str, Any]:
    life_cycle = fields["LifeCycle"]
    stage = stage_to_create(life_cycle["Stage"])
    return fields if stage == life_cycle["Stage"] else {**fields, "LifeCycle": {**life_cycle, "Stage": stage}}


def _merged_away_owner(deal: Deal, ports: Ports) -> list[str]:
    """The deal whose opportunity id this unlinked deal carries, if that deal is gone: HubSpot's merge fills
    the survivor's empty properties from the merged deal, `aws_opportunity_id` included. This finds the
    link whichever of the merge event and the survivor's own change events is reconciled first. A deal that
    still exists (a copy made with the id in it) keeps its link."""
    opportunity_id = deal.get(deal_properties.OPPORTUNITY_ID)
    owner = ports.links.deal_for_opportunity(ports.config.catalog, opportunity_id) if opportunity_id else None
    if owner is None or owner == deal.id:
        return []
    try:
        # HubSpot answers a merged id with the survivor.
        still_there = ports.deals.read_deal(owner).id == owner
    except HubSpotNotFoundError:
        still_there = False
    return [] if still_there else [owner]


def _take_over_merged_link(
    deal_id: str, merged_deal_ids: Sequence[str], ports: Ports, cause: Cause
) -> Link | None:
    for merged_id in merged_deal_ids:
        if ports.links.link_for_deal(merged_id) is None:
            continue
        link = ports.links.move_link(merged_id, deal_id)
        audit(
            ports,
            cause,
            AuditAction.SKIP,
            deal_id,
            link,
            [FieldChange("deal", merged_id, deal_id)],
            f"deal {merged_id} was merged into this deal in HubSpot; its opportunity now syncs with it",
        )
        return link
    return None


def _note_gone(deal_id: str, ports: Ports, cause: Cause) -> None:
    """A linked deal deleted (or merged away) in HubSpot: its opportunity stays as it is in Partner Central
    (the API deletes no opportunity; close it there, or restore the deal). The link is kept, so a restored
    deal is in step again at its next change."""
    link = ports.links.link_for_deal(deal_id)
    if link is None:
        return
    ports.conflicts.clear(deal_id)  # nothing left to resolve for a deal that is gone
    audit(
        ports,
        cause,
        AuditAction.SKIP,
        deal_id,
        link,
        detail="the deal no longer exists in HubSpot (deleted or merged); the opportunity is left as it is",
    )


def _report_problems(
    deal_id: str, seen: str, problems: list[str], ports: Ports, outcome: PushOutcome, cause: Cause
) -> PushOutcome:
    """`seen`: what the problems were found in; the same again is not reported again."""
    if ports.links.problems_fingerprint(deal_id) == seen:
        return PushOutcome.STILL_INVALID
    audit(ports, cause, AuditAction.ERROR, deal_id, detail="\n".join(problems), refusal=Refusal.INVALID_DEAL)
    show_on_deal(ports, deal_id, status_properties(problems))
    ports.links.save_problems(deal_id, seen, problems)
    return outcome
