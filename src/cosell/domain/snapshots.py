"""What changed between two revisions of a resource snapshot, in the words of the mapping. Pure.

A resource snapshot is an immutable, numbered copy of one view of an opportunity that a member shares inside
an engagement (GetResourceSnapshot's `Payload`: `OpportunitySummary` or `AwsOpportunitySummaryFullView`). It
is how AWS and other partners share their side of a co-sell; Partner Central has no catalog of collateral
(docs/MAPPING.md, "Engagements and snapshots"). Each revision becomes one note on the deal, naming what changed
since the revision before, field by field, labelled as the deal's own fields are. People are shown by name and
title only: e-mails and phones stay in Partner Central.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cosell.domain.synced_fields import FIELDS

if TYPE_CHECKING:
    from collections.abc import Mapping

EMPTY = "(empty)"
MAX_LINES = 40  # a note stays readable; the rest is in Partner Central
VALUE_MAX = 300  # characters of one value (AWS's spend insights can run to pages)
NOTE_MAX = 60_000  # under HubSpot's 65,536 characters of a note body

# The opportunity's own view (OpportunitySummaryView) spells the lifecycle `Lifecycle`; the mapping `LifeCycle`.
_OPPORTUNITY_LABELS: dict[str, str] = {
    path.replace("LifeCycle.", "Lifecycle."): synced.label for synced in FIELDS for path in synced.paths
} | {
    "Lifecycle.ReviewStatus": "AWS review status",
    "Lifecycle.NextSteps": "AWS next steps",
    "OpportunityTeam": "Opportunity team",
    "Customer.Account.AwsAccountId": "Customer AWS account",
    "Customer.Account.Duns": "Company DUNS",
    "Project.ExpectedContractDuration": "Expected contract duration",
    "Project.OtherSolutionDescription": "Other solution",
    "RelatedEntityIdentifiers.Solutions": "AWS solutions",
    "RelatedEntityIdentifiers.AwsMarketplaceSolutions": "AWS solutions (Marketplace)",
    "RelatedEntityIdentifiers.AwsProducts": "AWS products",
    "RelatedEntityIdentifiers.AwsMarketplaceOffers": "AWS Marketplace offers",
    "RelatedEntityIdentifiers.AwsMarketplaceOfferSets": "AWS Marketplace offer sets",
    "RelatedEntityIdentifiers.AwsMarketplaceProducts": "AWS Marketplace products",
}
# AWS's view (AwsOpportunitySummaryFullView): the labels of the deal's AWS summary properties.
_AWS_SUMMARY_LABELS: dict[str, str] = {
    "Origin": "AWS origin",
    "InvolvementType": "AWS involvement type",
    "InvolvementTypeChangeReason": "AWS involvement change reason",
    "Visibility": "AWS visibility",
    "LifeCycle.Stage": "AWS stage",
    "LifeCycle.TargetCloseDate": "Close date",
    "LifeCycle.ClosedLostReason": "AWS closed lost reason",
    "LifeCycle.NextSteps": "AWS next steps",
    "LifeCycle.NextStepsHistory": "AWS next steps history",
    "OpportunityTeam": "AWS sellers",
    "Insights.EngagementScore": "AWS engagement score",
    "Insights.OpportunityQuality.Score": "AWS quality score",
    "Insights.OpportunityQuality.Trend": "AWS quality trend",
    "Insights.NextBestActions": "AWS next best actions",
    "Insights.Recommendations": "AWS recommendations",
    "Insights.AwsProductsSpendInsightsBySource": "AWS spend insights",
    "RelatedEntityIds.Solutions": "AWS solutions",
    "RelatedEntityIds.AwsMarketplaceSolutions": "AWS solutions (Marketplace)",
    "RelatedEntityIds.AwsProducts": "AWS products",
    "RelatedEntityIds.AwsMarketplaceProducts": "AWS Marketplace products",
    "Customer.Contacts": "Deal contacts",
    "Project.ExpectedCustomerSpend": "Amount and currency",
    "Project.AwsPartition": "AWS partition",
    "CosellMotion": "AWS co-sell motion",
    "SoftwareRevenue": "Software revenue",
}
LABELS: dict[str, dict[str, str]] = {
    "OpportunitySummary": _OPPORTUNITY_LABELS,
    "AwsOpportunitySummaryFullView": _AWS_SUMMARY_LABELS,
}
_PEOPLE = frozenset({"Customer.Contacts", "OpportunityTeam"})
# The snapshot's own opportunity, which the note's heading names already.
_UNSHOWN = frozenset({"RelatedOpportunityId"})


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str

    @property
    def line(self) -> str:
        return f"- {self.label}: {self.before} → {self.after}"


def fields_of(payload: Mapping[str, Any]) -> dict[str, str]:
    """A snapshot's payload as label → shown value, for every field it holds (empty ones left out)."""
    shown: dict[str, str] = {}
    for view, content in payload.items():
        labels = LABELS.get(view, {})
        for path, value in _leaves(content, "", labels):
            if path in _UNSHOWN:
                continue
            text = _cut(_shown(value, people=path in _PEOPLE))
            if text:
                label = labels.get(path, path)
                shown[label] = f"{shown[label]}; {text}" if label in shown else text
    return shown


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Field by field, what differs between two payloads, in the order the later one lists its fields."""
    old, new = fields_of(before), fields_of(after)
    labels = list(new) + [label for label in old if label not in new]
    return [
        Change(label, old.get(label, EMPTY), new.get(label, EMPTY))
        for label in labels
        if old.get(label) != new.get(label)
    ]


def snapshot_note(
    *,
    shared_by: str,
    template: str,
    resource_id: str,
    revision: int,
    engagement_id: str,
    payload: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
) -> str:
    """The deal's note for one revision: what changed since the previous one, or, for the first, what it holds."""
    heading = (
        f"{shared_by} shared snapshot {template} of {resource_id}, revision {revision}, in the engagement "
        f"{engagement_id}."
    )
    if previous is None:
        lines = [f"- {label}: {value}" for label, value in fields_of(payload).items()]
        body = "First revision:" if lines else "First revision, with no fields filled in."
    else:
        lines = [change.line for change in changes(previous, payload)]
        body = (
            f"Changed since revision {revision - 1}:"
            if lines
            else f"Nothing changed since revision {revision - 1}."
        )
    if len(lines) > MAX_LINES:
        lines = [
            *lines[:MAX_LINES],
            f"- … and {len(lines) - MAX_LINES} more: see the snapshot in Partner Central",
        ]
    return "\n".join([heading, body, *lines])[:NOTE_MAX]


def _cut(text: str) -> str:
    return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"


def _leaves(value: Any, prefix: str, labels: Mapping[str, str]) -> list[tuple[str, Any]]:
    """(dotted path, value) of each field; a labelled structure stays whole (one field of the mapping)."""
    if isinstance(value, dict) and prefix.rstrip(".") not in labels:
        found: list[tuple[str, Any]] = []
        for name, member in value.items():
            found += _leaves(member, f"{prefix}{name}.", labels)
        return found
    return [(prefix.rstrip("."), value)]


def _shown(value: Any, *, people: bool = False) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, list):
        return ", ".join(text for text in (_shown(item, people=people) for item in value) if text)
    if isinstance(value, dict):
        if people:
            name = " ".join(str(value[part]) for part in ("FirstName", "LastName") if value.get(part))
            title = value.get("BusinessTitle")
            return f"{name or 'someone'} ({title})" if title else name or "someone"
        return " ".join(text for text in (_shown(member) for member in value.values()) if text)
    return " ".join(str(value).split())
