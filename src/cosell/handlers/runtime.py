"""What every handler shares, built once per Lambda execution environment and reused across invocations."""

from __future__ import annotations

import time
from functools import cache
from typing import TYPE_CHECKING

import boto3

from cosell.config import load_settings
from cosell.observability import build_logger
from cosell.queue import SyncQueue

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    from cosell.config import Settings

logger = build_logger()


@cache
def settings() -> Settings:
    return load_settings()


@cache
def sync_queue() -> SyncQueue:
    config = settings()
    return SyncQueue(boto3.client("sqs", region_name=config.aws_region), str(config.sync_queue_url))


@cache
def partner_central() -> PartnerCentralSellingAPIClient:
    # Imported on first use: the webhook function never talks to Partner Central.
    from cosell.partner_central.client import partner_central_client

    return partner_central_client(settings(), session_name="cosell")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def reset() -> None:
    """Forget cached dependencies (tests change the environment between invocations)."""
    for cached in (settings, sync_queue, partner_central):
        cached.cache_clear()
