"""Linking a deal to an opportunity that already exists (a rep's `aws_opportunity_id`, `cosell link`): when it
may be linked, and why not in the rep's words. Pure: cosell.sync.deals.adopt reads both sides and links.

Each refusal names the deal property to fix, as the mapping's problems do (cosell.domain.to_partner_central),
so the deal shows it the same way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cosell.domain.reconcile import Snapshot
from cosell.domain.synced_fields import FIELDS
from cosell.domain.to_partner_central import Problem

if TYPE_CHECKING:
    from cosell.domain.synced_fields import Values

# botocore's model, OpportunityIdentifier: the ids Partner Central makes.
OPPORTUNITY_ID = re.compile(r"O[0-9]{1,19}")
_FIELD = "AWS opportunity ID (aws_opportunity_id)"
_TARGET = "Identifier"
_CLEAR = "clear it to have cosell create a new opportunity for this deal"


@dataclass(frozen=True)
class NotAdoptable:
    """Why a deal cannot be linked to the opportunity it names: `reason` for an operator (cosell link), and
    as the deal shows it, with what the rep can do."""

    reason: str
    advice: str = f"Correct it, or {_CLEAR}."

    def problem(self) -> Problem:
        return Problem(_FIELD, _TARGET, f"{self.reason}. {self.advice}")


def malformed(opportunity_id: str) -> NotAdoptable | None:
    if OPPORTUNITY_ID.fullmatch(opportunity_id):
        return None
    return NotAdoptable(
        f"{opportunity_id!r} is not a Partner Central opportunity id (O followed by digits, as Partner "
        f"Central shows it)"
    )


def unknown(opportunity_id: str, catalog: str) -> NotAdoptable:
    return NotAdoptable(
        f"Partner Central has no opportunity {opportunity_id} in the {catalog} catalog that this partner can see"
    )


def linked_elsewhere(opportunity_id: str, other_deal_id: str) -> NotAdoptable:
    return NotAdoptable(
        f"opportunity {opportunity_id} is already linked to deal {other_deal_id}; one opportunity syncs with "
        f"one deal"
    )


def unlinked(opportunity_id: str, deal_id: str) -> NotAdoptable:
    return NotAdoptable(
        f"an operator unlinked this deal from opportunity {opportunity_id}, so nothing syncs",
        f"To link it again: cosell link {deal_id} {opportunity_id}; to link another opportunity, set its id "
        f"here; or {_CLEAR}.",
    )


def refusal_fingerprint(opportunity_id: str, problems: list[str]) -> str:
    """What an adoption refusal was about: the same refusal is not shown on the deal again."""
    digest = hashlib.sha256("\n".join([opportunity_id, *problems]).encode()).hexdigest()[:16]
    return f"adoption:{digest}"


def adopted_snapshot(hubspot: Values | None, partner_central: Values) -> Snapshot:
    """The memory of a pair linked after both sides existed: each side as it is. Where they differ (every
    field, while the deal cannot be mapped) nothing was ever in step: those fields are unsettled, so the next
    sync decides each as a conflict and the configured strategy settles it (cosell.domain.reconcile)."""
    if hubspot is None:
        return Snapshot({}, dict(partner_central), frozenset(synced.name for synced in FIELDS))
    differing = frozenset(
        synced.name for synced in FIELDS if hubspot.get(synced.name) != partner_central.get(synced.name)
    )
    return Snapshot(dict(hubspot), dict(partner_central), differing)
