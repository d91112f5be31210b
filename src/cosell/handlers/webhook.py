"""HubSpot webhook receiver (API Gateway → Lambda): authenticate, queue, answer fast.

No sync work happens here: HubSpot waits at most 5 seconds and retries anything but a 2xx, so the handler
answers 2xx only once every request is durably on the FIFO queue, and 5xx if queueing failed.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths

from cosell import secrets
from cosell.handlers import runtime
from cosell.handlers.api_gateway import json_response
from cosell.handlers.runtime import logger
from cosell.hubspot.signature import SignatureError
from cosell.hubspot.webhook_intake import MalformedDeliveryError, accept_delivery
from cosell.metrics import Metric, WebhookOutcome, count_by, metrics
from cosell.queue.sqs import EnqueueError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from cosell.config import WebhookSettings
    from cosell.hubspot.webhook_intake import AcceptedDelivery


def _refused(status: int, outcome: WebhookOutcome, why: str, reason: str) -> dict[str, Any]:
    logger.warning(f"webhook rejected: {why}", extra={"reason": reason})
    count_by(Metric.WEBHOOK_DELIVERIES, "Outcome", outcome)
    return json_response(status, {"message": reason})


def _headers(request: dict[str, Any]) -> dict[str, str]:
    """API Gateway's proxy event keeps the caller's header names as sent: looked up lowercased."""
    return {str(name).lower(): str(value) for name, value in (request.get("headers") or {}).items()}


def _called_url(request: dict[str, Any], settings: WebhookSettings) -> str:
    if settings.hubspot_webhook_url is not None:
        return settings.hubspot_webhook_url
    host = _headers(request).get("host", "")
    return f"https://{host}{(request.get('requestContext') or {}).get('path', '')}"


def _raw_body(request: dict[str, Any]) -> bytes:
    body = request.get("body") or ""
    if not request.get("isBase64Encoded"):
        return body.encode()
    try:
        return base64.b64decode(body, validate=True)
    except ValueError:  # binascii.Error, or text that is not even ASCII
        raise MalformedDeliveryError("the body is marked base64-encoded but is not base64") from None


def _accept(request: dict[str, Any], body: bytes, settings: WebhookSettings) -> AcceptedDelivery:
    def accept(client_secrets: tuple[str, ...]) -> AcceptedDelivery:
        return accept_delivery(
            method=request.get("httpMethod", ""),
            url=_called_url(request, settings),
            headers=_headers(request),
            body=body,
            client_secrets=client_secrets,
            now_ms=runtime.now_ms(),
            correlation_id=(request.get("requestContext") or {}).get("requestId", ""),
        )

    try:
        return accept(secrets.hubspot_webhook_secrets(settings))
    except SignatureError:
        # Perhaps the secret was rotated since it was read: read it again (rate-limited) and try once more.
        return accept(secrets.hubspot_webhook_secrets(settings, reread=True))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(request: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = runtime.webhook_settings()
    try:
        body = _raw_body(request)
        delivery = _accept(request, body, settings)
    except SignatureError as rejected:
        return _refused(401, WebhookOutcome.BAD_SIGNATURE, "unauthenticated", str(rejected))
    except MalformedDeliveryError as rejected:
        return _refused(400, WebhookOutcome.MALFORMED, "malformed", str(rejected))
    requests = delivery.requests
    if delivery.signed_with_previous_secret:
        logger.warning(
            "webhook signed with the client secret a rotation replaced; it is refused once the overlap "
            "window ends (docs/OPERATIONS.md, 'Rotating secrets')"
        )
    try:
        runtime.sync_queue(settings.aws_region, str(settings.sync_queue_url)).send(requests)
    except EnqueueError as failure:
        logger.error("webhook not queued; HubSpot will retry", extra={"reason": str(failure)})
        return json_response(503, {"message": "temporarily unable to queue the delivery"})
    logger.info(
        "webhook queued",
        extra={"objects": len(requests), "ignored_event_types": sorted(set(delivery.ignored_event_types))},
    )
    count_by(Metric.WEBHOOK_DELIVERIES, "Outcome", WebhookOutcome.ACCEPTED)
    return json_response(200, {"queued": len(requests)})
