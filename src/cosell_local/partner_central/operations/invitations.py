"""Engagement invitations: what AWS sends the partner (an opportunity or a lead), accepted, rejected or expired."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central.clock import iso
from cosell_local.partner_central.errors import business_error, conflict
from cosell_local.partner_central.events import invitation_detail
from cosell_local.partner_central.operations.common import by_id_or_arn, matches_any, paginate, sort_records
from cosell_local.partner_central.operations.engagements import add_member, partner_member
from cosell_local.partner_central.validation import parse_timestamp

if TYPE_CHECKING:
    from cosell_local.partner_central.backend import Backend
    from cosell_local.partner_central.store import CatalogState

Json = dict[str, Any]

OPPORTUNITY_INVITATION = "OpportunityInvitation"
LEAD_INVITATION = "LeadInvitation"


def invitation(catalog: CatalogState, identifier: str) -> Json:
    return by_id_or_arn(catalog.invitations, identifier, "Engagement invitation", catalog.name)


def _emit(backend: Backend, catalog: CatalogState, record: Json, detail_type: str) -> None:
    detail = invitation_detail(
        catalog.name,
        record,
        backend.config.account_id,
        created=detail_type == "Engagement Invitation Created",
    )
    backend.emit(detail_type, detail, [record["Arn"]])


def store_invitation(backend: Backend, catalog: CatalogState, record: Json) -> Json:
    catalog.invitations[record["Id"]] = record
    _emit(backend, catalog, record, "Engagement Invitation Created")
    return record


def due_invitations(backend: Backend) -> list[tuple[CatalogState, Json]]:
    """PENDING invitations whose expiration date the clock has passed."""
    now = backend.now()
    return [
        (catalog, record)
        for catalog in backend.state.catalogs.values()
        for record in catalog.invitations.values()
        if record["Status"] == "PENDING" and parse_timestamp(record["ExpirationDate"]) <= now
    ]


def expire_due_invitations(backend: Backend) -> bool:
    """Expires each invitation the clock made due; whether there was one."""
    due = list(due_invitations(backend))
    for catalog, record in due:
        record["Status"] = "EXPIRED"
        _emit(backend, catalog, record, "Engagement Invitation Expired")
    return bool(due)


def expire_now(backend: Backend, catalog: CatalogState, record: Json) -> None:
    record["ExpirationDate"] = iso(
        min(parse_timestamp(record["ExpirationDate"]), backend.now() - timedelta(seconds=1))
    )
    expire_due_invitations(backend)


def check_acceptable(record: Json) -> None:
    if record["Status"] == "ACCEPTED":
        raise conflict(f"Engagement invitation {record['Id']} has already been accepted")
    if record["Status"] != "PENDING":
        raise business_error(
            "Identifier",
            f"engagement invitation {record['Id']} is {record['Status']} and can no longer be accepted",
            "INVALID_RESOURCE_STATE",
        )


def accept(backend: Backend, catalog: CatalogState, record: Json) -> None:
    record["Status"] = "ACCEPTED"
    _emit(backend, catalog, record, "Engagement Invitation Accepted")
    add_member(backend, catalog, catalog.engagements[record["EngagementId"]], partner_member(backend))


def get_engagement_invitation(backend: Backend, request: Json) -> Json:
    # The customer's street address, contacts and AWS account id are not in this shape: they reach the
    # partner only in the opportunity created on acceptance.
    return copy.deepcopy(invitation(backend.catalog(request["Catalog"]), request["Identifier"]))


def list_engagement_invitations(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    engagement_ids = [
        identifier.rsplit("/", 1)[-1] for identifier in request.get("EngagementIdentifier") or []
    ]
    records = [
        copy.deepcopy(record)
        for record in catalog.invitations.values()
        if record["ParticipantType"] == request["ParticipantType"]
        and matches_any(record["PayloadType"], request.get("PayloadType"))
        and matches_any(record["Status"], request.get("Status"))
        and matches_any(record["EngagementId"], engagement_ids or None)
        and matches_any(record["SenderAwsAccountId"], request.get("SenderAwsAccountId"))
    ]
    sort_records(
        records,
        request.get("Sort"),
        {"InvitationDate": lambda record: record["InvitationDate"]},
        "InvitationDate",
    )
    page, token = paginate(records, request, default_page_size=20)
    return {"EngagementInvitationSummaries": page, "NextToken": token}


def accept_engagement_invitation(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    record = invitation(catalog, request["Identifier"])
    check_acceptable(record)
    accept(backend, catalog, record)
    return {}


def reject_engagement_invitation(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    record = invitation(catalog, request["Identifier"])
    if record["Status"] != "PENDING":
        raise business_error(
            "Identifier",
            f"engagement invitation {record['Id']} is {record['Status']}; only PENDING ones can be rejected",
            "INVALID_RESOURCE_STATE",
        )
    record["Status"] = "REJECTED"
    if request.get("RejectionReason"):
        record["RejectionReason"] = request["RejectionReason"]
    _emit(backend, catalog, record, "Engagement Invitation Rejected")
    return {}


HANDLERS = {
    "GetEngagementInvitation": get_engagement_invitation,
    "ListEngagementInvitations": list_engagement_invitations,
    "AcceptEngagementInvitation": accept_engagement_invitation,
    "RejectEngagementInvitation": reject_engagement_invitation,
}
