"""The emulator as a WSGI app on a werkzeug server, and the Python handle tests drive it with."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from cosell_local.serving import BackgroundServer, dropped_connection

from . import associations, control, objects, owners, page, pipelines, properties, search
from .account import Account
from .auth import AccessToken, TokenRegistry, require_scope
from .clock import Clock
from .errors import ApiError, validation_error
from .faults import DroppedConnection, FaultInjector
from .owners import DEFAULT_OWNERS
from .ratelimit import RateLimiter
from .routing import ApiRequest
from .schema import object_type
from .state_file import PortalStateFile
from .store import Actor
from .webhooks import WebhookDispatcher

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path
    from types import TracebackType

    from cosell_local.malformed import MalformedAnswer

    from .routing import Route
    from .state_file import SavedPortal
    from .webhooks import WebhookSettings

ROUTES: list[Route] = [
    *objects.ROUTES,
    *search.ROUTES,
    *associations.ROUTES,
    *properties.ROUTES,
    *pipelines.ROUTES,
    *owners.ROUTES,
]
DEFAULT_PORTAL_ID = 48975575
DEFAULT_APP_ID = 39522895


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    by_rep: bool | None  # None when the caller was not authenticated
    body: Any


class HubSpotEmulator:
    """A HubSpot portal on 127.0.0.1. `start()` binds an ephemeral port unless `port` is given."""

    def __init__(
        self,
        *,
        tokens: Iterable[str | AccessToken] = (),
        webhook: WebhookSettings | None = None,
        tier: str = "starter",
        time_scale: float = 1.0,
        seed: int = 0,
        portal_id: int = DEFAULT_PORTAL_ID,
        app_id: int = DEFAULT_APP_ID,
        currencies: Iterable[str] = ("USD", "EUR", "GBP"),
        port: int = 0,
        search_lag_seconds: float = 0.0,
        state_file: Path | None = None,
    ) -> None:
        """`search_lag_seconds`: how long after a write search still misses the record, as HubSpot's index
        does (0: at once). `state_file`: the portal is saved there after every change and restored from it
        (records, schema, clock, webhooks not yet delivered); tokens and subscriptions come from the arguments.
        Each change is journaled next to it (`<state_file>.journal`, see state_file.py)."""
        self.state_file = state_file
        self._saved_state = PortalStateFile(state_file) if state_file else None
        saved = self._saved_state.load() if self._saved_state else None
        self.clock = saved.account.clock if saved else Clock(time_scale)
        self.search_lag_seconds = search_lag_seconds
        self.portal_id = portal_id
        self.app_id = app_id
        self.currencies = list(currencies)
        self.tokens = TokenRegistry([t if isinstance(t, AccessToken) else AccessToken(t) for t in tokens])
        self.rate_limits = RateLimiter(self.clock, tier)
        self.faults = FaultInjector(seed, time_scale)
        self.webhooks = WebhookDispatcher(self.clock, portal_id, app_id, webhook) if webhook else None
        self.requests: list[LoggedRequest] = []
        self.account = self._new_account() if saved is None else self._restored_account(saved)
        self._write_snapshot()  # the journal starts over on what was restored
        self._http = BackgroundServer(
            self._wsgi, name="hubspot-emulator", port=port, request_handler=_QuietRequestHandler
        )
        self._log_lock = threading.Lock()
        self._routes = Map(
            [Rule(route.rule, methods=[route.method], endpoint=route) for route in ROUTES],
            strict_slashes=False,
        )

    # --- lifecycle ---

    def start(self, *, deliver_webhooks: bool = True) -> HubSpotEmulator:
        """`deliver_webhooks=False`: serve the API, and send no webhook until `webhooks.start()` (a stack
        whose webhook function is not ready yet; a restored portal may hold deliveries due at once)."""
        self._http.start()
        if self.webhooks and deliver_webhooks:
            self.webhooks.start()
        return self

    def stop(self) -> None:
        if self.webhooks:
            self.webhooks.stop()
        self._http.stop()
        if self._saved_state:
            self._saved_state.close()

    def __enter__(self) -> HubSpotEmulator:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self._http.url

    # --- control from Python ---

    def reset(self) -> None:
        """Forget every record, request, fault and rate-limit count; keep tokens and webhook subscriptions."""
        with self.account.lock:
            self.account = self._new_account()
        self.rate_limits.reset()
        self.faults.reset()
        with self._log_lock:
            self.requests.clear()
        if self.webhooks:
            self.webhooks.reset()
        self._write_snapshot()  # the journal holds changes to the portal forgotten

    def add_token(self, token: AccessToken) -> AccessToken:
        self.tokens.add(token)
        return token

    def add_rep_token(self, value: str, owner_id: str | None = None) -> AccessToken:
        """A token that acts as a sales rep in the CRM UI (webhooks report CRM_UI and the rep's user id)."""
        owner = self.account.owners[owner_id] if owner_id else DEFAULT_OWNERS[0]
        return self.add_token(AccessToken(value, rep_user_id=owner.user_id))

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)
        if self.webhooks:
            self.webhooks.wake()

    def restore(self, object_type_name: str, object_id: str, rep_user_id: int | None = None) -> None:
        """Restore an archived record from the recycle bin, as a rep does in the UI (no public API)."""
        actor = Actor("CRM_UI", f"userId:{rep_user_id or DEFAULT_OWNERS[0].user_id}")
        with self.account.lock:
            record = self.account.crm.get(object_type(object_type_name), object_id, archived=True)
            if record is None:
                raise KeyError(f"no archived {object_type_name} {object_id}")
            self.account.crm.restore(record, actor)
        self.save()

    def request_count(self, method: str | None = None, path_prefix: str = "") -> int:
        with self._log_lock:
            return sum(
                1
                for entry in self.requests
                if (method is None or entry.method == method) and entry.path.startswith(path_prefix)
            )

    def _new_account(self) -> Account:
        account = Account(
            self.clock, portal_id=self.portal_id, app_id=self.app_id, currencies=self.currencies
        )
        account.search_lag_seconds = self.search_lag_seconds
        if self.webhooks:
            account.on_change(self.webhooks.on_changes)
        return account

    def _restored_account(self, saved: SavedPortal) -> Account:
        account = saved.account
        account.search_lag_seconds = self.search_lag_seconds
        if self.webhooks:
            if saved.webhooks is not None:
                self.webhooks.restore(saved.webhooks)
            account.on_change(self.webhooks.on_changes)
        return account

    def save(self) -> None:
        """Journal what changed (if there is a state file) before it is answered: a kill loses no acknowledged
        write."""
        if self._saved_state is None:
            return
        with self.account.lock:
            self._saved_state.append(self.account, self.webhooks)

    def _write_snapshot(self) -> None:
        if self._saved_state is None:
            return
        with self.account.lock:
            self._saved_state.write_snapshot(self.account, self.webhooks)

    # --- HTTP ---

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self._respond(request)
        except DroppedConnection:
            return dropped_connection(environ)(environ, start_response)
        if request.method != "GET" and not request.path.endswith("/search"):
            self.save()
        return response(environ, start_response)

    def _respond(self, request: Request) -> Response:
        if request.path == "/" and request.method == "GET":
            return Response(page.render(self.account), content_type="text/html; charset=utf-8")
        try:
            if request.path.startswith("/_emulator/"):
                action = request.path.removeprefix("/_emulator/")
                status, payload = control.handle(self, request.method, action, _json_body(request))
                return _json_response(status, payload, {})
            return self._api(request)
        except ApiError as error:  # before authentication: unknown route or token
            self._log(request, error.status, None, None)
            return _json_response(error.status, error.body(), error.headers)

    def _api(self, request: Request) -> Response:
        adapter = self._routes.bind_to_environ(request.environ)
        try:
            route, matched = adapter.match()
        except NotFound:
            raise ApiError(404, "OBJECT_NOT_FOUND", f"No route for {request.method} {request.path}") from None
        except MethodNotAllowed:
            raise ApiError(
                405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed on {request.path}"
            ) from None
        params = {name: str(value) for name, value in matched.items()}
        token = self.tokens.authenticate(request.headers.get("Authorization"))
        body: Any = None
        malformed: MalformedAnswer | None = None
        try:
            require_scope(token, route.scope(params))
            # The app's limits count the app's API calls; a rep working in the CRM UI spends none of them.
            headers = {} if token.is_rep else self.rate_limits.check(token.value, is_search=route.is_search)
            malformed = self.faults.apply(request.method, request.path, by_rep=token.is_rep)
            if malformed is not None and not malformed.handled:
                return self._sent(request, token, body, malformed.spoil(None))
            body = _json_body(request)
            api_request = ApiRequest(
                self.account, token, Actor.of(token, self.app_id), params, request.args, body
            )
            with self.account.lock, self.account.one_operation():
                status, payload = route.handler(api_request)
        except (KeyError, TypeError, ValueError, AttributeError) as wrong:
            # A body of the wrong shape: HubSpot answers 400, never 500.
            error = validation_error(f"Invalid input JSON: {type(wrong).__name__} {wrong}")
            status, payload, headers = error.status, error.body(), error.headers
        except ApiError as error:
            status, payload, headers = error.status, error.body(), error.headers
        answer = _json_response(status, payload, headers)
        return self._sent(request, token, body, answer if malformed is None else malformed.spoil(answer))

    def _sent(self, request: Request, token: AccessToken, body: Any, response: Response) -> Response:
        self._log(request, response.status_code, token, body)
        return response

    def _log(self, request: Request, status: int, token: AccessToken | None, body: Any) -> None:
        entry = LoggedRequest(
            request.method,
            request.path,
            request.query_string.decode(),
            status,
            None if token is None else token.is_rep,
            body,
        )
        with self._log_lock:
            self.requests.append(entry)


class _QuietRequestHandler(WSGIRequestHandler):
    """The request log is kept in `HubSpotEmulator.requests`, not printed."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def _json_body(request: Request) -> Any:
    raw = request.get_data()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise validation_error("Invalid input JSON on line 1: the body is not valid JSON") from None


def _json_response(status: int, payload: Any, headers: dict[str, str]) -> Response:
    if status == 204:
        return Response(status=204, headers=headers)
    return Response(
        json.dumps(payload), status=status, headers=headers, content_type="application/json;charset=utf-8"
    )
