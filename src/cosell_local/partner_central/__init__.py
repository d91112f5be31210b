"""Local AWS Partner Central Selling API: boto3 talks to it as to AWS; tests play AWS through its control API."""

from cosell_local.partner_central.config import EmulatorConfig, FaultConfig, QuotaConfig
from cosell_local.partner_central.control import ControlApi
from cosell_local.partner_central.events import (
    CallbackSink,
    EventBridgeSink,
    EventSink,
    HttpPostSink,
)
from cosell_local.partner_central.server import PartnerCentralEmulator

__all__ = [
    "CallbackSink",
    "ControlApi",
    "EmulatorConfig",
    "EventBridgeSink",
    "EventSink",
    "FaultConfig",
    "HttpPostSink",
    "PartnerCentralEmulator",
    "QuotaConfig",
]
