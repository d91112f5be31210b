"""Opportunities: create, read, list, full-replace update, assignment, associations, submission."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central import model
from cosell_local.partner_central.business_rules import (
    AWS_OWNED_LIFECYCLE,
    REVIEW_AFTER_ACTION_REQUIRED,
    SANDBOX_REVIEW_OUTCOMES,
    SUBMITTABLE_REVIEW_STATUSES,
    edit_errors,
    field_errors,
    solution_errors,
    submission_errors,
)
from cosell_local.partner_central.clock import iso
from cosell_local.partner_central.errors import (
    BUSINESS_VALIDATION_FAILED,
    ApiError,
    business_error,
    conflict,
    not_found,
    validation_error,
)
from cosell_local.partner_central.events import opportunity_detail
from cosell_local.partner_central.operations import snapshots
from cosell_local.partner_central.operations.common import (
    instant,
    matches_any,
    opportunity,
    paginate,
    sort_records,
)
from cosell_local.partner_central.validation import parse_timestamp, project

if TYPE_CHECKING:
    from collections.abc import Callable

    from cosell_local.partner_central.backend import Backend
    from cosell_local.partner_central.errors import (
        FieldError,
    )
    from cosell_local.partner_central.store import CatalogState

Json = dict[str, Any]

# Per opportunity (developer-guide/quotas.html).
ASSOCIATION_LIMITS = {"Solutions": 10, "AwsMarketplaceSolutions": 10, "AwsProducts": 20}
RELATED_ENTITY_TYPES = (
    "AwsMarketplaceOffers",
    "AwsMarketplaceOfferSets",
    "Solutions",
    "AwsProducts",
    "AwsMarketplaceSolutions",
    "AwsMarketplaceProducts",
)
_SERVER_MANAGED = ("Catalog", "Id", "Arn", "CreatedDate", "LastModifiedDate", "RelatedEntityIdentifiers")


def _partner_fields(request: Json) -> Json:
    """The request's members that are opportunity data the partner owns."""
    fields: Json = project(model.response_shape("GetOpportunity"), request)
    for name in _SERVER_MANAGED:
        fields.pop(name, None)
    return fields


def _raise_if_any(errors: list[FieldError]) -> None:
    if errors:
        raise validation_error(BUSINESS_VALIDATION_FAILED, errors)


def _next_steps_history(before: Json | None, after: Json, now: str) -> list[Json]:
    history: list[Json] = list((before or {}).get("NextStepsHistory") or [])
    next_steps = after.get("NextSteps")
    if next_steps and next_steps != (before or {}).get("NextSteps"):
        history.append({"Value": next_steps, "Time": now})
    return history


def touch(backend: Backend, catalog: CatalogState, record: Json) -> None:
    """Records a change: a strictly later LastModifiedDate, the Updated event, running snapshot jobs."""
    previous = parse_timestamp(record["LastModifiedDate"])
    record["LastModifiedDate"] = iso(max(backend.now(), previous + timedelta(milliseconds=1)))
    backend.emit("Opportunity Updated", opportunity_detail(catalog.name, record["Id"]), [record["Arn"]])
    snapshots.refresh_running_jobs(backend, catalog, record["Id"])


def new_opportunity(backend: Backend, catalog: CatalogState, fields: Json, origin: str) -> Json:
    """Stores a new opportunity in Pending Submission and emits Opportunity Created."""
    identifier = backend.ids.opportunity()
    while identifier in catalog.opportunities:
        identifier = backend.ids.opportunity()
    now = backend.now_iso()
    record = copy.deepcopy(fields)
    lifecycle = record.setdefault("LifeCycle", {})
    for name in AWS_OWNED_LIFECYCLE:
        lifecycle.pop(name, None)
    lifecycle["ReviewStatus"] = "Pending Submission"
    lifecycle["NextStepsHistory"] = _next_steps_history(None, lifecycle, now)
    record |= {
        "Catalog": catalog.name,
        "Id": identifier,
        "Arn": backend.arn(catalog.name, "opportunity", identifier),
        "CreatedDate": now,
        "LastModifiedDate": now,
        "RelatedEntityIdentifiers": {name: [] for name in RELATED_ENTITY_TYPES},
    }
    catalog.opportunities[identifier] = record
    catalog.aws_summaries[identifier] = {"Origin": origin}
    backend.emit("Opportunity Created", opportunity_detail(catalog.name, identifier), [record["Arn"]])
    return record


