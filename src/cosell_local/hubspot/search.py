"""CRM search: filterGroups (OR of ANDed filters), one sort, paging, HubSpot's limits."""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING, Any

from .errors import validation_error
from .objects import object_json
from .properties import parse_instant
from .routing import Route, body_object, object_scope
from .schema import object_type

if TYPE_CHECKING:
    from .account import Account
    from .routing import ApiRequest, Reply
    from .schema import PropertyDefinition
    from .store import CrmObject

MAX_LIMIT = 200
MAX_RESULTS = 10_000
MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
_TOKEN_SPLIT = re.compile(r"[^0-9a-z@._-]+")
OPERATORS = {
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
    "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
}  # fmt: skip


def _search(request: ApiRequest) -> Reply:
    kind = object_type(request.params["objectType"])
    body = body_object(request)
    limit, after = body.get("limit") or 10, str(body.get("after") or "0")
    if not isinstance(limit, int) or not after.isdigit():
        raise validation_error("`limit` must be an integer and `after` a cursor from a previous page")
    after_offset = int(after)
    if not 0 < limit <= MAX_LIMIT:
        raise validation_error(f"limit must be between 1 and {MAX_LIMIT}, was {limit}")
    if after_offset + limit > MAX_RESULTS:
        raise validation_error(
            f"Search can page through at most {MAX_RESULTS} results (after + limit was {after_offset + limit})."
        )
    groups = _filter_groups(body.get("filterGroups") or [])
    account = request.account
    definitions = account.properties.definitions(kind)
    query = str(body.get("query") or "").lower()
    indexed_before = account.clock.now() - account.search_lag_seconds
    matches = [
        record
        for record in account.crm.all(kind)
        if _indexed(record, indexed_before)
        and (
            not groups
            or any(all(_matches(account, record, f, definitions) for f in group) for group in groups)
        )
        and (not query or _matches_query(record, query))
    ]
    _sort(matches, body.get("sorts") or [], definitions)
    page = matches[after_offset : after_offset + limit]
    result: dict[str, Any] = {
        "total": len(matches),
        "results": [object_json(account, record, body.get("properties") or []) for record in page],
    }
    if after_offset + limit < min(len(matches), MAX_RESULTS):
        result["paging"] = {"next": {"after": str(after_offset + limit)}}
    return 200, result


def _indexed(record: CrmObject, before: float) -> bool:
    written_ms = parse_instant(record.updated_at)
    return written_ms is None or written_ms <= before * 1000


def _filter_groups(raw: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(raw, list) or len(raw) > MAX_GROUPS:
        raise validation_error(f"At most {MAX_GROUPS} filterGroups are allowed")
    groups = []
    for group in raw:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > MAX_FILTERS_PER_GROUP:
            raise validation_error(
                f"Each filterGroup takes a list of at most {MAX_FILTERS_PER_GROUP} filters"
            )
        for item in filters:
            if (
                not isinstance(item, dict)
                or item.get("operator") not in OPERATORS
                or "propertyName" not in item
            ):
                raise validation_error(f"Invalid filter {item!r}: needs propertyName and a known operator")
        groups.append(filters)
    if sum(len(group) for group in groups) > MAX_FILTERS:
        raise validation_error(f"At most {MAX_FILTERS} filters are allowed across all filterGroups")
    return groups


def _matches(
    account: Account, record: CrmObject, item: dict[str, Any], definitions: dict[str, PropertyDefinition]
) -> bool:
    name: str = item["propertyName"]
    operator: str = item["operator"]
    if name.startswith("associations."):
        # HubSpot lets search filter on associated record ids, e.g. `associations.company` EQ 123.
        target = object_type(name.split(".", 1)[1])
        linked = set(account.associations.targets(record.object_type.name, record.id, target.name))
        wanted = {str(v) for v in item.get("values") or [item.get("value")]}
        return bool(linked & wanted) if operator in ("EQ", "IN") else not linked & wanted
    stored = record.properties.get(name)
    if operator == "HAS_PROPERTY":
        return stored is not None
    if operator == "NOT_HAS_PROPERTY":
        return stored is None
    negated = operator in ("NEQ", "NOT_IN", "NOT_CONTAINS_TOKEN")
    if stored is None:
        return negated
    definition = definitions.get(name)
    value_type = definition.type if definition else "string"
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        return _contains_token(stored, str(item.get("value", ""))) != negated
    if operator in ("IN", "NOT_IN"):
        values = item.get("values") or []
        return any(_compare(stored, str(v), value_type) == 0 for v in values) != negated
    order = _compare(stored, str(item.get("value", "")), value_type)
    if operator == "BETWEEN":
        return order >= 0 and _compare(stored, str(item.get("highValue", "")), value_type) <= 0
    return {
        "EQ": order == 0, "NEQ": order != 0,
        "LT": order < 0, "LTE": order <= 0, "GT": order > 0, "GTE": order >= 0,
    }[operator]  # fmt: skip


def _comparable(value: str, value_type: str) -> tuple[int, float | str]:
    if value_type == "number":
        try:
            return 0, float(value)
        except ValueError:
            return 1, value.lower()
    if value_type in ("datetime", "date"):
        instant = parse_instant(value)
        return (0, float(instant)) if instant is not None else (1, value.lower())
    return 1, value.lower()  # HubSpot compares text case-insensitively


def _compare(stored: str, wanted: str, value_type: str) -> int:
    left, right = _comparable(stored, value_type), _comparable(wanted, value_type)
    return (left > right) - (left < right)


def _contains_token(stored: str, wanted: str) -> bool:
    wanted = wanted.lower()
    tokens = [t for t in _TOKEN_SPLIT.split(stored.lower()) if t]
    if "*" in wanted:
        return fnmatch.fnmatchcase(stored.lower(), wanted) or any(
            fnmatch.fnmatchcase(t, wanted) for t in tokens
        )
    return wanted in tokens or wanted == stored.lower()


def _matches_query(record: CrmObject, query: str) -> bool:
    searchable = [record.properties.get(name, "") for name in record.object_type.default_properties]
    searchable.append(record.id)
    return any(token.startswith(query) for value in searchable for token in _TOKEN_SPLIT.split(value.lower()))


def _sort(records: list[CrmObject], sorts: Any, definitions: dict[str, PropertyDefinition]) -> None:
    records.sort(key=lambda r: int(r.id))
    if not isinstance(sorts, list) or not sorts:
        return
    if len(sorts) > 1:
        raise validation_error("Search takes only one sort")
    sort = sorts[0]
    if isinstance(sort, str):
        name, descending = sort.lstrip("-"), sort.startswith("-")
    elif isinstance(sort, dict) and isinstance(sort.get("propertyName"), str):
        name, descending = sort["propertyName"], sort.get("direction", "ASCENDING") == "DESCENDING"
    else:
        raise validation_error(f"Invalid sort {sort!r}")
    definition = definitions.get(name)
    value_type = definition.type if definition else "string"

    # Records without the value come last in either direction.
    present = [r for r in records if r.properties.get(name) is not None]
    absent = [r for r in records if r.properties.get(name) is None]
    present.sort(key=lambda r: _comparable(r.properties[name], value_type), reverse=descending)
    records[:] = present + absent


ROUTES = [Route("POST", "/crm/v3/objects/<objectType>/search", _search, object_scope("read"), is_search=True)]
