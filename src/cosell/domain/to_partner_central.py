"""HubSpot deal → Partner Central opportunity fields, with pre-flight validation in the rep's words.

`map_deal` never raises on bad data: it returns either the fields of a CreateOpportunity request (without
Catalog and ClientToken, which the use case adds) or the list of problems that stop the sync, each naming the
HubSpot field to fix and how. Things that do not stop the sync (a contact without a usable e-mail, a phone
number that is not E.164) are dropped and reported as warnings. docs/MAPPING.md documents every rule here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import TYPE_CHECKING, Any

from cosell.domain.countries import country_code
from cosell.domain.stages import accepts_past_close_date, partner_central_stage, stage_problem
from cosell.domain.tag import TITLE_MAX, without_tag
from cosell.domain.text import email_address, web_address, without_control_characters

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from cosell.domain.deal import CompanyView, DealView, Person
    from cosell.domain.mapping_rules import MappingRules
    from cosell.domain.vocabulary import Vocabulary

OpportunityFields = dict[str, Any]

BUSINESS_PROBLEM_MIN, BUSINESS_PROBLEM_MAX = 20, 2000
COMPANY_NAME_MAX = 120
NAME_MAX = 80
# Partner Central's own phone pattern (botocore model: PhoneNumber).
_E164 = re.compile(r"\+[1-9]\d{1,14}")
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,30})(\.[0-9]{0,2})?")
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")


@dataclass(frozen=True)
class Problem:
    """Why a deal cannot sync: the HubSpot field to fix, the Partner Central field it feeds, what to do."""

    field: str
    target: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class MappingResult:
    fields: OpportunityFields | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()
    # The fields as far as they map, problems or not: to explain a deal (solution matches), never to send.
    draft: OpportunityFields = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.fields is not None


@dataclass
class _Collector:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def problem(self, hubspot_field: str, target: str, message: str) -> None:
        self.problems.append(Problem(hubspot_field, target, message))


def map_deal(
    deal: DealView,
    rules: MappingRules,
    vocabulary: Vocabulary,
    today: date,
    *,
    creating: bool = True,
    has_solution: bool | None = None,
) -> MappingResult:
    """`creating`: the fields of a new opportunity (a lost deal makes none); else those of a linked one.
    `has_solution`: whether the opportunity will carry a solution (cosell.domain.solutions); by default,
    whether the deal names one."""
    found = _Collector()
    deal = without_control_characters(deal)
    project = _project(deal, rules, vocabulary, found)
    if has_solution is None:
        has_solution = bool(deal.overrides.get("aws_solution_ids"))
    life_cycle = _life_cycle(deal, rules, found, today, creating=creating, has_solution=has_solution)
    customer = _customer(deal, rules, vocabulary, found)
    national_security = _choice(
        deal, "aws_national_security", rules.national_security, {"Yes", "No"}, "NationalSecurity", found
    )
    industry = customer.get("Account", {}).get("Industry")
    if national_security == "Yes" and industry not in (None, "Government"):
        found.problem(
            "AWS national security (aws_national_security)",
            "NationalSecurity",
            f"is Yes, which Partner Central allows only for Government customers; this customer's industry is "
            f"{industry}. Set it to No, or correct the company's industry.",
        )
    fields: OpportunityFields = {
        "Origin": "Partner Referral",
        "OpportunityType": _choice(
            deal,
            "aws_opportunity_type",
            rules.opportunity_type,
            vocabulary.opportunity_types,
            "OpportunityType",
            found,
        ),
        "PrimaryNeedsFromAws": _choices(
            deal,
            "aws_primary_needs",
            rules.primary_needs_from_aws,
            vocabulary.primary_needs,
            "PrimaryNeedsFromAws",
            found,
        ),
        "NationalSecurity": national_security,
        "PartnerOpportunityIdentifier": deal.deal_id,
        "Customer": customer,
        "Project": project,
        "LifeCycle": life_cycle,
        "Marketing": {"Source": "None"},
    }
    team = _opportunity_team(deal.owner, rules, found)
    if team:
        fields["OpportunityTeam"] = team
    if found.problems:
        return MappingResult(None, tuple(found.problems), tuple(found.warnings), fields)
    return MappingResult(fields, (), tuple(found.warnings), fields)


def _project(
    deal: DealView, rules: MappingRules, vocabulary: Vocabulary, found: _Collector
) -> dict[str, Any]:
    title = without_tag(deal.name or "")
    if not title:
        found.problem("Deal name", "Project.Title", "has nothing besides the #AWS tag. Give the deal a name.")
    elif len(title) > TITLE_MAX:
        found.problem(
            "Deal name",
            "Project.Title",
            f"is {len(title)} characters; Partner Central takes at most {TITLE_MAX}.",
        )
    problem = " ".join((deal.description or "").split())
    if len(problem) < BUSINESS_PROBLEM_MIN:
        found.problem(
            "Deal description",
            "Project.CustomerBusinessProblem",
            f"Partner Central needs the customer's business problem in {BUSINESS_PROBLEM_MIN} to "
            f"{BUSINESS_PROBLEM_MAX:,} characters; the description has {len(problem)}. Describe the problem the "
            f"customer wants solved.",
        )
    elif len(problem) > BUSINESS_PROBLEM_MAX:
        found.problem(
            "Deal description",
            "Project.CustomerBusinessProblem",
            f"is {len(problem):,} characters; Partner Central takes at most {BUSINESS_PROBLEM_MAX:,}. Shorten it.",
        )
    project: dict[str, Any] = {
        "Title": title,
        "CustomerBusinessProblem": problem,
        "DeliveryModels": _choices(
            deal,
            "aws_delivery_models",
            rules.delivery_models,
            vocabulary.delivery_models,
            "Project.DeliveryModels",
            found,
        ),
        "SalesActivities": _choices(
            deal,
            "aws_sales_activities",
            rules.sales_activities,
            vocabulary.sales_activities,
            "Project.SalesActivities",
            found,
        ),
        "ExpectedCustomerSpend": [_spend(deal, rules, vocabulary, found)],
    }
    use_case = deal.overrides.get("aws_customer_use_case") or rules.customer_use_case
    if use_case:
        project["CustomerUseCase"] = use_case
    return project


def _spend(deal: DealView, rules: MappingRules, vocabulary: Vocabulary, found: _Collector) -> dict[str, str]:
    currency = (deal.currency_code or rules.default_currency).upper()
    if currency not in vocabulary.currency_codes:
        found.problem(
            "Deal currency (deal_currency_code)",
            "Project.ExpectedCustomerSpend.CurrencyCode",
            f"{currency} is not a currency Partner Central accepts. Use an ISO 4217 code such as USD or EUR.",
        )
    amount = ""
    if deal.amount is None:
        found.problem(
            "Deal amount",
            "Project.ExpectedCustomerSpend.Amount",
            "is empty; Partner Central needs the expected customer spend. Enter the deal amount.",
        )
    elif deal.amount < 0:
        found.problem(
            "Deal amount", "Project.ExpectedCustomerSpend.Amount", "is negative. Enter the deal amount."
        )
    else:
        # The API takes up to 31 integer digits; the default 28-digit context would fail before that.
        with localcontext() as context:
            context.prec = 64
            try:
                monthly = (deal.amount / rules.monthly_divisor).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
            except InvalidOperation:
                monthly = None
        amount = f"{monthly:f}" if monthly is not None else ""
        if not _AMOUNT.fullmatch(amount):
            found.problem(
                "Deal amount", "Project.ExpectedCustomerSpend.Amount", "is too large for Partner Central."
            )
    return {
        "Amount": amount,
        "CurrencyCode": currency,
        "Frequency": "Monthly",
        "TargetCompany": rules.spend_target_company,
    }


def _life_cycle(
    deal: DealView, rules: MappingRules, found: _Collector, today: date, *, creating: bool, has_solution: bool
) -> dict[str, str]:
    stage = partner_central_stage(deal.stage_id, deal.pipeline_id, rules)
    problem = stage_problem(
        stage,
        deal.stage_id,
        deal.pipeline_id,
        creating=creating,
        has_solution=has_solution,
    )
    if problem is not None:
        found.problem("Deal stage", "LifeCycle.Stage", problem)
    life_cycle = {"Stage": stage or ""}
    if deal.close_date is None:
        found.problem(
            "Close date", "LifeCycle.TargetCloseDate", "is empty; Partner Central needs a target close date."
        )
    elif deal.close_date < today and not accepts_past_close_date(stage):
        found.problem(
            "Close date",
            "LifeCycle.TargetCloseDate",
            f"{deal.close_date.isoformat()} is in the past; Partner Central accepts only a future target close "
            f"date. Move the close date forward.",
        )
    else:
        life_cycle["TargetCloseDate"] = deal.close_date.isoformat()
    return life_cycle


def _customer(
    deal: DealView, rules: MappingRules, vocabulary: Vocabulary, found: _Collector
) -> dict[str, Any]:
    company = deal.company
    if company is None:
        found.problem(
            "Company",
            "Customer.Account",
            "the deal has no associated company; Partner Central needs the customer. Associate the customer's "
            "company with the deal.",
        )
        return {}
    name = (company.name or "").strip()
    if not name:
        found.problem(
            "Company name", "Customer.Account.CompanyName", "is empty. Name the customer's company."
        )
    elif len(name) > COMPANY_NAME_MAX:
        found.problem(
            "Company name",
            "Customer.Account.CompanyName",
            f"is {len(name)} characters; Partner Central takes at most {COMPANY_NAME_MAX}.",
        )
    account: dict[str, Any] = {"CompanyName": name}
    website = _website(company.website, company.domain)
    given = (company.website or company.domain or "").strip()
    if website is None:
        if deal.overrides.get("aws_national_security", rules.national_security) != "Yes":
            found.problem(
                "Company domain",
                "Customer.Account.WebsiteUrl",
                f"is not a web address ({given[:60]!r}); Partner Central needs the customer's website, e.g. "
                "contoso.com. Correct the company's domain or website."
                if given
                else "is empty; Partner Central needs the customer's website. Set the company's domain or website.",
            )
    else:
        account["WebsiteUrl"] = website
    account.update(_industry(deal, rules, vocabulary, found))
    address = _address(company, vocabulary, found)
    if address:
        account["Address"] = address
    customer: dict[str, Any] = {"Account": account}
    contacts = _contacts(deal.contacts, rules, found)
    if contacts:
        customer["Contacts"] = contacts
    return customer


def _website(website: str | None, domain: str | None) -> str | None:
    """The first of the company's website and domain that is a web address."""
    return web_address(website) or web_address(domain)


