"""Resource snapshots (immutable, revisioned views of an opportunity inside an engagement) and the jobs
that take them whenever the opportunity changes."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central import model
from cosell_local.partner_central.errors import ApiError, business_error, conflict, not_found
from cosell_local.partner_central.events import snapshot_detail
from cosell_local.partner_central.operations.common import opportunity, paginate, sort_records
from cosell_local.partner_central.operations.engagements import engagement
from cosell_local.partner_central.validation import project

if TYPE_CHECKING:
    from cosell_local.partner_central.backend import Backend
    from cosell_local.partner_central.store import CatalogState

Json = dict[str, Any]

OPPORTUNITY_VIEW = "OpportunitySummaryView"
AWS_SUMMARY_VIEW = "AwsOpportunitySummaryFullView"
TEMPLATES = (OPPORTUNITY_VIEW, AWS_SUMMARY_VIEW)


def _payload(catalog: CatalogState, template: str, opportunity_id: str) -> Json:
    if template == OPPORTUNITY_VIEW:
        record = catalog.opportunities[opportunity_id]
        view = copy.deepcopy(record) | {"Lifecycle": record.get("LifeCycle")}
        return {"OpportunitySummary": project(model.shape(OPPORTUNITY_VIEW), view)}
    summary = copy.deepcopy(catalog.aws_summaries.get(opportunity_id, {})) | {
        "RelatedOpportunityId": opportunity_id
    }
    return {"AwsOpportunitySummaryFullView": project(model.shape(AWS_SUMMARY_VIEW), summary)}


def take_snapshot(
    backend: Backend,
    catalog: CatalogState,
    engagement_id: str,
    opportunity_id: str,
    template: str,
    created_by: str,
) -> Json:
    if template not in TEMPLATES:
        raise business_error(
            "ResourceSnapshotTemplateIdentifier", f"must be one of: {', '.join(TEMPLATES)}", "INVALID_VALUE"
        )
    revision = 1 + sum(
        1
        for snapshot in catalog.snapshots
        if (snapshot["EngagementId"], snapshot["ResourceId"], snapshot["ResourceSnapshotTemplateName"])
        == (engagement_id, opportunity_id, template)
    )
    members = catalog.engagements[engagement_id]["Members"]
    snapshot = {
        "Catalog": catalog.name,
        "Arn": backend.arn(
            catalog.name,
            "engagement",
            f"{engagement_id}/resource/Opportunity/{opportunity_id}/template/{template}/snapshot/{revision}",
        ),
        "CreatedBy": created_by,
        "CreatedAt": backend.now_iso(),
        "EngagementId": engagement_id,
        "ResourceType": "Opportunity",
        "ResourceId": opportunity_id,
        "ResourceSnapshotTemplateName": template,
        "Revision": revision,
        "Payload": _payload(catalog, template, opportunity_id),
        "TargetMemberAccounts": [member["AccountId"] for member in members],
    }
    catalog.snapshots.append(snapshot)
    engagement_arn = catalog.engagements[engagement_id]["Arn"]
    backend.emit(
        "Engagement Resource Snapshot Created", snapshot_detail(catalog.name, snapshot), [engagement_arn]
    )
    return snapshot


def _check_resource(catalog: CatalogState, request: Json) -> tuple[str, str]:
    engagement_id = engagement(catalog, request["EngagementIdentifier"])["Id"]
    opportunity_id = opportunity(catalog, request["ResourceIdentifier"])["Id"]
    associated = any(
        (association["EngagementId"], association["ResourceId"]) == (engagement_id, opportunity_id)
        for association in catalog.resource_associations
    )
    if not associated:
        raise business_error(
            "ResourceIdentifier",
            f"{opportunity_id} is not associated with {engagement_id}",
            "INVALID_RESOURCE_STATE",
        )
    return engagement_id, opportunity_id


def create_resource_snapshot(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])

    def create() -> Json:
        engagement_id, opportunity_id = _check_resource(catalog, request)
        snapshot = take_snapshot(
            backend,
            catalog,
            engagement_id,
            opportunity_id,
            request["ResourceSnapshotTemplateIdentifier"],
            backend.config.account_id,
        )
        return {"Arn": snapshot["Arn"], "Revision": snapshot["Revision"]}

    return backend.idempotent(catalog, "CreateResourceSnapshot", request, create)


def _matching_snapshots(catalog: CatalogState, request: Json) -> list[Json]:
    return [
        snapshot
        for snapshot in catalog.snapshots
        if all(
            request.get(name) is None or snapshot[field] == request[name]
            for name, field in (
                ("EngagementIdentifier", "EngagementId"),
                ("ResourceType", "ResourceType"),
                ("ResourceIdentifier", "ResourceId"),
                ("ResourceSnapshotTemplateIdentifier", "ResourceSnapshotTemplateName"),
                ("CreatedBy", "CreatedBy"),
                ("Revision", "Revision"),
            )
        )
    ]


def get_resource_snapshot(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    snapshots = _matching_snapshots(catalog, request)
    if not snapshots:
        raise not_found("Resource snapshot", request["ResourceIdentifier"], catalog.name)
    return copy.deepcopy(max(snapshots, key=lambda snapshot: int(snapshot["Revision"])))


def list_resource_snapshots(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    engagement(catalog, request["EngagementIdentifier"])
    page, token = paginate(
        copy.deepcopy(_matching_snapshots(catalog, request)), request, default_page_size=100
    )
    return {"ResourceSnapshotSummaries": page, "NextToken": token}


def new_job(
    backend: Backend, catalog: CatalogState, engagement_id: str, opportunity_id: str, template: str
) -> Json:
    identifier = backend.ids.prefixed("job-", 13)
    job = {
        "Catalog": catalog.name,
        "Id": identifier,
        "Arn": backend.arn(catalog.name, "resource-snapshot-job", identifier),
        "EngagementId": engagement_id,
        "ResourceType": "Opportunity",
        "ResourceId": opportunity_id,
        "ResourceArn": catalog.opportunities[opportunity_id]["Arn"],
        "ResourceSnapshotTemplateName": template,
        "CreatedAt": backend.now_iso(),
        "Status": "Stopped",
    }
    catalog.snapshot_jobs[identifier] = job
    return job


def create_resource_snapshot_job(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])

    def create() -> Json:
        engagement_id, opportunity_id = _check_resource(catalog, request)
        template = request["ResourceSnapshotTemplateIdentifier"]
        if template not in TEMPLATES:
            raise business_error(
                "ResourceSnapshotTemplateIdentifier",
                f"must be one of: {', '.join(TEMPLATES)}",
                "INVALID_VALUE",
            )
        job = new_job(backend, catalog, engagement_id, opportunity_id, template)
        if request.get("Tags"):
            backend.state.tags[job["Arn"]] = {tag["Key"]: tag["Value"] for tag in request["Tags"]}
        return {"Id": job["Id"], "Arn": job["Arn"]}

    return backend.idempotent(catalog, "CreateResourceSnapshotJob", request, create)


def _job(catalog: CatalogState, identifier: str) -> Json:
    job = catalog.snapshot_jobs.get(identifier)
    if job is None:
        raise not_found("Resource snapshot job", identifier, catalog.name)
    return job


def get_resource_snapshot_job(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    return copy.deepcopy(_job(catalog, request["ResourceSnapshotJobIdentifier"]))


def list_resource_snapshot_jobs(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    jobs = [
        copy.deepcopy(job)
        for job in catalog.snapshot_jobs.values()
        if request.get("EngagementIdentifier") in (None, job["EngagementId"])
        and request.get("Status") in (None, job["Status"])
    ]
    sort_records(jobs, request.get("Sort"), {"CreatedDate": lambda job: job["CreatedAt"]}, "CreatedDate")
    page, token = paginate(jobs, request, default_page_size=100)
    return {"ResourceSnapshotJobSummaries": page, "NextToken": token}


def _set_job_status(backend: Backend, request: Json, status: str) -> Json:
    catalog = backend.catalog(request["Catalog"])
    job = _job(catalog, request["ResourceSnapshotJobIdentifier"])
    job["Status"] = status
    if status == "Running":
        run_job(backend, catalog, job)
    return {}


def start_resource_snapshot_job(backend: Backend, request: Json) -> Json:
    return _set_job_status(backend, request, "Running")


def stop_resource_snapshot_job(backend: Backend, request: Json) -> Json:
    return _set_job_status(backend, request, "Stopped")


def delete_resource_snapshot_job(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    job = _job(catalog, request["ResourceSnapshotJobIdentifier"])
    if job["Status"] == "Running":
        raise conflict(f"Resource snapshot job {job['Id']} is Running; stop it before deleting it")
    del catalog.snapshot_jobs[job["Id"]]
    return {}


def run_job(backend: Backend, catalog: CatalogState, job: Json) -> None:
    """A job runs as the selling system settings' role: without one, it takes no snapshot, and engagement
    members keep seeing the last one (AWS's developer guide, "Working with multipartner opportunities")."""
    if not catalog.settings.get("ResourceSnapshotJobRoleArn"):
        job["LastFailure"] = "No resource snapshot job role is set in the selling system settings"
        return
    try:
        take_snapshot(
            backend,
            catalog,
            job["EngagementId"],
            job["ResourceId"],
            job["ResourceSnapshotTemplateName"],
            backend.config.account_id,
        )
    except ApiError as error:
        job["LastFailure"] = error.message
    else:
        job["LastSuccessfulExecutionDate"] = backend.now_iso()


def refresh_running_jobs(backend: Backend, catalog: CatalogState, opportunity_id: str) -> None:
    for job in catalog.snapshot_jobs.values():
        if job["Status"] == "Running" and job["ResourceId"] == opportunity_id:
            run_job(backend, catalog, job)


HANDLERS = {
    "CreateResourceSnapshot": create_resource_snapshot,
    "GetResourceSnapshot": get_resource_snapshot,
    "ListResourceSnapshots": list_resource_snapshots,
    "CreateResourceSnapshotJob": create_resource_snapshot_job,
    "GetResourceSnapshotJob": get_resource_snapshot_job,
    "ListResourceSnapshotJobs": list_resource_snapshot_jobs,
    "StartResourceSnapshotJob": start_resource_snapshot_job,
    "StopResourceSnapshotJob": stop_resource_snapshot_job,
    "DeleteResourceSnapshotJob": delete_resource_snapshot_job,
}
