"""CRM v3 objects: get, list, create, update, archive, merge and the batch endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .associations import association_type, spec_type_id, v3_association_results
from .errors import ApiError, not_found, validation_error
from .routing import (
    Route,
    batch_envelope,
    batch_inputs,
    body_object,
    csv_args,
    flag_arg,
    int_arg,
    object_scope,
    offset_arg,
    standard_error,
)
from .schema import object_type

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .account import Account
    from .routing import (
        ApiRequest,
        Reply,
    )
    from .schema import ObjectType
    from .store import CrmObject

BATCH_LIMIT = 100
LIST_LIMIT = 100


def object_json(
    account: Account,
    record: CrmObject,
    properties: Iterable[str] = (),
    with_history: Iterable[str] = (),
    associations: Iterable[ObjectType] = (),
) -> dict[str, Any]:
    """Requested properties (or the type's defaults) plus the system ones; unset requested ones are null."""
    kind = record.object_type
    known = account.properties.definitions(kind)
    requested = list(properties)
    names = [name for name in requested if name in known] if requested else list(kind.default_properties)
    names += [name for name in kind.system_properties if name not in names]
    body: dict[str, Any] = {
        "id": record.id,
        "properties": {name: record.properties.get(name) for name in names},
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "archived": record.archived,
    }
    if record.archived_at:
        body["archivedAt"] = record.archived_at
    history = [name for name in with_history if name in known]
    if history:
        body["propertiesWithHistory"] = {
            name: [
                {"value": entry.value, "timestamp": entry.timestamp, "sourceType": entry.source_type}
                | ({"sourceId": entry.source_id} if entry.source_id else {})
                for entry in record.history.get(name, [])
            ]
            for name in history
        }
    linked = {}
    for target in associations:
        results = v3_association_results(account.associations.targets(kind.name, record.id, target.name))
        if results:
            linked[target.name] = {"results": results}
    if linked:
        body["associations"] = linked
    return body


def written_json(account: Account, record: CrmObject) -> dict[str, Any]:
    """Create and update answers carry every property the record has."""
    return object_json(account, record, properties=list(record.properties))


def _kind(request: ApiRequest) -> ObjectType:
    return object_type(request.params["objectType"])


def _existing(request: ApiRequest, kind: ObjectType, object_id: str) -> CrmObject:
    record = request.account.crm.get(kind, object_id, archived=flag_arg(request, "archived"))
    if record is None:
        raise not_found()
    return record


def _get(request: ApiRequest) -> Reply:
    kind = _kind(request)
    record = _existing(request, kind, request.params["objectId"])
    return 200, object_json(
        request.account,
        record,
        csv_args(request, "properties"),
        csv_args(request, "propertiesWithHistory"),
        [object_type(name) for name in csv_args(request, "associations")],
    )


def _list(request: ApiRequest) -> Reply:
    kind = _kind(request)
    limit = int_arg(request, "limit", 10, LIST_LIMIT)
    offset = offset_arg(request)
    records = sorted(
        request.account.crm.all(kind, archived=flag_arg(request, "archived")), key=lambda r: int(r.id)
    )
    page = records[offset : offset + limit]
    properties = csv_args(request, "properties")
    history = csv_args(request, "propertiesWithHistory")
    linked = [object_type(name) for name in csv_args(request, "associations")]
    body: dict[str, Any] = {
        "results": [object_json(request.account, record, properties, history, linked) for record in page]
    }
    if offset + limit < len(records):
        body["paging"] = {"next": {"after": str(offset + limit)}}
    return 200, body


def _planned_associations(request: ApiRequest, kind: ObjectType, raw: Any) -> list[tuple[str, Any]]:
    """Check every association of a create before writing anything."""
    planned = []
    for item in raw or []:
        target_id = str(item.get("to", {}).get("id", "")) if isinstance(item, dict) else ""
        for spec in item.get("types", []) if isinstance(item, dict) else []:
            kind_of_link = association_type(spec_type_id(spec), kind)
            if request.account.crm.get(object_type(kind_of_link.to_type), target_id) is None:
                raise validation_error(
                    f"Association target {kind_of_link.to_type} {target_id} does not exist",
                    [{"message": f"{target_id} is not a valid object id", "code": "INVALID_OBJECT_ID"}],
                )
            planned.append((target_id, kind_of_link))
    return planned


def _create_one(request: ApiRequest, kind: ObjectType, item: dict[str, Any]) -> CrmObject:
    account = request.account
    values = account.validate(kind, _properties_of(item), current=None)
    _refuse_a_second_email(account, kind, values)
    links = _planned_associations(request, kind, item.get("associations"))
    record = account.crm.create(kind, values, request.actor)
    for target_id, link in links:
        account.associate(record.id, target_id, [link], request.actor)
    return record


def _refuse_a_second_email(account: Account, kind: ObjectType, values: dict[str, Any]) -> None:
    """HubSpot keeps a contact's e-mail unique: a second contact with it is a 409 naming the first."""
    email = str(values.get("email") or "").strip().lower()
    if kind.name != "contacts" or not email:
        return
    for record in account.crm.all(kind):
        if (record.properties.get("email") or "").strip().lower() == email:
            raise ApiError(409, "CONFLICT", f"Contact already exists. Existing ID: {record.id}")


def _properties_of(item: dict[str, Any]) -> dict[str, Any]:
    properties = item.get("properties", {})
    if not isinstance(properties, dict):
        raise validation_error("Invalid input JSON: `properties` must be an object")
    return properties


def _create(request: ApiRequest) -> Reply:
    record = _create_one(request, _kind(request), body_object(request))
    return 201, written_json(request.account, record)


def _update(request: ApiRequest) -> Reply:
    kind = _kind(request)
    record = _existing(request, kind, request.params["objectId"])
    values = request.account.validate(kind, _properties_of(body_object(request)), current=record)
    request.account.crm.update(record, values, request.actor)
    return 200, written_json(request.account, record)


def _archive(request: ApiRequest) -> Reply:
    kind = _kind(request)
    record = request.account.crm.get(kind, request.params["objectId"])
    if record is not None:
        request.account.crm.archive(record, request.actor)
    return 204, None


def _merge(request: ApiRequest) -> Reply:
    kind = _kind(request)
    body = body_object(request)
    primary = _existing(request, kind, str(body.get("primaryObjectId", "")))
    merged = _existing(request, kind, str(body.get("objectIdToMerge", "")))
    if primary.id == merged.id:
        raise validation_error("An object cannot be merged into itself")
    request.account.crm.merge(primary, merged, request.actor)
    return 200, written_json(request.account, primary)


def _batch_read(request: ApiRequest) -> Reply:
    kind = _kind(request)
    started = request.account.clock.now_iso()
    body = body_object(request)
    inputs = batch_inputs(request, BATCH_LIMIT)
    archived = flag_arg(request, "archived")
    results, missing = [], []
    for item in inputs:
        record = request.account.crm.get(kind, str(item.get("id", "")), archived=archived)
        if record is None:
            missing.append(str(item.get("id", "")))
        else:
            results.append(
                object_json(
                    request.account,
                    record,
                    body.get("properties") or [],
                    body.get("propertiesWithHistory") or [],
                )
            )
    errors = []
    if missing:
        message = (
            f"Could not get some {kind.singular.upper()} objects, they may be deleted or not exist. "
            "Check that ids are valid."
        )
        errors.append(standard_error("OBJECT_NOT_FOUND", message, {"ids": missing}))
    return batch_envelope(results, errors, started, request.account.clock.now_iso())


def _batch_create(request: ApiRequest) -> Reply:
    kind = _kind(request)
    started = request.account.clock.now_iso()
    inputs = batch_inputs(request, BATCH_LIMIT)
    for item in inputs:  # all or nothing, as HubSpot validates the whole batch first
        request.account.validate(kind, _properties_of(item), current=None)
        _planned_associations(request, kind, item.get("associations"))
    records = [_create_one(request, kind, item) for item in inputs]
    _, body = batch_envelope(
        [written_json(request.account, r) for r in records], [], started, request.account.clock.now_iso()
    )
    return 201, body


def _batch_update(request: ApiRequest) -> Reply:
    kind = _kind(request)
    started = request.account.clock.now_iso()
    planned, missing = [], []
    for item in batch_inputs(request, BATCH_LIMIT):
        record = request.account.crm.get(kind, str(item.get("id", "")))
        if record is None:
            missing.append(str(item.get("id", "")))
            continue
        planned.append((record, request.account.validate(kind, _properties_of(item), current=record)))
    for record, values in planned:
        request.account.crm.update(record, values, request.actor)
    errors = []
    if missing:
        errors.append(
            standard_error(
                "OBJECT_NOT_FOUND", f"Could not find {kind.singular} ids {missing}", {"ids": missing}
            )
        )
    results = [written_json(request.account, record) for record, _ in planned]
    return batch_envelope(results, errors, started, request.account.clock.now_iso())


def _batch_archive(request: ApiRequest) -> Reply:
    kind = _kind(request)
    for item in batch_inputs(request, BATCH_LIMIT):
        record = request.account.crm.get(kind, str(item.get("id", "")))
        if record is not None:
            request.account.crm.archive(record, request.actor)
    return 204, None


_READ, _WRITE = object_scope("read"), object_scope("write")
_BASE = "/crm/v3/objects/<objectType>"
ROUTES = [
    Route("GET", _BASE, _list, _READ),
    Route("POST", _BASE, _create, _WRITE),
    Route("GET", f"{_BASE}/<objectId>", _get, _READ),
    Route("PATCH", f"{_BASE}/<objectId>", _update, _WRITE),
    Route("DELETE", f"{_BASE}/<objectId>", _archive, _WRITE),
    Route("POST", f"{_BASE}/merge", _merge, _WRITE),
    Route("POST", f"{_BASE}/batch/read", _batch_read, _READ),
    Route("POST", f"{_BASE}/batch/create", _batch_create, _WRITE),
    Route("POST", f"{_BASE}/batch/update", _batch_update, _WRITE),
    Route("POST", f"{_BASE}/batch/archive", _batch_archive, _WRITE),
]
