"""CRM records with per-property history, and the change feed webhooks are built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .clock import iso_from_ms

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .auth import AccessToken
    from .clock import Clock
    from .schema import ObjectType


@dataclass(frozen=True)
class HistoryEntry:
    value: str
    timestamp: str
    source_type: str
    source_id: str | None


@dataclass
class CrmObject:
    object_type: ObjectType
    id: str
    properties: dict[str, str]
    history: dict[str, list[HistoryEntry]]
    created_at: str
    updated_at: str
    archived: bool = False
    archived_at: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who made a change, as HubSpot reports it in webhooks and property history."""

    change_source: str  # INTEGRATION, CRM_UI, ...
    source_id: str | None  # the app id, or "userId:<id>"

    @staticmethod
    def of(token: AccessToken, app_id: int) -> Actor:
        if token.rep_user_id is not None:
            return Actor("CRM_UI", f"userId:{token.rep_user_id}")
        return Actor("INTEGRATION", str(app_id))


@dataclass(frozen=True)
class Change:
    kind: str  # creation, propertyChange, deletion, merge, restore, associationChange
    object_type: ObjectType
    object_id: str
    actor: Actor
    occurred_at_ms: int
    details: dict[str, Any] = field(default_factory=dict)


class CrmStore:
    """Stores validated values; callers validate first. Emits one list of changes per operation."""

    def __init__(self, clock: Clock, emit: Callable[[list[Change]], None]) -> None:
        self._clock = clock
        self._emit = emit
        self._objects: dict[str, dict[str, CrmObject]] = {}
        self._next_id: dict[str, int] = {}
        # Records written since `take_written()`, by (type, id): a merge writes one the change feed does not name.
        self._written: dict[tuple[str, str], CrmObject] = {}

    def _table(self, object_type: ObjectType) -> dict[str, CrmObject]:
        return self._objects.setdefault(object_type.name, {})

    def get(self, object_type: ObjectType, object_id: str, *, archived: bool = False) -> CrmObject | None:
        found = self._table(object_type).get(object_id)
        if found is None or found.archived != archived:
            return None
        return found

    def all(self, object_type: ObjectType, *, archived: bool = False) -> Iterator[CrmObject]:
        return (o for o in self._table(object_type).values() if o.archived == archived)

    def take_written(self) -> tuple[list[CrmObject], dict[str, int]]:
        """The records written since the last call, as they are now, and the id counters: what a journal
        entry keeps. The records are live: pickle them before the account's lock is released."""
        written, self._written = list(self._written.values()), {}
        return written, dict(self._next_id)

    def put_written(self, records: list[CrmObject], next_ids: dict[str, int]) -> None:
        """Replay what `take_written` returned: each record replaces the one of its id."""
        for record in records:
            self._table(record.object_type)[record.id] = record
        self._next_id = dict(next_ids)

    def create(self, object_type: ObjectType, values: dict[str, str], actor: Actor) -> CrmObject:
        next_id = self._next_id.get(object_type.name, object_type.id_base)
        self._next_id[object_type.name] = next_id + 1
        now_ms = self._clock.now_ms()
        now = iso_from_ms(now_ms)
        record = CrmObject(object_type, str(next_id), {}, {}, now, now)
        values = {object_type.created_property: now, **values}
        changed = self._write(record, values, actor, now)
        self._table(object_type)[record.id] = record
        creation = Change("creation", object_type, record.id, actor, now_ms, {"changeFlag": "CREATED"})
        self._emit([creation, *self._property_changes(record, changed, actor, now_ms)])
        return record

    def update(self, record: CrmObject, values: dict[str, str], actor: Actor) -> CrmObject:
        now_ms = self._clock.now_ms()
        changed = self._write(record, values, actor, iso_from_ms(now_ms))
        self._emit(self._property_changes(record, changed, actor, now_ms))
        return record

    def archive(self, record: CrmObject, actor: Actor) -> None:
        now_ms = self._clock.now_ms()
        self._set_archived(record, iso_from_ms(now_ms))
        self._emit(
            [Change("deletion", record.object_type, record.id, actor, now_ms, {"changeFlag": "DELETED"})]
        )

    def restore(self, record: CrmObject, actor: Actor) -> None:
        now_ms = self._clock.now_ms()
        self._set_archived(record, None)
        self._emit([Change("restore", record.object_type, record.id, actor, now_ms)])

    def merge(self, primary: CrmObject, merged: CrmObject, actor: Actor) -> CrmObject:
        """HubSpot keeps the primary's id; the merged record's values fill the primary's gaps."""
        now_ms = self._clock.now_ms()
        moved = {
            name: value
            for name, value in merged.properties.items()
            if name not in primary.properties and value
        }
        changed = self._write(primary, moved, actor, iso_from_ms(now_ms))
        self._set_archived(merged, iso_from_ms(now_ms))
        details = {
            "primaryObjectId": int(primary.id),
            "mergedObjectIds": [int(merged.id)],
            "newObjectId": int(primary.id),
            "numberOfPropertiesMoved": len(changed),
        }
        self._emit([Change("merge", primary.object_type, primary.id, actor, now_ms, details)])
        return primary

    def _set_archived(self, record: CrmObject, archived_at: str | None) -> None:
        record.archived = archived_at is not None
        record.archived_at = archived_at
        self._written[(record.object_type.name, record.id)] = record

    def _write(self, record: CrmObject, values: dict[str, str], actor: Actor, now: str) -> dict[str, str]:
        self._written[(record.object_type.name, record.id)] = record
        changed: dict[str, str] = {}
        for name, value in values.items():
            if record.properties.get(name, "") == value:
                continue
            if value == "":
                record.properties.pop(name, None)
            else:
                record.properties[name] = value
            entry = HistoryEntry(value, now, actor.change_source, actor.source_id)
            record.history.setdefault(name, []).insert(0, entry)
            changed[name] = value
        record.updated_at = now
        record.properties[record.object_type.modified_property] = now
        record.properties["hs_object_id"] = record.id
        return changed

    @staticmethod
    def _property_changes(
        record: CrmObject, changed: dict[str, str], actor: Actor, now_ms: int
    ) -> list[Change]:
        return [
            Change(
                "propertyChange", record.object_type, record.id, actor, now_ms,
                {"propertyName": name, "propertyValue": value},
            )
            for name, value in changed.items()
        ]  # fmt: skip