def _industry(
    deal: DealView, rules: MappingRules, vocabulary: Vocabulary, found: _Collector
) -> dict[str, str]:
    override = deal.overrides.get("aws_industry")
    if override:
        if override not in vocabulary.industries:
            found.problem(
                "AWS industry (aws_industry)",
                "Customer.Account.Industry",
                f"'{override}' is not a Partner Central industry.",
            )
        return {"Industry": override}
    hubspot_industry = (deal.company.industry if deal.company else None) or ""
    if not hubspot_industry:
        found.problem(
            "Company industry",
            "Customer.Account.Industry",
            "is empty; Partner Central needs the customer's industry. Set the company's industry.",
        )
        return {}
    mapped = rules.industry_map.get(hubspot_industry)
    if mapped:
        return {"Industry": mapped}
    label = hubspot_industry.replace("_", " ").capitalize()[:255]
    return {"Industry": "Other", "OtherIndustry": label}


def _address(company: CompanyView, vocabulary: Vocabulary, found: _Collector) -> dict[str, str]:
    address: dict[str, str] = {}
    for source, target, limit in (
        (company.street_address, "StreetAddress", 255),
        (company.city, "City", 255),
        (company.state, "StateOrRegion", 255),
        (company.postal_code, "PostalCode", 20),
    ):
        text = " ".join((source or "").split())
        if text:
            address[target] = text[:limit]
    if company.country:
        code = country_code(company.country)
        if code is None or code not in vocabulary.country_codes:
            found.problem(
                "Company country",
                "Customer.Account.Address.CountryCode",
                f"'{company.country}' is not a country Partner Central knows. Use its two-letter ISO code "
                f"(for example US, DE, JP).",
            )
        else:
            address["CountryCode"] = code
    return address


