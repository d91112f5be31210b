"""A portal with a state file, dropped without a stop (what a SIGKILL leaves on disk), restarts as it was."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug.wrappers import Request, Response

from cosell_local.hubspot import HubSpotEmulator, WebhookSettings
from cosell_local.hubspot import state_file as state_file_module
from cosell_local.serving import BackgroundServer

from .conftest import TOKEN, Api

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from .conftest import Answer

TYPES = ("deals", "companies", "contacts")
STATE = "hubspot.pickle"
JOURNAL = "hubspot.pickle.journal"


class Receiver:
    """A webhook endpoint answering `status` (the emulator's tests of delivery are in test_webhooks.py)."""

    def __init__(self) -> None:
        self.status = 204
        self._http = BackgroundServer(self._app, name="webhook-receiver")
        self.url = self._http.start() + "/hooks"

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        Request(environ).get_data()
        return Response(status=self.status)(environ, start_response)

    def stop(self) -> None:
        self._http.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


def _emulator(state_dir: Path, receiver: Receiver) -> HubSpotEmulator:
    emulator = HubSpotEmulator(
        tokens=[TOKEN], webhook=WebhookSettings(receiver.url, "secret"), state_file=state_dir / STATE
    )
    assert emulator.webhooks is not None
    for subscription in ("deal.creation", "deal.deletion", "deal.propertyChange:dealname", "company.merge"):
        kind, _, name = subscription.partition(":")
        emulator.webhooks.subscribe(kind, name or None)
    return emulator.start()


def _killed(state_dir: Path, to: Path) -> Path:
    """The state directory as a kill would leave it: what was flushed to the OS, nothing written at a stop."""
    shutil.copytree(state_dir, to)
    return to


def _view(emulator: HubSpotEmulator) -> dict[str, Any]:
    """Everything the public API shows of the portal."""
    emulator.rate_limits.reset()  # a view reads more than 100 times in ten seconds
    api = Api(emulator.base_url)
    view: dict[str, Any] = {"pipelines": api.get("/crm/v3/pipelines/deals").body}
    for kind in TYPES:
        properties = api.get(f"/crm/v3/properties/{kind}").body["results"]
        names = ",".join(p["name"] for p in properties)
        others = ",".join(other for other in TYPES if other != kind)
        view[f"{kind} properties"] = properties
        view[f"{kind} groups"] = api.get(f"/crm/v3/properties/{kind}/groups").body
        for archived in ("false", "true"):
            query = f"limit=100&archived={archived}&properties={names}&propertiesWithHistory={names}"
            records = api.get(f"/crm/v3/objects/{kind}?{query}&associations={others}").body["results"]
            view[f"{kind} archived={archived}"] = records
        for record in view[f"{kind} archived=false"]:
            for other in TYPES:
                if other != kind:
                    links = api.get(f"/crm/v4/objects/{kind}/{record['id']}/associations/{other}")
                    assert links.status == 200, links.body
                    view[f"{kind} {record['id']} → {other}"] = links.body
    return view


def _undelivered(emulator: HubSpotEmulator) -> tuple[list[tuple[int, str]], int]:
    assert emulator.webhooks is not None
    saved = emulator.webhooks.saved()
    events = sorted((event["eventId"], repr(sorted(event.items()))) for event in saved["undelivered"])
    return events, saved["next_event_id"]


def _many_writes(emulator: HubSpotEmulator, receiver: Receiver) -> None:
    """Creates, updates, archives, a restore, a merge, associations made, moved and removed, a property and a
    pipeline created; webhooks delivered, then some left to deliver (the receiver answers 503 and the retry
    is a minute away)."""
    api = Api(emulator.base_url)
    aws_id = {"name": "aws_id", "label": "AWS id", "type": "string", "fieldType": "text"}
    _expect(201, api.post("/crm/v3/properties/deals", {**aws_id, "groupName": "dealinformation"}))
    stages = [{"label": "Open", "metadata": {"probability": "0.5"}}]
    _expect(201, api.post("/crm/v3/pipelines/deals", {"label": "Partner", "stages": stages}))
    companies = [api.create("companies", {"name": f"Company {n}"})["id"] for n in range(3)]
    contacts = [api.create("contacts", {"email": f"c{n}@example.com"})["id"] for n in range(3)]
    primary_company = [{"to": {"id": companies[0]}, "types": [{"associationTypeId": 5}]}]
    deals = [
        api.create("deals", {"dealname": f"Deal {n}", "aws_id": f"O{n}"}, associations=primary_company)["id"]
        for n in range(10)
    ]
    updates = [{"id": deal, "properties": {"amount": str(100 * n)}} for n, deal in enumerate(deals)]
    _expect(200, api.post("/crm/v3/objects/deals/batch/update", {"inputs": updates}))
    _expect(200, api.patch(f"/crm/v3/objects/deals/{deals[0]}", {"properties": {"dealname": "Renamed"}}))
    for deal in deals[:3]:
        _expect(200, api.put(f"/crm/v4/objects/deals/{deal}/associations/default/contacts/{contacts[0]}"))
    primary = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}]
    _expect(201, api.put(f"/crm/v4/objects/deals/{deals[1]}/associations/companies/{companies[1]}", primary))
    _expect(204, api.delete(f"/crm/v4/objects/deals/{deals[2]}/associations/contacts/{contacts[0]}"))
    _expect(204, api.delete(f"/crm/v3/objects/deals/{deals[9]}"))
    merge = {"primaryObjectId": companies[2], "objectIdToMerge": companies[1]}
    _expect(200, api.post("/crm/v3/objects/companies/merge", merge))
    emulator.restore("deals", deals[9])
    _expect(204, api.delete(f"/crm/v3/objects/deals/{deals[8]}"))
    assert emulator.webhooks is not None
    assert emulator.webhooks.wait_idle(timeout=10)
    receiver.status = 503
    _expect(200, api.patch(f"/crm/v3/objects/deals/{deals[3]}", {"properties": {"dealname": "Pending"}}))
    api.create("deals", {"dealname": "Also pending"})


