"""Partner Central → HubSpot: what an AWS referral (an invitation, then its opportunity) becomes in HubSpot.

The reverse of `cosell.domain.to_partner_central`, documented in docs/MAPPING.md ("Partner Central → HubSpot"). Pure:
the inputs are Partner Central's response members as boto3 returns them, the outputs HubSpot property values
(strings, as HubSpot's API takes them). Nothing here raises on odd data: what is missing is left out, and so is
what HubSpot should not hold: control characters, a website that is no http(s) address (`javascript:...`), a
contact whose e-mail is none (HubSpot would refuse the contact, and the referral with it; `left_out` says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from typing import TYPE_CHECKING, Any

from cosell.domain.stages import hubspot_stage
from cosell.domain.tag import TITLE_MAX, with_tag
from cosell.domain.text import email_address, web_address, without_control_characters

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from cosell.domain.mapping_rules import MappingRules

AMOUNT_PRECISION = 60
_SCHEME = re.compile(r"(?i)^[a-z][a-z0-9+.-]*://")


@dataclass(frozen=True)
class CompanyFields:
    """The customer's company: matched in HubSpot by `domain`, else created with `properties`."""

    domain: str | None
    properties: dict[str, str]


@dataclass(frozen=True)
class ContactFields:
    """A customer contact: matched in HubSpot by `email`, else created with `properties`."""

    email: str
    properties: dict[str, str]


@dataclass(frozen=True)
class ReferralDeal:
    deal: dict[str, str]
    company: CompanyFields | None
    contacts: tuple[ContactFields, ...] = ()
    left_out: tuple[str, ...] = ()  # what AWS sent that the deal does not carry, in the rep's words


def hubspot_industry(industry: str | None, rules: MappingRules) -> str | None:
    """The first HubSpot industry value the industry map sends to this Partner Central industry."""
    return next((key for key, value in rules.industry_map.items() if value == industry), None)


def total_amount(spend: Iterable[Mapping[str, Any]], rules: MappingRules) -> tuple[str | None, str | None]:
    """HubSpot's deal amount and currency from Partner Central's expected monthly spend.

    The reverse of the push mapping: monthly × `contract_term_months`. Entries in another currency than the
    first one cannot be added up and are left out.
    """
    total: Decimal | None = None
    currency: str | None = None
    # Partner Central's amounts have up to 31 digits before the point: beyond Decimal's default 28.
    with localcontext(prec=AMOUNT_PRECISION):
        for entry in spend:
            try:
                monthly = Decimal(str(entry.get("Amount") or ""))
            except InvalidOperation:
                continue
            code = entry.get("CurrencyCode")
            if not monthly.is_finite() or (currency is not None and code != currency):
                continue
            currency = code
            total = (total or Decimal(0)) + monthly * rules.monthly_divisor
    if total is None:
        return None, None
    text = f"{total:f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text), currency


def close_date(target: str | None) -> str | None:
    """Partner Central's `YYYY-MM-DD` as HubSpot's close date: that day, midnight UTC (None unless it is a day
    of the calendar: the model's pattern lets `2027-02-30` through, and HubSpot refuses it)."""
    if not target or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", target):
        return None
    try:
        date.fromisoformat(target)
    except ValueError:
        return None
    return f"{target}T00:00:00.000Z"


def domain_of(website: str | None) -> str | None:
    """The bare host HubSpot keys companies by: `https://www.BigCorp.example/x` → `bigcorp.example`."""
    text = _SCHEME.sub("", (website or "").strip())
    host = re.split(r"[/?#:]", text, maxsplit=1)[0].lower().removeprefix("www.")
    return host if "." in host else None


def deal_from_opportunity(
    opportunity: Mapping[str, Any], summary: Mapping[str, Any], rules: MappingRules, pipeline: str
) -> ReferralDeal:
    """An accepted referral: GetOpportunity and GetAwsOpportunitySummary → the deal, its company, contacts."""
    opportunity = without_control_characters(opportunity)
    project = opportunity.get("Project") or {}
    life_cycle = opportunity.get("LifeCycle") or {}
    account = (opportunity.get("Customer") or {}).get("Account") or {}
    amount, currency = total_amount(project.get("ExpectedCustomerSpend") or [], rules)
    deal = _present(
        {
            "dealname": _deal_name(project.get("Title"), account.get("CompanyName")),
            "description": project.get("CustomerBusinessProblem"),
            "amount": amount,
            "deal_currency_code": currency,
            "closedate": close_date(life_cycle.get("TargetCloseDate")),
            "pipeline": pipeline,
            "dealstage": hubspot_stage(life_cycle.get("Stage"), rules, pipeline),
            "aws_origin": summary.get("Origin") or "AWS Referral",
        }
    )
    address = account.get("Address") or {}
    company = _company(
        account.get("CompanyName"),
        account.get("WebsiteUrl"),
        account.get("Industry"),
        rules,
        {
            "address": address.get("StreetAddress"),
            "city": address.get("City"),
            "state": address.get("StateOrRegion"),
            "zip": address.get("PostalCode"),
            "country": address.get("CountryCode"),
        },
    )
    contacts, left_out = _contacts((opportunity.get("Customer") or {}).get("Contacts") or [])
    return ReferralDeal(deal, company, contacts, left_out)


