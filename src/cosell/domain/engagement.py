"""An engagement (the space Partner Central shares between the partner, AWS and other partners on one customer
opportunity) as its deals show it, and who joined it. Pure.

Partner Central gives an engagement an id, a title, its members and when and by whom it last changed; it has no
status field (GetEngagement, ListEngagementMembers: docs/CONTRACTS.md, "Engagements"). The deal's
`aws_engagement_status` says who shares it, from the members. AWS is the member whose account id is `aws`; the
partner itself is the member with the account of its Partner Central role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cosell.domain import deal_properties
from cosell.domain.deal_status import fit

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence

AWS_ACCOUNT = "aws"


class Part(StrEnum):
    """What one reconcile of an engagement looks at: its members, or the snapshots shared in it."""

    MEMBERS = "members"
    SNAPSHOTS = "snapshots"


# The triggers that concern each part (EventBridge detail-types and the schedules' kinds).
MEMBERS_SCHEDULE = "engagement sync"
SNAPSHOTS_SCHEDULE = "resource sync"
# Queued when a deal gets its engagement (a submission completed, a referral accepted): both parts.
ENGAGEMENT_STARTED = "engagement started"
_SNAPSHOT_KINDS = frozenset(
    {"Engagement Resource Snapshot Created", "Resource Snapshot Created", SNAPSHOTS_SCHEDULE}
)


def parts_for(trigger_kinds: Iterable[str]) -> frozenset[Part]:
    """Snapshot events and the resource schedule look at the snapshots, a new engagement at everything, the
    rest at the members. The members are always read: the deal shows them, and they name who shared what."""
    kinds = set(trigger_kinds)
    if ENGAGEMENT_STARTED in kinds or kinds & _SNAPSHOT_KINDS:
        return frozenset(Part)
    return frozenset({Part.MEMBERS})


def summary_marker(summary: Mapping[str, Any]) -> str:
    """What GetEngagement and ListEngagements say of an engagement that changes when its members or contexts
    do: an unchanged one need not be reconciled again."""
    return f"{summary.get('MemberCount')}|{summary.get('ModifiedAt')}"


class MemberRole(StrEnum):
    AWS = "AWS"
    YOU = "you"
    PARTNER = "partner"


@dataclass(frozen=True)
class Member:
    account_id: str
    company_name: str
    role: MemberRole

    @property
    def shown(self) -> str:
        return f"{self.company_name} ({self.role})"


def members_of(listed: Iterable[Mapping[str, Any]], own_account: str) -> list[Member]:
    """ListEngagementMembers' entries, AWS first, then the partner itself, then the others by name."""

    def role(account_id: str) -> MemberRole:
        if account_id == AWS_ACCOUNT:
            return MemberRole.AWS
        return MemberRole.YOU if account_id == own_account else MemberRole.PARTNER

    members = [
        Member(
            str(entry.get("AccountId") or ""),
            str(entry.get("CompanyName") or entry.get("AccountId") or "a member"),
            role(str(entry.get("AccountId") or "")),
        )
        for entry in listed
    ]
    order = list(MemberRole)
    return sorted(members, key=lambda member: (order.index(member.role), member.company_name))


def status(members: Sequence[Member]) -> str:
    partners = sum(member.role is MemberRole.PARTNER for member in members)
    shared = "Shared with AWS" if any(m.role is MemberRole.AWS for m in members) else "Not shared with AWS"
    if partners:
        shared += f" and {partners} other partner{'s' if partners > 1 else ''}"
    return shared


def engagement_properties(engagement: Mapping[str, Any], members: Sequence[Member]) -> dict[str, str]:
    """The deal's engagement properties, from GetEngagement and the members."""
    return {
        deal_properties.ENGAGEMENT_ID: str(engagement.get("Id") or ""),
        deal_properties.ENGAGEMENT_TITLE: str(engagement.get("Title") or ""),
        deal_properties.ENGAGEMENT_STATUS: status(members),
        deal_properties.ENGAGEMENT_MEMBERS: fit("\n".join(member.shown for member in members)),
    }


def joined(members: Sequence[Member], seen: Collection[str] | None) -> list[Member]:
    """The members who joined since the engagement was last seen. The first time it is seen, AWS and the
    partner itself were there from the start; another partner already there has joined."""
    if seen is None:
        return [member for member in members if member.role is MemberRole.PARTNER]
    return [member for member in members if member.account_id not in seen]


def joined_note(member: Member, engagement: Mapping[str, Any]) -> str:
    title = engagement.get("Title") or engagement.get("Id")
    return f"{member.company_name} joined the engagement {title} ({engagement.get('Id')}) in Partner Central."
