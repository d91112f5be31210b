"""Use case: tell the rep what needs them (cosell.domain.notifications): a HubSpot task for the deal's owner,
due in a day when high priority and in three business days otherwise, a note on the deal's timeline, and a
message on the SNS topic when one is configured. Each notification's key is claimed first, so it is sent
once however often its event comes; every one is audited. A note that only informs (`note_once`) is claimed
the same way."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from cosell.domain.audit import AuditAction
from cosell.observability import build_logger
from cosell.sync.reporting import audit

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import datetime

    from cosell.domain.audit import Cause
    from cosell.domain.notifications import Notification
    from cosell.store.state import Link
    from cosell.sync.ports import Ports

MESSAGE_VERSION = 1
_logger = build_logger()


def notify(
    notifications: Sequence[Notification],
    deal_id: str,
    owner_id: str | None,
    ports: Ports,
    cause: Cause,
    link: Link | None = None,
) -> int:
    """Send each notification not sent before; how many were sent."""
    sent = 0
    for notification in notifications:
        with _once(notification.key, ports) as claimed:
            if not claimed:
                continue
            now = ports.now()
            due = notification.due(now)
            ports.hubspot.create_task(
                deal_id,
                notification.subject,
                due=due,
                body=notification.body,
                priority="HIGH" if notification.high_priority else "MEDIUM",
                owner_id=owner_id,
            )
            ports.hubspot.create_note(deal_id, f"{notification.subject}\n{notification.body}", now)
        audit(
            ports,
            cause,
            AuditAction.NOTIFY,
            deal_id,
            link,
            detail=f"{notification.rule}: {notification.subject}",
        )
        sent += 1
        _publish(ports, notification, deal_id, link, due)
    return sent


def note_once(key: str, deal_id: str, body: str, ports: Ports) -> bool:
    """A note on the deal's timeline, written once for `key`; whether this call wrote it."""
    with _once(key, ports) as claimed:
        if claimed:
            ports.hubspot.create_note(deal_id, body, ports.now())
    return claimed


@contextmanager
def _once(key: str, ports: Ports) -> Iterator[bool]:
    """Claims `key` (False: sent before); what the block sends failing releases it for the message's retry."""
    claimed = ports.notifications.claim(key)
    try:
        yield claimed
    except Exception:
        if claimed:
            ports.notifications.release(key)
        raise


def _publish(
    ports: Ports, notification: Notification, deal_id: str, link: Link | None, due: datetime
) -> None:
    """The topic's copy, when one is configured. It does not fail the sync: the rep has the task and the note."""
    try:
        ports.topic.publish(
            notification.subject,
            {
                "version": MESSAGE_VERSION,
                "rule": notification.rule.value,
                "key": notification.key,
                "catalog": link.catalog if link else ports.config.catalog,
                "opportunity_id": link.opportunity_id if link else None,
                "deal_id": deal_id,
                "subject": notification.subject,
                "body": notification.body,
                "high_priority": notification.high_priority,
                "invitation_id": notification.invitation_id,
                "due": due.isoformat(),
                "at": ports.now().isoformat(),
            },
        )
    except (ClientError, BotoCoreError) as error:
        _logger.warning(
            "notification not published to the SNS topic",
            extra={"key": notification.key, "reason": str(error)},
        )
