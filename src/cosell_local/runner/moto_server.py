"""moto in server mode on 127.0.0.1: SQS, DynamoDB, EventBridge, SSM, STS, Secrets Manager, SNS over HTTP.

moto's own ThreadedMotoServer waits up to half a second to notice a shutdown; this one polls ten times as
often, which keeps a test's stack cheap to stop.
"""

from __future__ import annotations

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

from cosell_local.serving import BackgroundServer


def moto_server(port: int = 0) -> BackgroundServer:
    app = DomainDispatcherApplication(create_backend_app)
    return BackgroundServer(app, name="moto", port=port, request_handler=MotoRequestHandler)
