"""Asynchronous tasks: started IN_PROGRESS, finished COMPLETE or FAILED once the emulator clock passes
their completion time (EmulatorConfig.task_delay_seconds)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central import model
from cosell_local.partner_central.business_rules import submission_errors
from cosell_local.partner_central.clock import iso
from cosell_local.partner_central.errors import ApiError, business_error, describe, not_found
from cosell_local.partner_central.operations import invitations, opportunities, snapshots
from cosell_local.partner_central.operations.common import matches_any, opportunity, paginate, sort_records
from cosell_local.partner_central.operations.engagements import (
    AWS_ACCOUNT,
    add_context,
    associate_resource,
    engagement_of_opportunity,
    joined_engagement,
    new_engagement,
)
from cosell_local.partner_central.validation import parse_timestamp

if TYPE_CHECKING:
    from collections.abc import Callable

    from cosell_local.partner_central.backend import Backend
    from cosell_local.partner_central.store import CatalogState

Json = dict[str, Any]

BY_ACCEPTING_INVITATION = "StartEngagementByAcceptingInvitationTask"
FROM_OPPORTUNITY = "StartEngagementFromOpportunityTask"
OPPORTUNITY_FROM_ENGAGEMENT = "StartOpportunityFromEngagementTask"
_ARN_KINDS = {
    BY_ACCEPTING_INVITATION: "engagement-by-accepting-invitation-task",
    FROM_OPPORTUNITY: "engagement-from-opportunity-task",
    OPPORTUNITY_FROM_ENGAGEMENT: "opportunity-from-engagement-task",
}


class TaskFailed(Exception):  # noqa: N818 - an outcome, reported on the task rather than raised to a caller
    def __init__(self, reason_code: str, message: str) -> None:
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message


def _start(backend: Backend, catalog: CatalogState, kind: str, request: Json, fields: Json) -> Json:
    identifier = backend.ids.prefixed("task-", 13)
    task = {
        "TaskId": identifier,
        "TaskArn": backend.arn(catalog.name, _ARN_KINDS[kind], identifier),
        "StartTime": backend.now_iso(),
        "TaskStatus": "IN_PROGRESS",
        "Kind": kind,
        "CompleteAt": iso(backend.now() + timedelta(seconds=backend.config.task_delay_seconds)),
        "Request": copy.deepcopy(request),
        **fields,
    }
    catalog.tasks[identifier] = task
    return {"TaskId": identifier}


def _idempotent_task(
    backend: Backend, request: Json, kind: str, start: Callable[[CatalogState], Json]
) -> Json:
    """Calling again with the same ClientToken and body returns the same task, in its current state."""
    catalog = backend.catalog(request["Catalog"])
    started = backend.idempotent(catalog, kind, request, lambda: start(catalog))
    complete_due_tasks(backend)
    return copy.deepcopy(catalog.tasks[started["TaskId"]])


def start_engagement_by_accepting_invitation_task(backend: Backend, request: Json) -> Json:
    def start(catalog: CatalogState) -> Json:
        record = invitations.invitation(catalog, request["Identifier"])
        invitations.check_acceptable(record)
        return _start(
            backend, catalog, BY_ACCEPTING_INVITATION, request, {"EngagementInvitationId": record["Id"]}
        )

    return _idempotent_task(backend, request, BY_ACCEPTING_INVITATION, start)


def start_engagement_from_opportunity_task(backend: Backend, request: Json) -> Json:
    def start(catalog: CatalogState) -> Json:
        record = opportunity(catalog, request["Identifier"])
        opportunities.check_submittable(record)
        return _start(backend, catalog, FROM_OPPORTUNITY, request, {"OpportunityId": record["Id"]})

    return _idempotent_task(backend, request, FROM_OPPORTUNITY, start)


def start_opportunity_from_engagement_task(backend: Backend, request: Json) -> Json:
    def start(catalog: CatalogState) -> Json:
        record = joined_engagement(backend, catalog, request["Identifier"])
        context = next((c for c in record["Contexts"] if c["Id"] == request["ContextIdentifier"]), None)
        if context is None:
            raise not_found("Engagement context", request["ContextIdentifier"], catalog.name)
        if context["Type"] != "Lead":
            raise business_error("ContextIdentifier", "must name a Lead context", "INVALID_VALUE")
        fields = {"EngagementId": record["Id"], "ContextId": context["Id"]}
        return _start(backend, catalog, OPPORTUNITY_FROM_ENGAGEMENT, request, fields)

    return _idempotent_task(backend, request, OPPORTUNITY_FROM_ENGAGEMENT, start)


def _accept_invitation(backend: Backend, catalog: CatalogState, task: Json) -> None:
    record = catalog.invitations[task["EngagementInvitationId"]]
    if record["Status"] != "PENDING":
        raise TaskFailed("EngagementInvitationConflict", f"Engagement invitation is {record['Status']}")
    invitations.accept(backend, catalog, record)
    created = opportunities.new_opportunity(backend, catalog, record["OpportunityDetails"], "AWS Referral")
    # AWS has vetted its own referral: the partner's copy starts approved, co-sell.
    created["LifeCycle"]["ReviewStatus"] = "Approved"
    catalog.aws_summaries[created["Id"]] |= {"InvolvementType": "Co-Sell", "Visibility": "Full"}
    associate_resource(catalog, record["EngagementId"], created["Id"], AWS_ACCOUNT)
    task["OpportunityId"] = created["Id"]


def _engage_from_opportunity(backend: Backend, catalog: CatalogState, task: Json) -> None:
    """GetOpportunity, CreateEngagement (unless the opportunity already has one), the snapshot job, then
    SubmitOpportunity: an opportunity that cannot be submitted FAILS the task, naming every problem."""
    record = catalog.opportunities[task["OpportunityId"]]
    submission = task["Request"]["AwsSubmission"]
    try:
        opportunities.check_review_status(record)
    except ApiError as error:
        raise TaskFailed("OpportunitySubmissionFailed", error.message) from None
    errors = submission_errors(record, submission["InvolvementType"], backend.now().date())
    if errors:
        raise TaskFailed(
            "OpportunityValidationFailed",
            f"Opportunity {record['Id']} was not submitted: {describe(errors)}. "
            "Complete the opportunity with UpdateOpportunity (and AssociateOpportunity), then start the "
            "engagement again.",
        )
    engagement = engagement_of_opportunity(catalog, record["Id"]) or _new_customer_engagement(
        backend, catalog, record
    )
    job = _opportunity_snapshot_job(backend, catalog, engagement["Id"], record["Id"])
    job["Status"] = "Running"
    opportunities.submit(
        backend, catalog, record, submission["InvolvementType"], submission.get("Visibility")
    )
    task |= {"EngagementId": engagement["Id"], "ResourceSnapshotJobId": job["Id"]}


def _new_customer_engagement(backend: Backend, catalog: CatalogState, record: Json) -> Json:
    account = record.get("Customer", {}).get("Account", {})
    project = record.get("Project", {})
    context = {
        "Type": "CustomerProject",
        "Payload": {
            "CustomerProject": {
                "Customer": {
                    "Industry": account.get("Industry"),
                    "CompanyName": account.get("CompanyName"),
                    "WebsiteUrl": account.get("WebsiteUrl"),
                    "CountryCode": account.get("Address", {}).get("CountryCode"),
                },
                "Project": {
                    "Title": project.get("Title"),
                    "BusinessProblem": project.get("CustomerBusinessProblem"),
                    "TargetCompletionDate": record.get("LifeCycle", {}).get("TargetCloseDate"),
                },
            }
        },
    }
    created = new_engagement(
        backend,
        catalog,
        title=project.get("Title") or record["Id"],
        created_by=backend.config.account_id,
        contexts=[context],
        emit=True,
    )
    associate_resource(catalog, created["Id"], record["Id"], backend.config.account_id)
    return created


def _opportunity_snapshot_job(
    backend: Backend, catalog: CatalogState, engagement_id: str, opportunity_id: str
) -> Json:
    """The engagement's OpportunitySummaryView job for the opportunity, made if it has none yet."""
    for job in catalog.snapshot_jobs.values():
        if (job["EngagementId"], job["ResourceId"], job["ResourceSnapshotTemplateName"]) == (
            engagement_id,
            opportunity_id,
            snapshots.OPPORTUNITY_VIEW,
        ):
            return job
    return snapshots.new_job(backend, catalog, engagement_id, opportunity_id, snapshots.OPPORTUNITY_VIEW)


