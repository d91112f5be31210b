"""Use case: the notifications check (`NotificationCheckRate`, every 30 minutes). Every AWS referral whose deal
waits for the rep's decision is reconciled, where its expiry is checked against the notification rules
(cosell.domain.notifications, `referral-expiring`). Read from the state table alone: it costs no Partner
Central call until the worker reads the invitation. What AWS's events missed otherwise is the AWS summary
schedule's and the sweep's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.domain.notifications import Rule
from cosell.queue.messages import Subject
from cosell.sync.schedules.held import queue_held

if TYPE_CHECKING:
    from cosell.sync.ports import Ports

TRIGGER_KIND = "notifications check"


def queue_notification_checks(ports: Ports, correlation_id: str) -> int:
    """Queue a reconcile of each referral waiting for the rep whose last one is done; how many (none when the
    rule is off: each would cost a Partner Central read for nothing)."""
    if not ports.config.notification_rules.on(Rule.REFERRAL_EXPIRING):
        return 0
    catalog = ports.config.catalog
    return queue_held(
        Subject.INVITATION,
        ports.referrals.in_review(catalog),
        kind=TRIGGER_KIND,
        ports=ports,
        correlation_id=correlation_id,
        catalog=catalog,
    ).queued
