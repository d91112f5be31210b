"""What cosell asks SearchOpportunities before it creates a deal's opportunity, and what the answer means.

One search finds both: an opportunity already made for the deal (its PartnerOpportunityIdentifier is the
deal's id, which is what cosell puts there: cosell.domain.to_partner_central), and the customer's other open
opportunities, each a possible duplicate the rep should know of (docs/MAPPING.md, "Before an opportunity is
created"). Pure: the use case makes the call (cosell.sync.deals.push).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# Not open: won or lost (Stage), or refused by AWS (ReviewStatus).
CLOSED_STAGES = ("Launched", "Closed Lost")
CLOSED_REVIEW_STATUSES = ("Rejected",)
# The first page is enough to warn: a rep needs to hear of a duplicate, not of every one.
PAGE_SIZE = 100


def _equals(key: str, value: str) -> dict[str, Any]:
    return {"EqualsTo": {"Key": key, "Value": {"StringValue": value}}}


def _open() -> dict[str, Any]:
    closed = [
        {"ContainsAny": {"Key": "Stage", "Value": {"StringListValue": list(CLOSED_STAGES)}}},
        {"ContainsAny": {"Key": "ReviewStatus", "Value": {"StringListValue": list(CLOSED_REVIEW_STATUSES)}}},
    ]
    return {"NotFilter": {"OrAllFilters": closed}}


def search_filter(deal_id: str, company_name: str | None) -> dict[str, Any]:
    """The opportunity made for the deal, or (when the deal names its customer) that customer's open ones."""
    made_for_deal = _equals("PartnerOpportunityIdentifier", deal_id)
    if not company_name:
        return made_for_deal
    same_customer = {"AndAllFilters": [_equals("CustomerCompanyName", company_name), _open()]}
    return {"OrAllFilters": [made_for_deal, same_customer]}


@dataclass(frozen=True)
class Found:
    """What the search found: the opportunity made for the deal, if any, and the warnings for the deal."""

    made_for_deal: str | None
    duplicates: tuple[str, ...]


def _is_open(summary: Mapping[str, Any]) -> bool:
    life_cycle = summary.get("LifeCycle") or {}
    return (
        life_cycle.get("Stage") not in CLOSED_STAGES
        and life_cycle.get("ReviewStatus") not in CLOSED_REVIEW_STATUSES
    )


def found_by_search(
    summaries: Sequence[Mapping[str, Any]], deal_id: str, company_name: str | None, linked: frozenset[str]
) -> Found:
    """`summaries` as SearchOpportunities answered `search_filter`. `linked`: those made for this deal that
    are linked to another deal already (never taken over). Each duplicate is checked here again (same
    customer, open), so the warning holds whatever the search matched."""
    mine = sorted(s["Id"] for s in summaries if s.get("PartnerOpportunityIdentifier") == deal_id)
    made_for_deal = next((identifier for identifier in mine if identifier not in linked), None)
    wanted = (company_name or "").casefold()
    duplicates = tuple(
        f"possible duplicate: opportunity {s['Id']} ({_where(s)}) is already open in Partner Central for "
        f"the same customer ({company_name}); check with your AWS contact before you submit this one"
        for s in sorted(summaries, key=lambda s: str(s["Id"]))
        if s["Id"] not in mine
        and wanted
        and ((s.get("Customer") or {}).get("Account") or {}).get("CompanyName", "").casefold() == wanted
        and _is_open(s)
    )
    return Found(made_for_deal, duplicates)


def _where(summary: Mapping[str, Any]) -> str:
    life_cycle = summary.get("LifeCycle") or {}
    parts = [life_cycle.get("Stage"), life_cycle.get("ReviewStatus")]
    return ", ".join(part for part in parts if part) or "stage unknown"