def _opportunity_from_engagement(backend: Backend, catalog: CatalogState, task: Json) -> None:
    record = catalog.engagements[task["EngagementId"]]
    lead = next(c for c in record["Contexts"] if c["Id"] == task["ContextId"])["Payload"]["Lead"]
    customer = lead["Customer"]
    interaction = lead["Interactions"][0]
    contact = interaction["Contact"]
    industry = customer.get("Industry") or "Other"
    known_industry = industry in model.shape("Industry").enum  # type: ignore[attr-defined]
    fields: Json = {
        "Customer": {
            "Account": {
                "CompanyName": customer["CompanyName"],
                "Industry": industry if known_industry else "Other",
                "OtherIndustry": None if known_industry else industry,
                "WebsiteUrl": customer.get("WebsiteUrl"),
            },
            "Contacts": [
                {
                    "Email": contact["Email"].lower(),
                    "FirstName": contact["FirstName"],
                    "LastName": contact["LastName"],
                    "BusinessTitle": contact["BusinessTitle"],
                }
            ],
        },
        "Project": {
            "Title": f"{customer['CompanyName']} lead"[:255],
            "CustomerBusinessProblem": interaction.get("BusinessProblem"),
        },
        "LifeCycle": {"Stage": "Prospect"},
    }
    created = opportunities.new_opportunity(backend, catalog, fields, "AWS Referral")
    associate_resource(catalog, record["Id"], created["Id"], backend.config.account_id)
    add_context(backend, catalog, record, _customer_project_context(created), backend.config.account_id)
    task["OpportunityId"] = created["Id"]


