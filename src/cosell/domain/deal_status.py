"""What a deal shows about its sync: the status, what stops it, what waits, and AWS's review.

Every use case reports on a deal through these, so a rep reads the same words whatever went wrong, and no
text outgrows what HubSpot keeps. Pure: the use case writes the properties (cosell.sync.reporting).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell.domain import deal_properties
from cosell.domain.audit import value_text
from cosell.domain.deal_properties import SyncStatus
from cosell.domain.reconcile import Action
from cosell.domain.synced_fields import field_of_member

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cosell.domain.reconcile import FieldDecision

# HubSpot keeps at most 65,536 characters in a text property (docs/CONTRACTS.md, "HubSpot properties").
TEXT_MAX = 65_000


def fit(text: str) -> str:
    return text[:TEXT_MAX]


def status_properties(
    errors: Sequence[str] = (), waiting: str | None = None, warnings: Sequence[str] | None = None
) -> dict[str, str]:
    """The deal's sync status: Error when anything stops the sync (one line each), Pending when something
    waits, Synced otherwise. `waiting` (when given) replaces what the deal says waits, `warnings` (when given)
    what the mapping left out, which does not stop the sync."""
    error_text = "\n".join(errors)
    if error_text:
        status = SyncStatus.ERROR
    elif waiting:
        status = SyncStatus.PENDING
    else:
        status = SyncStatus.SYNCED
    shown = {deal_properties.SYNC_STATUS: status.value, deal_properties.SYNC_ERROR: fit(error_text)}
    if waiting is not None:
        shown[deal_properties.SYNC_WAITING] = fit(waiting)
    if warnings is not None:
        shown[deal_properties.SYNC_WARNINGS] = fit("\n".join(warnings))
    return shown


def link_properties(opportunity_id: str, opportunity_url: str) -> dict[str, str]:
    return {deal_properties.OPPORTUNITY_ID: opportunity_id, deal_properties.OPPORTUNITY_URL: opportunity_url}


def review_properties(opportunity: Mapping[str, Any]) -> dict[str, str]:
    """AWS's side of the review, as the deal shows it."""
    life_cycle = opportunity.get("LifeCycle") or {}
    comments = "\n".join(
        text for text in (life_cycle.get("ReviewStatusReason"), life_cycle.get("ReviewComments")) if text
    )
    return {
        deal_properties.REVIEW_STATUS: life_cycle.get("ReviewStatus") or "",
        deal_properties.REVIEW_COMMENTS: fit(comments),
        deal_properties.NEXT_STEPS: fit(life_cycle.get("NextSteps") or ""),
    }


def partner_central_refusal(response: Mapping[str, Any], what: str) -> list[str]:
    """Partner Central's ValidationException in the rep's terms: one line per field its ErrorList names (the
    HubSpot field it comes from first, where one does), or its message about `what` (the opportunity, the
    update)."""
    lines = [
        f"Partner Central refused {_member_in_rep_terms(str(item.get('FieldName')))}: {item.get('Message')}"
        for item in response.get("ErrorList") or []
    ]
    message = (response.get("Error") or {}).get("Message") or "no reason given"
    return lines or [f"Partner Central refused {what}: {message}"]


def _member_in_rep_terms(member: str) -> str:
    synced = field_of_member(member)
    return member if synced is None else f"{synced.label} ({member})"


def waiting_text(decisions: Sequence[FieldDecision], review_status: str | None, deal_id: str) -> str:
    """What the pair's sync waits for: changes AWS's review holds or no longer allows, and conflicts an
    operator must settle."""
    lines = []
    held = [d.synced.label for d in decisions if d.action is Action.HOLD]
    if held:
        lines.append(
            f"waiting: opportunity is {review_status}; {', '.join(held)} will be sent to Partner Central when "
            f"AWS lets the partner edit them"
        )
    locked = [d.synced.label for d in decisions if d.action is Action.LOCKED]
    if locked:
        lines.append(
            f"not sent: opportunity is {review_status}; Partner Central no longer lets the partner change "
            f"{', '.join(locked)}. The deal keeps its value, the opportunity its own"
        )
    lines += [
        f"conflict: {d.synced.label}: HubSpot has {value_text(d.hubspot)}, Partner Central has "
        f"{value_text(d.partner_central)}. Nothing is synced for it until your cosell administrator picks one "
        f"(cosell conflicts resolve {deal_id})"
        for d in decisions
        if d.action is Action.MANUAL
    ]
    return "\n".join(lines)
