"""The state store and the write pacer against moto's DynamoDB."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import boto3
import pytest

from cosell.domain.reconcile import Snapshot
from cosell.domain.referral import Phase
from cosell.store import keys
from cosell.store.conflicts import ConflictStore, DealConflicts, FieldConflict
from cosell.store.invitations import InvitationStore
from cosell.store.pacer import WRITES, WritePacer, daily_counter_key, used_on
from cosell.store.state import Census, Link, LinkChangedError, LinkConflictError, PendingCreate, StateStore
from tests.integration.sync_world import create_state_table
from tests.support.clock import VirtualClock


@pytest.fixture
def table(aws: str, request: pytest.FixtureRequest) -> str:
    name = f"store-{abs(hash(request.node.nodeid)) % 10**8}"
    create_state_table(name)
    return name


def store(table: str) -> StateStore:
    return StateStore(boto3.client("dynamodb", region_name="us-east-1"), table)


def link(deal_id: str, opportunity_id: str) -> Link:
    return Link(deal_id, opportunity_id, "Sandbox", {"Project": {"Title": "t"}}, "2026-11-29T12:00:00+00:00")


def test_a_link_is_saved_once_and_readable_both_ways(table: str) -> None:
    states = store(table)
    states.save_link(link("1", "O1"))
    states.save_link(link("1", "O1"))  # the same pair again: fine
    assert states.link_for_deal("1") == link("1", "O1")
    assert states.deal_for_opportunity("Sandbox", "O1") == "1"
    assert states.deal_for_opportunity("AWS", "O1") is None


@pytest.mark.parametrize(("deal_id", "opportunity_id"), [("1", "O2"), ("2", "O1")])
def test_relinking_either_side_is_a_conflict(table: str, deal_id: str, opportunity_id: str) -> None:
    states = store(table)
    states.save_link(link("1", "O1"))
    with pytest.raises(LinkConflictError):
        states.save_link(link(deal_id, opportunity_id))
    assert states.link_for_deal("2") is None  # the transaction wrote neither item


def _snapshot(stage: str) -> Snapshot:
    return Snapshot({"stage": stage}, {"stage": stage})


def test_a_snapshot_saved_from_a_link_read_before_another_save_is_refused(table: str) -> None:
    states = store(table)
    states.save_link(link("1", "O1"))
    read_by_backfill = read_by_worker = states.link_for_deal("1")
    assert read_by_worker is not None
    assert read_by_worker.revision == 0
    saved = states.save_snapshot(read_by_worker, _snapshot("Qualified"), "2026-11-29T12:01:00+00:00", 5, "x")
    assert saved.revision == 1
    assert states.link_for_deal("1") == saved
    with pytest.raises(LinkChangedError):  # the backfill read the link before the worker saved
        states.save_snapshot(read_by_backfill, _snapshot("Prospect"), "2026-11-29T12:02:00+00:00", 4)
    assert states.link_for_deal("1") == saved  # the newer snapshot stands, marks and all
    again = states.save_snapshot(saved, _snapshot("Committed"), "2026-11-29T12:03:00+00:00", 6)
    assert (again.revision, again.last_in_step, again.partner_central_seen) == (
        2,
        _snapshot("Committed"),
        None,
    )
    assert states.link_for_deal("1") == again


def test_a_link_saved_before_revisions_existed_takes_a_snapshot_once(table: str) -> None:
    states = store(table)
    states.save_link(link("1", "O1"))
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    key = keys.deal_link("1")
    assert dynamodb.get_item(TableName=table, Key=key)["Item"]["revision"] == {"N": "0"}
    dynamodb.update_item(TableName=table, Key=key, UpdateExpression="REMOVE revision")
    legacy = states.link_for_deal("1")
    assert legacy is not None
    assert legacy.revision == 0
    states.save_snapshot(legacy, _snapshot("Qualified"), "2026-11-29T12:01:00+00:00", None)
    with pytest.raises(LinkChangedError):
        states.save_snapshot(legacy, _snapshot("Prospect"), "2026-11-29T12:02:00+00:00", None)


def test_a_snapshot_for_a_link_that_was_undone_or_made_again_is_refused(table: str) -> None:
    states = store(table)
    states.save_link(link("1", "O1"))
    read = states.link_for_deal("1")
    assert read is not None
    states.unlink("1", "2026-11-29T12:01:00+00:00")
    with pytest.raises(LinkChangedError):
        states.save_snapshot(read, _snapshot("Qualified"), "2026-11-29T12:02:00+00:00", None)
    assert states.link_for_deal("1") is None  # not brought back as a bare snapshot
    states.save_link(link("1", "O2"))  # linked again, to another opportunity, revision 0 again
    with pytest.raises(LinkChangedError):
        states.save_snapshot(read, _snapshot("Qualified"), "2026-11-29T12:03:00+00:00", None)


def test_the_first_recorded_create_wins(table: str) -> None:
    states = store(table)
    first = states.claim_create("7", PendingCreate("token", {"a": 1}))
    second = states.claim_create("7", PendingCreate("token", {"a": 2}))
    assert first == second == PendingCreate("token", {"a": 1})
    states.forget_create("7")
    assert states.claim_create("7", PendingCreate("token", {"a": 3})).fields == {"a": 3}


def test_problems_fingerprint_round_trips(table: str) -> None:
    states = store(table)
    assert states.problems_fingerprint("9") is None
    states.save_problems("9", "abc", ["Deal name: too long"])
    assert states.problems_fingerprint("9") == "abc"
    states.clear_problems("9")
    assert states.problems_fingerprint("9") is None


def test_the_census_counts_links_referral_deals_and_deals_in_error_among_every_kind_of_item(
    table: str,
) -> None:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    states = store(table)
    assert states.census() == Census(links=0, referral_deals=0, deals_in_error=0, errors_by_reason={})

    states.save_link(link("1", "O1"))
    states.save_link(link("2", "O2"))
    states.save_problems("3", "f3", ["Company: missing", "Deal name: too long"])
    states.save_problems("4", "f4", ["Company: missing"])
    states.save_problems("5", "f5", ["Deal name: too long", "Company: missing", "Stage: unknown"])
    # Items of other kinds, some with a deal_id or a `deal#` key of their own: none is counted.
    states.claim_create("6", PendingCreate("token", {}))
    states.save_sweep_cursor("Sandbox", "2026-11-29T12:00:00Z")
    ConflictStore(dynamodb, table).save(
        DealConflicts("1", "O1", "Sandbox", "2026-11-29T12:00:00Z", (FieldConflict("Title", "a", "b"),))
    )
    WritePacer(dynamodb, table, per_second=1, sleep=lambda _: None).acquire()
    invitations = InvitationStore(dynamodb, table)
    invitations.advance("Sandbox", "I1", Phase.REVIEW)  # its deal is not made yet
    invitations.advance("Sandbox", "I2", Phase.DONE)
    invitations.record_deal("Sandbox", "I2", "7")

    census = states.census()
    assert census == Census(
        links=2,
        referral_deals=1,
        deals_in_error=3,
        errors_by_reason={"Company: missing": 3, "Deal name: too long": 2, "Stage: unknown": 1},
    )
    assert list(census.errors_by_reason) == ["Company: missing", "Deal name: too long", "Stage: unknown"]


def test_concurrent_writers_leave_one_interval_apart_and_each_is_counted(table: str) -> None:
    """Four workers, twelve writes, one shared clock."""
    clock = VirtualClock(1_000_000.0, participants=4)
    departures: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        pacer = WritePacer(dynamodb, table, per_second=1, clock=clock.now, sleep=clock.sleep)
        try:
            for _ in range(3):
                left = pacer.acquire()
                with lock:
                    departures.append(left)
        finally:
            clock.leave()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One interval apart exactly: none closer (the quota), none later than needed (the budget not wasted).
    assert sorted(departures) == [1_000_000.0 + second for second in range(12)]
    # Every departure is counted once, whatever the contention (1970-01-12 on this clock).
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    assert used_on(dynamodb, table, WRITES, date(1970, 1, 12)) == 12


def test_a_late_caller_pushes_the_next_one_back(table: str) -> None:
    """Slots are reserved an interval apart; a caller that leaves late (a slow machine, a long pause) must not
    be followed closely by the next caller's reserved slot: the next one waits a whole interval after it."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    clock = VirtualClock(1_000.0)
    first = WritePacer(dynamodb, table, per_second=1, clock=clock.now, sleep=clock.sleep)
    assert first.acquire() == 1_000.0  # slot 1000 taken; the next free slot is 1001
    first.acquire()  # leaves at 1001; the next free slot is 1002

    # A caller reserves slot 1002 but only gets to leave at 1002.6 (its sleep overshot), ...
    def overshooting_sleep(seconds: float) -> None:
        clock.sleep(seconds + 0.6)

    late = WritePacer(dynamodb, table, per_second=1, clock=clock.now, sleep=overshooting_sleep)
    assert late.acquire() == pytest.approx(1_002.6)
    # ... so the caller holding slot 1003 waits until 1003.6, a whole interval after it, not 0.4 s.
    assert first.acquire() == pytest.approx(1_003.6)


