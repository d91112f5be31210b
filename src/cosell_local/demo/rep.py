"""A sales rep working in the HubSpot emulator, as in the CRM UI: shared by the demo and the e2e tests.

The rep's token makes the emulator report the changes as `CRM_UI` by a user, as HubSpot does for a person,
so the sync sees the rep's edits exactly as it would in production.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.domain.to_hubspot import ContactFields
from cosell.hubspot.client import HubSpotClient, RetryPolicy
from cosell.hubspot.models import DEAL_TO_CONTACT, DEAL_TO_PRIMARY_COMPANY, AssociationInput
from cosell.hubspot.records import find_or_create_contacts

if TYPE_CHECKING:
    from cosell_local.hubspot import HubSpotEmulator

REP_TOKEN = "rep-ada"  # noqa: S105 - a token the emulator is told to accept, valid nowhere else
REP_OWNER_ID = "110000001"  # seeded by the HubSpot emulator: ada.rep@example.com
VALID_DESCRIPTION = "Move the on-premises ERP to AWS and cut hosting costs by 40 percent."


class Rep:
    """Creates and edits deals with a rep token; one attempt per request, as a person clicks once."""

    def __init__(self, hubspot_url: str, token: str = REP_TOKEN) -> None:
        self.client = HubSpotClient(
            lambda: token, base_url=hubspot_url, retry=RetryPolicy(max_attempts=1), sleep=lambda _: None
        )

    @staticmethod
    def sign_in(hubspot: HubSpotEmulator, token: str = REP_TOKEN, owner_id: str = REP_OWNER_ID) -> Rep:
        """Give the rep a token on the emulator (owner `owner_id`), then act as the rep."""
        hubspot.add_rep_token(token, owner_id)
        return Rep(hubspot.base_url, token)

    def create_deal(
        self,
        name: str,
        *,
        description: str | None = None,
        company: bool = True,
        company_name: str = "BigCorp Inc.",
        company_domain: str = "bigcorp.example",
        **extra: str,
    ) -> str:
        """A deal with its company (unless `company` is false) and a contact associated at creation."""
        associations = []
        if company:
            made = self.client.create_company(
                {
                    "name": company_name,
                    "domain": company_domain,
                    "industry": "COMPUTER_SOFTWARE",
                    "country": "US",
                }
            )
            associations.append(AssociationInput(to_id=made.id, type_id=DEAL_TO_PRIMARY_COMPANY))
        # The customer's CTO: the contact HubSpot already has for the e-mail (unique there), else a new one.
        email = f"CTO@{company_domain}"
        (contact_id,) = find_or_create_contacts(
            self.client,
            [
                ContactFields(
                    email.lower(), {"email": email, "firstname": "Casey", "phone": "+1 415 555 0134"}
                )
            ],
        )
        associations.append(AssociationInput(to_id=contact_id, type_id=DEAL_TO_CONTACT))
        return self.client.create_deal(deal_properties(name, description, **extra), associations).id

    def create_company(self, name: str, domain: str) -> str:
        properties = {"name": name, "domain": domain, "industry": "COMPUTER_SOFTWARE", "country": "US"}
        return self.client.create_company(properties).id

    def make_primary_company(self, deal_id: str, company_id: str) -> None:
        self.client.associate("deals", deal_id, "companies", company_id, [DEAL_TO_PRIMARY_COMPANY])

    def update_deal(self, deal_id: str, **changes: str) -> None:
        self.client.update_deal(deal_id, changes)


def deal_properties(name: str, description: str | None = None, **extra: str) -> dict[str, str]:
    """A complete, valid deal as a rep fills it in; `extra` changes or adds properties."""
    return {
        "dealname": name,
        "description": description or VALID_DESCRIPTION,
        "pipeline": "default",
        "dealstage": "presentationscheduled",
        "amount": "60000",
        "deal_currency_code": "USD",
        "closedate": "2027-09-30T00:00:00.000Z",
        "hubspot_owner_id": REP_OWNER_ID,
        **extra,
    }