def create_opportunity(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    origin = request.get("Origin") or "Partner Referral"

    def create() -> Json:
        if origin == "AWS Referral" and catalog.name != "Sandbox":
            raise business_error(
                "Origin", "AWS Referral can be created only in the Sandbox catalog", "INVALID_VALUE"
            )
        fields = _partner_fields(request)
        _raise_if_any(field_errors(fields, backend.now().date()))
        record = new_opportunity(backend, catalog, fields, origin)
        if request.get("Tags"):
            backend.state.tags[record["Arn"]] = {tag["Key"]: tag["Value"] for tag in request["Tags"]}
        return {
            "Id": record["Id"],
            "PartnerOpportunityIdentifier": record.get("PartnerOpportunityIdentifier"),
            "LastModifiedDate": record["LastModifiedDate"],
        }

    return backend.idempotent(catalog, "CreateOpportunity", request, create)


def get_opportunity(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    return copy.deepcopy(opportunity(catalog, request["Identifier"]))


_OPPORTUNITY_SORT_KEYS = {
    "LastModifiedDate": lambda record: record["LastModifiedDate"],
    "CreatedDate": lambda record: record["CreatedDate"],
    "Identifier": lambda record: record["Id"],
    "CustomerCompanyName": lambda record: ((record.get("Customer") or {}).get("Account") or {}).get(
        "CompanyName"
    ),
    "TargetCloseDate": lambda record: (record.get("LifeCycle") or {}).get("TargetCloseDate"),
}


def _within_range(value: Any, after: Any, before: Any) -> bool:
    if value is None:
        return after is None and before is None
    return (after is None or value > after) and (before is None or value < before)


def _listed(record: Json, request: Json) -> bool:
    lifecycle = record.get("LifeCycle") or {}
    company = ((record.get("Customer") or {}).get("Account") or {}).get("CompanyName")
    modified = request.get("LastModifiedDate") or {}
    created = request.get("CreatedDate") or {}
    closing = request.get("TargetCloseDate") or {}
    company_names = request.get("CustomerCompanyName")
    return (
        matches_any(record["Id"], request.get("Identifier"))
        and matches_any(lifecycle.get("Stage"), request.get("LifeCycleStage"))
        and matches_any(lifecycle.get("ReviewStatus"), request.get("LifeCycleReviewStatus"))
        and (company_names is None or (company or "").lower() in [name.lower() for name in company_names])
        and _within_range(
            parse_timestamp(record["LastModifiedDate"]),
            instant(modified.get("AfterLastModifiedDate")),
            instant(modified.get("BeforeLastModifiedDate")),
        )
        and _within_range(
            parse_timestamp(record["CreatedDate"]),
            instant(created.get("AfterCreatedDate")),
            instant(created.get("BeforeCreatedDate")),
        )
        and _within_range(
            lifecycle.get("TargetCloseDate"),
            closing.get("AfterTargetCloseDate"),
            closing.get("BeforeTargetCloseDate"),
        )
    )


def list_opportunities(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    records = [copy.deepcopy(record) for record in catalog.opportunities.values() if _listed(record, request)]
    sort_records(records, request.get("Sort"), _OPPORTUNITY_SORT_KEYS, "LastModifiedDate")
    page, token = paginate(records, request, default_page_size=20)
    return {"OpportunitySummaries": page, "NextToken": token}


def _review_status_after_update(catalog: CatalogState, stored: str, requested: str | None) -> str:
    """AWS owns ReviewStatus; only the Sandbox lets the partner play AWS's review by updating it."""
    if requested is None or requested == stored:
        return stored
    if catalog.name == "Sandbox" and requested in SANDBOX_REVIEW_OUTCOMES:
        return requested
    raise business_error(
        "LifeCycle.ReviewStatus",
        f"cannot be changed from {stored} to {requested} by UpdateOpportunity in catalog {catalog.name}",
        "ACTION_NOT_PERMITTED",
    )


def update_opportunity(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    record = opportunity(catalog, request["Identifier"])
    if parse_timestamp(request["LastModifiedDate"]) != parse_timestamp(record["LastModifiedDate"]):
        raise conflict(
            f"Opportunity {record['Id']} was modified at {record['LastModifiedDate']}, after the "
            f"LastModifiedDate you sent ({request['LastModifiedDate']}); read it again and retry"
        )
    before_lifecycle = record.get("LifeCycle") or {}
    stored_status = before_lifecycle.get("ReviewStatus", "Pending Submission")
    fields = _partner_fields(request)
    requested_lifecycle = fields.setdefault("LifeCycle", {})
    new_status = _review_status_after_update(catalog, stored_status, requested_lifecycle.get("ReviewStatus"))
    played_by_sandbox = new_status != stored_status
    if stored_status == "Action Required" and not played_by_sandbox:
        # The partner answered AWS's review: the opportunity re-enters validation.
        new_status = REVIEW_AFTER_ACTION_REQUIRED
    for name in AWS_OWNED_LIFECYCLE:
        requested_lifecycle.pop(name, None)
    # Members UpdateOpportunity cannot carry (team, related entities, ids) survive the full replace.
    update_members = model.request_shape("UpdateOpportunity").members  # type: ignore[attr-defined]
    kept = {
        key: value for key, value in record.items() if key not in update_members or key in _SERVER_MANAGED
    }
    before = {key: value for key, value in record.items() if key not in kept}
    errors = edit_errors(stored_status, before, fields)
    _raise_if_any(errors + field_errors(fields | kept, backend.now().date()))
    lifecycle = fields["LifeCycle"]
    lifecycle["NextStepsHistory"] = _next_steps_history(before_lifecycle, lifecycle, backend.now_iso())
    lifecycle["ReviewStatus"] = new_status
    # AWS's review comments stay until AWS reviews again, unless the Sandbox request plays that review.
    review = (request.get("LifeCycle") or {}) if played_by_sandbox else before_lifecycle
    for name in ("ReviewComments", "ReviewStatusReason"):
        if review.get(name) is not None:
            lifecycle[name] = review[name]
    # Full replace: members the request could have carried but left out are gone.
    record.clear()
    record.update(fields | kept)
    touch(backend, catalog, record)
    return {"Id": record["Id"], "LastModifiedDate": record["LastModifiedDate"]}


def assign_opportunity(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    record = opportunity(catalog, request["Identifier"])
    # The first team member is the opportunity owner; assigning replaces them.
    team = list(record.get("OpportunityTeam") or [])
    record["OpportunityTeam"] = [copy.deepcopy(request["Assignee"]), *team[1:]]
    touch(backend, catalog, record)
    return {}


def _related_list(record: Json, entity_type: str) -> list[str]:
    related: list[str] = record["RelatedEntityIdentifiers"].setdefault(entity_type, [])
    return related


def associate_opportunity(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    record = opportunity(catalog, request["OpportunityIdentifier"])
    entity_type, identifier = request["RelatedEntityType"], request["RelatedEntityIdentifier"]
    if entity_type == "Solutions":
        solution = catalog.solutions.get(identifier)
        if solution is None:
            raise not_found("Solution", identifier, catalog.name)
        if solution["Status"] != "Active":
            raise business_error(
                "RelatedEntityIdentifier", f"solution {identifier} is {solution['Status']}, not Active"
            )
    related = _related_list(record, entity_type)
    if identifier in related:
        return {}
    limit = ASSOCIATION_LIMITS.get(entity_type)
    if limit is not None and len(related) >= limit:
        raise business_error(
            "RelatedEntityIdentifier",
            f"an opportunity can have at most {limit} {entity_type}",
            "TOO_MANY_VALUES",
        )
    related.append(identifier)
    touch(backend, catalog, record)
    return {}


def disassociate_opportunity(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    record = opportunity(catalog, request["OpportunityIdentifier"])
    entity_type, identifier = request["RelatedEntityType"], request["RelatedEntityIdentifier"]
    related = _related_list(record, entity_type)
    if identifier not in related:
        raise ApiError(
            "ResourceNotFoundException", f"{entity_type} {identifier} is not associated with {record['Id']}"
        )
    related.remove(identifier)
    touch(backend, catalog, record)
    return {}


def check_review_status(record: Json) -> None:
    status = record["LifeCycle"]["ReviewStatus"]
    if status not in SUBMITTABLE_REVIEW_STATUSES:
        raise business_error(
            "Identifier",
            f"opportunity {record['Id']} is {status}; only Pending Submission or Action Required can be submitted",
            "INVALID_RESOURCE_STATE",
        )


def check_submittable(record: Json) -> None:
    """What StartEngagementFromOpportunityTask refuses when it is called: an opportunity AWS is already
    reviewing, or one with no solution; the details are checked by the task's submission step."""
    check_review_status(record)
    _raise_if_any(solution_errors(record))


def submit(
    backend: Backend, catalog: CatalogState, record: Json, involvement: str, visibility: str | None
) -> None:
    record["LifeCycle"]["ReviewStatus"] = "Submitted"
    summary = catalog.aws_summaries.setdefault(record["Id"], {"Origin": "Partner Referral"})
    summary["InvolvementType"] = involvement
    summary["Visibility"] = visibility or "Full"
    touch(backend, catalog, record)


def submit_opportunity(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    record = opportunity(catalog, request["Identifier"])
    check_review_status(record)
    _raise_if_any(submission_errors(record, request["InvolvementType"], backend.now().date()))
    submit(backend, catalog, record, request["InvolvementType"], request.get("Visibility"))
    return {}


def get_aws_opportunity_summary(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    record = opportunity(catalog, request["RelatedOpportunityIdentifier"])
    related = record["RelatedEntityIdentifiers"]
    summary = copy.deepcopy(catalog.aws_summaries.get(record["Id"], {}))
    summary.setdefault(
        "RelatedEntityIds",
        {
            name: list(related.get(name, []))
            for name in ("AwsProducts", "Solutions", "AwsMarketplaceSolutions")
        },
    )
    return summary | {"Catalog": catalog.name, "RelatedOpportunityId": record["Id"]}


_SOLUTION_SORT_KEYS: dict[str, Callable[[Json], Any]] = {
    "Identifier": lambda solution: solution["Id"],
    "Name": lambda solution: solution["Name"],
    "Status": lambda solution: solution["Status"],
    "Category": lambda solution: solution["Category"],
    "CreatedDate": lambda solution: solution["CreatedDate"],
}


def list_solutions(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    solutions = [
        copy.deepcopy(solution)
        for solution in catalog.solutions.values()
        if matches_any(solution["Status"], request.get("Status"))
        and matches_any(solution["Id"], request.get("Identifier"))
        and matches_any(solution["Category"], request.get("Category"))
        and matches_any(solution.get("AwsMarketplaceSolutionArn"), request.get("AwsMarketplaceSolutionArn"))
    ]
    sort_records(
        solutions,
        request.get("Sort") or {"SortBy": "Identifier", "SortOrder": "ASCENDING"},
        _SOLUTION_SORT_KEYS,
        "Identifier",
    )
    page, token = paginate(solutions, request, default_page_size=20)
    return {"SolutionSummaries": page, "NextToken": token}


HANDLERS = {
    "CreateOpportunity": create_opportunity,
    "GetOpportunity": get_opportunity,
    "ListOpportunities": list_opportunities,
    "UpdateOpportunity": update_opportunity,
    "AssignOpportunity": assign_opportunity,
    "AssociateOpportunity": associate_opportunity,
    "DisassociateOpportunity": disassociate_opportunity,
    "SubmitOpportunity": submit_opportunity,
    "GetAwsOpportunitySummary": get_aws_opportunity_summary,
    "ListSolutions": list_solutions,
}
