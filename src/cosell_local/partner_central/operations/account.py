"""Account-level operations: tags on resources and the selling system settings."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central.errors import not_found

if TYPE_CHECKING:
    from cosell_local.partner_central.backend import Backend

Json = dict[str, Any]

_CATALOG_IN_ARN = re.compile(r":catalog/([a-zA-Z]+)/")


def _taggable(backend: Backend, arn: str) -> None:
    """Only resources that exist can be tagged (opportunities, engagements, snapshot jobs, tasks)."""
    match = _CATALOG_IN_ARN.search(arn)
    catalog = backend.state.catalogs.get(match.group(1)) if match else None
    if catalog is not None:
        resources = [
            *catalog.opportunities.values(),
            *catalog.engagements.values(),
            *catalog.snapshot_jobs.values(),
        ]
        if any(resource["Arn"] == arn for resource in resources) or any(
            task["TaskArn"] == arn for task in catalog.tasks.values()
        ):
            return
    raise not_found("Resource", arn, match.group(1) if match else "?")


def tag_resource(backend: Backend, request: Json) -> Json:
    _taggable(backend, request["ResourceArn"])
    tags = backend.state.tags.setdefault(request["ResourceArn"], {})
    tags.update({tag["Key"]: tag["Value"] for tag in request["Tags"]})
    return {}


def untag_resource(backend: Backend, request: Json) -> Json:
    _taggable(backend, request["ResourceArn"])
    tags = backend.state.tags.get(request["ResourceArn"], {})
    for key in request["TagKeys"]:
        tags.pop(key, None)
    return {}


def list_tags_for_resource(backend: Backend, request: Json) -> Json:
    _taggable(backend, request["ResourceArn"])
    tags = backend.state.tags.get(request["ResourceArn"], {})
    return {"Tags": [{"Key": key, "Value": value} for key, value in sorted(tags.items())]}


def get_selling_system_settings(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    return {"Catalog": catalog.name, **catalog.settings}


def put_selling_system_settings(backend: Backend, request: Json) -> Json:
    catalog = backend.catalog(request["Catalog"])
    role = request.get("ResourceSnapshotJobRoleIdentifier")
    if role is not None:
        # A bare role name means a role in the partner's own account.
        arn = role if role.startswith("arn:") else f"arn:aws:iam::{backend.config.account_id}:role/{role}"
        catalog.settings["ResourceSnapshotJobRoleArn"] = arn
    return {"Catalog": catalog.name, **catalog.settings}


HANDLERS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
    "GetSellingSystemSettings": get_selling_system_settings,
    "PutSellingSystemSettings": put_selling_system_settings,
}
