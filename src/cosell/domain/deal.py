"""What the sync reads about a HubSpot deal, as plain values: the input of mapping and validation.

Built by the use case from HubSpot's API models, so the domain depends on no adapter.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime


@dataclass(frozen=True)
class Person:
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    job_title: str | None = None


@dataclass(frozen=True)
class CompanyView:
    company_id: str
    name: str | None = None
    domain: str | None = None
    website: str | None = None
    industry: str | None = None
    street_address: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Customers:
    """Whom a deal is about, by HubSpot id: its primary company (the one the mapping reads) and its contacts.
    A change of any of them may change what the deal maps to."""

    company_id: str | None
    contact_ids: tuple[str, ...]

    def of_type(self, customer_type: str) -> frozenset[str]:
        """The ids of `customer_type` ("companies" or "contacts", HubSpot's object types)."""
        if customer_type == "companies":
            return frozenset({self.company_id} if self.company_id else ())
        return frozenset(self.contact_ids)


@dataclass(frozen=True)
class DealView:
    deal_id: str
    name: str | None
    description: str | None = None
    pipeline_id: str | None = None
    stage_id: str | None = None
    close_date: date | None = None
    amount: Decimal | None = None
    currency_code: str | None = None
    owner: Person | None = None
    company: CompanyView | None = None
    contacts: tuple[Person, ...] = ()
    # The deal's optional `aws_*` override properties (docs/MAPPING.md), by HubSpot property name.
    overrides: dict[str, str] = field(default_factory=dict)
    # What the rep asks of AWS (aws_involvement_type, aws_visibility; cosell.domain.submission).
    involvement_type: str | None = None
    visibility: str | None = None
    # The latest change to the deal, its company or contacts (last-write-wins conflicts).
    modified_at: datetime | None = None


def fingerprint(view: DealView) -> str:
    """What was read of the deal; not when it changed (cosell's own status writes move that)."""
    read = asdict(view)
    read.pop("modified_at")
    return hashlib.sha256(json.dumps(read, sort_keys=True, default=str).encode()).hexdigest()


def with_properties(view: DealView, values: Mapping[str, str]) -> DealView:
    """The deal as it reads after the HubSpot property `values` were written to it."""
    changes: dict[str, Any] = {}
    if "dealname" in values:
        changes["name"] = values["dealname"]
    if "description" in values:
        changes["description"] = values["description"]
    if "dealstage" in values:
        changes["stage_id"] = values["dealstage"]
    if "closedate" in values:
        changes["close_date"] = date.fromisoformat(values["closedate"][:10])
    if "deal_currency_code" in values:
        changes["currency_code"] = values["deal_currency_code"]
    if "amount" in values:
        with contextlib.suppress(InvalidOperation):
            changes["amount"] = Decimal(values["amount"])
    return replace(view, **changes)
