"""Use case: push a HubSpot deal to Partner Central (create its opportunity, exactly once).

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
from collections import Counter
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from cosell.domain.mapping import map_deal
from cosell.domain.tag import is_tagged
from cosell.hubspot import properties
from cosell.hubspot.client import HubSpotNotFoundError
from cosell.store.state import Link, PendingCreate

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    from cosell.domain.deal import DealView
    from cosell.domain.mapping_rules import MappingRules
    from cosell.domain.vocabulary import Vocabulary
    from cosell.hubspot.client import HubSpotClient
    from cosell.hubspot.models import Deal
    from cosell.store.pacer import WritePacer
    from cosell.store.state import StateStore
    from cosell.sync.deal_reader import DealReader


class PushOutcome(StrEnum):
    NOT_TAGGED = "not tagged: nothing to do"
    GONE = "the deal no longer exists in HubSpot (deleted or merged): nothing to do"
    CREATED = "opportunity created"
    LINKED = "already linked"
    REPAIRED = "already linked; HubSpot status repaired"
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
    return hashlib.sha256(json.dumps(asdict(view), sort_keys=True, default=str).encode()).hexdigest()


def push_deal(deal_id: str, context: PushDealContext) -> PushOutcome:
    try:
        deal = context.reader.read_deal(deal_id)
    except HubSpotNotFoundError:
        return PushOutcome.GONE  # its linked opportunity, if any, stays as it is in Partner Central
    if not is_tagged(deal.name):
        return PushOutcome.NOT_TAGGED
    link = context.store.link_for_deal(deal_id)
    if link is not None:
        return _repair_write_back(deal, link, context)
    if deal.get(properties.INVITATION_ID):
        return (
            PushOutcome.FROM_INVITATION
        )  # a referral's deal gets its opportunity from AWS (take_invitation)

    view = context.reader.view(deal)
    result = map_deal(view, context.rules, context.vocabulary, context.now().date())
    if result.fields is None:
        problems = [str(problem) for problem in result.problems]
        return _report_problems(deal_id, view, problems, context, PushOutcome.INVALID)

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
            deal_id, view, _partner_central_problems(error), context, PushOutcome.REJECTED
        )

    link = Link(
        deal_id=deal_id,
        opportunity_id=created["Id"],
        catalog=context.catalog,
        synced_fields=pending.fields,
        synced_at=context.now().isoformat(),
    )
    context.store.save_link(link)
    _write_synced(deal_id, link, context)
    context.store.forget_create(deal_id)
    context.store.clear_problems(deal_id)
    return PushOutcome.CREATED


def push_deals_of(
    object_type: Literal["companies", "contacts"], object_id: str, context: PushDealContext
) -> str:
    """A company or contact changed: each deal it belongs to may now map differently (a fixed domain can
    turn an Error deal into a valid one), so each is pushed. Linked deals are left as they are."""
    associations = context.hubspot.list_associations(object_type, object_id, "deals")
    deal_ids = sorted({association.to_object_id for association in associations})
    outcomes = Counter(push_deal(deal_id, context).value for deal_id in deal_ids)
    return "; ".join(f"{count} × {outcome}" for outcome, count in sorted(outcomes.items())) or "no deals"


def _repair_write_back(deal: Deal, link: Link, context: PushDealContext) -> PushOutcome:
    if (
        deal.get(properties.OPPORTUNITY_ID) == link.opportunity_id
        and deal.get(properties.SYNC_STATUS) == "Synced"
    ):
        return PushOutcome.LINKED
    _write_synced(deal.id, link, context)
    return PushOutcome.REPAIRED


def _write_synced(deal_id: str, link: Link, context: PushDealContext) -> None:
    context.hubspot.update_deal(
        deal_id,
        {
            properties.OPPORTUNITY_ID: link.opportunity_id,
            properties.OPPORTUNITY_URL: context.opportunity_url(link.opportunity_id),
            properties.SYNC_STATUS: "Synced",
            properties.SYNC_ERROR: "",
            properties.LAST_SYNCED_AT: link.synced_at,
        },
    )


def _report_problems(
    deal_id: str, view: DealView, problems: list[str], context: PushDealContext, outcome: PushOutcome
) -> PushOutcome:
    seen = fingerprint(view)
    if context.store.problems_fingerprint(deal_id) == seen:
        return PushOutcome.STILL_INVALID
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
