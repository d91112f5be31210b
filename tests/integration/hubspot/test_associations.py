"""Associations v4 over plain HTTP: type ids, inverses, the primary company, batch endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .conftest import Api


def _spec(type_id: int) -> dict[str, Any]:
    return {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}


def _type_ids(api: Api, path: str) -> dict[str, list[int]]:
    results = api.get(path).body["results"]
    return {r["toObjectId"]: [t["typeId"] for t in r["associationTypes"]] for r in results}


def test_labelled_create_lists_both_directions(api: Api) -> None:
    deal = api.create("deals", {"dealname": "d"})["id"]
    company = api.create("companies", {"name": "c"})["id"]

    answer = api.put(f"/crm/v4/objects/deals/{deal}/associations/companies/{company}", [_spec(5)])

    assert answer.status == 201
    assert answer.body["fromObjectTypeId"] == "0-3"
    assert answer.body["toObjectTypeId"] == "0-2"
    assert answer.body["labels"] == ["Primary"]
    assert _type_ids(api, f"/crm/v4/objects/deals/{deal}/associations/companies") == {company: [5, 341]}
    assert _type_ids(api, f"/crm/v4/objects/companies/{company}/associations/deals") == {deal: [6, 342]}


def test_a_new_primary_company_moves_the_label(api: Api) -> None:
    deal = api.create("deals", {"dealname": "d"})["id"]
    first, second = (api.create("companies", {"name": n})["id"] for n in ("a", "b"))

    api.put(f"/crm/v4/objects/deals/{deal}/associations/companies/{first}", [_spec(5)])
    api.put(f"/crm/v4/objects/deals/{deal}/associations/companies/{second}", [_spec(5)])

    assert _type_ids(api, f"/crm/v4/objects/deals/{deal}/associations/companies") == {
        first: [341],
        second: [5, 341],
    }


def test_default_association_uses_the_unlabeled_type(api: Api) -> None:
    deal = api.create("deals", {"dealname": "d"})["id"]
    contact = api.create("contacts", {"email": "x@example.com"})["id"]

    answer = api.put(f"/crm/v4/objects/deals/{deal}/associations/default/contacts/{contact}")

    assert answer.status == 200
    assert answer.body["results"][0]["associationSpec"] == _spec(3)
    assert _type_ids(api, f"/crm/v4/objects/contacts/{contact}/associations/deals") == {deal: [4]}


def test_delete_removes_every_type_both_ways(api: Api) -> None:
    deal = api.create("deals", {"dealname": "d"})["id"]
    company = api.create("companies", {"name": "c"})["id"]
    api.put(f"/crm/v4/objects/deals/{deal}/associations/companies/{company}", [_spec(5)])

    assert api.delete(f"/crm/v4/objects/deals/{deal}/associations/companies/{company}").status == 204

    assert api.get(f"/crm/v4/objects/deals/{deal}/associations/companies").body["results"] == []
    assert api.get(f"/crm/v4/objects/companies/{company}/associations/deals").body["results"] == []


def test_wrong_type_id_and_missing_records(api: Api) -> None:
    deal = api.create("deals", {"dealname": "d"})["id"]
    company = api.create("companies", {"name": "c"})["id"]

    wrong_type = api.put(f"/crm/v4/objects/deals/{deal}/associations/companies/{company}", [_spec(3)])
    missing_target = api.put(f"/crm/v4/objects/deals/{deal}/associations/companies/999", [_spec(341)])
    missing_source = api.get("/crm/v4/objects/deals/999/associations/companies")

    assert wrong_type.status == 400
    assert wrong_type.body["category"] == "VALIDATION_ERROR"
    assert missing_target.status == 404
    assert missing_source.status == 404


def test_list_pages(api: Api) -> None:
    deal = api.create("deals", {"dealname": "d"})["id"]
    contacts = [api.create("contacts", {"email": f"{i}@example.com"})["id"] for i in range(3)]
    for contact in contacts:
        api.put(f"/crm/v4/objects/deals/{deal}/associations/contacts/{contact}", [_spec(3)])

    first = api.get(f"/crm/v4/objects/deals/{deal}/associations/contacts?limit=2").body
    second = api.get(
        f"/crm/v4/objects/deals/{deal}/associations/contacts?after={first['paging']['next']['after']}"
    ).body

    assert [r["toObjectId"] for r in first["results"] + second["results"]] == contacts


def test_batch_create_read_archive(api: Api) -> None:
    deals = [api.create("deals", {"dealname": f"d{i}"})["id"] for i in range(3)]
    company = api.create("companies", {"name": "c"})["id"]

    created = api.post(
        "/crm/v4/associations/deals/companies/batch/create",
        {"inputs": [{"from": {"id": d}, "to": {"id": company}, "types": [_spec(341)]} for d in deals[:2]]},
    )
    assert created.status == 201
    assert len(created.body["results"]) == 2

    read = api.post("/crm/v4/associations/deals/companies/batch/read", {"inputs": [{"id": d} for d in deals]})
    assert read.status == 207
    assert {r["from"]["id"] for r in read.body["results"]} == set(deals[:2])
    assert read.body["results"][0]["to"][0] == {
        "toObjectId": company,
        "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 341, "label": None}],
    }
    assert read.body["errors"][0]["context"] == {"fromObjectId": [deals[2]]}

    archived = api.post(
        "/crm/v4/associations/deals/companies/batch/archive",
        {"inputs": [{"from": {"id": deals[0]}, "to": [{"id": company}]}]},
    )
    assert archived.status == 204
    again = api.post("/crm/v4/associations/deals/companies/batch/read", {"inputs": [{"id": deals[1]}]})
    assert again.status == 200


def test_batch_read_takes_1000_inputs_and_no_more(api: Api) -> None:
    ok = api.post(
        "/crm/v4/associations/deals/companies/batch/read", {"inputs": [{"id": str(i)} for i in range(1000)]}
    )
    too_many = api.post(
        "/crm/v4/associations/deals/companies/batch/read", {"inputs": [{"id": str(i)} for i in range(1001)]}
    )

    assert ok.status == 207
    assert too_many.status == 400


def test_batch_create_over_100_is_rejected(api: Api) -> None:
    inputs = [{"from": {"id": "1"}, "to": {"id": "2"}, "types": [_spec(341)]}] * 101

    assert api.post("/crm/v4/associations/deals/companies/batch/create", {"inputs": inputs}).status == 400


def test_task_to_deal_type_ids(api: Api) -> None:
    deal = api.create("deals", {"dealname": "d"})["id"]
    task = api.create("tasks", {"hs_task_subject": "t", "hs_timestamp": "2026-12-02T09:00:00Z"})["id"]

    api.put(f"/crm/v4/objects/tasks/{task}/associations/deals/{deal}", [_spec(216)])

    assert _type_ids(api, f"/crm/v4/objects/deals/{deal}/associations/tasks") == {task: [215]}
