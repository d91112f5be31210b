"""A claim: the right to create one record, taken before it is created, so that concurrent or retried runs
make it once. A claim is a lease: a holder that died does not block the record forever."""

from __future__ import annotations

from enum import StrEnum


class ClaimTaken(StrEnum):
    FIRST = "first"  # nobody tried before: no record can exist yet
    TAKEOVER = "takeover"  # an earlier claim expired: its holder may have created the record
    HELD = "held"  # another worker holds a live claim, or the record is recorded already
