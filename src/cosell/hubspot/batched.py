"""A HubSpot client whose deal updates wait and go out 100 to a request, for work that writes many deals in a
row (cosell backfill): one batch update instead of one request per deal.

Reads still see the writes: any other request first sends the updates waiting, so a use case that writes a
deal and reads it again (keeping a new pair in step) finds what it wrote. `flush` sends them now; the caller
calls it before it records that the deals are done. Threads may share it (the backfill sends several deals at
once): the updates waiting are kept under a lock.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cosell.hubspot.client import BATCH_LIMIT, HubSpotClient
from cosell.hubspot.models import Deal

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


class BatchingHubSpotClient(HubSpotClient):
    def __init__(self, token: Callable[[], str], **options: Any) -> None:
        super().__init__(token, **options)
        self._waiting: dict[str, dict[str, str]] = {}
        self._flushing = False
        self._lock = threading.RLock()  # re-entered by flush's own request

    def update_deal(self, deal_id: str, properties: Mapping[str, str]) -> Deal:
        """Kept until `flush` (or the next other request, or 100 deals waiting). Two updates of one deal
        become one, the later value winning. The answer is the deal as written (its id and these properties,
        stamped now), not as HubSpot holds it: no caller reads more of it."""
        with self._lock:
            waiting = self._waiting.setdefault(deal_id, {})
            waiting.update(properties)
            written = Deal(id=deal_id, properties=dict(waiting), created_at=_now(), updated_at=_now())
            if len(self._waiting) >= BATCH_LIMIT:
                self.flush()
            return written

    @property
    def waiting(self) -> int:
        """How many deals have updates not sent yet."""
        return len(self._waiting)

    def flush(self) -> None:
        """Send every waiting update. On an error the updates stay waiting, and the error is raised."""
        with self._lock:
            if not self._waiting or self._flushing:
                return
            self._flushing = True
            try:
                self.batch_update_deals(self._waiting)
                self._waiting.clear()
            finally:
                self._flushing = False

    def _exchange(self, method: str, path: str, **arguments: Any) -> Any:
        self.flush()
        return super()._exchange(method, path, **arguments)


def _now() -> datetime:
    return datetime.now(UTC)
