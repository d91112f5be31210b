"""Find-or-create of HubSpot deals, companies and contacts, for any use case that makes records from Partner
Central's (an AWS referral today; engagement members next).

HubSpot has no idempotency key (docs/CONTRACTS.md, "HubSpot writes"), so:
- a company is matched by its domain and a contact by its e-mail before one is created (e-mails are unique:
  a 409 means someone created it just now, and names it; HubSpot's search index lags behind writes, so the
  search may not have seen it);
- a deal is created only under a `Claim` taken first (a lease held by one worker); whoever takes over an
  expired claim searches for the deal its dead holder may have made before creating one. A run that fails
  before it asks HubSpot to create the deal (a search, a contact HubSpot refuses) releases its claim: its retry
  need not wait out the lease (a queue retry inside it would find the claim held and fail again).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol, TypeVar

from cosell.domain.claims import ClaimTaken
from cosell.hubspot.client import HubSpotConflictError
from cosell.hubspot.models import DEAL_TO_CONTACT, DEAL_TO_PRIMARY_COMPANY, AssociationInput, SearchFilter

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from cosell.domain.to_hubspot import CompanyFields, ContactFields
    from cosell.hubspot.crm import HubSpotCrm


_Prepared = TypeVar("_Prepared")


class Claim(Protocol):
    """The right to create one record, held by one worker at a time."""

    def take(self) -> ClaimTaken: ...
    def recorded(self) -> str | None:
        """The id of the record, once whoever created it has recorded it."""
        ...

    def record(self, record_id: str) -> None: ...
    def release(self) -> None:
        """Give the claim up: nothing was created under it."""
        ...


class ClaimHeldError(Exception):
    """Another worker is creating the record: try again after its lease."""


def create_deal_once(
    hubspot: HubSpotCrm,
    claim: Claim,
    found_by: SearchFilter,
    prepare: Callable[[], _Prepared],
    create: Callable[[_Prepared], str],
) -> tuple[str, bool]:
    """The one deal `found_by` identifies, and whether this call created it. `prepare` does what comes before
    the create (its associations' records) and `create` makes the deal from what it prepared."""
    taken = claim.take()
    if taken is ClaimTaken.HELD:
        recorded = claim.recorded()
        if recorded is not None:
            return recorded, False
        raise ClaimHeldError(
            f"another worker is creating the deal with {found_by.property_name} {found_by.value}"
        )
    try:
        # Only a takeover can find a deal, so the search (HubSpot's index lags) runs minutes after any creation.
        found = _oldest(hubspot.find_deals([[found_by]])) if taken is ClaimTaken.TAKEOVER else None
        if found is None:
            prepared = prepare()
    except Exception:
        claim.release()
        raise
    deal_id = found if found is not None else create(prepared)
    claim.record(deal_id)
    return deal_id, found is None


def associations(
    hubspot: HubSpotCrm, company: CompanyFields | None, contacts: Sequence[ContactFields]
) -> list[AssociationInput]:
    """A new deal's associations: its primary company and its contacts, each found or created."""
    links = []
    if company is not None:
        links.append(
            AssociationInput(to_id=find_or_create_company(hubspot, company), type_id=DEAL_TO_PRIMARY_COMPANY)
        )
    links += [
        AssociationInput(to_id=contact_id, type_id=DEAL_TO_CONTACT)
        for contact_id in find_or_create_contacts(hubspot, contacts)
    ]
    return links


def find_or_create_company(hubspot: HubSpotCrm, company: CompanyFields) -> str:
    if company.domain:
        found = hubspot.find_companies(
            [[SearchFilter(property_name="domain", operator="EQ", value=company.domain)]]
        )
        if found:
            return _oldest(found) or found[0].id
    return hubspot.create_company(company.properties).id


def find_or_create_contacts(hubspot: HubSpotCrm, contacts: Sequence[ContactFields]) -> list[str]:
    """Each contact matched by e-mail (one search for all: HubSpot allows 5 searches a second) or created."""

    def existing() -> dict[str, str]:
        found = hubspot.find_contacts(
            [[SearchFilter(property_name="email", operator="IN", values=[c.email for c in contacts])]],
            ("email",),
        )
        ids: dict[str, str] = {}
        for match in sorted(found, key=lambda contact: int(contact.id)):
            ids.setdefault((match.email or "").lower(), match.id)
        return ids

    if not contacts:
        return []
    known = existing()
    for contact in contacts:
        if contact.email in known:
            continue
        try:
            known[contact.email] = hubspot.create_contact(contact.properties).id
        except HubSpotConflictError as conflict:
            # HubSpot keeps e-mails unique: someone created it just now, and its search index may not show it
            # yet. The answer names the contact ("Contact already exists. Existing ID: 123").
            named = _EXISTING_ID.search(conflict.message)
            if named is not None:
                known[contact.email] = named.group(1)
                continue
            known = existing() | known
            if contact.email not in known:
                raise
    return [known[contact.email] for contact in contacts]


_EXISTING_ID = re.compile(r"Existing ID: (\d+)")


class _Record(Protocol):
    @property
    def id(self) -> str: ...


def _oldest(records: Sequence[_Record]) -> str | None:
    """The first made of several matches (HubSpot ids grow with time), so every run picks the same one."""
    return min((record.id for record in records), key=int, default=None)
