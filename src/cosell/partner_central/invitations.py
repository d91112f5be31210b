"""Engagement invitations in Partner Central: listing the pending ones, and accepting them.

Accepting is asynchronous. An opportunity invitation is accepted by StartEngagementByAcceptingInvitationTask,
which also creates the partner's opportunity. A lead invitation is accepted by AcceptEngagementInvitation; its
opportunity then comes from StartOpportunityFromEngagementTask on the engagement's Lead context. Either way
the result is a task that ends COMPLETE (with the opportunity id) or FAILED (with a reason). Both starts carry
a ClientToken derived from the invitation, so starting again returns the same task instead of a second one;
tasks are then followed with the List…Tasks reads, which cost no write quota.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient
    from mypy_boto3_partnercentral_selling.type_defs import EngagementInvitationSummaryTypeDef

    from cosell.config import Catalog

LEAD_INVITATION = "LeadInvitation"
OPPORTUNITY_INVITATION = "OpportunityInvitation"
PAGE_SIZE = 100  # ListEngagementInvitations' maximum


class TaskKind(StrEnum):
    ACCEPT_OPPORTUNITY = "accept-opportunity"  # StartEngagementByAcceptingInvitationTask
    OPPORTUNITY_FROM_LEAD = "opportunity-from-lead"  # StartOpportunityFromEngagementTask


class TaskStatus(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


@dataclass(frozen=True)
class AcceptanceTask:
    kind: TaskKind
    task_id: str
    status: TaskStatus
    opportunity_id: str | None = None
    reason: str | None = None  # why it FAILED, as Partner Central says it
    reason_code: str | None = None

    @classmethod
    def from_response(cls, kind: TaskKind, task: Any) -> AcceptanceTask:
        reason = ": ".join(part for part in (task.get("ReasonCode"), task.get("Message")) if part)
        return cls(
            kind=kind,
            task_id=task["TaskId"],
            status=TaskStatus(task["TaskStatus"]),
            opportunity_id=task.get("OpportunityId"),
            reason=reason or None,
            reason_code=task.get("ReasonCode"),
        )


def pending_received_invitations(
    client: PartnerCentralSellingAPIClient, catalog: Catalog
) -> Iterator[EngagementInvitationSummaryTypeDef]:
    """Every PENDING invitation addressed to this partner, all pages (100 per call, the API's maximum)."""
    paginator = client.get_paginator("list_engagement_invitations")
    pages = paginator.paginate(
        Catalog=catalog,
        ParticipantType="RECEIVER",
        Status=["PENDING"],
        PaginationConfig={"PageSize": PAGE_SIZE},
    )
    for page in pages:
        yield from page.get("EngagementInvitationSummaries", [])


def is_received(client: PartnerCentralSellingAPIClient, catalog: Catalog, invitation: Any) -> bool:
    """Whether this partner is the invitation's receiver. Events and GetEngagementInvitation do not say so
    reliably; the List API's ParticipantType filter does (an invitation the partner sent is no referral)."""
    received = client.list_engagement_invitations(
        Catalog=catalog, ParticipantType="RECEIVER", EngagementIdentifier=[invitation["EngagementId"]]
    ).get("EngagementInvitationSummaries", [])
    return any(summary["Id"] == invitation["Id"] for summary in received)


def acceptance_token(catalog: str, kind: TaskKind, invitation_id: str, attempt: int = 1) -> str:
    """Derived from the invitation and the attempt: every run of one attempt starts the same task; an attempt
    after a task that failed for a passing reason starts a new one."""
    token = f"cosell-{catalog.lower()}-{kind.value}-{invitation_id}"
    return token if attempt == 1 else f"{token}-{attempt}"


def start_opportunity_acceptance(
    client: PartnerCentralSellingAPIClient,
    catalog: Catalog,
    invitation_id: str,
    attempt: int = 1,
) -> AcceptanceTask:
    kind = TaskKind.ACCEPT_OPPORTUNITY
    task = client.start_engagement_by_accepting_invitation_task(
        Catalog=catalog,
        ClientToken=acceptance_token(catalog, kind, invitation_id, attempt),
        Identifier=invitation_id,
    )
    return AcceptanceTask.from_response(kind, task)


class LeadContextMissingError(Exception):
    """The lead's engagement has no Lead context to make an opportunity from."""


def start_lead_acceptance(
    client: PartnerCentralSellingAPIClient,
    catalog: Catalog,
    invitation_id: str,
    engagement_id: str,
    attempt: int = 1,
) -> AcceptanceTask:
    kind = TaskKind.OPPORTUNITY_FROM_LEAD
    try:
        client.accept_engagement_invitation(Catalog=catalog, Identifier=invitation_id)
    except ClientError as error:
        if error_code(error) != "ConflictException":
            raise
        # Accepted by an earlier attempt that stopped before starting the task.
    engagement = client.get_engagement(Catalog=catalog, Identifier=engagement_id)
    lead = next((c for c in engagement.get("Contexts", []) if c["Type"] == "Lead" and "Id" in c), None)
    if lead is None:
        raise LeadContextMissingError(f"engagement {engagement_id} has no Lead context")
    task = client.start_opportunity_from_engagement_task(
        Catalog=catalog,
        ClientToken=acceptance_token(catalog, kind, invitation_id, attempt),
        Identifier=engagement_id,
        ContextIdentifier=lead["Id"],
    )
    return AcceptanceTask.from_response(kind, task)


def find_task(
    client: PartnerCentralSellingAPIClient, catalog: Catalog, kind: TaskKind, task_id: str
) -> AcceptanceTask | None:
    if kind is TaskKind.ACCEPT_OPPORTUNITY:
        found: Any = client.list_engagement_by_accepting_invitation_tasks(
            Catalog=catalog, TaskIdentifier=[task_id]
        )
    else:
        found = client.list_opportunity_from_engagement_tasks(Catalog=catalog, TaskIdentifier=[task_id])
    tasks = found.get("TaskSummaries", [])
    return AcceptanceTask.from_response(kind, tasks[0]) if tasks else None


def acceptance_task_for_invitation(
    client: PartnerCentralSellingAPIClient, catalog: Catalog, invitation_id: str
) -> AcceptanceTask | None:
    """The latest task that accepted this opportunity invitation, if cosell or anyone started one."""
    tasks = client.list_engagement_by_accepting_invitation_tasks(
        Catalog=catalog,
        EngagementInvitationIdentifier=[invitation_id],
        Sort={"SortBy": "StartTime", "SortOrder": "DESCENDING"},
    ).get("TaskSummaries", [])
    return AcceptanceTask.from_response(TaskKind.ACCEPT_OPPORTUNITY, tasks[0]) if tasks else None


def invitation_for_opportunity(
    client: PartnerCentralSellingAPIClient, catalog: Catalog, opportunity_id: str
) -> str | None:
    """The invitation whose acceptance created this opportunity, if one did."""
    accepted = client.list_engagement_by_accepting_invitation_tasks(
        Catalog=catalog, OpportunityIdentifier=[opportunity_id]
    ).get("TaskSummaries", [])
    if accepted and accepted[0].get("EngagementInvitationId"):
        return accepted[0]["EngagementInvitationId"]
    from_lead = client.list_opportunity_from_engagement_tasks(
        Catalog=catalog, OpportunityIdentifier=[opportunity_id]
    ).get("TaskSummaries", [])
    engagement_id = from_lead[0].get("EngagementId") if from_lead else None
    if not engagement_id:
        return None
    invitations = client.list_engagement_invitations(
        Catalog=catalog, ParticipantType="RECEIVER", EngagementIdentifier=[engagement_id]
    ).get("EngagementInvitationSummaries", [])
    return invitations[0]["Id"] if invitations else None
