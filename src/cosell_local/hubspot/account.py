"""One HubSpot portal: its records, schema, pipelines, owners and currencies, and its change feed."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .associations import AssociationStore, association_changes
from .errors import property_values_invalid
from .owners import DEFAULT_OWNERS
from .pipelines import DEFAULT_PIPELINE, PipelineRegistry
from .properties import PropertyRegistry, invalid_option, normalise_value, unknown_property
from .store import Actor, CrmStore

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from .associations import AssociationType, LinkKey
    from .clock import Clock
    from .owners import Owner
    from .schema import ObjectType
    from .store import Change, CrmObject

SYSTEM_ACTOR = Actor("CRM_UI", None)
# HubSpot checks a contact's e-mail by its form (RFC 2822, no quotes in the local part, a domain ending in a
# top-level domain), not by whether it exists: 400 INVALID_EMAIL otherwise (docs/EMULATORS.md).
_EMAIL = re.compile(r"[^\s@\"]+@[^\s@\"]+\.[A-Za-z]{2,63}")


@dataclass(frozen=True)
class AccountChanges:
    """What was written to a portal between two `take_changes()`, as images of the written parts (records,
    association keys, a registry), so replaying them in order rebuilds the portal."""

    records: list[CrmObject]
    next_ids: dict[str, int]
    links: dict[LinkKey, dict[str, set[int]] | None]
    properties: PropertyRegistry | None  # None: unchanged
    pipelines: PipelineRegistry | None
    now: float  # the clock, which continues from there


class Account:
    def __init__(
        self,
        clock: Clock,
        *,
        portal_id: int,
        app_id: int,
        currencies: Sequence[str],
        owners: Sequence[Owner] = DEFAULT_OWNERS,
    ) -> None:
        self.clock = clock
        self.portal_id = portal_id
        self.app_id = app_id
        self.currencies = list(currencies)
        self.owners = {owner.id: owner for owner in owners}
        self.properties = PropertyRegistry()
        self.pipelines = PipelineRegistry()
        self.associations = AssociationStore()
        self.crm = CrmStore(clock, self._emit)
        self.lock = threading.RLock()
        # HubSpot's search index lags behind writes by seconds: a record written less than this long ago is
        # not found by search yet (reads by id see it at once).
        self.search_lag_seconds = 0.0
        self._listeners: list[Callable[[list[Change]], None]] = []
        self._held: list[Change] | None = None

    def __getstate__(self) -> dict[str, Any]:
        """What a state file keeps: the records, schema and history, not the lock or the listeners."""
        saved = dict(self.__dict__)
        for transient in ("lock", "_listeners", "_held"):
            del saved[transient]
        return saved

    def __setstate__(self, saved: dict[str, Any]) -> None:
        self.__dict__.update(saved, lock=threading.RLock(), _listeners=[], _held=None)

    def take_changes(self) -> AccountChanges:
        """What was written since the last call. The images are live: pickle them under `lock`."""
        records, next_ids = self.crm.take_written()
        return AccountChanges(
            records,
            next_ids,
            self.associations.take_written(),
            self.properties if self.properties.take_written() else None,
            self.pipelines if self.pipelines.take_written() else None,
            self.clock.now(),
        )

    def apply(self, changes: AccountChanges) -> None:
        """Replay `take_changes()` onto the portal as it was when they were taken."""
        self.crm.put_written(changes.records, changes.next_ids)
        self.associations.put_written(changes.links)
        if changes.properties is not None:
            self.properties = changes.properties
        if changes.pipelines is not None:
            self.pipelines = changes.pipelines
        self.clock.advance(changes.now - self.clock.now())

    def on_change(self, listener: Callable[[list[Change]], None]) -> None:
        self._listeners.append(listener)

    @contextmanager
    def one_operation(self) -> Iterator[None]:
        """Hold the changes of one API call and publish them together, as one call's webhooks arrive together."""
        self._held = []
        try:
            yield
        finally:
            held, self._held = self._held, None
            self._publish(held)

    def _emit(self, changes: list[Change]) -> None:
        if self._held is not None:
            self._held.extend(changes)
        else:
            self._publish(changes)

    def _publish(self, changes: list[Change]) -> None:
        if changes:
            for listener in self._listeners:
                listener(changes)

    def validate(self, kind: ObjectType, values: dict[str, Any], current: CrmObject | None) -> dict[str, str]:
        """Normalise property values as HubSpot stores them; raise its 400 listing every bad property."""
        definitions = self.properties.definitions(kind)
        clean: dict[str, str] = {}
        problems: list[dict[str, str]] = []
        for name, raw in values.items():
            definition = definitions.get(name)
            if definition is None:
                problems.append(unknown_property(name))
                continue
            value, problem = normalise_value(definition, raw)
            if problem is not None:
                problems.append(problem)
            elif value is not None:
                clean[name] = value
        problems += self._live_option_problems(kind, clean, current)
        if kind.name == "contacts" and clean.get("email") and not _EMAIL.fullmatch(clean["email"]):
            problems.append(
                {
                    "name": "email",
                    "error": "INVALID_EMAIL",
                    "message": f"Email address {clean['email']} is invalid",
                }
            )
        if current is None:
            problems += [
                {
                    "name": name,
                    "error": "REQUIRED_PROPERTY",
                    "message": f"{name} is required to create a {kind.singular}",
                }
                for name in kind.required_on_create
                if not clean.get(name)
            ]
        if problems:
            raise property_values_invalid(problems)
        return clean

    def _live_option_problems(
        self, kind: ObjectType, clean: dict[str, str], current: CrmObject | None
    ) -> list[dict[str, str]]:
        """Options that depend on account state: owners, currencies, pipelines and their stages."""
        problems = []
        owner = clean.get("hubspot_owner_id")
        if owner and owner not in self.owners:
            problems.append(invalid_option("hubspot_owner_id", owner, sorted(self.owners)))
        if kind.name != "deals":
            return problems
        currency = clean.get("deal_currency_code")
        if currency and currency not in self.currencies:
            problems.append(invalid_option("deal_currency_code", currency, self.currencies))
        existing = current.properties if current else {}
        pipeline_id = clean.get("pipeline") or existing.get("pipeline") or DEFAULT_PIPELINE.id
        pipeline = self.pipelines.get(pipeline_id)
        if pipeline is None:
            return [*problems, invalid_option("pipeline", pipeline_id, [p.id for p in self.pipelines.all()])]
        if current is None:
            clean.setdefault("pipeline", pipeline.id)
            clean.setdefault("dealstage", pipeline.stages[0].id)
        stage = clean.get("dealstage") or existing.get("dealstage", "")
        if ("dealstage" in clean or "pipeline" in clean) and stage not in pipeline.stage_ids():
            problems.append(invalid_option("dealstage", stage, sorted(pipeline.stage_ids())))
        return problems

    def associate(self, from_id: str, to_id: str, kinds: list[AssociationType], actor: Actor) -> None:
        added, removed = [], []
        for kind in kinds:
            more_added, more_removed = self.associations.add(from_id, to_id, kind)
            added += more_added
            removed += more_removed
        now_ms = self.clock.now_ms()
        self._emit(
            association_changes(removed, removed=True, actor=actor, now_ms=now_ms)
            + association_changes(added, removed=False, actor=actor, now_ms=now_ms)
        )

    def dissociate(
        self, from_type: ObjectType, from_id: str, to_type: ObjectType, to_id: str, actor: Actor
    ) -> None:
        removed = self.associations.remove_pair(from_type.name, from_id, to_type.name, to_id)
        self._emit(association_changes(removed, removed=True, actor=actor, now_ms=self.clock.now_ms()))
