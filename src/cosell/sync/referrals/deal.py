"""A referral's one HubSpot deal: created once under the referral's claim, or found again; and closing a
referral with what happened said on its deal."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from cosell.domain import deal_properties
from cosell.domain.aws_summary import summary_properties
from cosell.domain.claims import ClaimTaken
from cosell.domain.deal_status import link_properties, review_properties, status_properties
from cosell.domain.reconcile import Snapshot
from cosell.domain.referral import Phase
from cosell.domain.synced_fields import values_of
from cosell.hubspot.client import HubSpotValidationError
from cosell.hubspot.models import SearchFilter
from cosell.hubspot.records import ClaimHeldError, associations, create_deal_once
from cosell.store.state import Link, linked_members
from cosell.sync.referrals.outcomes import DealClaimHeldError
from cosell.sync.reporting import show_on_deal

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from cosell.domain.to_hubspot import ReferralDeal
    from cosell.hubspot.models import AssociationInput, Deal
    from cosell.hubspot.records import Claim
    from cosell.store.invitations import InvitationState
    from cosell.sync.ports import Ports
    from cosell.sync.referrals.outcomes import TakeOutcome


class ReferralDealClaim:
    """The referral's claim on its deal, kept with the referral's state (a lease: cosell.store.invitations)."""

    def __init__(self, ports: Ports, invitation_id: str) -> None:
        self._ports = ports
        self._invitation_id = invitation_id
        self._taken: tuple[ClaimTaken, int] | None = None  # how, and when this run took it

    def take(self) -> ClaimTaken:
        ports = self._ports
        now_ms = int(ports.now().timestamp() * 1000)
        lease_ms = int(ports.config.deal_claim_lease.total_seconds() * 1000)
        taken = ports.referrals.claim_deal(ports.config.catalog, self._invitation_id, now_ms, lease_ms)
        self._taken = (taken, now_ms)
        return taken

    def release(self) -> None:
        assert self._taken is not None  # only a claim taken is released
        taken, at_ms = self._taken
        self._ports.referrals.release_deal_claim(
            self._ports.config.catalog, self._invitation_id, at_ms, takeover=taken is ClaimTaken.TAKEOVER
        )

    def recorded(self) -> str | None:
        current = self._ports.referrals.get(self._ports.config.catalog, self._invitation_id)
        return current.deal_id if current is not None else None

    def record(self, record_id: str) -> None:
        self._ports.referrals.record_deal(self._ports.config.catalog, self._invitation_id, record_id)


def ensure_deal(
    invitation_id: str,
    engagement_id: str | None,
    state: InvitationState,
    referral: ReferralDeal,
    extra: Mapping[str, str],
    ports: Ports,
) -> tuple[str, bool]:
    """The referral's one deal, and whether this run created it: recorded, found again after a crash, or
    created under the claim."""
    if state.deal_id is not None:
        return state.deal_id, False
    values = {deal_properties.INVITATION_ID: invitation_id, **extra}
    if engagement_id:
        values[deal_properties.ENGAGEMENT_ID] = engagement_id
    found_by = SearchFilter(property_name=deal_properties.INVITATION_ID, operator="EQ", value=invitation_id)
    try:
        return make_deal(referral, values, ReferralDealClaim(ports, invitation_id), found_by, ports)
    except ClaimHeldError as held:
        lease = ports.config.deal_claim_lease.total_seconds()
        raise DealClaimHeldError(f"invitation {invitation_id}: {held}", math.ceil(lease)) from None


def make_deal(
    made: ReferralDeal, extra: Mapping[str, str], claim: Claim, found_by: SearchFilter, ports: Ports
) -> tuple[str, bool]:
    """The one deal made from what Partner Central shows (`made`, with the properties `extra`), its company
    and contacts found or created, under `claim`; after a takeover, the deal `found_by` finds (the dead
    holder's) instead. Whether this call created it."""

    def create(links: list[AssociationInput]) -> str:
        values = made.deal | dict(extra)
        if ports.config.invitation_owner_id:
            values["hubspot_owner_id"] = ports.config.invitation_owner_id
        return write_deal(values, ports, lambda fields: ports.hubspot.create_deal(fields, links))

    return create_deal_once(
        ports.hubspot,
        claim,
        found_by,
        lambda: associations(ports.hubspot, made.company, made.contacts),
        create,
    )


def linked_properties(
    opportunity: Mapping[str, Any], summary: Mapping[str, Any], synced_at: str, ports: Ports
) -> dict[str, str]:
    """What a deal made from an opportunity shows of it from the start: the link, AWS's review and what AWS
    says of it (the pair's sync keeps them: cosell.domain.aws_summary), Synced."""
    opportunity_id = str(opportunity["Id"])
    return {
        **link_properties(opportunity_id, ports.config.opportunity_url(opportunity_id)),
        **status_properties(),
        deal_properties.LAST_SYNCED_AT: synced_at,
        **review_properties(opportunity),
        **summary_properties(summary),
        deal_properties.SUMMARY_UPDATED_AT: synced_at,
    }


def link_made_deal(deal_id: str, opportunity: Mapping[str, Any], synced_at: str, ports: Ports) -> Link:
    """Link a deal made from the opportunity to it. Partner Central's values are the starting point; the
    deal's are taken at its first sync."""
    link = Link(
        deal_id=deal_id,
        opportunity_id=str(opportunity["Id"]),
        catalog=ports.config.catalog,
        synced_fields=linked_members(opportunity),
        synced_at=synced_at,
        snapshot=Snapshot(hubspot={}, partner_central=values_of(opportunity)),
    )
    ports.links.save_link(link)
    return link


def write_deal(values: Mapping[str, str], ports: Ports, write: Callable[[dict[str, str]], Deal]) -> str:
    """Create or update the deal. A currency the HubSpot account does not have is left out (HubSpot refuses
    it, and retrying could not help) and said in a note, instead of failing the referral for good."""
    try:
        return write(dict(values)).id
    except HubSpotValidationError as error:
        currency = values.get("deal_currency_code")
        if currency is None or error.refused_properties != {"deal_currency_code"}:
            raise
    deal = write({name: value for name, value in values.items() if name != "deal_currency_code"})
    ports.hubspot.create_note(
        deal.id,
        f"AWS states the expected spend in {currency}, a currency this HubSpot account does not have: the "
        f"deal's amount is in {currency}. Add the currency in HubSpot's settings, or convert the amount.",
        ports.now(),
    )
    return deal.id


def close(
    invitation_id: str,
    deal_id: str | None,
    status: str,
    what_happened: str,
    ports: Ports,
    outcome: TakeOutcome,
) -> TakeOutcome:
    """The referral ends here. Its deal (review mode) says what happened; without a deal, nothing is made."""
    if deal_id is not None:
        show_on_deal(ports, deal_id, {deal_properties.INVITATION_STATUS: status, **status_properties()})
        ports.hubspot.create_note(deal_id, what_happened, ports.now())
    ports.referrals.advance(ports.config.catalog, invitation_id, Phase.CLOSED, detail=what_happened)
    return outcome
