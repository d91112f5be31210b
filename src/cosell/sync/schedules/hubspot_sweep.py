"""Use case: the HubSpot sweep, the safety net behind HubSpot's webhooks.

HubSpot retries a webhook it could not deliver for about a day, then drops it; an outage of the stack longer
than that, or a subscription paused, loses changes. The sweep finds what such a lost event was about: the
tagged deals, the companies and the contacts last modified since its cursor (HubSpot's search by modification
time, oldest first), read with the history of each property cosell subscribes to. Where one of those changed
since the cursor, it queues the request the lost webhooks would have queued: one per record, a trigger per
property changed, at HubSpot's time of the change. The worker takes it as it takes a webhook's: a change the
pair's last sync had already read costs no reconcile (cosell.sync.deals.echoes), a company's or contact's goes
to its deals (cosell.sync.deals.fan_out). cosell's own write-backs move a deal's modification time but no
property cosell subscribes to (but the link's id, recognised by its value), so they queue nothing.

Associations are not swept (an association's change moves neither record's subscribed properties); a deal's
next change or its opportunity's event reconciles it whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from cosell.domain import deal_properties
from cosell.domain.tag import is_tagged
from cosell.hubspot.properties import TAG_FILTERS, subscribed_properties
from cosell.partner_central.schema import instant
from cosell.queue.messages import Subject, SyncRequest, Trigger

if TYPE_CHECKING:
    from datetime import datetime

    from cosell.hubspot.models import CrmObject, ObjectTypeName
    from cosell.sync.ports import Ports

# The first sweep of a stack looks this far back (HubSpot's own retries cover about as long).
FIRST_LOOKBACK = timedelta(days=1)
# Listed again at the next sweep: HubSpot's search sees a write seconds after it was made.
OVERLAP = timedelta(minutes=5)
SWEPT: tuple[tuple[ObjectTypeName, Subject, str], ...] = (
    ("deals", Subject.HUBSPOT_DEAL, "deal"),
    ("companies", Subject.HUBSPOT_COMPANY, "company"),
    ("contacts", Subject.HUBSPOT_CONTACT, "contact"),
)


@dataclass(frozen=True)
class HubSpotSweepReport:
    listed: dict[str, int] = field(default_factory=dict)  # object type → modified since its cursor
    queued: dict[str, int] = field(default_factory=dict)  # of those, with a subscribed property changed


def sweep_hubspot(ports: Ports, correlation_id: str) -> HubSpotSweepReport:
    report = HubSpotSweepReport()
    for object_type, subject, singular in SWEPT:
        cursor = instant(ports.links.hubspot_sweep_cursor(object_type)) or ports.now() - FIRST_LOOKBACK
        since = cursor - OVERLAP
        if object_type == "deals":
            found = [
                deal
                for deal in ports.hubspot.find_modified("deals", since, TAG_FILTERS, ["dealname"])
                if is_tagged(deal.properties.get("dealname"))
            ]
        else:
            found = ports.hubspot.find_modified(object_type, since)
        properties = subscribed_properties(singular)
        records = ports.hubspot.batch_read_history(object_type, [record.id for record in found], properties)
        requests = [
            SyncRequest(
                subject=subject, object_id=record.id, triggers=triggers, correlation_id=correlation_id
            )
            for record in records
            if (triggers := lost_changes(record, singular, since))
        ]
        ports.queue.send(requests)
        report.listed[object_type], report.queued[object_type] = len(found), len(requests)
        newest = max((record.updated_at for record in found), default=cursor)
        ports.links.save_hubspot_sweep_cursor(object_type, max(newest, cursor).isoformat())
    return report


def lost_changes(record: CrmObject, singular: str, since: datetime) -> tuple[Trigger, ...]:
    """A trigger per subscribed property of `record` changed at or after `since`, as its webhook names it."""
    triggers = []
    for name, history in sorted(record.properties_with_history.items()):
        latest = max(history, key=lambda entry: entry.timestamp, default=None)
        if latest is None or latest.timestamp < since:
            continue
        triggers.append(
            Trigger(
                source="schedule",
                kind=f"{singular}.propertyChange",
                occurred_at_ms=int(latest.timestamp.timestamp() * 1000),
                change_source=latest.source_type,
                property_name=name,
                property_value=latest.value if name == deal_properties.OPPORTUNITY_ID else None,
            )
        )
    return tuple(triggers)
