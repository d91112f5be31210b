"""The Partner Central Selling API client: boto3, through the service role, always in us-east-1.

Function roles hold no Partner Central permission; they assume `HubSpotPartnerCentralServiceRole`
(infra/iam-role.yaml) with its ExternalId, and the credentials refresh themselves before they expire.
A local stack points boto3 at the emulator with `AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING` (boto3 reads it).
"""

from __future__ import annotations

import threading
from datetime import UTC
from typing import TYPE_CHECKING, Any, Protocol

from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.retries.standard import DEFAULT_MAX_ATTEMPTS

from cosell import aws_clients
from cosell.config import DEFAULT_PARTNER_CENTRAL_ROLE_NAME
from cosell.metrics import Metric, count
from cosell.observability import build_logger
from cosell.partner_central import answers

if TYPE_CHECKING:
    from collections.abc import Callable

    from botocore.model import OperationModel
    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient
    from mypy_boto3_sts.client import STSClient
    from mypy_boto3_sts.type_defs import AssumeRoleRequestTypeDef

    from cosell.config.sync import Settings

logger = build_logger()

# Standard retry mode retries 5xx and connection errors with backoff (a paced client retries throttling
# itself: `paced`). ServiceQuotaExceededException (the daily quota) is not retryable there, which is right:
# it won't clear for hours.
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=20)
# Operations on the read budget (10/s); every other operation changes something and is on the write budget
# (1/s). docs/CONTRACTS.md, "Partner Central quotas".
_READ_PREFIXES = ("Get", "List", "Search")


class RequestPacer(Protocol):
    """A shared request budget (cosell.store.pacer)."""

    def reserve(self) -> int: ...
    def depart(self, gap_ms: int) -> float: ...
    def answered(self, sent: float) -> None: ...
    def throttled(self) -> float: ...


def service_role_arn(settings: Settings, sts: Callable[[], STSClient]) -> str:
    """PARTNER_CENTRAL_ROLE_ARN, or the role infra/iam-role.yaml creates (RoleName) in this account (STS is
    asked only then)."""
    if settings.partner_central_role_arn is not None:
        return settings.partner_central_role_arn
    account_id = sts().get_caller_identity()["Account"]
    return f"arn:aws:iam::{account_id}:role/{DEFAULT_PARTNER_CENTRAL_ROLE_NAME}"


def partner_account_id(settings: Settings) -> str:
    """The account Partner Central knows the partner by: the service role's (arn:aws:iam::<account>:role/...)."""
    return service_role_arn(settings, lambda: aws_clients.client("sts", settings.aws_region)).split(":")[4]


def _assume_role_credentials(settings: Settings, session_name: str) -> RefreshableCredentials:
    sts = aws_clients.client("sts", settings.aws_region)
    arn = service_role_arn(settings, lambda: sts)

    def refresh() -> dict[str, Any]:
        request: AssumeRoleRequestTypeDef = {
            "RoleArn": arn,
            "RoleSessionName": session_name,
            "DurationSeconds": 3600,
        }
        # Always set in a deployed stack (Settings); a local run has no trust policy to satisfy.
        if settings.partner_central_external_id is not None:
            request["ExternalId"] = settings.partner_central_external_id
        credentials = sts.assume_role(**request)["Credentials"]
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": credentials["Expiration"].astimezone(UTC).isoformat(),
        }

    return RefreshableCredentials.create_from_metadata(
        metadata=refresh(), refresh_using=refresh, method="sts-assume-role"
    )


def partner_central_client(settings: Settings, session_name: str) -> PartnerCentralSellingAPIClient:
    """A client acting as the Partner Central service role. Build it once per execution environment."""
    core = aws_clients.session()
    # botocore has no public setter for refreshable credentials; this is the pattern its own tests use.
    core._credentials = _assume_role_credentials(settings, session_name)  # type: ignore[attr-defined]
    session = aws_clients.boto3_session(core, settings.partner_central_region)
    client = session.client("partnercentral-selling", config=_CLIENT_CONFIG)
    answers.register_answer_checks(client)
    return client


def paced(
    client: PartnerCentralSellingAPIClient, *, writes: RequestPacer, reads: RequestPacer
) -> PartnerCentralSellingAPIClient:
    """`client`, with every attempt of every request first taking a slot of its budget, retries included.

    A throttled attempt slows its budget down for everyone and is sent again at once (up to the client's
    attempts), so its retry waits for a new slot in the queue rather than for botocore's backoff: a retry
    that skipped the queue would arrive in another request's slot and get that one throttled too.
    """
    retries: dict[str, Any] = getattr(client.meta.config, "retries", None) or {}  # not in botocore's stubs
    attempts_allowed = int(retries.get("total_max_attempts", DEFAULT_MAX_ATTEMPTS))

    def budget(operation_name: str) -> RequestPacer:
        return reads if operation_name.startswith(_READ_PREFIXES) else writes

    # A slot in steps (cosell.store.pacer): the wait in the queue before signing, so a long one never
    # leaves a stale signature; the departure once signed, right before the request goes; the answer.
    attempt = threading.local()

    def reserve(operation_name: str, **_: Any) -> None:
        attempt.gap_ms = budget(operation_name).reserve()

    def depart(event_name: str, **_: Any) -> None:
        attempt.sent = budget(event_name.rsplit(".", 1)[-1]).depart(attempt.gap_ms)

    def retry_throttled(
        operation: OperationModel, attempts: int, response: tuple[Any, dict[str, Any]] | None = None, **_: Any
    ) -> int | None:
        budget(operation.name).answered(attempt.sent)  # every attempt's answer, or its error, ends here
        if response is None or response[1].get("Error", {}).get("Code") != "ThrottlingException":
            return None  # botocore's standard retries decide
        count(Metric.PARTNER_CENTRAL_THROTTLED)
        slowdown = budget(operation.name).throttled()
        logger.warning(
            "Partner Central throttled a request; its budget slows down",
            extra={"operation": operation.name, "attempt": attempts, "slowdown": round(slowdown, 2)},
        )
        return 0 if attempts < attempts_allowed else None  # None: the last attempt's error reaches the caller

    # First, so they run before botocore's own handlers (the signer; the standard retry handler).
    client.meta.events.register_first("before-sign.partnercentral-selling", reserve)
    client.meta.events.register_first("before-send.partnercentral-selling", depart)
    # (needs-retry handlers answer with a delay in seconds, which the stubs' handler type leaves out.)
    client.meta.events.register_first("needs-retry.partnercentral-selling", retry_throttled)  # type: ignore[arg-type]
    return client
