"""Production behaviours of HubSpot the emulator reproduces: a contact's e-mail is unique (a second create
answers 409 naming the first) and must have an e-mail's form, and search lags behind writes; and cosell's
contact find-or-create holds up under them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cosell.domain.to_hubspot import ContactFields
from cosell.hubspot.models import SearchFilter
from cosell.hubspot.records import find_or_create_contacts

if TYPE_CHECKING:
    from cosell.hubspot.client import HubSpotClient
    from cosell_local.hubspot import HubSpotEmulator
    from tests.integration.hubspot.conftest import Api


def test_a_second_contact_with_an_e_mail_is_a_409_naming_the_first(api: Api) -> None:
    first = api.create("contacts", {"email": "Ann@Contoso.example", "firstname": "Ann"})
    answer = api.post("/crm/v3/objects/contacts", {"properties": {"email": "ann@contoso.example"}})
    assert answer.status == 409
    assert answer.body["category"] == "CONFLICT"
    assert answer.body["message"] == f"Contact already exists. Existing ID: {first['id']}"


@pytest.mark.parametrize(
    "email", ["not an e-mail", "ann@contoso", '"ann"@contoso.example', "@contoso.example"]
)
def test_a_contact_whose_e_mail_has_no_e_mail_form_is_refused_invalid_email(api: Api, email: str) -> None:
    answer = api.post("/crm/v3/objects/contacts", {"properties": {"email": email, "firstname": "Ann"}})
    assert answer.status == 400
    assert '"error": "INVALID_EMAIL"' in answer.body["message"]
    assert api.post("/crm/v3/objects/contacts", {"properties": {"email": "ann@contoso.design"}}).status == 201


def test_search_misses_a_record_written_within_the_index_lag(
    emulator: HubSpotEmulator, client: HubSpotClient
) -> None:
    emulator.account.search_lag_seconds = 5
    created = client.create_contact({"email": "bo@contoso.example"})
    by_email = [[SearchFilter(property_name="email", operator="EQ", value="bo@contoso.example")]]
    assert client.find_contacts(by_email) == []
    assert client.get_contact(created.id).email == "bo@contoso.example"  # a read by id sees it at once
    emulator.advance_clock(5)
    assert [contact.id for contact in client.find_contacts(by_email)] == [created.id]


def test_find_or_create_takes_the_contact_hubspot_names_when_search_has_not_seen_it(
    emulator: HubSpotEmulator, client: HubSpotClient, api: Api
) -> None:
    emulator.account.search_lag_seconds = 5
    made_just_now = api.create("contacts", {"email": "cy@contoso.example"})  # by someone else, a moment ago
    ids = find_or_create_contacts(
        client, [ContactFields(email="cy@contoso.example", properties={"email": "cy@contoso.example"})]
    )
    assert ids == [made_just_now["id"]]
    emulator.advance_clock(5)
    by_email = [[SearchFilter(property_name="email", operator="EQ", value="cy@contoso.example")]]
    assert len(client.find_contacts(by_email)) == 1  # no second contact
