"""What the sync reads about a HubSpot deal, as plain values: the input of mapping and validation.

Built by the use case from HubSpot's API models, so the domain depends on no adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date, datetime
    from decimal import Decimal


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
    # The latest change to the deal, its company or contacts (last-write-wins conflicts).
    modified_at: datetime | None = None
