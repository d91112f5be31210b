"""The body of a HubSpot webhook delivery: a JSON array of up to 100 events.

Field names follow real deliveries (docs/CONTRACTS.md, "Webhook delivery"): the type key is
`subscriptionType`, though HubSpot's docs example says `eventType`, so both are accepted. Association events name their object as
`fromObjectId`; the others as `objectId`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, TypeAdapter

MAX_EVENTS_PER_DELIVERY = 100
# HubSpot's ids are 64-bit integers; a larger number in a signed body is still no HubSpot event.
Id = Annotated[int, Field(ge=0, lt=2**63)]
_ACTIVITIES = ("TASK", "NOTE", "MEETING", "CALL", "EMAIL", "COMMUNICATION")


class WebhookEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    event_id: Id = Field(alias="eventId")
    subscription_id: Id | None = Field(default=None, alias="subscriptionId")  # absent in some deliveries
    portal_id: Id = Field(alias="portalId")
    app_id: Id | None = Field(default=None, alias="appId")
    occurred_at: int = Field(alias="occurredAt", ge=0, lt=2**63)
    subscription_type: str = Field(
        validation_alias=AliasChoices("subscriptionType", "eventType"),
        pattern=r"^[a-z_]+\.[A-Za-z]+$",
    )
    attempt_number: int = Field(default=0, alias="attemptNumber", ge=0, lt=2**31)
    object_id: Id | None = Field(default=None, alias="objectId")
    from_object_id: Id | None = Field(default=None, alias="fromObjectId")
    property_name: str | None = Field(default=None, alias="propertyName")
    property_value: str | None = Field(default=None, alias="propertyValue")
    change_source: str | None = Field(default=None, alias="changeSource")
    source_id: str | None = Field(default=None, alias="sourceId")
    merged_object_ids: list[Id] = Field(default_factory=list, alias="mergedObjectIds", max_length=1000)
    association_type: str | None = Field(default=None, alias="associationType")  # e.g. DEAL_TO_COMPANY

    @property
    def object_type(self) -> str:
        return self.subscription_type.split(".", 1)[0]

    @property
    def about_an_activity(self) -> bool:
        """An association change with a task, note or other activity: nothing cosell maps (cosell's own
        notifications make these)."""
        kind = (self.association_type or "").upper()
        return self.subscription_type.endswith(".associationChange") and any(
            activity in kind for activity in _ACTIVITIES
        )

    @property
    def subject_id(self) -> int | None:
        """The id of the object this event is about."""
        return self.object_id if self.object_id is not None else self.from_object_id


WebhookDelivery = TypeAdapter(
    Annotated[list[WebhookEvent], Field(min_length=1, max_length=MAX_EVENTS_PER_DELIVERY)]
)
