"""Webhook subscriptions and delivery: batches of up to 100, signed, retried, at most 10 in flight."""

from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import urllib3

from .signing import webhook_headers

if TYPE_CHECKING:
    from .clock import Clock
    from .store import Change

BATCH_SIZE = 100
MAX_RETRIES = 10
MAX_CONCURRENT = 10
FIRST_RETRY_DELAY = 60.0  # emulated seconds; doubling, ten retries span roughly 17-24 hours as HubSpot's do
_EVENT_KINDS = ("creation", "deletion", "propertyChange", "associationChange", "merge", "restore")
_OBJECTS = ("deal", "company", "contact")
SUBSCRIPTION_TYPES = frozenset(f"{obj}.{kind}" for obj in _OBJECTS for kind in _EVENT_KINDS)


@dataclass(frozen=True)
class Subscription:
    id: int
    subscription_type: str
    property_name: str | None = None


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    client_secret: str
    max_concurrent: int = MAX_CONCURRENT
    max_retries: int = MAX_RETRIES
    timeout_seconds: float = 5.0  # real seconds: HubSpot gives the receiver 5 s
    duplicate_rate: float = 0.0  # share of events delivered a second time, in a later batch
    reorder: bool = False  # shuffle events across and within batches
    # Share of events never delivered: lost, as when HubSpot gives up its retries after a day-long outage of
    # the app (cosell's HubSpot sweep is what brings their changes back).
    loss_rate: float = 0.0
    seed: int = 0


@dataclass
class DeliveryAttempt:
    events: list[dict[str, Any]]
    attempt_number: int
    status: int | None
    error: str | None = None


@dataclass(frozen=True)
class BacklogChanges:
    """How the undelivered events changed between two `backlog_changes()`: a journal entry's share."""

    queued: list[dict[str, Any]]
    done: list[int]  # event ids, one per copy answered with a 2xx or given up on
    next_event_id: int


def replay_backlog(saved: dict[str, Any], changes: list[BacklogChanges]) -> dict[str, Any]:
    """What `saved()` was after these changes, applied in order to what it was before them."""
    # An event is done only after it was queued, and copies of an event (duplicates) are alike: taking out
    # any copy per done id, after queueing everything, leaves what taking them out in order would.
    done = Counter(event_id for change in changes for event_id in change.done)
    undelivered = []
    for event in [*saved["undelivered"], *(event for change in changes for event in change.queued)]:
        if done[event["eventId"]] > 0:
            done[event["eventId"]] -= 1
        else:
            undelivered.append(event)
    next_event_id = changes[-1].next_event_id if changes else saved["next_event_id"]
    return {"undelivered": undelivered, "next_event_id": next_event_id}


@dataclass(order=True)
class _Retry:
    due: float
    sequence: int
    events: list[dict[str, Any]] = field(compare=False)
    attempt: int = field(compare=False)


