"""Which HubSpot deals cosell syncs: those whose name carries the `#AWS` tag.

The rule: `#AWS` in any letter case, as a whole token. It may stand anywhere in the name and be followed by
punctuation or the end, but not by a letter, digit, `_` or `-` (`#AWSome`, `#AWS2`, `#aws-later` are other
tags), and it may not be glued to a preceding word character (`foo#AWS` is not a tag).
"""

from __future__ import annotations

import re

TAG = "#AWS"
# Partner Central's Project.Title takes 1 to 255 characters: a deal's name without the tag is that title.
TITLE_MAX = 255
_TAG_PATTERN = re.compile(r"(?<![\w#])#aws(?![\w-])", re.IGNORECASE)


def is_tagged(deal_name: str | None) -> bool:
    return bool(deal_name) and _TAG_PATTERN.search(deal_name or "") is not None


def with_tag(name: str) -> str:
    """`name` as a tagged deal name (unchanged if it already carries the tag)."""
    return name if is_tagged(name) else f"{name} {TAG}".strip()


def without_tag(name: str) -> str:
    """`name` without the tag, for Partner Central's project title."""
    return " ".join(_TAG_PATTERN.sub(" ", name).split())
