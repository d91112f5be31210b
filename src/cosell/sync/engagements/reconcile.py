"""Use case: bring an engagement's news to the deals of the opportunities associated with it.

Runs for an engagement request (an EventBridge engagement or snapshot event, a schedule, the end of a
submission or of a referral's acceptance), in the engagement's own message group:
1. GetEngagement and ListEngagementMembers; ListEngagementResourceAssociations names its opportunities, and the
   links name their deals. An engagement of no linked deal is only remembered.
2. Members: each deal shows the engagement's id, title, status and members (written only when they changed);
   a member who joined gets a note on each deal ("<Partner> joined the engagement"), and another partner
   joining is a notification (cosell.domain.notifications, `partner-joined`).
3. Snapshots (snapshot events and the resource schedule): each new revision another member shared gets one
   note on each deal, saying what changed since the revision before (cosell.domain.snapshots). The first time
   an engagement's snapshots are read, only each resource's latest revision is noted.
Every read is paced. Nothing is written to Partner Central: another partner's data is only read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain.audit import AuditAction, FieldChange
from cosell.domain.engagement import (
    AWS_ACCOUNT,
    MemberRole,
    Part,
    engagement_properties,
    joined,
    joined_note,
    members_of,
    parts_for,
    summary_marker,
)
from cosell.domain.notifications import partner_joined
from cosell.domain.snapshots import snapshot_note
from cosell.hubspot.client import HubSpotNotFoundError
from cosell.partner_central.engagements import (
    associated_opportunities,
    engagement_members,
    snapshot_payload,
    snapshot_summaries,
)
from cosell.store.engagements import EngagementState
from cosell.sync.notify import note_once, notify
from cosell.sync.reporting import audit

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cosell.domain.audit import Cause
    from cosell.domain.engagement import Member
    from cosell.queue.messages import SyncRequest
    from cosell.sync.ports import Ports

# GetEngagement's answers for an engagement the partner cannot see (not a member, or not in this catalog).
_NOT_VISIBLE = frozenset({"AccessDeniedException", "ResourceNotFoundException"})


def reconcile_engagement(request: SyncRequest, ports: Ports) -> str:
    catalog, engagement_id = ports.config.catalog, request.object_id
    client = ports.partner_central
    try:
        engagement: dict[str, Any] = dict(client.get_engagement(Catalog=catalog, Identifier=engagement_id))
    except ClientError as error:
        if error_code(error) not in _NOT_VISIBLE:
            raise
        return f"engagement {engagement_id}: not visible to this partner ({error_code(error)})"
    opportunity_ids = associated_opportunities(client, catalog, engagement_id)
    deal_ids = list(
        dict.fromkeys(
            deal_id
            for opportunity_id in opportunity_ids
            if (deal_id := ports.links.deal_for_opportunity(catalog, opportunity_id)) is not None
        )
    )
    stored = ports.engagements.get(catalog, engagement_id)
    state = stored or EngagementState(members=None)
    marker = summary_marker(engagement)
    if not deal_ids:
        ports.engagements.save(catalog, engagement_id, replace(state, summary=marker, shown={}))
        return f"engagement {engagement_id}: linked to no deal"
    members = members_of(engagement_members(client, catalog, engagement_id), ports.partner_account_id)
    run = _EngagementRun(ports, request.cause, engagement, members, deal_ids)
    shown = run.show_members(state)
    revisions, snapshots_read, noted = state.revisions, state.snapshots_read, 0
    if Part.SNAPSHOTS in parts_for(trigger.kind for trigger in request.triggers):
        revisions, noted = run.note_snapshots(state.revisions, first_read=not state.snapshots_read)
        snapshots_read = True
    members_seen = tuple(member.account_id for member in members)
    ports.engagements.save(
        catalog, engagement_id, EngagementState(members_seen, marker, shown, revisions, snapshots_read)
    )
    return (
        f"engagement {engagement_id}: {len(members)} members on {len(deal_ids)} deal(s), "
        f"{len(joined(members, state.members))} joined, {noted} snapshot note(s)"
    )


class _EngagementRun:
    def __init__(
        self,
        ports: Ports,
        cause: Cause,
        engagement: dict[str, Any],
        members: Sequence[Member],
        deal_ids: Sequence[str],
    ) -> None:
        self.ports, self.cause, self.engagement, self.members = ports, cause, engagement, members
        self.deal_ids = list(deal_ids)
        self.engagement_id = str(engagement["Id"])

    def show_members(self, state: EngagementState) -> dict[str, str]:
        """Each deal's engagement properties, and a note or notification per member who joined; the
        fingerprint of what each deal now shows."""
        properties = engagement_properties(self.engagement, self.members)
        fingerprint = _fingerprint(properties)
        shown: dict[str, str] = {}
        newcomers = joined(self.members, state.members)
        for deal_id in list(self.deal_ids):
            try:
                if state.shown.get(deal_id) != fingerprint:
                    self.ports.hubspot.update_deal(deal_id, properties)
                    audit(
                        self.ports,
                        self.cause,
                        AuditAction.UPDATE_DEAL,
                        deal_id,
                        changes=[FieldChange(name, None, value) for name, value in properties.items()],
                        detail=f"engagement {self.engagement_id}",
                    )
                for member in newcomers:
                    self._tell_joined(deal_id, member)
            except HubSpotNotFoundError:
                self.deal_ids.remove(deal_id)  # deleted in HubSpot since it was linked: nothing to show it on
                continue
            shown[deal_id] = fingerprint
        return shown

    def _tell_joined(self, deal_id: str, member: Member) -> None:
        ports = self.ports
        if member.role is MemberRole.PARTNER:
            deal = ports.hubspot.get_deal(deal_id, properties=["dealname", "hubspot_owner_id"])
            notifications = partner_joined(
                self.engagement_id,
                member.account_id,
                member.company_name,
                deal.properties.get("dealname") or deal_id,
                deal_id,
                ports.config.notification_rules,
            )
            if notifications:
                notify(notifications, deal_id, deal.properties.get("hubspot_owner_id"), ports, self.cause)
                return
        key = f"engagement-member:{ports.config.catalog}:{self.engagement_id}:{member.account_id}:{deal_id}"
        note_once(key, deal_id, joined_note(member, self.engagement), ports)

    def note_snapshots(
        self, noted_before: Mapping[str, int], *, first_read: bool
    ) -> tuple[dict[str, int], int]:
        """A note per deal for each revision shared by another member since the last one noted (on the
        engagement's first read, each resource's latest only); the last revision noted for each resource,
        and how many notes were written."""
        ports, catalog = self.ports, self.ports.config.catalog
        by_resource: dict[str, list[Any]] = {}
        for summary in snapshot_summaries(ports.partner_central, catalog, self.engagement_id):
            by_resource.setdefault(_resource_key(summary), []).append(summary)
        revisions = dict(noted_before)
        written = 0
        for key, summaries in by_resource.items():
            summaries.sort(key=lambda summary: int(summary["Revision"]))
            last = revisions.get(key, 0)
            due = [s for s in summaries if int(s["Revision"]) > last]
            if first_read:
                due = due[-1:]  # an engagement found late: its history is not replayed on the timeline
            payloads = _Payloads(ports, self.engagement_id, summaries[-1])
            for summary in due:
                revision = int(summary["Revision"])
                if summary.get("CreatedBy") != ports.partner_account_id:
                    note = snapshot_note(
                        shared_by=self._member_name(str(summary.get("CreatedBy") or "")),
                        template=str(summary["ResourceSnapshotTemplateName"]),
                        resource_id=str(summary["ResourceId"]),
                        revision=revision,
                        engagement_id=self.engagement_id,
                        payload=payloads.get(revision),
                        previous=payloads.get(revision - 1) if revision > 1 else None,
                    )
                    for deal_id in self.deal_ids:
                        written += note_once(
                            f"snapshot:{catalog}:{self.engagement_id}:{key}:{revision}:{deal_id}",
                            deal_id,
                            note,
                            ports,
                        )
                revisions[key] = revision
        return revisions, written

    def _member_name(self, account_id: str) -> str:
        if account_id == AWS_ACCOUNT:
            return "AWS"
        return next(
            (m.company_name for m in self.members if m.account_id == account_id), f"Partner {account_id}"
        )


class _Payloads:
    """The payloads of one resource's revisions, each read once (a revision's note needs the one before)."""

    def __init__(self, ports: Ports, engagement_id: str, summary: Mapping[str, Any]) -> None:
        self._ports, self._engagement_id, self._summary = ports, engagement_id, summary
        self._read: dict[int, Any] = {}

    def get(self, revision: int) -> Any:
        if revision not in self._read:
            ports = self._ports
            self._read[revision] = snapshot_payload(
                ports.partner_central,
                ports.config.catalog,
                self._engagement_id,
                self._summary,
                revision,
            )
        return self._read[revision]


def _resource_key(summary: Mapping[str, Any]) -> str:
    return f"{summary['ResourceType']}/{summary['ResourceId']}/{summary['ResourceSnapshotTemplateName']}"


def _fingerprint(properties: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(properties, sort_keys=True).encode()).hexdigest()[:16]