def deal_from_invitation(
    invitation: Mapping[str, Any], rules: MappingRules, pipeline: str, stage: str
) -> ReferralDeal:
    """What GetEngagementInvitation shows before acceptance (no address, no customer contacts)."""
    payload = without_control_characters(invitation.get("Payload") or {})
    if "LeadInvitation" in payload:
        return _lead_deal(payload["LeadInvitation"], rules, pipeline, stage)
    referral = payload.get("OpportunityInvitation") or {}
    customer = referral.get("Customer") or {}
    project = referral.get("Project") or {}
    amount, currency = total_amount(project.get("ExpectedCustomerSpend") or [], rules)
    deal = _present(
        {
            "dealname": _deal_name(project.get("Title"), customer.get("CompanyName")),
            "description": project.get("BusinessProblem"),
            "amount": amount,
            "deal_currency_code": currency,
            "closedate": close_date(project.get("TargetCompletionDate")),
            "pipeline": pipeline,
            "dealstage": stage,
            "aws_origin": "AWS Referral",
        }
    )
    return ReferralDeal(deal, _customer_company(customer, rules))


def _lead_deal(lead: Mapping[str, Any], rules: MappingRules, pipeline: str, stage: str) -> ReferralDeal:
    customer = lead.get("Customer") or {}
    interaction = lead.get("Interaction") or {}
    description = "; ".join(
        f"{label}: {value}"
        for label, value in (
            ("AWS lead source", interaction.get("SourceName") or interaction.get("SourceType")),
            ("Use case", interaction.get("Usecase")),
            ("Contact's title", interaction.get("ContactBusinessTitle")),
            ("AWS maturity", customer.get("AwsMaturity")),
            ("Segment", customer.get("MarketSegment")),
        )
        if value
    )
    deal = _present(
        {
            "dealname": _deal_name(None, customer.get("CompanyName")),
            "description": description,
            "pipeline": pipeline,
            "dealstage": stage,
            "aws_origin": "AWS Referral",
        }
    )
    return ReferralDeal(deal, _customer_company(customer, rules))


def _customer_company(customer: Mapping[str, Any], rules: MappingRules) -> CompanyFields | None:
    """The company an invitation's Customer (opportunity or lead alike) describes."""
    return _company(
        customer.get("CompanyName"),
        customer.get("WebsiteUrl"),
        customer.get("Industry"),
        rules,
        {"country": customer.get("CountryCode")},
    )


def _deal_name(title: str | None, company_name: str | None) -> str:
    """The first of the title and the company's name that has words, as long as Partner Central's title may
    be, tagged: an AWS title of the longest kind is the deal's title whole, so the pair's sync never takes a
    cut one for a rep's edit (HubSpot states no length limit for a deal name)."""
    base = next(
        (" ".join(text.split()) for text in (title, company_name) if text and text.split()), "AWS referral"
    )
    return with_tag(base[:TITLE_MAX])


def _company(
    name: str | None,
    website: str | None,
    industry: str | None,
    rules: MappingRules,
    extra: Mapping[str, str | None],
) -> CompanyFields | None:
    if not name or not name.strip():
        return None
    website = website.strip() if web_address(website) and website else None  # as AWS wrote it, if it is one
    domain = domain_of(website)
    properties = _present(
        {
            "name": name.strip(),
            "domain": domain,
            "website": website,
            "industry": hubspot_industry(industry, rules),
            **extra,
        }
    )
    return CompanyFields(domain, properties)


def _contacts(contacts: Iterable[Mapping[str, Any]]) -> tuple[tuple[ContactFields, ...], tuple[str, ...]]:
    """The contacts to find or create, and the ones left out for an e-mail that is none."""
    found: dict[str, ContactFields] = {}
    left_out: list[str] = []
    for contact in contacts:
        email = email_address(contact.get("Email"))
        if email is None:
            who = " ".join(str(contact.get(n) or "") for n in ("FirstName", "LastName")).split()
            left_out.append(
                f"Contact {' '.join(who) or 'without a name'} left out: AWS gave no usable e-mail address"
            )
            continue
        if email in found:
            continue
        found[email] = ContactFields(
            email,
            _present(
                {
                    "email": email,
                    "firstname": contact.get("FirstName"),
                    "lastname": contact.get("LastName"),
                    "jobtitle": contact.get("BusinessTitle"),
                    "phone": contact.get("Phone"),
                }
            ),
        )
    return tuple(found.values()), tuple(left_out)


def _present(values: Mapping[str, str | None]) -> dict[str, str]:
    return {name: value for name, value in values.items() if value}
