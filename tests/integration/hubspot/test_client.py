"""cosell's HubSpot client against the emulator: every call the sync makes, typed errors and retries."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from cosell.hubspot.client import (
    NOTE_TO_DEAL,
    HubSpotAnswerError,
    HubSpotAuthError,
    HubSpotClient,
    HubSpotConflictError,
    HubSpotNotFoundError,
    HubSpotRateLimitError,
    HubSpotUnavailableError,
    HubSpotValidationError,
    RetryPolicy,
)
from cosell.hubspot.models import (
    AssociationInput,
    PropertyDefinition,
    PropertyGroup,
    PropertyOption,
    SearchFilter,
)
from cosell_local.hubspot.ratelimit import Tier
from cosell_local.malformed import MalformedAnswer

from .conftest import DEALS_READ_ONLY_TOKEN, TOKEN

if TYPE_CHECKING:
    from cosell_local.hubspot import HubSpotEmulator

    from .conftest import Api

INVITATION = PropertyDefinition(
    name="aws_invitation_id",
    label="AWS invitation",
    type="string",
    field_type="text",
    group_name="aws_cosell",
)


def _setup_schema(client: HubSpotClient) -> None:
    client.create_property_group("deals", PropertyGroup(name="aws_cosell", label="AWS co-sell"))
    client.create_property("deals", INVITATION)


def test_deal_lifecycle_with_company_contact_and_typed_fields(client: HubSpotClient, api: Api) -> None:
    _setup_schema(client)
    company = _create(api, "companies", {"name": "Acme", "domain": "acme.com"})
    contact = _create(api, "contacts", {"email": "buyer@acme.com"})

    deal = client.create_deal(
        {"dealname": "Acme", "amount": "1200.50", "closedate": "2026-12-31", "deal_currency_code": "USD"},
        [AssociationInput(to_id=company, type_id=5), AssociationInput(to_id=contact, type_id=3)],
    )
    updated = client.update_deal(deal.id, {"dealstage": "qualifiedtobuy", "aws_invitation_id": "engi-1"})
    fetched = client.get_deal(
        deal.id, ["dealname", "amount", "closedate", "dealstage"], ["companies", "contacts"]
    )

    assert updated.stage_id == "qualifiedtobuy"
    assert fetched.name == "Acme"
    assert str(fetched.amount) == "1200.50"
    assert fetched.close_date == datetime(2026, 12, 31, tzinfo=UTC)
    assert fetched.associated_ids("companies") == [company]
    assert fetched.associated_ids("contacts") == [contact]
    assert client.get_company(company, ["domain"]).domain == "acme.com"
    assert client.get_contact(contact).email == "buyer@acme.com"


def _create(api: Api, object_type: str, properties: dict[str, str]) -> str:
    """The sync never creates companies or contacts: tests set them up over plain HTTP."""
    created: str = api.create(object_type, properties)["id"]
    return created


def test_batch_reads_chunk_by_100_and_skip_missing(
    client: HubSpotClient, emulator: HubSpotEmulator, api: Api
) -> None:
    ids = [client.create_deal({"dealname": f"d{i}"}).id for i in range(150)]
    before = emulator.request_count("POST", "/crm/v3/objects/deals/batch/read")

    deals = client.batch_read_deals([*ids, "999", ids[0]], ["dealname"])

    assert [d.id for d in deals] == ids
    assert emulator.request_count("POST", "/crm/v3/objects/deals/batch/read") - before == 2
    company = _create(api, "companies", {"name": "c"})
    contact = _create(api, "contacts", {"email": "c@example.com"})
    assert [c.name for c in client.batch_read_companies([company], ["name"])] == ["c"]
    assert [c.email for c in client.batch_read_contacts([contact], ["email"])] == ["c@example.com"]


def test_search_and_find_by_invitation_id(client: HubSpotClient) -> None:
    _setup_schema(client)
    for i in range(5):
        client.create_deal(
            {"dealname": f"d{i}", "aws_invitation_id": "engi-x" if i % 2 else "engi-y", "amount": str(i)}
        )
    by_invitation = [[SearchFilter(property_name="aws_invitation_id", operator="EQ", value="engi-y")]]

    page = client.search_deals(by_invitation, ["dealname", "amount"], sort="-amount", limit=2)
    everything = client.find_deals(by_invitation, ["dealname"])

    assert page.total == 3
    assert [d.name for d in page.results] == ["d4", "d2"]
    assert page.next_after == "2"
    assert sorted(d.name or "" for d in everything) == ["d0", "d2", "d4"]


def test_notes_and_tasks_are_associated_with_the_deal(client: HubSpotClient) -> None:
    deal = client.create_deal({"dealname": "d"})
    owner = client.list_owners()[0]
    due = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)

    note = client.create_note(deal.id, "AWS approved the opportunity.", datetime(2026, 6, 1, tzinfo=UTC))
    task = client.create_task(deal.id, "Add a solution", due=due, priority="HIGH", owner_id=owner.id)

    assert note.get("hs_note_body") == "AWS approved the opportunity."
    assert task.get("hs_timestamp") == "2026-07-01T09:00:00.000Z"
    assert task.get("hubspot_owner_id") == owner.id
    notes = client.list_associations("deals", deal.id, "notes")
    tasks = client.list_associations("deals", deal.id, "tasks")
    assert [(a.to_object_id, a.type_ids) for a in notes] == [(note.id, {NOTE_TO_DEAL - 1})]
    assert [a.to_object_id for a in tasks] == [task.id]


def test_associations_single_and_batch(client: HubSpotClient, api: Api) -> None:
    deals = [client.create_deal({"dealname": f"d{i}"}).id for i in range(3)]
    company = _create(api, "companies", {"name": "c"})

    client.associate("deals", deals[0], "companies", company, [5])
    client.associate("deals", deals[1], "companies", company, [341])
    found = client.batch_read_associations("deals", "companies", deals)

    assert found[deals[0]][0].type_ids == {5, 341}
    assert found[deals[0]][0].association_types[0].label == "Primary"
    assert found[deals[1]][0].type_ids == {341}
    assert found[deals[2]] == []
    client.remove_association("deals", deals[0], "companies", company)
    assert client.list_associations("deals", deals[0], "companies") == []


def test_pipelines_owners_and_properties(client: HubSpotClient) -> None:
    pipelines = client.list_pipelines()
    owners = client.list_owners()
    by_email = client.list_owners(email=owners[1].email)

    stages = {stage.id: stage for stage in pipelines[0].stages}
    assert stages["closedwon"].is_closed
    assert stages["closedwon"].probability == 1.0
    assert not stages["contractsent"].is_closed
    assert [o.id for o in by_email] == [owners[1].id]
    assert owners[0].first_name

    assert client.get_property("deals", "aws_invitation_id") is None
    _setup_schema(client)
    stored = client.get_property("deals", "aws_invitation_id")
    assert stored is not None
    assert stored.group_name == "aws_cosell"
    assert "aws_cosell" in {g.name for g in client.list_property_groups("deals")}
    assert "aws_invitation_id" in {p.name for p in client.list_properties("deals")}
    enum = PropertyDefinition(
        name="aws_review",
        label="Review",
        type="enumeration",
        field_type="select",
        group_name="aws_cosell",
        options=[PropertyOption(label="Approved", value="Approved")],
    )
    assert client.create_property("deals", enum).options[0].value == "Approved"


def test_error_types_carry_hubspots_category(client: HubSpotClient, emulator: HubSpotEmulator) -> None:
    _setup_schema(client)

    with pytest.raises(HubSpotConflictError) as conflict:
        client.create_property("deals", INVITATION)
    with pytest.raises(HubSpotNotFoundError) as missing:
        client.get_deal("999")
    with pytest.raises(HubSpotValidationError) as invalid:
        client.create_deal({"dealname": "x", "deal_currency_code": "ABC"})

    assert conflict.value.category == "OBJECT_ALREADY_EXISTS"
    assert conflict.value.correlation_id
    assert missing.value.status == 404
    assert invalid.value.category == "VALIDATION_ERROR"
    assert invalid.value.errors[0]["code"] == "INVALID_OPTION"
    assert emulator.request_count("GET", "/crm/v3/objects/deals/999") == 1  # not retried


def test_auth_errors(emulator: HubSpotEmulator) -> None:
    unknown = HubSpotClient(lambda: "pat-forged", base_url=emulator.base_url)
    narrow = HubSpotClient(lambda: DEALS_READ_ONLY_TOKEN, base_url=emulator.base_url)

    with pytest.raises(HubSpotAuthError) as unauthenticated:
        unknown.list_pipelines()
    with pytest.raises(HubSpotAuthError) as forbidden:
        narrow.create_deal({"dealname": "x"})

    assert unauthenticated.value.status == 401
    assert unauthenticated.value.category == "INVALID_AUTHENTICATION"
    assert forbidden.value.status == 403
    assert forbidden.value.category == "MISSING_SCOPES"


def test_a_create_is_retried_only_when_hubspot_certainly_did_not_act(
    client: HubSpotClient, emulator: HubSpotEmulator, sleeps: list[float]
) -> None:
    emulator.faults.fail_next(503, times=1, path_prefix="/crm/v3/objects/deals", method="POST")
    emulator.faults.fail_next(429, times=1, path_prefix="/crm/v3/objects/deals", method="POST")

    deal = client.create_deal({"dealname": "retried"})

    assert deal.name == "retried"
    assert emulator.request_count("POST", "/crm/v3/objects/deals") == 3
    assert sleeps[0] == 0.375  # equal jitter at 0.5 of 0.5 s; then the 429's rate window


def test_a_create_that_may_have_happened_is_not_sent_again(
    client: HubSpotClient, emulator: HubSpotEmulator, sleeps: list[float]
) -> None:
    """No idempotency key in HubSpot: after a 500 the deal may exist, and a blind retry could make two."""
    emulator.faults.fail_next(500, times=1, path_prefix="/crm/v3/objects/deals", method="POST")

    with pytest.raises(HubSpotUnavailableError):
        client.create_deal({"dealname": "maybe"})

    assert emulator.request_count("POST", "/crm/v3/objects/deals") == 1
    assert sleeps == []


def test_reads_and_updates_are_retried_after_any_5xx(
    client: HubSpotClient, emulator: HubSpotEmulator, sleeps: list[float]
) -> None:
    deal = client.create_deal({"dealname": "x"})
    emulator.faults.fail_next(500, times=1, path_prefix=f"/crm/v3/objects/deals/{deal.id}", method="PATCH")
    emulator.faults.fail_next(502, times=1, path_prefix="/crm/v3/objects/deals/search", method="POST")

    client.update_deal(deal.id, {"dealname": "y"})
    client.search_deals([])

    assert len(sleeps) == 2


def test_a_dropped_connection_is_retried_for_a_read_and_not_for_a_create(
    client: HubSpotClient, emulator: HubSpotEmulator, sleeps: list[float]
) -> None:
    """The emulator closes the connection before HubSpot handles the request: a read is sent again; a create
    is not (the client cannot tell that nothing was made), and says there was no answer."""
    deal = client.create_deal({"dealname": "x"})
    emulator.faults.drop_next()
    assert client.get_deal(deal.id).id == deal.id
    assert len(sleeps) == 1

    emulator.faults.drop_next()
    with pytest.raises(HubSpotUnavailableError, match="no answer"):
        client.create_deal({"dealname": "maybe"})
    assert len(sleeps) == 1
    assert [d.properties["dealname"] for d in client.find_deals([], ["dealname"])] == ["x"]


def test_5xx_gives_up_after_the_attempt_budget(
    client: HubSpotClient, emulator: HubSpotEmulator, sleeps: list[float]
) -> None:
    emulator.faults.fail_next(502, times=10, path_prefix="/crm/v3/pipelines")

    with pytest.raises(HubSpotUnavailableError) as failure:
        client.list_pipelines()

    assert failure.value.status == 502
    assert emulator.request_count(path_prefix="/crm/v3/pipelines") == 4
    assert len(sleeps) == 3


def test_423_waits_at_least_two_seconds(
    client: HubSpotClient, emulator: HubSpotEmulator, sleeps: list[float]
) -> None:
    emulator.faults.fail_next(423, times=1, path_prefix="/crm/v3/objects/deals", method="PATCH")
    deal = client.create_deal({"dealname": "x"})

    client.update_deal(deal.id, {"dealname": "y"})

    assert sleeps == [2.0]
    assert client.get_deal(deal.id).name == "y"


def test_429_backs_off_on_the_interval_and_recovers(
    client: HubSpotClient, emulator: HubSpotEmulator, api: Api, sleeps: list[float]
) -> None:
    for _ in range(100):
        api.get("/crm/v3/owners")

    owners = client.list_owners()  # the client's sleep moves the emulator clock past the rolling window

    assert owners
    assert sleeps == [pytest.approx(10.5)]  # the 10 000 ms interval plus jitter
    assert [e.status for e in emulator.requests[-2:]] == [429, 200]


def test_search_429_backs_off_one_second(client: HubSpotClient, sleeps: list[float]) -> None:
    everything: list[list[SearchFilter]] = []
    for _ in range(6):
        client.search_deals(everything)

    assert sleeps == [pytest.approx(1.05)]


def test_daily_429_is_not_retried(
    client: HubSpotClient, emulator: HubSpotEmulator, sleeps: list[float]
) -> None:
    emulator.rate_limits.tier = Tier(per_ten_seconds=100, per_day=1)
    client.list_pipelines()

    with pytest.raises(HubSpotRateLimitError) as limited:
        client.list_pipelines()

    assert limited.value.is_daily
    assert limited.value.policy_name == "DAILY"
    assert sleeps == []


def test_token_is_fetched_per_attempt_and_never_logged(
    emulator: HubSpotEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    fetched: list[str] = []

    def token() -> str:
        fetched.append(TOKEN)
        return TOKEN

    client = HubSpotClient(
        token, base_url=emulator.base_url, sleep=lambda _: None, retry=RetryPolicy(max_attempts=3)
    )
    emulator.faults.fail_next(500, times=1)
    caplog.set_level(logging.DEBUG, logger="cosell.hubspot.client")

    client.list_owners(email="secret.person@example.com")

    assert len(fetched) == 2
    assert caplog.records
    assert TOKEN not in caplog.text
    assert "secret.person" not in caplog.text


# --- answers cosell cannot read: named, never a KeyError, never a loop ------------------------------------


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (MalformedAnswer(body="<html>Maintenance</html>", content_type="text/html"), "the answer is not JSON (24 bytes, text/html)"),
        (MalformedAnswer(truncate=9), "the answer is not JSON (9 bytes"),
        (MalformedAnswer(replace={"properties": ["Acme"]}), "properties: Input should be a valid dictionary"),
        (MalformedAnswer(remove=("id",)), "id: Field required"),
        (MalformedAnswer(replace={"createdAt": "yesterday", "updatedAt": 3.5}), "createdAt: Input should be a valid datetime"),
    ],
)  # fmt: skip
def test_an_answer_that_is_not_the_documented_shape_names_the_call_and_the_member(
    client: HubSpotClient, emulator: HubSpotEmulator, answer: MalformedAnswer, named: str
) -> None:
    deal = client.create_deal({"dealname": "Acme"})
    emulator.faults.answer_next(answer, path_prefix=f"/crm/v3/objects/deals/{deal.id}", method="GET")

    with pytest.raises(HubSpotAnswerError) as malformed:
        client.get_deal(deal.id, ["dealname"])

    assert f"GET /crm/v3/objects/deals/{deal.id}: {named}" in str(malformed.value)
    assert "Acme" not in str(malformed.value)  # values stay out: answers hold personal data
    assert emulator.request_count("GET", "/crm/v3/objects/deals") == 1  # not retried
    assert client.get_deal(deal.id).name == "Acme"


def test_a_list_answer_names_the_item_that_is_wrong(client: HubSpotClient, emulator: HubSpotEmulator) -> None:
    emulator.faults.answer_next(
        MalformedAnswer(remove=("results.0.stages",)), path_prefix="/crm/v3/pipelines"
    )
    with pytest.raises(
        HubSpotAnswerError, match=r"GET /crm/v3/pipelines/deals: results\.0\.stages: Field required"
    ):
        client.list_pipelines()
    emulator.faults.answer_next(MalformedAnswer(replace={"results": {}}), path_prefix="/crm/v3/pipelines")
    with pytest.raises(HubSpotAnswerError, match="results: Input should be a valid list"):
        client.list_pipelines()


def test_a_search_cursor_that_does_not_move_on_fails_instead_of_looping(
    client: HubSpotClient, emulator: HubSpotEmulator
) -> None:
    client.create_deal({"dealname": "Only one"})
    repeat = MalformedAnswer(replace={"paging": {"next": {"after": "200"}}})
    emulator.faults.answer_next(repeat, times=100, path_prefix="/crm/v3/objects/deals/search")

    with pytest.raises(HubSpotAnswerError, match=r"paging\.next\.after repeats a cursor already followed"):
        client.find_deals([])

    assert emulator.request_count("POST", "/crm/v3/objects/deals/search") == 2
