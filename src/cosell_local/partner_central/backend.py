"""The emulator's core: checks each call (faults, quotas, the model), runs its handler under one lock,
then saves state and publishes the events the call produced."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central import model
from cosell_local.partner_central.clock import EmulatorClock, iso
from cosell_local.partner_central.errors import (
    REQUEST_VALIDATION_FAILED,
    ApiError,
    FieldError,
    conflict,
    not_implemented,
    validation_error,
)
from cosell_local.partner_central.events import EventPublisher, envelope
from cosell_local.partner_central.faults import DropConnection, FaultInjector
from cosell_local.partner_central.operations import HANDLERS, TICKS, is_read, work_is_due
from cosell_local.partner_central.quotas import QuotaTracker
from cosell_local.partner_central.store import (
    CATALOGS,
    IdGenerator,
    State,
    load_state,
    save_state,
)
from cosell_local.partner_central.validation import project, validate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from datetime import datetime
    from pathlib import Path

    from cosell_local.partner_central.config import EmulatorConfig
    from cosell_local.partner_central.store import (
        CatalogState,
    )

Json = dict[str, Any]


class Backend:
    def __init__(self, config: EmulatorConfig, state_file: Path | None = None) -> None:
        self.config = config
        self.state_file = state_file
        self.state = load_state(state_file) if state_file else State()
        self.clock = EmulatorClock(self.state.clock_offset_seconds, config.clock_scale)
        self.ids = IdGenerator(config.seed)
        if self.state.id_generator_state is not None:
            self.ids.restore(self.state.id_generator_state)
        self.lock = threading.RLock()
        self.publisher = EventPublisher(config.faults)
        self.quotas = QuotaTracker(config.quotas)
        self.faults = FaultInjector(config.faults)
        self._pending_events: list[Json] = []
        self._calls: list[Json] = []
        self._calls_lock = threading.Lock()

    @property
    def implemented_operations(self) -> list[str]:
        return sorted(HANDLERS)

    # --- one API call -------------------------------------------------------------------------------------

    def handle(self, operation: str, request: Json) -> Json:
        called_at = self.clock.now()
        outcome: str | None = None
        try:
            return self._handle(operation, request, called_at)
        except ApiError as error:
            outcome = error.code
            raise
        except DropConnection:
            outcome = "DroppedConnection"
            raise
        finally:
            self._record_call(operation, request.get("Catalog"), called_at, outcome)

    def _handle(self, operation: str, request: Json, called_at: datetime) -> Json:
        if operation not in model.operation_names():
            raise ApiError("UnknownOperationException", f"Unknown operation {operation}", status=400)
        faults = self.faults.for_call(operation)
        if faults.latency_seconds:
            time.sleep(faults.latency_seconds)
        if faults.drop_connection:
            raise DropConnection
        if faults.error is not None:
            raise faults.error
        handler = HANDLERS.get(operation)
        if handler is None:
            raise not_implemented(operation)
        self.quotas.admit(operation, called_at)
        operation_model = model.operation(operation)
        errors = validate(model.request_shape(operation), request)
        if errors:
            raise validation_error(REQUEST_VALIDATION_FAILED, errors)
        with self.transaction(writes=not is_read(operation)):
            response = handler(self, request)
        output_shape = operation_model.output_shape
        return project(output_shape, response) if output_shape is not None else {}

    @contextmanager
    def transaction(self, *, writes: bool = True) -> Iterator[None]:
        """Runs due clock work first; saves the state unless nothing changed it (a read, no work due);
        publishes the events produced once the lock is released.

        A read saves nothing: the state file is the whole state, and saving it after every read made each
        call cost the size of the state (a chaos run's convergence check read every opportunity, each read
        saving them all). A restart goes on from the clock's offset saved with the last change: every time
        written in the state is earlier than that, so nothing it recorded comes to look later than what
        follows (on a compressed clock, `now` itself may step back by the time since that change)."""
        changed = writes
        try:
            with self.lock:
                for tick in TICKS:
                    changed = tick(self) or changed
                yield
        finally:
            with self.lock:
                events, self._pending_events = self._pending_events, []
                if changed or events:
                    self.save()
            self.publisher.publish(events)

    def run_due_work(self) -> bool:
        """Completes due tasks and expires invitations without waiting for a call; False if nothing was due."""
        with self.lock:
            if not work_is_due(self):
                return False
        with self.transaction():
            return True

    def save(self) -> None:
        if self.state_file is not None:
            self.state.clock_offset_seconds = self.clock.ahead_of_wall_seconds
            self.state.id_generator_state = self.ids.saved_state()
            save_state(self.state, self.state_file)

    def reset(self) -> None:
        with self.lock:
            self.state = State()
            self.clock.reset()
            self.ids = IdGenerator(self.config.seed)
            self._pending_events.clear()
            self.save()
        # Quota windows and fault draws start over too, so a reset emulator replays the same run.
        self.quotas.configure(self.config.quotas)
        self.faults.configure(self.config.faults)
        self.publisher.configure_faults(self.config.faults)
        self.publisher.clear_history()
        self.clear_calls()

    # --- call log -----------------------------------------------------------------------------------------

    def _record_call(self, operation: str, catalog: Any, called_at: datetime, error: str | None) -> None:
        with self._calls_lock:
            self._calls.append(
                {"Operation": operation, "Catalog": catalog, "Time": iso(called_at), "Error": error}
            )

    def calls(self, operation: str | None = None) -> list[Json]:
        with self._calls_lock:
            return [call for call in self._calls if operation is None or call["Operation"] == operation]

    def clear_calls(self) -> None:
        with self._calls_lock:
            self._calls.clear()

    # --- helpers for handlers -----------------------------------------------------------------------------

    def catalog(self, name: str) -> CatalogState:
        if name not in CATALOGS:
            raise validation_error(
                REQUEST_VALIDATION_FAILED,
                [FieldError("Catalog", f"must be one of: {', '.join(CATALOGS)}", "INVALID_VALUE")],
            )
        return self.state.catalogs[name]

    def now(self) -> datetime:
        return self.clock.now()

    def now_iso(self) -> str:
        return iso(self.clock.now())

    def arn(self, catalog: str, kind: str, identifier: str) -> str:
        return (
            f"arn:aws:partnercentral:{self.config.region}:{self.config.account_id}:"
            f"catalog/{catalog}/{kind}/{identifier}"
        )

    def emit(self, detail_type: str, detail: Json, resources: list[str]) -> None:
        self._pending_events.append(
            envelope(
                event_id=self.ids.uuid(),
                detail_type=detail_type,
                account=self.config.account_id,
                region=self.config.region,
                time=self.clock.now(),
                resources=resources,
                detail=detail,
            )
        )

    def idempotent(
        self, catalog: CatalogState, operation: str, request: Json, create: Callable[[], Json]
    ) -> Json:
        """ClientToken semantics: the same token and body give the first answer; another body is a conflict."""
        key = f"{operation}:{request['ClientToken']}"
        fingerprint = json.dumps(request, sort_keys=True)
        stored = catalog.client_tokens.get(key)
        if stored is not None:
            if stored["Fingerprint"] != fingerprint:
                raise conflict("Conflicting client token submitted for a new request body")
            result: Json = stored["Result"]
            return result
        result = create()
        catalog.client_tokens[key] = {"Fingerprint": fingerprint, "Result": result}
        return result
