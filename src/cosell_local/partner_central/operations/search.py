"""SearchOpportunities: a Keyword and a Filter tree over the opportunities, answered as curated summaries.

AWS switches the operation on per partner account; an account without it gets `AccessDeniedException` with
`Reason: SEARCH_OPPORTUNITIES_NOT_ENABLED` (the model's AccessDeniedExceptionErrorCode). The model documents
the request's shape, not how each predicate compares (docs/EMULATORS.md, "SearchOpportunities", says what
the emulator chose).
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central.errors import (
    REQUEST_VALIDATION_FAILED,
    ApiError,
    FieldError,
    not_implemented,
    validation_error,
)
from cosell_local.partner_central.operations.common import paginate, sort_records
from cosell_local.partner_central.validation import parse_timestamp

if TYPE_CHECKING:
    from collections.abc import Callable

    from cosell_local.partner_central.backend import Backend

Json = dict[str, Any]

SEARCH_NOT_ENABLED = "SEARCH_OPPORTUNITIES_NOT_ENABLED"


def _path(*names: str) -> Callable[[Json], Any]:
    def value(record: Json) -> Any:
        current: Any = record
        for name in names:
            current = (current or {}).get(name)
        return current

    return value


def _text(read: Callable[[Json], Any]) -> Callable[[Json], Any]:
    """Text compares case-insensitively, as ListOpportunities' CustomerCompanyName filter does."""
    return lambda record: None if read(record) is None else str(read(record)).lower()


def _instant(read: Callable[[Json], Any]) -> Callable[[Json], Any]:
    return lambda record: None if read(record) is None else parse_timestamp(read(record))


def _day(read: Callable[[Json], Any]) -> Callable[[Json], Any]:
    return lambda record: None if read(record) is None else date.fromisoformat(read(record))


# The filter and sort keys the emulator answers, each with its value in a stored opportunity (comparable).
KEYS: dict[str, Callable[[Json], Any]] = {
    "OpportunityId": _path("Id"),
    "Stage": _path("LifeCycle", "Stage"),
    "ReviewStatus": _path("LifeCycle", "ReviewStatus"),
    "CustomerCompanyName": _text(_path("Customer", "Account", "CompanyName")),
    "LastModifiedDate": _instant(_path("LastModifiedDate")),
    "CreatedDate": _instant(_path("CreatedDate")),
    "TargetCloseDate": _day(_path("LifeCycle", "TargetCloseDate")),
    "CountryCode": _path("Customer", "Account", "Address", "CountryCode"),
    "PartnerProjectTitle": _text(_path("Project", "Title")),
    "OpportunityType": _path("OpportunityType"),
    "PartnerOpportunityIdentifier": _path("PartnerOpportunityIdentifier"),
    "Industry": _path("Customer", "Account", "Industry"),
    "AwsAccountId": _path("Customer", "Account", "AwsAccountId"),
    "Origin": _path("AwsOpportunitySummary", "Origin"),
    "NextStep": _text(_path("LifeCycle", "NextSteps")),
}
_TEXT_KEYS = frozenset({"CustomerCompanyName", "PartnerProjectTitle", "NextStep"})
_PREDICATES: dict[str, Callable[[Any, list[Any]], bool]] = {
    "EqualsTo": lambda value, wanted: value == wanted[0],
    "ContainsAny": lambda value, wanted: value in wanted,
    "ContainsAll": lambda value, wanted: all(value == item for item in wanted),
    "GreaterThan": lambda value, wanted: value is not None and value > wanted[0],
    "GreaterThanOrEquals": lambda value, wanted: value is not None and value >= wanted[0],
    "LessThan": lambda value, wanted: value is not None and value < wanted[0],
    "LessThanOrEquals": lambda value, wanted: value is not None and value <= wanted[0],
}


def _unanswered(key: str) -> ApiError:
    return not_implemented(f"SearchOpportunities on {key}")


def _wanted(key: str, value: Json, field_name: str) -> list[Any]:
    """The predicate's value(s) as the stored values compare: dates as dates, text in lower case."""
    if "StringListValue" in value:
        items: list[Any] = list(value["StringListValue"])
    elif "StringValue" in value:
        items = [value["StringValue"]]
    elif "LongValue" in value or "DoubleValue" in value:
        items = [value.get("LongValue", value.get("DoubleValue"))]
    elif "DateValue" in value:
        moment = value["DateValue"]
        instant = moment if isinstance(moment, datetime) else parse_timestamp(str(moment))
        items = [instant.date() if key == "TargetCloseDate" else instant]
    else:
        raise validation_error(
            REQUEST_VALIDATION_FAILED,
            [FieldError(f"{field_name}.Value", "must set one member", "REQUIRED_FIELD_MISSING")],
        )
    if key in _TEXT_KEYS:
        return [str(item).lower() for item in items]
    if key in {"LastModifiedDate", "CreatedDate"} and isinstance(items[0], str):
        return [parse_timestamp(item) for item in items]
    if key == "TargetCloseDate" and isinstance(items[0], str):
        return [date.fromisoformat(item) for item in items]
    return items


def _matches(record: Json, search_filter: Json, field_name: str) -> bool:
    """Every member set in one filter node holds (the node's members are ANDed)."""
    for member, operand in search_filter.items():
        here = f"{field_name}.{member}"
        if member == "AndAllFilters":
            held = all(_matches(record, child, f"{here}[{i}]") for i, child in enumerate(operand))
        elif member == "OrAllFilters":
            held = any(_matches(record, child, f"{here}[{i}]") for i, child in enumerate(operand))
        elif member == "NotFilter":
            held = not _matches(record, operand, here)
        else:
            key = operand["Key"]
            if key not in KEYS:
                raise _unanswered(key)
            held = _PREDICATES[member](KEYS[key](record), _wanted(key, operand["Value"], here))
        if not held:
            return False
    return True


def _keyword_matches(record: Json, keyword: str | None) -> bool:
    """Every word of the keyword in the id, the partner's identifier, the customer or the project title."""
    if not keyword:
        return True
    text = " ".join(
        str(value or "")
        for value in (
            record["Id"],
            record.get("PartnerOpportunityIdentifier"),
            _path("Customer", "Account", "CompanyName")(record),
            _path("Project", "Title")(record),
        )
    ).lower()
    return all(word in text for word in keyword.lower().split())


def search_opportunities(backend: Backend, request: Json) -> Json:
    if not backend.config.search_opportunities_enabled:
        raise ApiError(
            "AccessDeniedException",
            "SearchOpportunities is not enabled for this partner account",
            {"Reason": SEARCH_NOT_ENABLED},
        )
    catalog = backend.catalog(request["Catalog"])
    records = []
    for record in catalog.opportunities.values():
        summary = copy.deepcopy(record) | {
            "AwsOpportunitySummary": catalog.aws_summaries.get(record["Id"], {})
        }
        tags = backend.state.tags.get(record["Arn"])
        if tags:
            summary["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
        if _keyword_matches(summary, request.get("Keyword")) and _matches(
            summary, request.get("Filter") or {}, "Filter"
        ):
            records.append(summary)
    sort = request.get("Sort")
    if sort is not None and sort["SortBy"] not in KEYS:
        raise _unanswered(sort["SortBy"])
    sort_records(records, sort, KEYS, "LastModifiedDate")
    page, token = paginate(records, request, default_page_size=20)
    return {"OpportunitySearchSummaries": page, "NextToken": token}


HANDLERS = {"SearchOpportunities": search_opportunities}
