"""Use case: the HubSpot sweep, the safety net behind HubSpot's webhooks.

HubSpot retries a webhook it could not deliver for about a day, then drops it; an outage of the stack longer
than that, or a subscription paused, loses changes. The sweep finds what such a lost event was about: the
tagged (or linked) deals, the companies and the contacts last modified since its cursor (HubSpot's search
by modification time, oldest first), read with the history of each property cosell subscribes to. Where one of those changed
since the cursor, it queues the request the lost webhooks would have queued: one per record, a trigger per
property changed, at HubSpot's time of the change. The worker takes it as it takes a webhook's: a change the
pair's last sync had already read costs no reconcile (cosell.sync.deals.echoes), a company's or contact's goes
to its deals (cosell.sync.deals.fan_out). cosell's own write-backs move a deal's modification time but no
property cosell subscribes to (but the link's id, recognised by its value), so they queue nothing.

Associations, deletions, merges and restores are not swept (they leave no property history): a deal's next
change, its opportunity's event or `cosell backfill` reconciles it whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cosell.domain import deal_properties
from cosell.domain.tag import is_tagged
from cosell.hubspot.client import SEARCH_RESULT_LIMIT
from cosell.hubspot.models import SearchFilter
from cosell.hubspot.properties import TAG_FILTERS, subscribed_properties
from cosell.partner_central.schema import instant
from cosell.queue.messages import Subject, SyncRequest, Trigger

if TYPE_CHECKING:
    from cosell.hubspot.models import CrmObject, ObjectTypeName
    from cosell.sync.ports import Ports

# The first sweep of a stack looks this far back (HubSpot's own retries cover about as long).
FIRST_LOOKBACK = timedelta(days=1)
# Listed again at the next sweep: HubSpot's search sees a write seconds after it was made.
OVERLAP = timedelta(minutes=5)
# The tagged deals, and the linked ones (they stay in step with their tag removed: cosell.sync.deals.push).
SWEPT_DEALS = (
    *TAG_FILTERS,
    (SearchFilter(property_name=deal_properties.OPPORTUNITY_ID, operator="HAS_PROPERTY"),),
)
SWEPT_DEAL_PROPERTIES = ("dealname", deal_properties.OPPORTUNITY_ID)
SWEPT: tuple[tuple[ObjectTypeName, Subject, str], ...] = (
    ("deals", Subject.HUBSPOT_DEAL, "deal"),
    ("companies", Subject.HUBSPOT_COMPANY, "company"),
    ("contacts", Subject.HUBSPOT_CONTACT, "contact"),
)


@dataclass(frozen=True)
class HubSpotSweepReport:
    # object type → modified since its cursor (but what the last sweep listed, unchanged since)
    listed: dict[str, int] = field(default_factory=dict)
    queued: dict[str, int] = field(default_factory=dict)  # of those, with a subscribed property changed


def sweep_hubspot(ports: Ports, correlation_id: str) -> HubSpotSweepReport:
    report = HubSpotSweepReport()
    for object_type, subject, singular in SWEPT:
        saved, listed_before = ports.links.hubspot_sweep_cursor(object_type)
        cursor = instant(saved) or ports.now() - FIRST_LOOKBACK
        since = cursor - OVERLAP
        if object_type == "deals":
            found = [
                deal
                for deal in ports.hubspot.find_modified("deals", since, SWEPT_DEALS, SWEPT_DEAL_PROPERTIES)
                if is_tagged(deal.properties.get("dealname"))
                or deal.properties.get(deal_properties.OPPORTUNITY_ID)
            ]
        else:
            found = ports.hubspot.find_modified(object_type, since)
        # The overlap lists the last sweep's newest records again: unchanged since, they are not read again.
        fresh = [record for record in found if listed_before.get(record.id) != _ms(record.updated_at)]
        properties = subscribed_properties(singular)
        records = ports.hubspot.batch_read_history(object_type, [record.id for record in fresh], properties)
        requests = [
            SyncRequest(
                subject=subject, object_id=record.id, triggers=triggers, correlation_id=correlation_id
            )
            for record in records
            if (triggers := lost_changes(record, singular, _changed_after(record.id, since, listed_before)))
        ]
        ports.queue.send(requests)
        report.listed[object_type], report.queued[object_type] = len(fresh), len(requests)
        newest = max([cursor, *(record.updated_at for record in found)])
        if len(found) >= SEARCH_RESULT_LIMIT:
            # Cut off at the search's end: the next sweep starts at the last one listed, overlap included,
            # or a burst of more than that within the overlap would be listed again and again.
            newest += OVERLAP
        near = {  # what the next sweep's overlap lists again
            record.id: _ms(record.updated_at) for record in found if record.updated_at >= newest - OVERLAP
        }
        ports.links.save_hubspot_sweep_cursor(object_type, newest.isoformat(), near)
    return report


def _changed_after(record_id: str, since: datetime, listed_before: dict[str, int]) -> datetime:
    """Since when `record_id`'s changes are new: the last sweep saw it as it was then."""
    seen_ms = listed_before.get(record_id)
    return since if seen_ms is None else max(since, datetime.fromtimestamp((seen_ms + 1) / 1000, UTC))


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


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
                occurred_at_ms=_ms(latest.timestamp),
                change_source=latest.source_type,
                property_name=name,
                property_value=latest.value if name == deal_properties.OPPORTUNITY_ID else None,
            )
        )
    return tuple(triggers)