class WebhookDispatcher:
    def __init__(self, clock: Clock, portal_id: int, app_id: int, settings: WebhookSettings) -> None:
        self.settings = settings
        self.deliveries: list[DeliveryAttempt] = []
        self.max_in_flight_seen = 0
        self._clock = clock
        self._portal_id = portal_id
        self._app_id = app_id
        self._random = random.Random(settings.seed)
        self._subscriptions: list[Subscription] = []
        self._subscription_ids = itertools.count(6_500_001)
        self._next_event_id = 1_000_000_001
        self._sequence = itertools.count()
        self._pending: list[dict[str, Any]] = []
        self._retries: list[_Retry] = []
        self._duplicates: list[dict[str, Any]] = []
        self._lose_next = 0
        self.lost: list[dict[str, Any]] = []  # events never delivered (loss_rate, lose_next)
        self._in_flight = 0  # batches handed to the pool and not finished
        self._unanswered: dict[int, list[dict[str, Any]]] = {}  # those batches' events, by sequence number
        self._sending = 0  # of those, the ones with a POST open right now
        # Events queued and done since `saved(track_changes=True)` or `backlog_changes()`; only with a state
        # file, as they would pile up otherwise.
        self._tracking_changes = False
        self._queued_since: list[dict[str, Any]] = []
        self._done_since: list[int] = []
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._http = urllib3.PoolManager(maxsize=settings.max_concurrent, retries=False)
        self._pool = ThreadPoolExecutor(
            max_workers=settings.max_concurrent, thread_name_prefix="hubspot-webhook"
        )
        self._thread = threading.Thread(target=self._run, name="hubspot-webhook-dispatcher", daemon=True)

    # --- subscriptions and events ---

    def subscribe(self, subscription_type: str, property_name: str | None = None) -> Subscription:
        if subscription_type not in SUBSCRIPTION_TYPES:
            raise ValueError(f"unsupported subscription type {subscription_type!r}")
        if subscription_type.endswith(".propertyChange") and not property_name:
            raise ValueError("HubSpot's propertyChange subscriptions name one property")
        subscription = Subscription(next(self._subscription_ids), subscription_type, property_name)
        with self._lock:
            self._subscriptions.append(subscription)
        return subscription

    def lose_next(self, events: int) -> None:
        """The next `events` events are never delivered."""
        with self._lock:
            self._lose_next += events

    @property
    def subscriptions(self) -> list[Subscription]:
        return list(self._subscriptions)

    def on_changes(self, changes: list[Change]) -> None:
        with self._lock:
            events = [event for change in changes for event in self._events_for(change)]
            kept = []
            for event in events:
                # No draw without a loss rate: a seeded run's duplicates stay the same.
                lose = self._lose_next > 0 or (
                    self.settings.loss_rate > 0 and self._random.random() < self.settings.loss_rate
                )
                if lose:
                    self._lose_next = max(0, self._lose_next - 1)
                    self.lost.append(event)
                else:
                    kept.append(event)
            events = kept
            if not events:
                return
            duplicates = [dict(e) for e in events if self._random.random() < self.settings.duplicate_rate]
            self._pending.extend(events)
            self._duplicates.extend(duplicates)
            if self._tracking_changes:
                self._queued_since += events + duplicates
            self._lock.notify_all()

    def _events_for(self, change: Change) -> list[dict[str, Any]]:
        subscription_type = f"{change.object_type.singular}.{change.kind}"
        return [
            self._event(subscription, change)
            for subscription in self._subscriptions
            if subscription.subscription_type == subscription_type
            and subscription.property_name in (None, change.details.get("propertyName"))
        ]

    def _event(self, subscription: Subscription, change: Change) -> dict[str, Any]:
        """Called under the lock: it takes the next event id."""
        event: dict[str, Any] = {
            "eventId": self._next_event_id,
            "subscriptionId": subscription.id,
            "portalId": self._portal_id,
            "appId": self._app_id,
            "occurredAt": change.occurred_at_ms,
            "subscriptionType": subscription.subscription_type,
            "attemptNumber": 0,
            "changeSource": change.actor.change_source,
        }
        self._next_event_id += 1
        if change.actor.source_id is not None:
            event["sourceId"] = change.actor.source_id
        if change.kind != "associationChange":
            event["objectId"] = int(change.object_id)
        event.update(change.details)
        return event

    # --- delivery ---

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._http.clear()

    def saved(self, *, track_changes: bool = False) -> dict[str, Any]:
        """Every event not yet answered with a 2xx (pending, retrying, on its way) and the next event id: what
        HubSpot would still deliver after an outage of the receiver. With `track_changes`, from then on
        `backlog_changes()` says how that changes."""
        with self._lock:
            undelivered = [
                *self._pending,
                *self._duplicates,
                *(event for retry in self._retries for event in retry.events),
                *(event for events in self._unanswered.values() for event in events),
            ]
            if track_changes:
                self._tracking_changes = True
                self._queued_since, self._done_since = [], []
            return {"undelivered": undelivered, "next_event_id": self._next_event_id}

    def backlog_changes(self) -> BacklogChanges:
        """Events queued and done since the last call or `saved(track_changes=True)`, for a journal."""
        with self._lock:
            changes = BacklogChanges(self._queued_since, self._done_since, self._next_event_id)
            self._queued_since, self._done_since = [], []
            return changes

    def restore(self, saved: dict[str, Any]) -> None:
        with self._lock:
            self._pending.extend(saved["undelivered"])
            self._next_event_id = int(saved["next_event_id"])
            self._lock.notify_all()

    def reset(self) -> None:
        with self._lock:
            self._random = random.Random(self.settings.seed)
            self._pending.clear()
            self._duplicates.clear()
            self._retries.clear()
            self.deliveries.clear()
            self.lost.clear()
            self._lose_next = 0
            self.max_in_flight_seen = 0

    def wake(self) -> None:
        """Re-check retry deadlines, e.g. after the clock was advanced."""
        with self._lock:
            self._lock.notify_all()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until every event was delivered or gave up retrying (real-time `timeout`)."""
        with self._lock:
            return self._lock.wait_for(
                lambda: not (self._pending or self._duplicates or self._retries or self._in_flight), timeout
            )

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                batches = self._take_ready()
                if not batches:
                    wait = 0.1
                    if self._retries:
                        wait = min(wait, self._clock.real_seconds(self._retries[0].due - self._clock.now()))
                    self._lock.wait(max(wait, 0.001))
                    continue
                self._in_flight += len(batches)
                numbered = [(next(self._sequence), events, attempt) for events, attempt in batches]
                self._unanswered.update((sequence, events) for sequence, events, _ in numbered)
            for sequence, events, attempt in numbered:
                self._pool.submit(self._deliver, sequence, events, attempt)

    def _take_ready(self) -> list[tuple[list[dict[str, Any]], int]]:
        ready: list[tuple[list[dict[str, Any]], int]] = []
        now = self._clock.now()
        while self._retries and self._retries[0].due <= now:
            retry = heapq.heappop(self._retries)
            ready.append((retry.events, retry.attempt))
        # Duplicates go out in their own, later batches, as a redelivery would.
        for queue in (self._pending, self._duplicates):
            events = list(queue)
            queue.clear()
            if self.settings.reorder:
                self._random.shuffle(events)
            ready += [(events[i : i + BATCH_SIZE], 0) for i in range(0, len(events), BATCH_SIZE)]
        return ready

    def _deliver(self, sequence: int, events: list[dict[str, Any]], attempt: int) -> None:
        with self._lock:
            self._sending += 1
            self.max_in_flight_seen = max(self.max_in_flight_seen, self._sending)
        payload = [{**event, "attemptNumber": attempt} for event in events]
        body = json.dumps(payload, separators=(",", ":")).encode()
        # Signature freshness is judged by the receiver's real clock, never by emulated time.
        headers = webhook_headers(
            self.settings.client_secret, self.settings.url, body, int(time.time() * 1000)
        )
        status: int | None = None
        error: str | None = None
        try:
            response = self._http.request(
                "POST", self.settings.url, body=body, headers=headers, timeout=self.settings.timeout_seconds
            )
            status = response.status
        except urllib3.exceptions.HTTPError as failure:
            error = type(failure).__name__
        with self._lock:
            self._sending -= 1
            self.deliveries.append(DeliveryAttempt(payload, attempt, status, error))
            failed = status is None or status >= 400
            if failed and attempt < self.settings.max_retries:
                delay = FIRST_RETRY_DELAY * 2**attempt * self._random.uniform(0.8, 1.2)
                heapq.heappush(
                    self._retries,
                    _Retry(self._clock.now() + delay, next(self._sequence), events, attempt + 1),
                )
            elif self._tracking_changes:
                self._done_since += [event["eventId"] for event in events]
            self._in_flight -= 1
            del self._unanswered[sequence]
            self._lock.notify_all()
