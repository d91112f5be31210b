"""CRM v3 objects over plain HTTP: the shapes and rules of HubSpot's published specs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from cosell_local.hubspot import HubSpotEmulator

    from .conftest import Api

DEAL = {
    "dealname": "Acme migration",
    "amount": "12000",
    "closedate": "2026-12-31",
    "deal_currency_code": "EUR",
}


def test_create_then_get_returns_hubspot_shape_with_system_properties(api: Api) -> None:
    created = api.create("deals", DEAL)

    assert created["id"].isdigit()
    assert created["archived"] is False
    props = created["properties"]
    assert props["hs_object_id"] == created["id"]
    assert props["closedate"] == "2026-12-31T00:00:00.000Z"  # dates are stored as UTC datetimes
    assert props["pipeline"] == "default"
    assert props["dealstage"] == "appointmentscheduled"
    assert props["createdate"] == created["createdAt"]

    fetched = api.get(
        f"/crm/v3/objects/deals/{created['id']}?properties=dealname,aws_missing,deal_currency_code"
    )
    assert fetched.status == 200
    assert fetched.body["properties"] == {
        "dealname": "Acme migration",
        "deal_currency_code": "EUR",
        "createdate": props["createdate"],
        "hs_lastmodifieddate": props["hs_lastmodifieddate"],
        "hs_object_id": created["id"],
    }


def test_get_without_properties_returns_the_default_set_with_nulls(api: Api) -> None:
    company = api.create("companies", {"name": "Acme"})

    body = api.get(f"/crm/v3/objects/companies/{company['id']}").body

    assert body["properties"]["domain"] is None
    assert set(body["properties"]) == {"name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"}


def test_unknown_requested_properties_are_ignored_not_replaced_by_defaults(api: Api) -> None:
    deal = api.create("deals", {"dealname": "x"})

    body = api.get(f"/crm/v3/objects/deals/{deal['id']}?properties=aws_nope").body

    assert set(body["properties"]) == {"createdate", "hs_lastmodifieddate", "hs_object_id"}


@pytest.mark.parametrize("segment", ["deals", "0-3"])
def test_deals_answer_by_name_and_by_object_type_id(api: Api, segment: str) -> None:
    created = api.create("deals", {"dealname": "by id"})

    assert api.get(f"/crm/v3/objects/{segment}/{created['id']}").status == 200


def test_patch_updates_and_records_history_with_source(api: Api, emulator: HubSpotEmulator) -> None:
    deal = api.create("deals", {"dealname": "Old"})
    emulator.advance_clock(5)
    answer = api.patch(f"/crm/v3/objects/deals/{deal['id']}", {"properties": {"dealname": "New"}})
    assert answer.status == 200
    assert answer.body["properties"]["dealname"] == "New"
    assert answer.body["updatedAt"] > deal["updatedAt"]

    history = api.get(f"/crm/v3/objects/deals/{deal['id']}?propertiesWithHistory=dealname").body
    entries = history["propertiesWithHistory"]["dealname"]
    assert [e["value"] for e in entries] == ["New", "Old"]  # newest first
    assert entries[0]["sourceType"] == "INTEGRATION"
    assert entries[0]["timestamp"] > entries[1]["timestamp"]


def test_empty_string_clears_a_value(api: Api) -> None:
    deal = api.create("deals", {"dealname": "x", "amount": "5"})
    api.patch(f"/crm/v3/objects/deals/{deal['id']}", {"properties": {"amount": ""}})

    assert api.get(f"/crm/v3/objects/deals/{deal['id']}").body["properties"]["amount"] is None


def test_list_pages_with_limit_and_after(api: Api) -> None:
    ids = [api.create("contacts", {"email": f"p{i}@example.com"})["id"] for i in range(5)]

    first = api.get("/crm/v3/objects/contacts?limit=2").body
    second = api.get(f"/crm/v3/objects/contacts?limit=2&after={first['paging']['next']['after']}").body
    third = api.get(f"/crm/v3/objects/contacts?limit=2&after={second['paging']['next']['after']}").body

    assert [r["id"] for r in first["results"] + second["results"] + third["results"]] == ids
    assert "paging" not in third


def test_archive_hides_the_record_except_with_archived_true(api: Api) -> None:
    deal = api.create("deals", {"dealname": "gone"})

    assert api.delete(f"/crm/v3/objects/deals/{deal['id']}").status == 204
    missing = api.get(f"/crm/v3/objects/deals/{deal['id']}")
    assert missing.status == 404
    assert missing.body["category"] == "OBJECT_NOT_FOUND"
    assert missing.body["status"] == "error"
    assert missing.body["correlationId"]
    archived = api.get(f"/crm/v3/objects/deals/{deal['id']}?archived=true").body
    assert archived["archived"] is True
    assert "archivedAt" in archived


def test_get_with_associations_reports_v3_types(api: Api) -> None:
    company = api.create("companies", {"name": "Acme"})
    contact = api.create("contacts", {"email": "a@example.com"})
    links = [
        {
            "to": {"id": company["id"]},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}],
        },
        {
            "to": {"id": contact["id"]},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}],
        },
    ]
    deal = api.create("deals", {"dealname": "linked"}, associations=links)

    body = api.get(f"/crm/v3/objects/deals/{deal['id']}?associations=companies,contacts").body

    assert body["associations"]["companies"]["results"] == [
        {"id": company["id"], "type": "deal_to_company"},
        {"id": company["id"], "type": "deal_to_company_unlabeled"},
    ]
    assert body["associations"]["contacts"]["results"] == [{"id": contact["id"], "type": "deal_to_contact"}]


def test_validation_errors_list_every_bad_property(api: Api) -> None:
    answer = api.post(
        "/crm/v3/objects/deals",
        {"properties": {"dealname": "x", "deal_currency_code": "XYZ", "amount": "lots", "no_such": "1"}},
    )

    assert answer.status == 400
    assert answer.body["category"] == "VALIDATION_ERROR"
    assert answer.body["message"].startswith("Property values were not valid")
    codes = {e["context"]["propertyName"][0]: e["code"] for e in answer.body["errors"]}
    assert codes == {
        "deal_currency_code": "INVALID_OPTION",
        "amount": "INVALID_DECIMAL",
        "no_such": "PROPERTY_DOESNT_EXIST",
    }
    assert api.get("/crm/v3/objects/deals").body["results"] == []


def test_currency_must_be_one_of_the_accounts(api: Api) -> None:
    deal = api.create("deals", {"dealname": "x", "deal_currency_code": "GBP"})

    answer = api.patch(f"/crm/v3/objects/deals/{deal['id']}", {"properties": {"deal_currency_code": "JPY"}})

    assert answer.status == 400
    assert "JPY" in answer.body["message"]


def test_stage_must_belong_to_the_pipeline(api: Api) -> None:
    deal = api.create("deals", {"dealname": "x"})

    answer = api.patch(f"/crm/v3/objects/deals/{deal['id']}", {"properties": {"dealstage": "not-a-stage"}})

    assert answer.status == 400
    assert answer.body["errors"][0]["code"] == "INVALID_OPTION"


def test_read_only_and_owner_and_note_length_rules(api: Api) -> None:
    deal = api.create("deals", {"dealname": "x"})
    read_only = api.patch(f"/crm/v3/objects/deals/{deal['id']}", {"properties": {"hs_object_id": "1"}})
    unknown_owner = api.patch(
        f"/crm/v3/objects/deals/{deal['id']}", {"properties": {"hubspot_owner_id": "42"}}
    )
    too_long = api.post(
        "/crm/v3/objects/notes", {"properties": {"hs_timestamp": "0", "hs_note_body": "x" * 65_537}}
    )

    assert read_only.body["errors"][0]["code"] == "READ_ONLY_VALUE"
    assert unknown_owner.body["errors"][0]["code"] == "INVALID_OPTION"
    assert too_long.status == 400


def test_unknown_object_type_and_bad_json_are_400(api: Api, emulator: HubSpotEmulator) -> None:
    assert api.get("/crm/v3/objects/widgets/1").status == 400
    response = api._http.request(
        "POST",
        f"{emulator.base_url}/crm/v3/objects/deals",
        body=b"{not json",
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status == 400


def test_batch_read_reports_missing_ids_with_207(api: Api) -> None:
    deal = api.create("deals", {"dealname": "x"})

    answer = api.post(
        "/crm/v3/objects/deals/batch/read",
        {
            "inputs": [{"id": deal["id"]}, {"id": "999"}],
            "properties": ["dealname"],
            "propertiesWithHistory": [],
        },
    )

    assert answer.status == 207
    assert [r["id"] for r in answer.body["results"]] == [deal["id"]]
    assert answer.body["numErrors"] == 1
    assert answer.body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert answer.body["errors"][0]["context"] == {"ids": ["999"]}
    assert answer.body["status"] == "COMPLETE"


def test_batch_create_update_archive(api: Api) -> None:
    created = api.post(
        "/crm/v3/objects/companies/batch/create",
        {"inputs": [{"properties": {"name": f"C{i}"}, "associations": []} for i in range(3)]},
    )
    assert created.status == 201
    ids = [r["id"] for r in created.body["results"]]

    updated = api.post(
        "/crm/v3/objects/companies/batch/update",
        {"inputs": [{"id": i, "properties": {"domain": f"{i}.example.com"}} for i in ids]},
    )
    assert updated.status == 200
    assert {r["properties"]["domain"] for r in updated.body["results"]} == {f"{i}.example.com" for i in ids}

    assert api.post("/crm/v3/objects/companies/batch/archive", {"inputs": [{"id": ids[0]}]}).status == 204
    remaining = api.get("/crm/v3/objects/companies").body["results"]
    assert [r["id"] for r in remaining] == ids[1:]


@pytest.mark.parametrize("operation", ["read", "create", "update", "archive"])
def test_batches_over_100_inputs_are_rejected_whole(api: Api, operation: str) -> None:
    inputs = [{"id": str(i), "properties": {"name": f"C{i}"}} for i in range(101)]

    answer = api.post(f"/crm/v3/objects/companies/batch/{operation}", {"inputs": inputs, "properties": []})

    assert answer.status == 400
    assert answer.body["category"] == "VALIDATION_ERROR"
    assert api.get("/crm/v3/objects/companies").body["results"] == []


def test_batch_create_with_one_bad_input_writes_nothing(api: Api) -> None:
    inputs = [{"properties": {"dealname": "ok"}}, {"properties": {"deal_currency_code": "XXX"}}]

    assert api.post("/crm/v3/objects/deals/batch/create", {"inputs": inputs}).status == 400
    assert api.get("/crm/v3/objects/deals").body["results"] == []


def test_merge_keeps_primary_and_fills_its_gaps(api: Api) -> None:
    primary = api.create("deals", {"dealname": "Primary"})
    merged = api.create("deals", {"dealname": "Dup", "amount": "7"})

    answer = api.post(
        "/crm/v3/objects/deals/merge", {"primaryObjectId": primary["id"], "objectIdToMerge": merged["id"]}
    )

    assert answer.status == 200
    assert answer.body["id"] == primary["id"]
    assert answer.body["properties"]["dealname"] == "Primary"
    assert answer.body["properties"]["amount"] == "7"
    assert api.get(f"/crm/v3/objects/deals/{merged['id']}").status == 404


def test_notes_and_tasks_are_objects_too(api: Api) -> None:
    deal = api.create("deals", {"dealname": "x"})
    note = api.create(
        "notes",
        {"hs_timestamp": "2026-01-01T10:00:00Z", "hs_note_body": "Hello"},
        associations=[
            {
                "to": {"id": deal["id"]},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 214}],
            }
        ],
    )
    task = api.create(
        "tasks",
        {
            "hs_timestamp": "1767261600000",
            "hs_task_subject": "Call",
            "hs_task_priority": "HIGH",
            "hs_task_status": "NOT_STARTED",
        },
    )
    bad_priority = api.post("/crm/v3/objects/tasks", {"properties": {"hs_task_priority": "URGENT"}})

    assert note["properties"]["hs_timestamp"] == "2026-01-01T10:00:00.000Z"
    assert task["properties"]["hs_timestamp"] == "2026-01-01T10:00:00.000Z"
    assert set(task["properties"]) >= {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"}
    assert bad_priority.status == 400
    linked = api.get(f"/crm/v4/objects/deals/{deal['id']}/associations/notes").body["results"]
    assert linked[0]["toObjectId"] == note["id"]
    assert linked[0]["associationTypes"][0]["typeId"] == 213  # the inverse of note→deal 214


def test_association_to_a_missing_record_fails_the_create(api: Api) -> None:
    links = [
        {"to": {"id": "123"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 341}]}
    ]

    answer = api.post("/crm/v3/objects/deals", {"properties": {"dealname": "x"}, "associations": links})

    assert answer.status == 400
    assert api.get("/crm/v3/objects/deals").body["results"] == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/crm/v3/objects/deals?after=abc", None),
        ("GET", "/crm/v3/owners?after=abc", None),
        ("POST", "/crm/v3/objects/deals/search", {"limit": "ten"}),
        (
            "POST",
            "/crm/v3/objects/deals",
            {"properties": {"dealname": "x"}, "associations": [{"types": [7]}]},
        ),
        ("POST", "/crm/v3/objects/deals/batch/read", {"inputs": "all"}),
        (
            "POST",
            "/crm/v3/pipelines/deals",
            {"label": "p", "stages": [{"label": "s", "metadata": {"probability": "x"}}]},
        ),
        ("POST", "/crm/v3/properties/deals/groups", {"name": "g", "label": "G", "displayOrder": "first"}),
    ],
)
def test_malformed_input_is_400_never_500(api: Api, method: str, path: str, body: object) -> None:
    answer = api.call(method, path, body)

    assert answer.status == 400
    assert answer.body["category"] == "VALIDATION_ERROR"


def test_a_task_or_note_without_its_time_is_refused_as_hubspot_refuses_it(api: Api) -> None:
    for object_type, properties in (
        ("tasks", {"hs_task_subject": "Call"}),
        ("notes", {"hs_note_body": "Hi"}),
    ):
        answer = api.post(f"/crm/v3/objects/{object_type}", {"properties": properties})
        assert answer.status == 400
        assert "hs_timestamp is required" in answer.body["message"]
    task = api.create("tasks", {"hs_task_subject": "Call", "hs_timestamp": "2026-12-02T09:00:00Z"})
    assert task["properties"]["hs_task_subject"] == "Call"
