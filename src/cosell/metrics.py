"""What an operator watches, as CloudWatch metrics in embedded metric format (EMF): JSON lines in the function's
log that CloudWatch turns into metrics, with no API call (Powertools metrics). Namespace `cosell`, dimension
`service`; a few carry one more dimension from a small fixed set (a refusal's reason, a webhook's outcome).

Each handler flushes what its invocation counted (`@metrics.log_metrics`); template.yaml's dashboard and alarms
read them (docs/OPERATIONS.md, "Alarms").
"""

from __future__ import annotations

import warnings
from enum import StrEnum

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

NAMESPACE = "cosell"
SERVICE = "cosell"

# A schedule that found nothing to do counts nothing: that is not worth a warning in every invocation's log.
warnings.filterwarnings("ignore", message="No application metrics to publish")


class Metric(StrEnum):
    DEALS_SYNCED = "DealsSynced"  # a deal's sync request reconciled without an error
    RECONCILE_FAILURES = "ReconcileFailures"  # a sync request that raised: retried, then parked in the DLQ
    OPPORTUNITIES_CREATED = "OpportunitiesCreated"
    DEALS_CREATED = "DealsCreated"  # from AWS referrals
    DEALS_REFUSED = "DealsRefused"  # by Reason: something stops a deal's sync; the deal says what
    CONFLICTS = "Conflicts"
    HOLDS = "Holds"  # changes waiting until AWS lets the partner edit
    REFERRALS_TAKEN = "ReferralsTaken"  # accepted or rejected
    NOTIFICATIONS_SENT = "NotificationsSent"
    SUMMARY_REFRESHES = "SummaryRefreshes"  # pairs the AWS summary schedule queued
    PARTNER_CENTRAL_WRITES = "PartnerCentralWrites"  # write slots reserved
    PARTNER_CENTRAL_WRITES_TODAY = "PartnerCentralWritesToday"  # the UTC day's count so far (Maximum)
    PARTNER_CENTRAL_THROTTLED = "PartnerCentralThrottled"  # ThrottlingException answers, retries included
    HUBSPOT_RATE_LIMITED = "HubSpotRateLimited"  # 429 answers
    WEBHOOK_DELIVERIES = "WebhookDeliveries"  # by Outcome


class Refusal(StrEnum):
    """Why a deal's sync stopped (the `Reason` of DealsRefused)."""

    INVALID_DEAL = "invalid-deal"  # pre-flight: the deal lacks or misstates a field
    PARTNER_CENTRAL = "partner-central-refused"  # Partner Central answered a write with a refusal
    OPPORTUNITY_GONE = "opportunity-gone"  # the linked opportunity no longer exists
    SUBMISSION = "submission-failed"  # AWS's submission task failed
    HUBSPOT = "hubspot-refused"  # HubSpot refused Partner Central's values for the deal


class WebhookOutcome(StrEnum):
    ACCEPTED = "accepted"
    BAD_SIGNATURE = "bad-signature"  # 401: unsigned, wrongly signed, or too old
    MALFORMED = "malformed"  # 400: signed, but not a delivery HubSpot sends


metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def count(metric: Metric, value: float = 1) -> None:
    metrics.add_metric(name=metric.value, unit=MetricUnit.Count, value=value)


def count_by(metric: Metric, dimension: str, value: str, amount: float = 1) -> None:
    """A count with one more dimension: its own EMF line, so the others keep theirs."""
    with single_metric(
        name=metric.value,
        unit=MetricUnit.Count,
        value=amount,
        namespace=NAMESPACE,
        default_dimensions={"service": SERVICE},
    ) as one:
        one.add_dimension(name=dimension, value=value)
