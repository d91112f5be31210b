"""Property definitions and groups per object type, value normalisation, and their REST endpoints."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .clock import iso_from_ms
from .errors import ApiError, not_found, validation_error
from .routing import Route, body_object
from .schema import (
    OBJECT_TYPES,
    PropertyDefinition,
    default_group,
    default_properties,
    object_type,
)

if TYPE_CHECKING:
    from .routing import ApiRequest, Reply
    from .schema import (
        ObjectType,
    )

MAX_STRING_LENGTH = 65_536
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELD_TYPES = {
    "bool": {"booleancheckbox", "checkbox", "radio", "select"},
    "enumeration": {"booleancheckbox", "checkbox", "radio", "select"},
    "date": {"date"},
    "datetime": {"date"},
    "number": {"number", "calculation_equation"},
    "phone_number": {"phonenumber"},
    "string": {"text", "textarea", "file", "html", "phonenumber"},
}


class PropertyRegistry:
    def __init__(self) -> None:
        self._definitions: dict[str, dict[str, PropertyDefinition]] = {
            t.name: {d.name: d for d in default_properties(t)} for t in OBJECT_TYPES
        }
        self._groups: dict[str, dict[str, dict[str, Any]]] = {}
        for t in OBJECT_TYPES:
            name, label = default_group(t)
            self._groups[t.name] = {
                name: {"name": name, "label": label, "displayOrder": -1, "archived": False}
            }
        self._written = False  # since `take_written()`

    def take_written(self) -> bool:
        """Whether it was written since the last call: a journal entry then keeps the whole registry (small)."""
        written, self._written = self._written, False
        return written

    def definitions(self, kind: ObjectType) -> dict[str, PropertyDefinition]:
        return self._definitions[kind.name]

    def groups(self, kind: ObjectType) -> dict[str, dict[str, Any]]:
        return self._groups[kind.name]

    def create(self, kind: ObjectType, body: dict[str, Any], now: str) -> PropertyDefinition:
        name = body.get("name")
        missing = [
            f for f in ("name", "label", "type", "fieldType", "groupName") if not isinstance(body.get(f), str)
        ]
        if missing:
            raise validation_error(
                f"Invalid input JSON: missing required fields {', '.join(missing)}",
                [
                    {"message": f"{field} is required", "in": field, "code": "REQUIRED_FIELD"}
                    for field in missing
                ],
            )
        assert isinstance(name, str)
        if name in self._definitions[kind.name]:
            raise ApiError(409, "OBJECT_ALREADY_EXISTS", f"Property named '{name}' already exists.")
        if not _NAME.match(name):
            raise validation_error(f"Property name '{name}' is invalid: use lower-case letters, digits and _")
        kind_of_value, field_type = body["type"], body["fieldType"]
        if kind_of_value not in _FIELD_TYPES or field_type not in _FIELD_TYPES[kind_of_value]:
            raise validation_error(f"Property type {kind_of_value} cannot have field type {field_type}")
        if body["groupName"] not in self._groups[kind.name]:
            raise validation_error(f"Property group '{body['groupName']}' does not exist")
        options = tuple(
            (str(o["value"]), str(o["label"])) for o in body.get("options") or [] if isinstance(o, dict)
        )
        if kind_of_value == "enumeration" and not options:
            raise validation_error("Enumeration properties need at least one option")
        definition = PropertyDefinition(
            name,
            body["label"],
            kind_of_value,
            field_type,
            body["groupName"],
            description=str(body.get("description", "")),
            options=options,
            hubspot_defined=False,
            display_order=int(body.get("displayOrder", -1)),
            created_at=now,
            updated_at=now,
        )
        self._definitions[kind.name][name] = definition
        self._written = True
        return definition

    def update(self, kind: ObjectType, name: str, body: dict[str, Any], now: str) -> PropertyDefinition:
        current = self._definitions[kind.name].get(name)
        if current is None:
            raise not_found(f"Unable to find property {name}")
        changes: dict[str, Any] = {"updated_at": now}
        for json_name, field_name in (
            ("label", "label"),
            ("description", "description"),
            ("groupName", "group_name"),
        ):
            if json_name in body:
                changes[field_name] = str(body[json_name])
        if "options" in body:
            changes["options"] = tuple((str(o["value"]), str(o["label"])) for o in body["options"])
        updated = replace(current, **changes)
        self._definitions[kind.name][name] = updated
        self._written = True
        return updated

    def create_group(self, kind: ObjectType, body: dict[str, Any]) -> dict[str, Any]:
        name, label = body.get("name"), body.get("label")
        if not isinstance(name, str) or not isinstance(label, str):
            raise validation_error("A property group needs `name` and `label`")
        if name in self._groups[kind.name]:
            raise ApiError(409, "OBJECT_ALREADY_EXISTS", f"A property group named '{name}' already exists.")
        group = {
            "name": name,
            "label": label,
            "displayOrder": int(body.get("displayOrder", -1)),
            "archived": False,
        }
        self._groups[kind.name][name] = group
        self._written = True
        return group


def definition_json(definition: PropertyDefinition) -> dict[str, Any]:
    return {
        "name": definition.name,
        "label": definition.label,
        "type": definition.type,
        "fieldType": definition.field_type,
        "groupName": definition.group_name,
        "description": definition.description,
        "options": [
            {"label": label, "value": value, "displayOrder": order, "hidden": False}
            for order, (value, label) in enumerate(definition.options)
        ],
        "displayOrder": definition.display_order,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": definition.hubspot_defined,
        "formField": not definition.read_only_value,
        "createdAt": definition.created_at,
        "updatedAt": definition.updated_at,
        "archived": False,
        "modificationMetadata": {
            "archivable": not definition.hubspot_defined,
            "readOnlyDefinition": definition.hubspot_defined,
            "readOnlyValue": definition.read_only_value,
        },
    }


def normalise_value(definition: PropertyDefinition, raw: object) -> tuple[str | None, dict[str, str] | None]:
    """Return (stored value, None) or (None, problem) using HubSpot's error codes. "" clears a value."""
    value = "" if raw is None else str(raw).lower() if isinstance(raw, bool) else str(raw)
    if value == "":
        return "", None
    name = definition.name
    if definition.read_only_value:
        return None, _problem(
            name, "READ_ONLY_VALUE", f'"{name}" is a read only property; its value cannot be set.'
        )
    if definition.type == "number":
        try:
            float(value)
        except ValueError:
            return None, _problem(name, "INVALID_DECIMAL", f"{value} was not a valid number.")
    elif definition.type in ("datetime", "date"):
        epoch_ms = parse_instant(value)
        if epoch_ms is None:
            return None, _problem(name, "INVALID_DATE", f"{value} is not a valid date or datetime.")
        if definition.type == "date":
            if epoch_ms % 86_400_000:
                return None, _problem(
                    name, "INVALID_DATE", f"{value} is not midnight UTC, as a date must be."
                )
            return iso_from_ms(epoch_ms)[:10], None
        return iso_from_ms(epoch_ms), None
    elif definition.type == "bool" and value not in ("true", "false"):
        return None, _problem(name, "INVALID_BOOLEAN", f"{value} was not a valid boolean.")
    elif definition.type == "enumeration" and definition.options:
        allowed = {option_value for option_value, _ in definition.options}
        if any(part not in allowed for part in value.split(";")):
            return None, invalid_option(name, value, sorted(allowed))
    elif len(value) > MAX_STRING_LENGTH:
        return None, _problem(
            name, "INVALID_LENGTH", f"Value exceeds the maximum length of {MAX_STRING_LENGTH}."
        )
    return value, None


