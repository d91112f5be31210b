"""The Partner Central Selling API client: boto3, through the service role, always in us-east-1.

Function roles hold no Partner Central permission; they assume `HubSpotPartnerCentralServiceRole`
(infra/iam-role.yaml) with its ExternalId, and the credentials refresh themselves before they expire.
A local stack points boto3 at the emulator with `AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING` (boto3 reads it).
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import RefreshableCredentials

from cosell.config import DEFAULT_PARTNER_CENTRAL_ROLE_NAME
from cosell.metrics import Metric, count
from cosell.partner_central import answers

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient
    from mypy_boto3_sts.client import STSClient
    from mypy_boto3_sts.type_defs import AssumeRoleRequestTypeDef

    from cosell.config.sync import Settings

# Standard retry mode retries ThrottlingException and 5xx with backoff. ServiceQuotaExceededException (the
# daily quota) is not retryable there, which is right: it won't clear for hours.
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=20)


def service_role_arn(settings: Settings, sts: Callable[[], STSClient]) -> str:
    """PARTNER_CENTRAL_ROLE_ARN, or the role infra/iam-role.yaml creates (RoleName) in this account (STS is
    asked only then)."""
    if settings.partner_central_role_arn is not None:
        return settings.partner_central_role_arn
    account_id = sts().get_caller_identity()["Account"]
    return f"arn:aws:iam::{account_id}:role/{DEFAULT_PARTNER_CENTRAL_ROLE_NAME}"


def partner_account_id(settings: Settings) -> str:
    """The account Partner Central knows the partner by: the service role's (arn:aws:iam::<account>:role/...)."""
    return service_role_arn(settings, lambda: boto3.client("sts", region_name=settings.aws_region)).split(
        ":"
    )[4]


def _assume_role_credentials(settings: Settings, session_name: str) -> RefreshableCredentials:
    sts = boto3.client("sts", region_name=settings.aws_region)
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
    core = botocore.session.get_session()
    # botocore has no public setter for refreshable credentials; this is the pattern its own tests use.
    core._credentials = _assume_role_credentials(settings, session_name)  # type: ignore[attr-defined]
    session = boto3.Session(botocore_session=core, region_name=settings.partner_central_region)
    client = session.client("partnercentral-selling", config=_CLIENT_CONFIG)
    # First, so it sees every attempt before the retry handler decides on it.
    client.meta.events.register_first("needs-retry.partnercentral-selling", _count_throttling)
    client.meta.events.register(answers.HOOK_EVENT, answers.check_answer)
    return client


def _count_throttling(response: tuple[Any, dict[str, Any]] | None = None, **_: Any) -> None:
    """Each ThrottlingException answer, retried or not, counted (cosell.metrics). Decides nothing."""
    if response is not None and response[1].get("Error", {}).get("Code") == "ThrottlingException":
        count(Metric.PARTNER_CENTRAL_THROTTLED)
