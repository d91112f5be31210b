"""What cosell reads from HubSpot, validated at the boundary (pydantic v2)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

ObjectTypeName = Literal["deals", "companies", "contacts", "notes", "tasks"]


def _number_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# A record id in an associations v4 answer: the published spec says string; live responses send a number.
RecordId = Annotated[str, BeforeValidator(_number_as_text)]


class HubSpotModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class PropertyHistoryEntry(HubSpotModel):
    value: str
    timestamp: datetime
    source_type: str
    source_id: str | None = None


class AssociatedId(HubSpotModel):
    id: str
    type: str


class AssociationResults(HubSpotModel):
    results: list[AssociatedId] = Field(default_factory=list)


class CrmObject(HubSpotModel):
    """A v3 record. Values are HubSpot's strings; unset requested properties come back as None."""

    id: str
    properties: dict[str, str | None] = Field(default_factory=dict)
    properties_with_history: dict[str, list[PropertyHistoryEntry]] = Field(default_factory=dict)
    associations: dict[str, AssociationResults] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
    archived: bool = False

    def get(self, name: str) -> str | None:
        return self.properties.get(name)

    def associated_ids(self, to_object_type: str) -> list[str]:
        found = self.associations.get(to_object_type)
        return sorted({item.id for item in found.results}) if found else []


class Deal(CrmObject):
    @property
    def name(self) -> str | None:
        return self.get("dealname")

    @property
    def pipeline_id(self) -> str | None:
        return self.get("pipeline")

    @property
    def stage_id(self) -> str | None:
        return self.get("dealstage")

    @property
    def amount(self) -> Decimal | None:
        raw = self.get("amount")
        try:
            return Decimal(raw) if raw else None
        except InvalidOperation:
            return None

    @property
    def currency_code(self) -> str | None:
        return self.get("deal_currency_code")

    @property
    def close_date(self) -> datetime | None:
        raw = self.get("closedate")
        return _parse_datetime(raw) if raw else None

    @property
    def owner_id(self) -> str | None:
        return self.get("hubspot_owner_id")


class Company(CrmObject):
    @property
    def name(self) -> str | None:
        return self.get("name")

    @property
    def domain(self) -> str | None:
        return self.get("domain")


class Contact(CrmObject):
    @property
    def email(self) -> str | None:
        return self.get("email")


class Note(CrmObject):
    pass


class Task(CrmObject):
    pass


class SearchFilter(HubSpotModel):
    """One filter of a search filterGroup; operators as HubSpot names them (EQ, IN, HAS_PROPERTY, ...)."""

    property_name: str
    operator: str
    value: str | None = None
    values: list[str] | None = None
    high_value: str | None = None


# HubSpot-defined association type ids (docs/CONTRACTS.md, "HubSpot associations").
DEAL_TO_PRIMARY_COMPANY = 5
DEAL_TO_CONTACT = 3


class AssociationInput(HubSpotModel):
    """An association to make while creating a record: the target id and a HubSpot-defined type id."""

    to_id: str
    type_id: int


class SearchPage(HubSpotModel):
    total: int
    results: list[Deal]
    next_after: str | None = None


class Cursor(HubSpotModel):
    after: str


class Paging(HubSpotModel):
    next: Cursor | None = None


class Page(HubSpotModel):
    """A list answer's envelope: its items (each validated by its own model), the next page's cursor, and a
    search's total."""

    results: list[Any]
    paging: Paging | None = None
    total: int | None = None

    @property
    def next_after(self) -> str | None:
        return self.paging.next.after if self.paging and self.paging.next and self.paging.next.after else None


class AssociatedFrom(HubSpotModel):
    id: RecordId


class Owner(HubSpotModel):
    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    user_id: int | None = None
    archived: bool = False


class PipelineStage(HubSpotModel):
    id: str
    label: str
    display_order: int
    metadata: dict[str, str] = Field(default_factory=dict)
    archived: bool = False

    @property
    def is_closed(self) -> bool:
        return self.metadata.get("isClosed") == "true"

    @property
    def probability(self) -> float | None:
        raw = self.metadata.get("probability")
        return float(raw) if raw else None


class Pipeline(HubSpotModel):
    id: str
    label: str
    display_order: int
    stages: list[PipelineStage]
    archived: bool = False


class AssociationType(HubSpotModel):
    category: str
    type_id: int
    label: str | None = None


class Association(HubSpotModel):
    """One associated record (v4) and every type linking it."""

    to_object_id: RecordId
    association_types: list[AssociationType]

    @property
    def type_ids(self) -> set[int]:
        return {kind.type_id for kind in self.association_types}


class AssociationRow(HubSpotModel):
    """One record's associations in a v4 batch read."""

    from_: AssociatedFrom = Field(alias="from")
    to: list[Association]


class PropertyOption(HubSpotModel):
    label: str
    value: str
    hidden: bool = False
    display_order: int | None = None
    description: str | None = None


class PropertyDefinition(HubSpotModel):
    """Read and written: `model_dump(by_alias=True, exclude_none=True)` is a valid create body."""

    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    description: str | None = None
    options: list[PropertyOption] = Field(default_factory=list)
    hubspot_defined: bool | None = None


class PropertyGroup(HubSpotModel):
    name: str
    label: str
    display_order: int = -1
    archived: bool = False


def _parse_datetime(raw: str) -> datetime | None:
    """HubSpot datetimes are ISO 8601 or epoch milliseconds."""
    if raw.isdigit():
        return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
