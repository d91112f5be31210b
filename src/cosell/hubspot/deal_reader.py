"""Reads one deal and everything its mapping needs from HubSpot, in as few calls as HubSpot allows.

The deal alone costs one request (with its contact ids), which settles most webhooks: an untagged deal needs
nothing more. Its view costs three: the company associations (to find the primary one), the company, the
contacts in one batch. The views of many deals (`views`) cost about four requests a hundred deals. Owners
change rarely and are read once per execution environment for `owner_cache_seconds`.

Whom each deal is about (its primary company and its contacts) is told to `customers_found` once the
associations are read and before the companies and contacts are, so a change of one of them after that
reaches the deal through the customer index (cosell.sync.deals.fan_out) without a HubSpot read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.domain import deal_properties
from cosell.domain.aws_summary import SUMMARY_PROPERTIES
from cosell.domain.deal import CompanyView, Customers, DealView, Person
from cosell.domain.tag import is_tagged
from cosell.hubspot import properties
from cosell.hubspot.models import DEAL_TO_PRIMARY_COMPANY
from cosell.hubspot.properties import TAG_FILTERS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from cosell.hubspot.client import HubSpotClient
    from cosell.hubspot.models import Association, Company, Contact, Deal, Owner

DEAL_PROPERTIES = (
    *properties.MAPPED_DEAL_PROPERTIES,
    deal_properties.OPPORTUNITY_ID,
    deal_properties.OPPORTUNITY_URL,
    deal_properties.SYNC_STATUS,
    deal_properties.SYNC_ERROR,
    deal_properties.SYNC_WAITING,
    deal_properties.SYNC_WARNINGS,
    deal_properties.REVIEW_STATUS,
    deal_properties.REVIEW_COMMENTS,
    deal_properties.NEXT_STEPS,
    deal_properties.INVITATION_ID,
    deal_properties.ENGAGEMENT_ID,
    deal_properties.SOLUTIONS,
    deal_properties.SUBMISSION_STATUS,
    *SUMMARY_PROPERTIES,
    deal_properties.SUMMARY_UPDATED_AT,
    *deal_properties.SUBMISSION_REQUEST,
    *deal_properties.OVERRIDES,
)


@dataclass(frozen=True)
class DealAssociations:
    """Deal id → its associated companies, and its contacts, as read at `read_at_ms` (epoch ms)."""

    companies: dict[str, list[Association]]
    contacts: dict[str, list[Association]]
    read_at_ms: int

    def customers(self, deal_id: str) -> Customers:
        companies = self.companies.get(deal_id)
        return Customers(
            company_id=_primary(companies) if companies else None,
            contact_ids=tuple(association.to_object_id for association in self.contacts.get(deal_id, [])),
        )


def _ignore(found: Mapping[str, Customers], read_at_ms: int) -> None:
    """Where nothing keeps an index (the local demo's reader)."""


class DealReader:
    def __init__(
        self,
        hubspot: HubSpotClient,
        *,
        owner_cache_seconds: float = 600,
        clock: Callable[[], float] = time.monotonic,
        customers_found: Callable[[Mapping[str, Customers], int], None] = _ignore,
        wall_clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    ) -> None:
        self._hubspot = hubspot
        self._customers_found = customers_found
        self._wall_clock_ms = wall_clock_ms
        self._owner_cache_seconds = owner_cache_seconds
        self._clock = clock
        self._owners: dict[str, Owner] = {}
        self._owners_read_at: float | None = None

    def read_deal(self, deal_id: str) -> Deal:
        """The deal alone (one request): enough to decide whether it is synced at all."""
        return self._hubspot.get_deal(deal_id, DEAL_PROPERTIES, associations=("contacts",))

    def tagged_deal_ids(self) -> list[str]:
        """Every deal whose name carries the `#AWS` tag, by id (search: 5 requests a second, at most 10,000
        results). The search finds names holding the token (HubSpot's tokens of `#AWS`: `aws`, or `#aws`);
        the tag's own rule (cosell.domain.tag) keeps the tagged ones."""
        found = self._hubspot.find_deals(TAG_FILTERS, ["dealname"])
        return sorted((deal.id for deal in found if is_tagged(deal.name)), key=lambda i: (len(i), i))

    def view(self, deal: Deal) -> DealView:
        """Everything the mapping needs: the deal's primary company, contacts and owner (three requests)."""
        # Orders this read among other reads of the deal (cosell.store.customers), taken before the read.
        read_at_ms = self._wall_clock_ms()
        associated = self._hubspot.batch_read_associations("deals", "companies", [deal.id])[deal.id]
        contact_ids = deal.associated_ids("contacts")
        company_id = _primary(associated) if associated else None
        self._customers_found({deal.id: Customers(company_id, tuple(contact_ids))}, read_at_ms)
        companies = (
            self._hubspot.batch_read_companies([company_id], properties.COMPANY_PROPERTIES)
            if company_id
            else []
        )
        contacts = self._hubspot.batch_read_contacts(contact_ids, properties.CONTACT_PROPERTIES)
        return self._view(deal, companies[0] if companies else None, contacts)

    def associations(self, deal_ids: Sequence[str]) -> DealAssociations:
        """The companies and contacts of many deals: two requests for up to 1,000 deals."""
        read_at_ms = self._wall_clock_ms()
        return DealAssociations(
            companies=self._hubspot.batch_read_associations("deals", "companies", deal_ids),
            contacts=self._hubspot.batch_read_associations("deals", "contacts", deal_ids),
            read_at_ms=read_at_ms,
        )

    def views(
        self, deals: Sequence[Deal], associations: DealAssociations | None = None
    ) -> dict[str, DealView]:
        """What `view` reads, for many deals at once: their companies and contacts 100 a request (deals
        sharing one read it once), and their `associations` unless the caller read them already."""
        links = associations or self.associations([deal.id for deal in deals])
        customers = {deal.id: links.customers(deal.id) for deal in deals}
        self._customers_found(customers, links.read_at_ms)
        primary = {deal_id: found.company_id for deal_id, found in customers.items() if found.company_id}
        companies = {
            company.id: company
            for company in self._hubspot.batch_read_companies(
                sorted(set(primary.values())), properties.COMPANY_PROPERTIES
            )
        }
        contact_ids = {deal_id: found.contact_ids for deal_id, found in customers.items()}
        contacts = {
            contact.id: contact
            for contact in self._hubspot.batch_read_contacts(
                sorted({contact_id for ids in contact_ids.values() for contact_id in ids}),
                properties.CONTACT_PROPERTIES,
            )
        }
        return {
            deal.id: self._view(
                deal,
                companies.get(primary.get(deal.id, "")),
                [contacts[contact_id] for contact_id in contact_ids[deal.id] if contact_id in contacts],
            )
            for deal in deals
        }

    def _view(self, deal: Deal, company: Company | None, contacts: Sequence[Contact]) -> DealView:
        close = deal.close_date
        modified_at = max(
            [deal.updated_at, *(contact.updated_at for contact in contacts)]
            + ([company.updated_at] if company else [])
        )
        return DealView(
            deal_id=deal.id,
            name=deal.name,
            description=deal.get("description"),
            pipeline_id=deal.pipeline_id,
            stage_id=deal.stage_id,
            close_date=close.date() if close else None,
            amount=deal.amount,
            currency_code=deal.currency_code,
            owner=self._owner(deal.owner_id),
            company=_company_view(company) if company else None,
            contacts=tuple(_person(contact) for contact in sorted(contacts, key=lambda c: c.id)),
            overrides={name: value for name in deal_properties.OVERRIDES if (value := deal.get(name))},
            involvement_type=deal.get(deal_properties.INVOLVEMENT_TYPE),
            visibility=deal.get(deal_properties.VISIBILITY),
            modified_at=modified_at,
        )

    def _owner(self, owner_id: str | None) -> Person | None:
        if not owner_id:
            return None
        stale = (
            self._owners_read_at is None or self._clock() - self._owners_read_at > self._owner_cache_seconds
        )
        if stale or owner_id not in self._owners:
            self._owners = {owner.id: owner for owner in self._hubspot.list_owners()}
            self._owners_read_at = self._clock()
        owner = self._owners.get(owner_id)
        if owner is None:
            return None
        return Person(email=owner.email, first_name=owner.first_name, last_name=owner.last_name)


def _primary(associations: Sequence[Association]) -> str:
    """The deal's primary company among its associated ones (or the first)."""
    return next(
        (a for a in associations if DEAL_TO_PRIMARY_COMPANY in a.type_ids), associations[0]
    ).to_object_id


def _company_view(company: Company) -> CompanyView:
    return CompanyView(
        company_id=company.id,
        name=company.name,
        domain=company.domain,
        website=company.get("website"),
        industry=company.get("industry"),
        street_address=company.get("address"),
        city=company.get("city"),
        state=company.get("state"),
        postal_code=company.get("zip"),
        country=company.get("country"),
    )


def _person(contact: Contact) -> Person:
    return Person(
        email=contact.email,
        first_name=contact.get("firstname"),
        last_name=contact.get("lastname"),
        phone=contact.get("phone") or contact.get("mobilephone"),
        job_title=contact.get("jobtitle"),
    )