def _expect(status: int, answer: Answer) -> None:
    assert answer.status == status, answer.body


def test_a_portal_restarts_on_its_state_file_as_it_was_when_killed(
    tmp_path: Path, receiver: Receiver
) -> None:
    first = _emulator(tmp_path / "state", receiver)
    _many_writes(first, receiver)
    before_the_last_write = _view(first)
    api = Api(first.base_url)
    _expect(200, api.patch("/crm/v3/objects/deals/10000000005", {"properties": {"dealname": "Last"}}))
    when_killed, undelivered = _view(first), _undelivered(first)
    assert undelivered[0], "some webhooks are left to deliver"
    killed = _killed(tmp_path / "state", tmp_path / "killed")
    torn = _killed(tmp_path / "state", tmp_path / "torn")
    with (torn / JOURNAL).open("r+b") as journal:  # the kill landed in the middle of the last append
        journal.truncate((torn / JOURNAL).stat().st_size - 3)
    first.stop()

    restarted = _emulator(killed, receiver)
    try:
        assert _view(restarted) == when_killed
        assert _undelivered(restarted) == undelivered
        assert abs(restarted.clock.now() - first.clock.now()) < 5
        assert Api(restarted.base_url).create("deals", {"dealname": "Next"})["id"] == "10000000012"
    finally:
        restarted.stop()

    restarted = _emulator(torn, receiver)
    try:
        assert _view(restarted) == before_the_last_write
    finally:
        restarted.stop()


def test_a_kill_between_a_new_snapshot_and_the_journal_starting_over_replays_nothing_twice(
    tmp_path: Path, receiver: Receiver
) -> None:
    state = tmp_path / "state"
    first = _emulator(state, receiver)
    _many_writes(first, receiver)
    when_killed, undelivered = _view(first), _undelivered(first)
    first.stop()
    old_journal = (state / JOURNAL).read_bytes()
    _emulator(state, receiver).stop()  # a start folds the journal into a new snapshot
    (state / JOURNAL).write_bytes(old_journal)  # as if killed before the journal was emptied

    restarted = _emulator(state, receiver)
    try:
        assert _view(restarted) == when_killed
        assert _undelivered(restarted) == undelivered
    finally:
        restarted.stop()


def test_a_journal_outgrowing_its_snapshot_is_folded_into_a_new_one(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_file_module, "_MIN_JOURNAL_BYTES", 0)
    state = tmp_path / "state"
    first = _emulator(state, receiver)
    snapshot_at_start = (state / STATE).stat().st_ino
    _many_writes(first, receiver)
    assert (state / STATE).stat().st_ino != snapshot_at_start, "a new snapshot replaced it"
    when_killed = _view(first)
    first.stop()

    assert _view_after_restart(_killed(state, tmp_path / "killed"), receiver) == when_killed


def test_a_reset_portal_restarts_with_what_was_written_after_the_reset(
    tmp_path: Path, receiver: Receiver
) -> None:
    state = tmp_path / "state"
    first = _emulator(state, receiver)
    _many_writes(first, receiver)
    api = Api(first.base_url)
    assert api.post("/_emulator/reset", None).status == 204
    api.create("companies", {"name": "After the reset"})
    when_killed = _view(first)
    first.stop()

    assert _view_after_restart(_killed(state, tmp_path / "killed"), receiver) == when_killed
    companies = when_killed["companies archived=false"]
    assert [company["properties"]["name"] for company in companies] == ["After the reset"]


def _view_after_restart(state: Path, receiver: Receiver) -> dict[str, Any]:
    """What an emulator started again on `state` shows (it is stopped again after)."""
    restarted = _emulator(state, receiver)
    try:
        return _view(restarted)
    finally:
        restarted.stop()
