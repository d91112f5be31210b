"""The body of an UpdateOpportunity: the opportunity as read, with HubSpot's values in for the pushed fields.

UpdateOpportunity replaces the whole record (docs/CONTRACTS.md, "Opportunities"), so the body starts from
what GetOpportunity returned; what AWS owns and what is sent separately stay out. Pure.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import TYPE_CHECKING, Any

from cosell.domain.stages import apply_closed_lost_reason
from cosell.domain.synced_fields import BY_NAME, copy_field

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from cosell.domain.mapping_rules import MappingRules

# LifeCycle members AWS owns: never sent back (AWS keeps these whatever the body says).
AWS_OWNED_LIFE_CYCLE = ("ReviewStatus", "ReviewComments", "ReviewStatusReason", "NextStepsHistory")
# Sent as the call's own parameters.
SENT_SEPARATELY = ("Catalog", "Identifier", "LastModifiedDate")
_REFUSAL = "update:"


def update_body(
    opportunity: Mapping[str, Any],
    mapped: Mapping[str, Any],
    field_names: Sequence[str],
    rules: MappingRules,
    update_members: Collection[str],
) -> dict[str, Any]:
    """The opportunity as read, with the pushed fields taken from the mapped deal. `update_members`: the
    top-level members UpdateOpportunity takes (botocore's model)."""
    body = {
        name: copy.deepcopy(value)
        for name, value in opportunity.items()
        if name in update_members and name not in SENT_SEPARATELY
    }
    life_cycle = body.setdefault("LifeCycle", {})
    for name in AWS_OWNED_LIFE_CYCLE:
        life_cycle.pop(name, None)
    for name in field_names:
        copy_field(mapped, body, BY_NAME[name])
    apply_closed_lost_reason(life_cycle, rules)
    return body


def refusal_key(body: Mapping[str, Any], last_modified: Any) -> str:
    """The update Partner Central refused last time: not sent again until the deal or the opportunity
    changes (an association made in Partner Central moves its LastModifiedDate and may be what was missing)."""
    text = json.dumps([body, last_modified], sort_keys=True, default=str)
    return _REFUSAL + hashlib.sha256(text.encode()).hexdigest()


def is_refusal_key(fingerprint: str | None) -> bool:
    return fingerprint is not None and fingerprint.startswith(_REFUSAL)