def test_a_throttle_slows_every_caller_down_for_a_while(table: str) -> None:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    clock = VirtualClock(5_000.0)
    pacer = WritePacer(dynamodb, table, per_second=1, clock=clock.now, sleep=clock.sleep)
    other = WritePacer(dynamodb, table, per_second=1, clock=clock.now, sleep=clock.sleep)
    start = pacer.acquire()
    assert pacer.throttled() == pytest.approx(0.1)
    slowed = [other.acquire(), pacer.acquire()]
    assert slowed[0] - start == pytest.approx(1.1, abs=0.005)  # a tenth of an interval more, for everyone
    assert slowed[1] - slowed[0] == pytest.approx(1.1, abs=0.005)  # wearing off slowly
    assert pacer.throttled() == pytest.approx(0.2, abs=0.01)  # another one: more
    clock.sleep(180)  # six half-lives later the slowdown is gone
    recovered = [pacer.acquire(), other.acquire()]
    assert recovered[1] - recovered[0] == pytest.approx(1.0, abs=0.02)


def test_each_slot_counts_against_its_utc_day_and_the_counter_expires(table: str) -> None:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    clock = VirtualClock(datetime(2026, 11, 29, 23, 59, 58, tzinfo=UTC).timestamp())
    pacer = WritePacer(dynamodb, table, per_second=1, clock=clock.now, sleep=clock.sleep)
    for _ in range(3):  # sent at 23:59:58, 23:59:59 and, the next day, 00:00:00
        pacer.acquire()

    assert used_on(dynamodb, table, WRITES, date(2026, 11, 29)) == 2
    assert used_on(dynamodb, table, WRITES, date(2026, 11, 30)) == 1
    assert used_on(dynamodb, table, WRITES, date(2026, 11, 28)) == 0
    counter = dynamodb.get_item(TableName=table, Key=daily_counter_key(WRITES, date(2026, 11, 30)))["Item"]
    expires = datetime.fromtimestamp(int(counter["expires_at"]["N"]), UTC)
    assert expires == datetime(2026, 12, 3, 0, 0, 0, tzinfo=UTC)  # three days after the slot it counts


def test_a_sender_that_died_on_its_way_holds_the_budget_for_its_lease_and_no_longer(table: str) -> None:
    """Its lease (40 s) runs out and the next sender leaves: it waits by time, however many turns it loses
    meanwhile (a backfill's parallel deals queue behind one another the same way)."""
    now = [2_000_000.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    died = WritePacer(dynamodb, table, per_second=1, clock=lambda: now[0], sleep=sleep)
    left_at = died.depart(died.reserve())  # never answered: the worker was killed on the request's way
    waiting = WritePacer(dynamodb, table, per_second=1, clock=lambda: now[0], sleep=sleep)

    departed = waiting.depart(waiting.reserve())

    assert left_at + 40 <= departed <= left_at + 42
