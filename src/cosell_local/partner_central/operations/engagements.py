"""Engagements (the space shared by the partner and AWS), their members and resource associations."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central.errors import ApiError
from cosell_local.partner_central.events import engagement_detail, member_added_detail
from cosell_local.partner_central.operations.common import by_id_or_arn, matches_any, paginate, sort_records

if TYPE_CHECKING:
    from cosell_local.partner_central.backend import Backend
    from cosell_local.partner_central.store import CatalogState

Json = dict[str, Any]

AWS_ACCOUNT = "aws"
AWS_MEMBER = {"AccountId": AWS_ACCOUNT, "CompanyName": "AWS", "WebsiteUrl": "https://aws.amazon.com"}


def partner_member(backend: Backend) -> Json:
    return {"AccountId": backend.config.account_id, "CompanyName": backend.config.company_name}


def new_engagement(
    backend: Backend, catalog: CatalogState, *, title: str, created_by: str, contexts: list[Json], emit: bool
) -> Json:
    identifier = backend.ids.prefixed("eng-", 14)
    now = backend.now_iso()
    engagement: Json = {
        "Id": identifier,
        "Arn": backend.arn(catalog.name, "engagement", identifier),
        "Title": title[:40],
        "Description": title[:255],
        "CreatedAt": now,
        "CreatedBy": created_by,
        "ModifiedAt": now,
        "ModifiedBy": created_by,
        "Contexts": [{"Id": str(index), **context} for index, context in enumerate(contexts, start=1)],
        "Members": [copy.deepcopy(AWS_MEMBER)],
    }
    if created_by == backend.config.account_id:
        engagement["Members"].append(partner_member(backend))
    catalog.engagements[identifier] = engagement
    if emit:
        backend.emit(
            "Engagement Created",
            engagement_detail(catalog.name, engagement, created=True),
            [engagement["Arn"]],
        )
    return engagement


def add_context(
    backend: Backend, catalog: CatalogState, engagement: Json, context: Json, modified_by: str
) -> str:
    context_id = str(len(engagement["Contexts"]) + 1)
    engagement["Contexts"].append({"Id": context_id, **context})
    engagement["ModifiedAt"] = backend.now_iso()
    engagement["ModifiedBy"] = modified_by
    backend.emit(
        "Engagement Updated", engagement_detail(catalog.name, engagement, created=False), [engagement["Arn"]]
    )
    return context_id


def add_member(backend: Backend, catalog: CatalogState, engagement: Json, member: Json) -> None:
    if any(existing["AccountId"] == member["AccountId"] for existing in engagement["Members"]):
        return
    engagement["Members"].append(copy.deepcopy(member))
    backend.emit(
        "Engagement Member Added",
        member_added_detail(catalog.name, engagement["Id"], member),
        [engagement["Arn"]],
    )


def associate_resource(
    catalog: CatalogState, engagement_id: str, opportunity_id: str, created_by: str
) -> None:
    association = {
        "Catalog": catalog.name,
        "EngagementId": engagement_id,
        "ResourceType": "Opportunity",
        "ResourceId": opportunity_id,
        "CreatedBy": created_by,
    }
    if association not in catalog.resource_associations:
        catalog.resource_associations.append(association)


def engagement_of_opportunity(catalog: CatalogState, opportunity_id: str) -> Json | None:
    """The engagement an opportunity is already associated with (the first, if several), if any."""
    for association in catalog.resource_associations:
        if association["ResourceType"] == "Opportunity" and association["ResourceId"] == opportunity_id:
            found: Json | None = catalog.engagements.get(association["EngagementId"])
            if found is not None:
                return found
    return None


def engagement(catalog: CatalogState, identifier: str) -> Json:
    return by_id_or_arn(catalog.engagements, identifier, "Engagement", catalog.name)


def is_member(backend: Backend, record: Json) -> bool:
    return any(member["AccountId"] == backend.config.account_id for member in record["Members"])


def joined_engagement(backend: Backend, catalog: CatalogState, identifier: str) -> Json:
    """An engagement the partner belongs to: until it accepts the invitation, AWS shows it nothing inside."""
    record = engagement(catalog, identifier)
    if not is_member(backend, record):
        raise ApiError("AccessDeniedException", f"You are not a member of engagement {record['Id']}")
    return record


def _view(record: Json) -> Json:
    return copy.deepcopy(record) | {"MemberCount": len(record["Members"])}


def get_engagement(backend: Backend, request: Json) -> Json:
    return _view(joined_engagement(backend, backend.catalog(request["Catalog"]), request["Identifier"]))


def list_engagements(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    wanted_ids = [
        identifier.rsplit("/", 1)[-1] for identifier in request.get("EngagementIdentifier") or []
    ] or None
    records = []
    for record in catalog.engagements.values():
        types = {context["Type"] for context in record["Contexts"]}
        if (
            is_member(backend, record)
            and matches_any(record["Id"], wanted_ids)
            and matches_any(record["CreatedBy"], request.get("CreatedBy"))
            and record["CreatedBy"] not in (request.get("ExcludeCreatedBy") or [])
            and (not request.get("ContextTypes") or types & set(request["ContextTypes"]))
            and not types & set(request.get("ExcludeContextTypes") or [])
        ):
            summary = _view(record)
            summary["ContextTypes"] = sorted(types)
            records.append(summary)
    sort_records(
        records, request.get("Sort"), {"CreatedDate": lambda record: record["CreatedAt"]}, "CreatedDate"
    )
    page, token = paginate(records, request, default_page_size=20)
    return {"EngagementSummaryList": page, "NextToken": token}


def list_engagement_members(backend: Backend, request: Json) -> Json:
    record = joined_engagement(backend, backend.catalog(request["Catalog"]), request["Identifier"])
    page, token = paginate(copy.deepcopy(record["Members"]), request, default_page_size=10)
    return {"EngagementMemberList": page, "NextToken": token}


def list_engagement_resource_associations(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    associations = [
        copy.deepcopy(association)
        for association in catalog.resource_associations
        if all(
            request.get(name) is None or association[field] == request[name]
            for name, field in (
                ("EngagementIdentifier", "EngagementId"),
                ("ResourceType", "ResourceType"),
                ("ResourceIdentifier", "ResourceId"),
                ("CreatedBy", "CreatedBy"),
            )
        )
    ]
    page, token = paginate(associations, request, default_page_size=100)
    return {"EngagementResourceAssociationSummaries": page, "NextToken": token}


HANDLERS = {
    "GetEngagement": get_engagement,
    "ListEngagements": list_engagements,
    "ListEngagementMembers": list_engagement_members,
    "ListEngagementResourceAssociations": list_engagement_resource_associations,
}