def _customer_project_context(record: Json) -> Json:
    account = record["Customer"]["Account"]
    return {
        "Type": "CustomerProject",
        "Payload": {
            "CustomerProject": {
                "Customer": {key: account.get(key) for key in ("Industry", "CompanyName", "WebsiteUrl")},
                "Project": {"Title": record["Project"]["Title"]},
            }
        },
    }


_COMPLETIONS: dict[str, Callable[[Backend, CatalogState, Json], None]] = {
    BY_ACCEPTING_INVITATION: _accept_invitation,
    FROM_OPPORTUNITY: _engage_from_opportunity,
    OPPORTUNITY_FROM_ENGAGEMENT: _opportunity_from_engagement,
}


def due_tasks(backend: Backend) -> list[tuple[CatalogState, Json]]:
    """Tasks still IN_PROGRESS whose completion time the clock has passed, oldest first."""
    now = backend.now()
    due = [
        (catalog, task)
        for catalog in backend.state.catalogs.values()
        for task in catalog.tasks.values()
        if task["TaskStatus"] == "IN_PROGRESS" and parse_timestamp(task["CompleteAt"]) <= now
    ]
    return sorted(due, key=lambda pair: pair[1]["CompleteAt"])


def complete_due_tasks(backend: Backend) -> bool:
    """Completes (or fails) each task the clock made due; whether there was one."""
    due = list(due_tasks(backend))
    for catalog, task in due:
        try:
            if backend.faults.task_fails():
                raise TaskFailed("InternalError", "The task failed (injected fault)")
            _COMPLETIONS[task["Kind"]](backend, catalog, task)
        except TaskFailed as failure:
            task |= {
                "TaskStatus": "FAILED",
                "ReasonCode": failure.reason_code,
                "Message": failure.message,
            }
        else:
            task["TaskStatus"] = "COMPLETE"
    return bool(due)


def _list_tasks(backend: Backend, request: Json, kind: str, filters: dict[str, str], output_key: str) -> Json:
    catalog = backend.catalog(request["Catalog"])
    tasks = []
    for task in catalog.tasks.values():
        if task["Kind"] != kind or not matches_any(task["TaskStatus"], request.get("TaskStatus")):
            continue
        if all(
            request.get(name) is None
            or task.get(field) in [identifier.rsplit("/", 1)[-1] for identifier in request[name]]
            for name, field in filters.items()
        ):
            tasks.append(copy.deepcopy(task))
    sort_records(tasks, request.get("Sort"), {"StartTime": lambda task: task["StartTime"]}, "StartTime")
    page, token = paginate(tasks, request, default_page_size=100)
    return {output_key: page, "NextToken": token}


def list_engagement_by_accepting_invitation_tasks(backend: Backend, request: Json) -> Json:
    filters = {
        "TaskIdentifier": "TaskId",
        "OpportunityIdentifier": "OpportunityId",
        "EngagementInvitationIdentifier": "EngagementInvitationId",
    }
    return _list_tasks(backend, request, BY_ACCEPTING_INVITATION, filters, "TaskSummaries")


def list_engagement_from_opportunity_tasks(backend: Backend, request: Json) -> Json:
    filters = {
        "TaskIdentifier": "TaskId",
        "OpportunityIdentifier": "OpportunityId",
        "EngagementIdentifier": "EngagementId",
    }
    return _list_tasks(backend, request, FROM_OPPORTUNITY, filters, "TaskSummaries")


def list_opportunity_from_engagement_tasks(backend: Backend, request: Json) -> Json:
    filters = {
        "TaskIdentifier": "TaskId",
        "OpportunityIdentifier": "OpportunityId",
        "EngagementIdentifier": "EngagementId",
        "ContextIdentifier": "ContextId",
    }
    return _list_tasks(backend, request, OPPORTUNITY_FROM_ENGAGEMENT, filters, "TaskSummaries")


HANDLERS = {
    BY_ACCEPTING_INVITATION: start_engagement_by_accepting_invitation_task,
    FROM_OPPORTUNITY: start_engagement_from_opportunity_task,
    OPPORTUNITY_FROM_ENGAGEMENT: start_opportunity_from_engagement_task,
    "ListEngagementByAcceptingInvitationTasks": list_engagement_by_accepting_invitation_tasks,
    "ListEngagementFromOpportunityTasks": list_engagement_from_opportunity_tasks,
    "ListOpportunityFromEngagementTasks": list_opportunity_from_engagement_tasks,
}
