"""The fields a linked deal and opportunity keep in step, compared in one currency: Partner Central's.

Each synced field is one or more members of the opportunity (dotted paths in the CreateOpportunity /
GetOpportunity shape). Both sides are compared there: the deal through the push mapping
(cosell.domain.to_partner_central), the opportunity as Partner Central returns it. Values are canonical before they are
compared (whitespace collapsed, amounts as numbers, multi-selects as sets, e-mails lower-case), so a value
that only changed its spelling on its way through the other system is not a change, and the sync's own
writes come back as no-ops.

`pulled` fields also flow back (Partner Central → HubSpot); the others belong to HubSpot (the customer's
company and contacts are shared HubSpot records; the Partner Central settings are deal overrides).
docs/MAPPING.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from typing import TYPE_CHECKING, Any

from cosell.domain.stages import hubspot_stage
from cosell.domain.tag import with_tag
from cosell.domain.text import without_control_characters
from cosell.domain.to_hubspot import close_date, total_amount

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cosell.domain.mapping_rules import MappingRules

Values = dict[str, Any]  # synced field name → canonical value


@dataclass(frozen=True)
class SyncedField:
    name: str  # used in settings (CONFLICT_STRATEGIES), the audit trail and on the deal
    label: str  # in the rep's words
    paths: tuple[str, ...]
    pulled: bool = False
    # True for the opportunity owner: UpdateOpportunity cannot carry OpportunityTeam; AssignOpportunity does.
    assigned: bool = False


FIELDS: tuple[SyncedField, ...] = (
    SyncedField("title", "Deal name", ("Project.Title",), pulled=True),
    SyncedField("business_problem", "Deal description", ("Project.CustomerBusinessProblem",), pulled=True),
    SyncedField("stage", "Deal stage", ("LifeCycle.Stage",), pulled=True),
    SyncedField("close_date", "Close date", ("LifeCycle.TargetCloseDate",), pulled=True),
    SyncedField("expected_spend", "Amount and currency", ("Project.ExpectedCustomerSpend",), pulled=True),
    SyncedField("delivery_models", "AWS delivery models", ("Project.DeliveryModels",)),
    SyncedField("sales_activities", "AWS sales activities", ("Project.SalesActivities",)),
    SyncedField("customer_use_case", "AWS customer use case", ("Project.CustomerUseCase",)),
    SyncedField("opportunity_type", "AWS opportunity type", ("OpportunityType",)),
    SyncedField("primary_needs", "AWS primary needs", ("PrimaryNeedsFromAws",)),
    SyncedField("national_security", "AWS national security", ("NationalSecurity",)),
    SyncedField("company_name", "Company name", ("Customer.Account.CompanyName",)),
    SyncedField("website", "Company domain or website", ("Customer.Account.WebsiteUrl",)),
    SyncedField(
        "industry", "Company industry", ("Customer.Account.Industry", "Customer.Account.OtherIndustry")
    ),
    SyncedField("street_address", "Company street address", ("Customer.Account.Address.StreetAddress",)),
    SyncedField("city", "Company city", ("Customer.Account.Address.City",)),
    SyncedField("state", "Company state or region", ("Customer.Account.Address.StateOrRegion",)),
    SyncedField("postal_code", "Company postal code", ("Customer.Account.Address.PostalCode",)),
    SyncedField("country", "Company country", ("Customer.Account.Address.CountryCode",)),
    SyncedField("contacts", "Deal contacts", ("Customer.Contacts",)),
    SyncedField("owner", "Deal owner", ("OpportunityTeam",), assigned=True),
)
BY_NAME = {synced.name: synced for synced in FIELDS}


def field_of_member(member: str) -> SyncedField | None:
    """The synced field an opportunity member is part of, as Partner Central names members in its errors
    (`Customer.Contacts[0].Email` is part of the deal contacts); None for a member no field maps."""
    return next(
        (
            synced
            for synced in FIELDS
            for path in synced.paths
            if member == path or member.startswith((f"{path}.", f"{path}["))
        ),
        None,
    )


# What UpdateOpportunity may change while the opportunity is in each ReviewStatus (docs/CONTRACTS.md,
# "Editable fields by review status"). Unlisted statuses (Pending Submission) allow everything.
_LOCKED_STATUSES = frozenset({"Submitted", "In review", "Rejected"})
_EDITABLE_WHEN_ACTION_REQUIRED = (
    "Customer.Account.Address",
    "Customer.Account.WebsiteUrl",
    "LifeCycle.TargetCloseDate",
    "Project.ExpectedCustomerSpend",
    "Project.CustomerBusinessProblem",
    "PartnerOpportunityIdentifier",
)
_LOCKED_WHEN_APPROVED = (
    "Customer.Account.Address.CountryCode",
    "Customer.Account.Address.PostalCode",
    "Customer.Account.Industry",
    "Customer.Account.WebsiteUrl",
    "Project.CustomerBusinessProblem",
    "PartnerOpportunityIdentifier",
    "Project.Title",
)


def _within(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(prefix + ".") for prefix in prefixes)


def locked_for_good(synced: SyncedField, review_status: str | None) -> bool:
    """Whether no later review status lets the partner change this field again: a Rejected opportunity, or
    the fields AWS's approval fixes."""
    if review_status == "Rejected":
        return True
    return review_status == "Approved" and not editable(synced, review_status)


