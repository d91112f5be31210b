"""Use case: `cosell backfill` from HubSpot. The deals tagged `#AWS` before cosell was installed (or while it
was down) get their opportunity through the webhook's own create path (cosell.sync.deals.push): the same
pre-flight, ClientToken and link, and the same answer on the deal when it cannot sync.

HubSpot is read in bulk, so a deal costs a few hundredths of a HubSpot request:
1. Search: deals whose name holds the token `aws`, created since `--since`, by ascending id after the cursor,
   1,000 at a time (5 pages of 200), with the name and opportunity id; the `#AWS` rule
   (cosell.domain.tag) then keeps the tagged ones.
2. Links (DynamoDB): a linked deal is skipped (or, when the deal does not show its opportunity, kept in step
   by `push_deal`, which writes it).
3. The associations of the window's unlinked deals (2 requests); then, 100 deals at a time, the deals
   themselves, their companies and contacts (1 request each), the create path for each, and one batch update
   of what the deals show (cosell.hubspot.batched). Then the cursor moves past them.

A deal that carries an opportunity id and no link goes through `push_deal` whole, which adopts the opportunity
it names or says on the deal why not (cosell.sync.deals.adopt). Deals are sent a few at once, each through
the shared pacer, and done in order (cosell.sync.onboarding.backfill.InOrder). Before each deal, the day's
write count (less the reserve and the deals on their way) must leave a write; if not, the run saves its cursor
and waits for the next quota day. Throttling is waited out (cosell.sync.onboarding.backfill).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Protocol

from cosell.domain import deal_properties
from cosell.domain.adoption import NotAdoptable
from cosell.domain.audit import AuditAction
from cosell.domain.backfill import Outcome
from cosell.domain.deal_properties import SyncStatus
from cosell.domain.tag import is_tagged
from cosell.hubspot.client import BATCH_LIMIT
from cosell.hubspot.deal_reader import DEAL_PROPERTIES
from cosell.hubspot.models import SearchFilter
from cosell.sync.deals.adopt import adoptable
from cosell.sync.deals.push import PushOutcome, preflight, push_deal, push_new, reason_not_to_create
from cosell.sync.reporting import audit

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from cosell.domain.deal import DealView
    from cosell.hubspot.deal_reader import DealAssociations
    from cosell.hubspot.models import Deal, SearchPage
    from cosell.store.state import Link
    from cosell.sync.onboarding.backfill import Backfill, BackfillSummary, InOrder

SOURCE = "hubspot"
WINDOW = 1000  # deals per search run: their associations are read in two requests
SEARCH_PAGE = 200  # HubSpot's largest
_SEARCH_PROPERTIES = ("dealname", deal_properties.OPPORTUNITY_ID)

# What the create path said, as the backfill counts it; anything else is a linked pair kept in step.
_OUTCOMES: dict[str, Outcome] = {
    PushOutcome.CREATED: Outcome.CREATED,
    PushOutcome.INVALID: Outcome.INVALID,
    PushOutcome.STILL_INVALID: Outcome.INVALID,
    PushOutcome.REJECTED: Outcome.INVALID,
    PushOutcome.NOT_TAGGED: Outcome.SKIPPED,
    PushOutcome.FROM_INVITATION: Outcome.SKIPPED,
    PushOutcome.GONE: Outcome.SKIPPED,
    PushOutcome.ADOPTED: Outcome.ADOPTED,
    PushOutcome.NOT_ADOPTED: Outcome.INVALID,
}
# The create path audits these itself; the backfill audits every other deal it looks at.
_AUDITED_BY_PATH: set[str] = {
    PushOutcome.CREATED,
    PushOutcome.INVALID,
    PushOutcome.REJECTED,
    PushOutcome.ADOPTED,
    PushOutcome.NOT_ADOPTED,
}


class DealSource(Protocol):
    """The HubSpot reads of a backfill, and sending the deal updates it batched (BatchingHubSpotClient)."""

    def search_deals(
        self,
        filter_groups: Sequence[Sequence[SearchFilter]],
        properties: Sequence[str] = (),
        *,
        sort: str | None = None,
        limit: int = 100,
        after: str | None = None,
    ) -> SearchPage: ...
    def batch_read_deals(self, ids: Iterable[str], properties: Sequence[str] = ()) -> list[Deal]: ...
    def flush(self) -> None: ...


def backfill_deals(backfill: Backfill, hubspot: DealSource) -> BackfillSummary:
    """Run (or resume) the backfill to its end, its `--limit`, or an exception (Ctrl-C included), saving the
    cursor past each batch of deals done."""
    started = False
    sends = backfill.in_order()
    try:
        more = True
        while more:
            window, total, more = _search(hubspot, backfill.cursor.after, backfill.options.since)
            if not started:
                backfill.remaining = total
                backfill.progress.started(total, backfill.summary.all_runs, backfill.eta(), backfill.resumed)
                started = True
            if not _window(backfill, hubspot, sends, window):
                backfill.save()
                return backfill.summary
        backfill.save(finished=True)
        return backfill.summary
    except BaseException:
        # What is done is kept: the deal updates waiting are sent, the cursor saved past the deals done.
        sends.close()
        hubspot.flush()
        backfill.save()
        raise
    finally:
        sends.close()


def _search(hubspot: DealSource, after: str | None, since: date | None) -> tuple[list[Deal], int, bool]:
    """The next window of deals whose name may carry the tag, by id; how many there are in all; whether
    more may follow it."""
    common = []
    if after is not None:
        common.append(SearchFilter(property_name="hs_object_id", operator="GT", value=after))
    if since is not None:
        common.append(SearchFilter(property_name="createdate", operator="GTE", value=since.isoformat()))
    # HubSpot splits text into tokens at punctuation, so `#AWS` is the token `aws`; the second group holds
    # should a tokenizer keep the `#`. Either way the tag rule decides afterwards.
    groups = [
        [SearchFilter(property_name="dealname", operator="CONTAINS_TOKEN", value=token), *common]
        for token in ("aws", "#aws")
    ]
    found: list[Deal] = []
    total = 0
    page_after: str | None = None
    while len(found) < WINDOW:
        page = hubspot.search_deals(
            groups, _SEARCH_PROPERTIES, sort="hs_object_id", limit=SEARCH_PAGE, after=page_after
        )
        total = total or page.total
        found += page.results
        page_after = page.next_after
        if page_after is None:
            return found, total, False
    return found, total, True


def _window(backfill: Backfill, hubspot: DealSource, sends: InOrder, window: list[Deal]) -> bool:
    """Work through one window of searched deals; False when the run stops here (its --limit)."""
    ports = backfill.ports
    tagged = [deal for deal in window if is_tagged(deal.name)]
    links = {deal.id: ports.links.link_for_deal(deal.id) for deal in tagged}
    unlinked = [deal.id for deal in tagged if links[deal.id] is None]
    associations = ports.deals.associations(unlinked) if unlinked else None
    by_id = {deal.id: deal for deal in window}
    ids = [deal.id for deal in window]
    for start in range(0, len(ids), BATCH_LIMIT):
        chunk = [by_id[deal_id] for deal_id in ids[start : start + BATCH_LIMIT]]
        worked_through = _chunk(backfill, hubspot, sends, chunk, links, associations)
        sends.finish()
        if not worked_through:
            return False
        hubspot.flush()
        backfill.save()
    return True


def _chunk(
    backfill: Backfill,
    hubspot: DealSource,
    sends: InOrder,
    chunk: list[Deal],
    links: dict[str, Link | None],
    associations: DealAssociations | None,
) -> bool:
    """Send what the chunk's deals need (`sends`: several at once, done in order); False when the run stops
    here (its --limit)."""
    ports = backfill.ports
    wanted = [deal.id for deal in chunk if is_tagged(deal.name) and links[deal.id] is None]
    fresh = {deal.id: deal for deal in hubspot.batch_read_deals(wanted, DEAL_PROPERTIES)} if wanted else {}
    plain = [deal for deal in fresh.values() if _plain(deal)]
    views = ports.deals.views(plain, associations) if plain else {}
    for searched in chunk:
        if backfill.limit_reached(sends.on_their_way):
            sends.finish()  # the deals on their way may be skipped ones, which the limit does not count
            if backfill.limit_reached():
                return False
        deal_id = searched.id
        link = links.get(deal_id)
        if not is_tagged(searched.name) or (link is None and deal_id not in fresh):
            # only its name holds `aws`, or it is gone since the search
            sends.record(partial(backfill.passed, deal_id))
            continue
        if link is not None and searched.get(deal_properties.OPPORTUNITY_ID) == link.opportunity_id:
            detail = f"linked already to {link.opportunity_id}"
            sends.record(partial(_record, backfill, deal_id, Outcome.SKIPPED, detail, link))
            continue
        if not backfill.room_for_a_write(sends.on_their_way):
            sends.finish()  # what they wrote is counted; then wait if the day is spent
            while not backfill.room_for_a_write():
                hubspot.flush()
                backfill.save()
                backfill.wait_for_quota()
        if link is not None and backfill.options.dry_run:
            detail = f"linked already to {link.opportunity_id}; the deal would be shown it"
            sends.record(partial(backfill.record, deal_id, Outcome.SKIPPED, detail))
            continue
        if link is not None:  # linked, but the deal does not show it (a run stopped before its write-back)
            sends.send(
                partial(push_deal, deal_id, ports, backfill.cause),
                partial(_linked_already, backfill, deal_id, link),
            )
            continue
        deal = fresh[deal_id]
        if backfill.options.dry_run:
            sends.record(partial(_dry_run, backfill, deal, views.get(deal_id)))
            continue
        if deal_id in views:
            _forget_unshown_problems(backfill, deal)
            send = partial(push_new, deal, views[deal_id], ports, backfill.cause)
        else:  # not tagged any more, an AWS referral's deal, or one that carries an opportunity id
            send = partial(push_deal, deal_id, ports, backfill.cause)
        sends.send(send, partial(_done, backfill, deal_id))
    return True


def _linked_already(backfill: Backfill, deal_id: str, link: Link, said: str) -> None:
    _record(backfill, deal_id, Outcome.SKIPPED, f"linked already to {link.opportunity_id}; {said}", link)


def _plain(deal: Deal) -> bool:
    """A deal the create path can take as read: tagged, no referral, no opportunity id of its own."""
    return reason_not_to_create(deal) is None and not deal.get(deal_properties.OPPORTUNITY_ID)


def _done(backfill: Backfill, deal_id: str, said: str) -> None:
    head = said.split("; ", 1)[0]
    outcome = _OUTCOMES.get(head, Outcome.SKIPPED)
    detail = said
    if outcome is Outcome.INVALID:
        detail = "; ".join(backfill.ports.links.problems(deal_id)) or said
    if head in _AUDITED_BY_PATH:
        backfill.record(deal_id, outcome, detail)
    else:
        _record(backfill, deal_id, outcome, detail, backfill.ports.links.link_for_deal(deal_id))


def _record(backfill: Backfill, deal_id: str, outcome: Outcome, detail: str, link: Link | None) -> None:
    """One deal done, with its audit record (a skip: what the backfill found and left)."""
    if not backfill.options.dry_run:
        audit(backfill.ports, backfill.cause, AuditAction.SKIP, deal_id, link, detail=f"backfill: {detail}")
    backfill.record(deal_id, outcome, detail)


def _forget_unshown_problems(backfill: Backfill, deal: Deal) -> None:
    """Problems recorded for a deal that does not show them (a run stopped between recording them and the
    batch that writes them to the deal) are forgotten, so the create path reports them again."""
    ports = backfill.ports
    if deal.get(deal_properties.SYNC_STATUS) != SyncStatus.ERROR and ports.links.problems_fingerprint(
        deal.id
    ):
        ports.links.clear_problems(deal.id)


def _dry_run(backfill: Backfill, deal: Deal, view: DealView | None) -> None:
    """What the create path would do, from its own pre-flight; nothing is written."""
    if view is not None:
        checked = preflight(view, backfill.ports)
        if checked.problems:
            backfill.record(deal.id, Outcome.INVALID, "; ".join(checked.problems))
        else:
            backfill.record(deal.id, Outcome.CREATED, "would create its opportunity")
        return
    reason = reason_not_to_create(deal)
    if reason is not None:
        backfill.record(deal.id, Outcome.SKIPPED, reason)
        return
    named = (deal.get(deal_properties.OPPORTUNITY_ID) or "").strip()
    found = adoptable(deal.id, named, backfill.ports)
    if isinstance(found, NotAdoptable):
        backfill.record(deal.id, Outcome.INVALID, str(found.problem()))
    else:
        backfill.record(deal.id, Outcome.ADOPTED, f"would link to the existing opportunity {named}")