def _person(person: Person, business_title: str, found: _Collector, role: str) -> dict[str, str] | None:
    email = email_address(person.email)
    if email is None:
        found.warnings.append(f"{role} left out: e-mail is missing or not one Partner Central accepts")
        return None
    entry = {"Email": email, "BusinessTitle": (person.job_title or business_title)[:NAME_MAX]}
    if person.first_name:
        entry["FirstName"] = person.first_name.strip()[:NAME_MAX]
    if person.last_name:
        entry["LastName"] = person.last_name.strip()[:NAME_MAX]
    phone = normalise_phone(person.phone)
    if phone:
        entry["Phone"] = phone
    elif person.phone:
        found.warnings.append(f"{role} phone left out: not in international (E.164) form, e.g. +14155550134")
    return entry


def normalise_phone(phone: str | None) -> str | None:
    """E.164 from common writings (`+1 (415) 555-0134`, `0049 30 1234567`); None when not international."""
    text = _PHONE_SEPARATORS.sub("", phone or "")
    if text.startswith("00"):
        text = "+" + text[2:]
    return text if _E164.fullmatch(text) else None


def _contacts(contacts: Iterable[Person], rules: MappingRules, found: _Collector) -> list[dict[str, str]]:
    mapped: list[dict[str, str]] = []
    seen: set[str] = set()
    for person in contacts:
        entry = _person(person, rules.contact_business_title, found, _contact_role(person))
        if entry is not None and entry["Email"] not in seen:
            seen.add(entry["Email"])
            mapped.append(entry)
    if len(mapped) > rules.max_contacts:
        found.warnings.append(f"only the first {rules.max_contacts} of {len(mapped)} contacts are sent")
    return mapped[: rules.max_contacts]