def editable(synced: SyncedField, review_status: str | None) -> bool:
    """Whether Partner Central lets the partner change this field now."""
    if synced.assigned:
        return review_status not in _LOCKED_STATUSES
    if review_status in _LOCKED_STATUSES:
        return False
    if review_status == "Action Required":
        return all(_within(path, _EDITABLE_WHEN_ACTION_REQUIRED) for path in synced.paths)
    if review_status == "Approved":
        return not any(_within(path, _LOCKED_WHEN_APPROVED) for path in synced.paths)
    return True


# --- reading and writing paths ---------------------------------------------------------------------------


def get_path(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def set_path(record: dict[str, Any], path: str, value: Any) -> None:
    """Set (or, for None, remove) a member, creating the structures above it."""
    *parents, last = path.split(".")
    target = record
    for part in parents:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    if value is None:
        target.pop(last, None)
    else:
        target[last] = value


# --- canonical values ------------------------------------------------------------------------------------

_UNORDERED = frozenset({"Project.DeliveryModels", "Project.SalesActivities", "PrimaryNeedsFromAws"})


def _amount(text: Any) -> str | None:
    with localcontext(prec=64):
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            return str(text) if text not in (None, "") else None
        return f"{number.normalize():f}" if number.is_finite() else str(text)


def _canonical(value: Any) -> Any:
    # Text as either side can hold it: the mapping takes control characters out both ways (cosell.domain.text),
    # so an AWS referral's title with them is the same title as its deal's, not a rep's change.
    if isinstance(value, str):
        return " ".join(without_control_characters(value).split()) or None
    if isinstance(value, dict):
        members = {key: _canonical(member) for key, member in value.items()}
        return {key: member for key, member in sorted(members.items()) if member is not None} or None
    if isinstance(value, list):
        items = [item for item in (_canonical(member) for member in value) if item is not None]
        return items or None
    return value


def _person(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    person: dict[str, Any] | None = _canonical(
        {
            "Email": str(entry.get("Email") or "").lower(),
            "FirstName": entry.get("FirstName"),
            "LastName": entry.get("LastName"),
            "Phone": entry.get("Phone"),
            "BusinessTitle": entry.get("BusinessTitle"),
        }
    )
    return person


def canonical(path: str, raw: Any) -> Any:
    """A member's value in the form both sides are compared in."""
    if path == "Project.ExpectedCustomerSpend":
        entries = [
            _canonical(
                {
                    "Amount": _amount(entry.get("Amount")),
                    "CurrencyCode": entry.get("CurrencyCode"),
                    "Frequency": entry.get("Frequency"),
                    "TargetCompany": entry.get("TargetCompany"),
                }
            )
            for entry in raw or []
            if isinstance(entry, dict)
        ]
        return [entry for entry in entries if entry] or None
    if path == "Customer.Contacts":
        people = [person for entry in raw or [] if isinstance(entry, dict) and (person := _person(entry))]
        return sorted(people, key=lambda person: str(person.get("Email"))) or None
    if path == "OpportunityTeam":
        # The owner is the first team member; the business title is cosell's setting, not the person.
        first = next((entry for entry in raw or [] if isinstance(entry, dict)), None)
        owner = _person(first) if first else None
        if owner:
            owner.pop("BusinessTitle", None)
            owner.pop("Phone", None)
        return owner or None
    if path in _UNORDERED:
        return sorted({" ".join(str(item).split()) for item in raw or []}) or None
    return _canonical(raw)


def value_of(record: Mapping[str, Any], synced: SyncedField) -> Any:
    values = [canonical(path, get_path(record, path)) for path in synced.paths]
    if len(values) == 1:
        return values[0]
    return {
        path: value for path, value in zip(synced.paths, values, strict=True) if value is not None
    } or None


def values_of(record: Mapping[str, Any]) -> Values:
    """Every synced field of an opportunity-shaped record (a GetOpportunity response or a mapped deal)."""
    return {synced.name: value_of(record, synced) for synced in FIELDS}


def copy_field(source: Mapping[str, Any], target: dict[str, Any], synced: SyncedField) -> None:
    """Put the field's members of `source` (the mapped deal) into `target` (an update body)."""
    for path in synced.paths:
        set_path(target, path, get_path(source, path))


# --- Partner Central → HubSpot --------------------------------------------------------------------------


def pulled_deal_properties(
    synced: SyncedField, opportunity: Mapping[str, Any], rules: MappingRules, pipeline: str
) -> dict[str, str] | None:
    """The HubSpot deal properties that carry a pulled field's Partner Central value; None when HubSpot
    cannot hold it (a stage no HubSpot stage of the deal's pipeline maps to, a spend without an amount)."""
    project = opportunity.get("Project") or {}
    life_cycle = opportunity.get("LifeCycle") or {}
    if synced.name == "title":
        title = " ".join(str(project.get("Title") or "").split())
        return {"dealname": with_tag(title)} if title else None
    if synced.name == "business_problem":
        problem = project.get("CustomerBusinessProblem")
        return {"description": problem} if problem else None
    if synced.name == "stage":
        stage = hubspot_stage(life_cycle.get("Stage"), rules, pipeline)
        return {"dealstage": stage} if stage else None
    if synced.name == "close_date":
        closing = close_date(life_cycle.get("TargetCloseDate"))
        return {"closedate": closing} if closing else None
    if synced.name == "expected_spend":
        amount, currency = total_amount(project.get("ExpectedCustomerSpend") or [], rules)
        return {"amount": amount, "deal_currency_code": currency} if amount and currency else None
    raise ValueError(f"{synced.name} is not pulled into HubSpot")