def invalid_option(name: str, value: str, allowed: list[str]) -> dict[str, str]:
    return _problem(name, "INVALID_OPTION", f"{value} was not one of the allowed options: {allowed}")


def unknown_property(name: str) -> dict[str, str]:
    return _problem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')


def _problem(name: str, code: str, message: str) -> dict[str, str]:
    return {"name": name, "error": code, "message": message}


def parse_instant(value: str) -> int | None:
    """HubSpot takes epoch milliseconds or ISO 8601 (date or UTC datetime)."""
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


# --- handlers ---------------------------------------------------------------------------------------------


def _kind(request: ApiRequest) -> ObjectType:
    return object_type(request.params["objectType"])


def _list(request: ApiRequest) -> Reply:
    definitions = request.account.properties.definitions(_kind(request))
    return 200, {"results": [definition_json(d) for d in definitions.values()]}


def _get(request: ApiRequest) -> Reply:
    found = request.account.properties.definitions(_kind(request)).get(request.params["propertyName"])
    if found is None:
        raise not_found(f"Unable to find property {request.params['propertyName']}")
    return 200, definition_json(found)


def _create(request: ApiRequest) -> Reply:
    created = request.account.properties.create(
        _kind(request), body_object(request), request.account.clock.now_iso()
    )
    return 201, definition_json(created)


def _update(request: ApiRequest) -> Reply:
    updated = request.account.properties.update(
        _kind(request), request.params["propertyName"], body_object(request), request.account.clock.now_iso()
    )
    return 200, definition_json(updated)


def _list_groups(request: ApiRequest) -> Reply:
    return 200, {"results": list(request.account.properties.groups(_kind(request)).values())}


def _get_group(request: ApiRequest) -> Reply:
    found = request.account.properties.groups(_kind(request)).get(request.params["groupName"])
    if found is None:
        raise not_found(f"Unable to find property group {request.params['groupName']}")
    return 200, found


def _create_group(request: ApiRequest) -> Reply:
    return 201, request.account.properties.create_group(_kind(request), body_object(request))


def _read_scope(params: dict[str, str]) -> str:
    return f"crm.schemas.{object_type(params['objectType']).scope}.read"


def _write_scope(params: dict[str, str]) -> str:
    return f"crm.schemas.{object_type(params['objectType']).scope}.write"


ROUTES = [
    Route("GET", "/crm/v3/properties/<objectType>", _list, _read_scope),
    Route("POST", "/crm/v3/properties/<objectType>", _create, _write_scope),
    Route("GET", "/crm/v3/properties/<objectType>/groups", _list_groups, _read_scope),
    Route("POST", "/crm/v3/properties/<objectType>/groups", _create_group, _write_scope),
    Route("GET", "/crm/v3/properties/<objectType>/groups/<groupName>", _get_group, _read_scope),
    Route("GET", "/crm/v3/properties/<objectType>/<propertyName>", _get, _read_scope),
    Route("PATCH", "/crm/v3/properties/<objectType>/<propertyName>", _update, _write_scope),
]
