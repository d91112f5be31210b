"""Every page of a Partner Central list operation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping


def all_items(
    operation: Callable[..., Mapping[str, Any]], request: Mapping[str, Any], items: str
) -> Iterator[Any]:
    """The `items` of every page `operation(**request)` returns, following NextToken."""
    page_request = dict(request)
    while True:
        page = operation(**page_request)
        yield from page.get(items, [])
        token = page.get("NextToken")
        if not token:
            return
        page_request["NextToken"] = token