def _contact_role(person: Person) -> str:
    """The contact as the rep finds it in HubSpot: by name, else by e-mail."""
    name = " ".join(part for part in (person.first_name, person.last_name) if part)
    who = name or (person.email or "").strip()
    return f"Contact {who}" if who else "A contact with no name or e-mail"


def _opportunity_team(owner: Person | None, rules: MappingRules, found: _Collector) -> list[dict[str, str]]:
    if owner is None:
        found.warnings.append("the deal has no owner, so the opportunity has no partner team member")
        return []
    entry = _person(owner, rules.owner_business_title, found, "The deal owner")
    if entry is not None:
        entry["BusinessTitle"] = rules.owner_business_title  # the owner's job title is not their ACE role
    return [entry] if entry else []


def _split(value: str) -> list[str]:
    # HubSpot multi-select properties store their values separated by semicolons.
    return [part.strip() for part in value.split(";") if part.strip()]


def _choice(
    deal: DealView, override: str, default: str, allowed: Iterable[str], target: str, found: _Collector
) -> str:
    value = deal.overrides.get(override) or default
    if value not in set(allowed):
        found.problem(
            f"AWS setting ({override})", target, f"'{value}' is not a value Partner Central accepts."
        )
    return value


def _choices(
    deal: DealView,
    override: str,
    default: tuple[str, ...],
    allowed: frozenset[str],
    target: str,
    found: _Collector,
) -> list[str]:
    raw = deal.overrides.get(override)
    values = _split(raw) if raw else list(default)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        found.problem(
            f"AWS setting ({override})",
            target,
            f"{', '.join(unknown)} is not a value Partner Central accepts.",
        )
    return values
