"""One way to run a WSGI app on 127.0.0.1 in a background thread, for every local server of the project."""

from __future__ import annotations

import socket
import threading
from typing import TYPE_CHECKING, Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler


def dropped_connection(environ: dict[str, Any]) -> Response:
    """Close the request's connection before any answer, as a dropped line would: the client reads nothing
    (the response returned is never sent)."""
    connection = environ.get("werkzeug.socket")
    if connection is not None:
        connection.shutdown(socket.SHUT_RDWR)
    return Response(b"", status=500)


# werkzeug's default poll interval is half a second; tests start and stop servers often.
_POLL_SECONDS = 0.05


class BackgroundServer:
    """A threaded werkzeug server: `start()` returns its URL, `stop()` returns once it has ended."""

    def __init__(
        self,
        app: Any,
        *,
        name: str,
        host: str = "127.0.0.1",
        port: int = 0,
        request_handler: type[WSGIRequestHandler] | None = None,
    ) -> None:
        self._app = app
        self._name = name
        self._host = host
        self._port = port
        self._request_handler = request_handler
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        self._server = make_server(
            self._host, self._port, self._app, threaded=True, request_handler=self._request_handler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name=self._name,
            daemon=True,
        )
        self._thread.start()
        return self.url

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{self._name} is not started")
        return f"http://{self._host}:{self._server.server_port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
