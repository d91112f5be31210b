"""The HTTP server (AWS API on POST /, control API under /_emulator/) and the in-process handle for tests."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from cosell_local.partner_central import protocol
from cosell_local.partner_central.backend import Backend
from cosell_local.partner_central.config import EmulatorConfig
from cosell_local.partner_central.control import HTTP_ACTIONS, ControlApi
from cosell_local.partner_central.errors import ApiError
from cosell_local.partner_central.faults import DropConnection
from cosell_local.serving import BackgroundServer, dropped_connection

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from cosell_local.partner_central.events import EventSink

CONTROL_PREFIX = "/_emulator/"


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: tests make thousands."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def _json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class PartnerCentralEmulator:
    """One emulator: `start()` serves it on 127.0.0.1 and returns its URL; `control` plays AWS from Python.

    >>> emulator = PartnerCentralEmulator(EmulatorConfig(task_delay_seconds=1))
    >>> url = emulator.start()  # boto3.client("partnercentral-selling", endpoint_url=url, ...)
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        state_file: Path | None = None,
        sinks: Iterable[EventSink] = (),
    ) -> None:
        self.backend = Backend(config or EmulatorConfig(), state_file)
        self.control = ControlApi(self.backend)
        for sink in sinks:
            self.add_event_sink(sink)
        self._http: BackgroundServer | None = None
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        self.url = ""

    def add_event_sink(self, sink: EventSink) -> None:
        """Every event from now on also goes to `sink` (CallbackSink, HttpPostSink, EventBridgeSink, ...)."""
        self.backend.publisher.add_sink(sink)

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._http = BackgroundServer(
            self.wsgi_app, name="partner-central", host=host, port=port, request_handler=_QuietRequestHandler
        )
        self.url = self._http.start()
        interval = self.backend.config.tick_seconds
        if interval > 0:
            self._stopping.clear()
            self._ticker = threading.Thread(
                target=self._tick, args=(interval,), name="pc-ticker", daemon=True
            )
            self._ticker.start()
        return self.url

    def _tick(self, interval: float) -> None:
        while not self._stopping.wait(interval):
            self.backend.run_due_work()

    def stop(self) -> None:
        self._stopping.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        if self._http is not None:
            self._http.stop()

    def wait(self) -> None:
        """Blocks while the server runs (the CLI's mode; interrupt to end)."""
        while self._http is not None and self._http.running:
            self._stopping.wait(0.5)

    def __enter__(self) -> PartnerCentralEmulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control(request)
        elif request.path == "/" and request.method == "POST":
            response = self._api(request, environ)
        else:
            response = _json_response({"message": f"No route for {request.method} {request.path}"}, 404)
        result: Iterable[bytes] = response(environ, start_response)
        return result

    def _api(self, request: Request, environ: dict[str, Any]) -> Response:
        try:
            operation, body = protocol.parse(request)
        except ApiError as error:
            return protocol.failure(error)
        malformed = self.backend.faults.malformed_answer(operation)
        if malformed is not None and not malformed.handled:
            return malformed.spoil(None)
        answer = self._answer(operation, body, environ)
        return answer if malformed is None else malformed.spoil(answer)

    def _answer(self, operation: str, body: dict[str, Any], environ: dict[str, Any]) -> Response:
        try:
            return protocol.success(self.backend.handle(operation, body))
        except ApiError as error:
            return protocol.failure(error)
        except DropConnection:
            return dropped_connection(environ)

    def _control(self, request: Request) -> Response:
        action = request.path.removeprefix(CONTROL_PREFIX).strip("/").replace("-", "_")
        if action not in HTTP_ACTIONS:
            return _json_response(
                {"message": f"Unknown control action {action!r}", "actions": HTTP_ACTIONS}, 404
            )
        try:
            arguments = request.get_json(force=True, silent=False) if request.get_data() else {}
        except Exception:  # noqa: BLE001 - werkzeug raises BadRequest subclasses for malformed JSON
            return _json_response({"message": "The body must be a JSON object of keyword arguments"}, 400)
        if not isinstance(arguments, dict):
            return _json_response({"message": "The body must be a JSON object of keyword arguments"}, 400)
        try:
            return _json_response(getattr(self.control, action)(**arguments))
        except ApiError as error:
            return _json_response(error.body(), error.http_status)
        except TypeError as error:
            return _json_response({"message": str(error)}, 400)
