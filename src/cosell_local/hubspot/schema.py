"""The CRM object types the emulator serves and the HubSpot-defined properties they start with."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ApiError


@dataclass(frozen=True)
class ObjectType:
    name: str  # path segment and association name: "deals"
    type_id: str  # HubSpot's object type id: "0-3"
    singular: str  # webhook and association-type prefix: "deal"
    scope: str  # granular scope family: crm.objects.<scope>.read
    created_property: str
    modified_property: str
    default_properties: tuple[str, ...]
    id_base: int  # first id handed out, so ids of different types never collide
    # Properties a create must carry: HubSpot's engagements need their time (developers.hubspot.com,
    # CRM engagements API, tasks and notes: "hs_timestamp … required").
    required_on_create: tuple[str, ...] = ()

    @property
    def system_properties(self) -> tuple[str, ...]:
        return (self.created_property, self.modified_property, "hs_object_id")


OBJECT_TYPES: tuple[ObjectType, ...] = (
    ObjectType(
        "deals", "0-3", "deal", "deals", "createdate", "hs_lastmodifieddate",
        ("dealname", "amount", "closedate", "pipeline", "dealstage"), 10_000_000_001,
    ),
    ObjectType(
        "companies", "0-2", "company", "companies", "createdate", "hs_lastmodifieddate",
        ("name", "domain"), 20_000_000_001,
    ),
    ObjectType(
        "contacts", "0-1", "contact", "contacts", "createdate", "lastmodifieddate",
        ("firstname", "lastname", "email"), 30_000_000_001,
    ),
    # HubSpot guards notes and tasks with the contacts scopes (see the published specs' security blocks).
    ObjectType(
        "notes", "0-46", "note", "contacts", "hs_createdate", "hs_lastmodifieddate", (), 40_000_000_001,
        ("hs_timestamp",),
    ),
    ObjectType(
        "tasks", "0-27", "task", "contacts", "hs_createdate", "hs_lastmodifieddate", (), 50_000_000_001,
        ("hs_timestamp",),
    ),
)  # fmt: skip

_BY_SEGMENT = {t.name: t for t in OBJECT_TYPES} | {t.type_id: t for t in OBJECT_TYPES}
_BY_SEGMENT |= {t.singular: t for t in OBJECT_TYPES}


def object_type(segment: str) -> ObjectType:
    """Resolve "deals", "deal" or "0-3"; HubSpot answers an unknown type with 400."""
    found = _BY_SEGMENT.get(segment.lower())
    if found is None:
        raise ApiError(400, "VALIDATION_ERROR", f"Unable to infer object type from: {segment}")
    return found


@dataclass(frozen=True)
class PropertyDefinition:
    name: str
    label: str
    type: str  # bool, date, datetime, enumeration, number, phone_number, string
    field_type: str
    group_name: str
    description: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    hubspot_defined: bool = True
    read_only_value: bool = False
    display_order: int = -1
    created_at: str = "2019-08-06T02:41:52.000Z"
    updated_at: str = "2019-08-06T02:41:52.000Z"


_TASK_STATUSES = ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")
_TASK_PRIORITIES = ("NONE", "LOW", "MEDIUM", "HIGH")
_TASK_TYPES = ("TODO", "CALL", "EMAIL")


def _options(*values: str) -> tuple[tuple[str, str], ...]:
    return tuple((value, value.replace("_", " ").title()) for value in values)


def _string(name: str, label: str, group: str, field_type: str = "text") -> PropertyDefinition:
    return PropertyDefinition(name, label, "string", field_type, group)


def _system(object_type: ObjectType, group: str) -> list[PropertyDefinition]:
    return [
        PropertyDefinition(object_type.created_property, "Create Date", "datetime", "date", group),
        PropertyDefinition(
            object_type.modified_property,
            "Last Modified Date",
            "datetime",
            "date",
            group,
            read_only_value=True,
        ),
        PropertyDefinition("hs_object_id", "Record ID", "number", "number", group, read_only_value=True),
        PropertyDefinition("hubspot_owner_id", "Owner", "enumeration", "select", group),
    ]


def default_properties(object_type: ObjectType) -> list[PropertyDefinition]:
    """Options of pipeline, dealstage, hubspot_owner_id and deal_currency_code are checked elsewhere, live."""
    group = f"{object_type.singular}information"
    own: list[PropertyDefinition]
    if object_type.name == "deals":
        own = [
            _string("dealname", "Deal Name", group),
            PropertyDefinition("amount", "Amount", "number", "number", group),
            PropertyDefinition("closedate", "Close Date", "datetime", "date", group),
            PropertyDefinition("pipeline", "Pipeline", "enumeration", "select", group),
            PropertyDefinition("dealstage", "Deal Stage", "enumeration", "radio", group),
            PropertyDefinition("deal_currency_code", "Currency", "enumeration", "select", group),
            PropertyDefinition(
                "dealtype", "Deal Type", "enumeration", "radio", group,
                options=(("newbusiness", "New Business"), ("existingbusiness", "Existing Business")),
            ),
            _string("description", "Deal Description", group, "textarea"),
            _string("closed_lost_reason", "Closed Lost Reason", group, "textarea"),
            _string("closed_won_reason", "Closed Won Reason", group, "textarea"),
        ]  # fmt: skip
    elif object_type.name == "companies":
        own = [
            _string(name, label, group)
            for name, label in (
                ("name", "Company name"), ("domain", "Company Domain Name"), ("industry", "Industry"),
                ("address", "Street Address"), ("city", "City"), ("state", "State/Region"),
                ("zip", "Postal Code"), ("country", "Country/Region"), ("website", "Website URL"),
                ("description", "Description"),
            )
        ]  # fmt: skip
        own.append(PropertyDefinition("phone", "Phone Number", "string", "phonenumber", group))
    elif object_type.name == "contacts":
        own = [
            _string(name, label, group)
            for name, label in (
                ("firstname", "First Name"), ("lastname", "Last Name"), ("email", "Email"),
                ("jobtitle", "Job Title"), ("company", "Company Name"),
            )
        ]  # fmt: skip
        own.append(PropertyDefinition("phone", "Phone Number", "string", "phonenumber", group))
    elif object_type.name == "notes":
        own = [
            PropertyDefinition("hs_timestamp", "Activity date", "datetime", "date", group),
            _string("hs_note_body", "Note body", group, "html"),
        ]
    else:
        own = [
            PropertyDefinition("hs_timestamp", "Due date", "datetime", "date", group),
            _string("hs_task_subject", "Task Title", group),
            _string("hs_task_body", "Task notes", group, "html"),
            PropertyDefinition("hs_task_status", "Task Status", "enumeration", "select", group,
                               options=_options(*_TASK_STATUSES)),
            PropertyDefinition("hs_task_priority", "Priority", "enumeration", "select", group,
                               options=_options(*_TASK_PRIORITIES)),
            PropertyDefinition("hs_task_type", "Task Type", "enumeration", "select", group,
                               options=_options(*_TASK_TYPES)),
        ]  # fmt: skip
    return own + _system(object_type, group)


def default_group(object_type: ObjectType) -> tuple[str, str]:
    return f"{object_type.singular}information", f"{object_type.singular.title()} information"
