"""Every page of a Partner Central list operation, each read paced."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping


def paced_items(
    operation: Callable[..., Mapping[str, Any]],
    request: Mapping[str, Any],
    items: str,
    *,
    pace: Callable[[], None],
) -> Iterator[Any]:
    """The `items` of every page `operation(**request)` returns, following NextToken (`pace` is called before
    each page, so every read takes its slot of the read quota)."""
    page_request = dict(request)
    while True:
        pace()
        page = operation(**page_request)
        yield from page.get(items, [])
        token = page.get("NextToken")
        if not token:
            return
        page_request["NextToken"] = token
