"""Helpers shared by the operation handlers: lookups, pagination, sorting, merging."""

from __future__ import annotations

import base64
import binascii
import copy
import json
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central.errors import (
    REQUEST_VALIDATION_FAILED,
    FieldError,
    not_found,
    validation_error,
)
from cosell_local.partner_central.validation import parse_timestamp

if TYPE_CHECKING:
    from collections.abc import Callable

    from cosell_local.partner_central.store import CatalogState

Json = dict[str, Any]


def opportunity(catalog: CatalogState, identifier: str) -> Json:
    record = catalog.opportunities.get(identifier)
    if record is None:
        raise not_found("Opportunity", identifier, catalog.name)
    return record


def by_id_or_arn(records: dict[str, Json], identifier: str, kind: str, catalog: str) -> Json:
    """Identifiers that accept an id or an ARN (`engi-…` or `arn:…/engi-…`)."""
    record = records.get(identifier.rsplit("/", 1)[-1])
    if record is None:
        raise not_found(kind, identifier, catalog)
    return record


def paginate(items: list[Json], request: Json, default_page_size: int) -> tuple[list[Json], str | None]:
    offset = 0
    token = request.get("NextToken")
    if token is not None:
        try:
            offset = int(json.loads(base64.urlsafe_b64decode(token.encode()))["offset"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise validation_error(
                REQUEST_VALIDATION_FAILED,
                [FieldError("NextToken", "is not a token this API issued", "INVALID_VALUE")],
            ) from None
    size = request.get("MaxResults") or default_page_size
    page = items[offset : offset + size]
    if offset + size >= len(items):
        return page, None
    return page, base64.urlsafe_b64encode(json.dumps({"offset": offset + size}).encode()).decode()


def sort_records(
    items: list[Json], sort: Json | None, keys: dict[str, Callable[[Json], Any]], default: str
) -> None:
    """Sorts in place by the request's `Sort` (a SortBy name from `keys`), else by `default` descending."""
    sort_by = (sort or {}).get("SortBy", default)
    descending = (sort or {}).get("SortOrder", "DESCENDING") == "DESCENDING"
    items.sort(key=lambda item: (keys[sort_by](item) is None, keys[sort_by](item) or ""), reverse=descending)


def instant(value: str | None) -> Any:
    return parse_timestamp(value) if value is not None else None


def deep_merge(base: Json, overrides: Json) -> Json:
    """`overrides` laid over `base`: objects merge member by member, anything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def matches_any(value: Any, allowed: list[Any] | None) -> bool:
    return allowed is None or value in allowed
