"""Use case: push a HubSpot deal to Partner Central (create its opportunity, exactly once; once linked, keep
the pair in step with cosell.sync.sync_pair).

Reconciles, whatever triggered it: reads the deal, decides, converges. Safe to run any number of times,
concurrently or after a crash at any step:
- the link (DynamoDB, conditional write) says whether the deal already has its opportunity;
- the create request is recorded before it is sent, so a retry sends the same body with the same
  ClientToken and Partner Central returns the same opportunity;
- the HubSpot write-back runs again until it lands ("repaired").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from cosell.domain.audit import OPERATOR, AuditAction, FieldChange
from cosell.domain.mapping import map_deal
from cosell.domain.reconcile import Snapshot
from cosell.domain.synced_fields import values_of
from cosell.domain.tag import is_tagged
from cosell.hubspot import properties
from cosell.hubspot.client import HubSpotNotFoundError
from cosell.store.state import Link, PendingCreate
from cosell.sync.sync_pair import audit, sync_pair

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    from cosell.domain.audit import AuditLog, Cause
    from cosell.domain.deal import DealView
    from cosell.domain.mapping_rules import MappingRules
    from cosell.domain.reconcile import ConflictPolicy
    from cosell.domain.vocabulary import Vocabulary
    from cosell.hubspot.client import HubSpotClient
    from cosell.hubspot.models import Deal
    from cosell.store.conflicts import ConflictStore
    from cosell.store.pacer import ReadPacer, WritePacer
    from cosell.store.state import StateStore
    from cosell.sync.deal_reader import DealReader


class PushOutcome(StrEnum):
    NOT_TAGGED = "not tagged: nothing to do"
    GONE = "the deal no longer exists in HubSpot (deleted or merged): nothing to do"
    CREATED = "opportunity created"
    INVALID = "pre-flight problems written to the deal"
    STILL_INVALID = "unchanged since its problems were reported"
    REJECTED = "Partner Central refused the opportunity; reason written to the deal"
    FROM_INVITATION = "made from an AWS referral: never pushed as a new opportunity"


@dataclass(frozen=True)
class PushDealContext:
    hubspot: HubSpotClient
    reader: DealReader
    partner_central: PartnerCentralSellingAPIClient
    store: StateStore
    pacer: WritePacer
    read_pacer: ReadPacer
    conflicts: ConflictStore
    audit: AuditLog
    policy: ConflictPolicy
    rules: MappingRules
    vocabulary: Vocabulary
    catalog: str
    now: Callable[[], datetime]
    opportunity_url: Callable[[str], str]


def client_token(catalog: str, deal_id: str, fields: dict[str, Any]) -> str:
    """The deal and the body it sends. Retries after a crash reuse the recorded request (token and body
    together), so they never make a second opportunity; a deal fixed after Partner Central refused it sends a
    new body under a new token, which the refused token could not carry ("conflicting client token")."""
    body = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]
    return f"cosell-{catalog.lower()}-deal-{deal_id}-{body}"


def fingerprint(view: DealView) -> str:
    """What the mapping read; not when it changed (cosell's own status writes move that)."""
    read = asdict(view)
    read.pop("modified_at")
    return hashlib.sha256(json.dumps(read, sort_keys=True, default=str).encode()).hexdigest()


def push_deal(
    deal_id: str, context: PushDealContext, cause: Cause = OPERATOR, merged_deal_ids: Sequence[str] = ()
) -> str:
    """What happened: a `PushOutcome`, or for a linked deal what keeping the pair in step did.

    `merged_deal_ids`: deals HubSpot merged into this one. A merged deal's link moves to this deal when it
    has none, so the merged deal's opportunity keeps being synced and no second one is created.
    """
    try:
        deal = context.reader.read_deal(deal_id)
    except HubSpotNotFoundError:
        _note_gone(deal_id, context, cause)
        return PushOutcome.GONE
    link = context.store.link_for_deal(deal_id) or _take_over_merged_link(
        deal_id, [*merged_deal_ids, *_merged_away_owner(deal, context)], context, cause
    )
    if link is not None:
        # Linked deals stay in step even if the tag is removed later: the opportunity exists either way.
        return sync_pair(deal, link, context, cause)
    if not is_tagged(deal.name):
        return PushOutcome.NOT_TAGGED
    if deal.get(properties.INVITATION_ID):
        return (
            PushOutcome.FROM_INVITATION
        )  # a referral's deal gets its opportunity from AWS (take_invitation)

    view = context.reader.view(deal)
    result = map_deal(view, context.rules, context.vocabulary, context.now().date())
    if result.fields is None:
        problems = [str(problem) for problem in result.problems]
        return _report_problems(deal_id, view, problems, context, PushOutcome.INVALID, cause)

    pending = context.store.claim_create(
        deal_id, PendingCreate(client_token(context.catalog, deal_id, result.fields), result.fields)
    )
    context.pacer.acquire()
    try:
        created = context.partner_central.create_opportunity(
            Catalog=context.catalog, ClientToken=pending.client_token, **pending.fields
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ValidationException":
            raise  # throttling, 5xx, access: retried by the queue, then parked in the DLQ
        context.store.forget_create(deal_id)
        return _report_problems(
            deal_id, view, _partner_central_problems(error), context, PushOutcome.REJECTED, cause
        )

    values = values_of(pending.fields)
    link = Link(
        deal_id=deal_id,
        opportunity_id=created["Id"],
        catalog=context.catalog,
        synced_fields=pending.fields,
        synced_at=context.now().isoformat(),
        snapshot=Snapshot(hubspot=dict(values), partner_central=dict(values)),
    )
    context.store.save_link(link)
    created_fields = [FieldChange(name, None, value) for name, value in values.items() if value is not None]
    audit(
        context,
        cause,
        AuditAction.CREATE_OPPORTUNITY,
        deal_id,
        link,
        created_fields,
        f"ClientToken {pending.client_token}",
    )
    _write_synced(deal_id, link, context)
    context.store.forget_create(deal_id)
    context.store.clear_problems(deal_id)
    return PushOutcome.CREATED


def _merged_away_owner(deal: Deal, context: PushDealContext) -> list[str]:
    """The deal whose opportunity id this unlinked deal carries, if that deal is gone: HubSpot's merge fills
    the survivor's empty properties from the merged deal, `aws_opportunity_id` included. This finds the
    link whichever of the merge event and the survivor's own change events is reconciled first. A deal that
    still exists (a copy made with the id in it) keeps its link."""
    opportunity_id = deal.get(properties.OPPORTUNITY_ID)
    owner = context.store.deal_for_opportunity(context.catalog, opportunity_id) if opportunity_id else None
    if owner is None or owner == deal.id:
        return []
    try:
        still_there = (
            context.reader.read_deal(owner).id == owner
        )  # HubSpot answers a merged id with the survivor
    except HubSpotNotFoundError:
        still_there = False
    return [] if still_there else [owner]


def _take_over_merged_link(
    deal_id: str, merged_deal_ids: Sequence[str], context: PushDealContext, cause: Cause
) -> Link | None:
    for merged_id in merged_deal_ids:
        if context.store.link_for_deal(merged_id) is None:
            continue
        link = context.store.move_link(merged_id, deal_id)
        audit(
            context,
            cause,
            AuditAction.SKIP,
            deal_id,
            link,
            [FieldChange("deal", merged_id, deal_id)],
            f"deal {merged_id} was merged into this deal in HubSpot; its opportunity now syncs with it",
        )
        return link
    return None


def _note_gone(deal_id: str, context: PushDealContext, cause: Cause) -> None:
    """A linked deal deleted (or merged away) in HubSpot: its opportunity stays as it is in Partner Central
    (the API deletes no opportunity; close it there, or restore the deal). The link is kept, so a restored
    deal is in step again at its next change."""
    link = context.store.link_for_deal(deal_id)
    if link is None:
        return
    context.conflicts.clear(deal_id)  # nothing left to resolve for a deal that is gone
    audit(
        context,
        cause,
        AuditAction.SKIP,
        deal_id,
        link,
        detail="the deal no longer exists in HubSpot (deleted or merged); the opportunity is left as it is",
    )


def deals_of(
    object_type: Literal["companies", "contacts"], object_id: str, context: PushDealContext
) -> list[str]:
    """The deals a company or contact belongs to: each may now map differently (a fixed domain can turn an
    Error deal into a valid one; a linked deal's customer changed)."""
    associations = context.hubspot.list_associations(object_type, object_id, "deals")
    return sorted({association.to_object_id for association in associations})


def _write_synced(deal_id: str, link: Link, context: PushDealContext) -> None:
    context.hubspot.update_deal(
        deal_id,
        {
            properties.OPPORTUNITY_ID: link.opportunity_id,
            properties.OPPORTUNITY_URL: context.opportunity_url(link.opportunity_id),
            properties.SYNC_STATUS: "Synced",
            properties.SYNC_ERROR: "",
            properties.LAST_SYNCED_AT: link.synced_at,
            properties.REVIEW_STATUS: "Pending Submission",  # where every new opportunity starts
        },
    )


def _report_problems(
    deal_id: str,
    view: DealView,
    problems: list[str],
    context: PushDealContext,
    outcome: PushOutcome,
    cause: Cause,
) -> PushOutcome:
    seen = fingerprint(view)
    if context.store.problems_fingerprint(deal_id) == seen:
        return PushOutcome.STILL_INVALID
    audit(context, cause, AuditAction.ERROR, deal_id, detail="\n".join(problems))
    context.hubspot.update_deal(
        deal_id,
        {
            properties.SYNC_STATUS: "Error",
            properties.SYNC_ERROR: "\n".join(problems)[:65_000],
            properties.LAST_SYNCED_AT: context.now().isoformat(),
        },
    )
    context.store.save_problems(deal_id, seen, problems)
    return outcome


def _partner_central_problems(error: ClientError) -> list[str]:
    """Partner Central's ValidationException in the rep's terms: one line per field it names."""
    response: Any = error.response
    field_errors = response.get("ErrorList") or []
    if field_errors:
        return [
            f"Partner Central rejected {item.get('FieldName')}: {item.get('Message')}"
            for item in field_errors
        ]
    return [
        f"Partner Central rejected the opportunity: {response.get('Error', {}).get('Message', 'no reason given')}"
    ]
