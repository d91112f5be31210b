"""A partner's HubSpot as cosell finds it on install: tagged deals made before, in bulk, of every kind a
backfill meets (tests/e2e/test_backfill.py, bench/backfill.py).

Each deal has its own company (domain `customer<n>.example`) and one contact, as a rep makes them. An
opportunity "made elsewhere" is what another tool would have put in Partner Central for the deal: the deal's
own fields, sent with a ClientToken that is not cosell's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cosell.domain.mapping_rules import MappingRules
from cosell.domain.to_partner_central import map_deal
from cosell.hubspot.deal_reader import DealReader
from cosell.hubspot.models import DEAL_TO_CONTACT, DEAL_TO_PRIMARY_COMPANY, AssociationInput
from cosell.partner_central.schema import vocabulary
from cosell_local.demo.rep import deal_properties

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    from cosell.hubspot.client import HubSpotClient


def existing_deal(hubspot: HubSpotClient, number: int, name: str, **extra: str) -> str:
    """Deal `number` with its company and contact (three requests); `extra` changes its properties."""
    return hubspot.create_deal(deal_properties(name, **extra), customer(hubspot, number)).id


def customer(hubspot: HubSpotClient, number: int) -> list[AssociationInput]:
    """Customer `number`'s company and contact (two requests), as a deal's associations to them."""
    domain = f"customer{number}.example"
    company = hubspot.create_company(
        {"name": f"Customer {number}", "domain": domain, "industry": "COMPUTER_SOFTWARE", "country": "US"}
    )
    contact = hubspot.create_contact(
        {"email": f"cto@{domain}", "firstname": "Casey", "lastname": f"N{number}"}
    )
    return [
        AssociationInput(to_id=company.id, type_id=DEAL_TO_PRIMARY_COMPANY),
        AssociationInput(to_id=contact.id, type_id=DEAL_TO_CONTACT),
    ]


def opportunity_made_elsewhere(
    hubspot: HubSpotClient, partner_central: PartnerCentralSellingAPIClient, catalog: str, deal_id: str
) -> str:
    """The id of an opportunity another tool made for the deal (its fields as cosell would map them)."""
    reader = DealReader(hubspot)
    view = reader.view(reader.read_deal(deal_id))
    fields = map_deal(view, MappingRules(), vocabulary(), datetime.now(UTC).date()).fields
    if fields is None:
        raise ValueError(f"deal {deal_id} cannot be mapped: make a valid one")
    made = partner_central.create_opportunity(Catalog=catalog, ClientToken=f"elsewhere-{deal_id}", **fields)
    return made["Id"]
