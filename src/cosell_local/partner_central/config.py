"""Settings of one emulator instance: identity, task timing, quotas and fault injection."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# developer-guide/quotas.html: writes 1/s and 10,000 per rolling 24 h; reads 10/s and 100,000.
WRITE_OPERATIONS = (
    "CreateOpportunity",
    "UpdateOpportunity",
    "AssociateOpportunity",
    "DisassociateOpportunity",
    "AssignOpportunity",
    "RejectEngagementInvitation",
    "StartEngagementFromOpportunityTask",
    "StartEngagementByAcceptingInvitationTask",
)
READ_OPERATIONS = (
    "GetOpportunity",
    "GetAwsOpportunitySummary",
    "ListOpportunities",
    "ListSolutions",
    "GetEngagementInvitation",
    "ListEngagementInvitations",
)


@dataclass(frozen=True)
class OperationQuota:
    per_second: float
    per_day: int


def _published_quotas() -> dict[str, OperationQuota]:
    quotas = {name: OperationQuota(1, 10_000) for name in WRITE_OPERATIONS}
    quotas.update({name: OperationQuota(10, 100_000) for name in READ_OPERATIONS})
    return quotas


@dataclass
class QuotaConfig:
    """Per-operation limits; operations without an entry are unlimited.

    `scale` multiplies every rate and daily limit (e.g. 1000 lets a test burst without being throttled,
    0.001 makes a daily quota reachable in a few calls).
    """

    enabled: bool = True
    scale: float = 1.0
    limits: dict[str, OperationQuota] = field(default_factory=_published_quotas)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuotaConfig:
        limits = data.get("limits")
        return cls(
            enabled=bool(data.get("enabled", True)),
            scale=float(data.get("scale", 1.0)),
            limits=(
                {name: OperationQuota(**quota) for name, quota in limits.items()}
                if limits is not None
                else _published_quotas()
            ),
        )


@dataclass
class FaultConfig:
    """Seeded fault injection: each rate is a probability per call (or per event) drawn from `seed`."""

    seed: int = 0
    throttle_rate: float = 0.0
    internal_error_rate: float = 0.0
    drop_connection_rate: float = 0.0
    latency_rate: float = 0.0
    latency_seconds: float = 0.0
    duplicate_event_rate: float = 0.0
    lose_event_rate: float = 0.0
    task_failure_rate: float = 0.0
    # None: faults apply to every operation.
    operations: list[str] | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultConfig:
        return cls(**data)


@dataclass
class EmulatorConfig:
    account_id: str = "123456789012"
    company_name: str = "Example Partner"
    region: str = "us-east-1"
    # Seconds on the emulator clock before an asynchronous task completes.
    task_delay_seconds: float = 5.0
    invitation_lifetime_days: int = 15
    # How often a running server completes due tasks and expires invitations on its own, so their events
    # arrive without anyone calling the API; 0 leaves that work to the next call.
    tick_seconds: float = 0.5
    # Emulated seconds per wall second. Quotas, task delays and invitation lifetimes are measured on the
    # emulator's clock, so a scale of 100 lets a client paced by the same compressed clock run at AWS's real
    # quotas a hundred times faster.
    clock_scale: float = 1.0
    seed: int = 0
    # AWS switches SearchOpportunities on per partner account; False answers as an account without it.
    search_opportunities_enabled: bool = True
    quotas: QuotaConfig = field(default_factory=QuotaConfig)
    faults: FaultConfig = field(default_factory=FaultConfig)
