"""Properties, property groups, deal pipelines and owners over plain HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conftest import Api

AWS_GROUP = {"name": "aws_cosell", "label": "AWS co-sell", "displayOrder": 5}
AWS_STAGE = {
    "name": "aws_review_status",
    "label": "AWS review status",
    "type": "enumeration",
    "fieldType": "select",
    "groupName": "aws_cosell",
    "options": [
        {"label": "Approved", "value": "Approved", "hidden": False},
        {"label": "Rejected", "value": "Rejected", "hidden": False},
    ],
}


def test_group_and_property_lifecycle(api: Api) -> None:
    assert api.post("/crm/v3/properties/deals/groups", AWS_GROUP).status == 201
    created = api.post("/crm/v3/properties/deals", AWS_STAGE)

    assert created.status == 201
    assert created.body["hubspotDefined"] is False
    assert [o["value"] for o in created.body["options"]] == ["Approved", "Rejected"]
    assert api.get("/crm/v3/properties/deals/aws_review_status").body["groupName"] == "aws_cosell"
    assert "aws_review_status" in {p["name"] for p in api.get("/crm/v3/properties/deals").body["results"]}
    assert api.get("/crm/v3/properties/deals/groups/aws_cosell").body == {**AWS_GROUP, "archived": False}
    assert "aws_cosell" in {g["name"] for g in api.get("/crm/v3/properties/deals/groups").body["results"]}


def test_new_property_is_usable_and_validates_options(api: Api) -> None:
    api.post("/crm/v3/properties/deals/groups", AWS_GROUP)
    api.post("/crm/v3/properties/deals", AWS_STAGE)

    ok = api.post("/crm/v3/objects/deals", {"properties": {"aws_review_status": "Approved"}})
    bad = api.post("/crm/v3/objects/deals", {"properties": {"aws_review_status": "Maybe"}})

    assert ok.status == 201
    assert bad.status == 400
    assert bad.body["errors"][0]["code"] == "INVALID_OPTION"


def test_duplicates_answer_409_object_already_exists(api: Api) -> None:
    api.post("/crm/v3/properties/deals/groups", AWS_GROUP)
    api.post("/crm/v3/properties/deals", AWS_STAGE)

    property_again = api.post("/crm/v3/properties/deals", AWS_STAGE)
    group_again = api.post("/crm/v3/properties/deals/groups", AWS_GROUP)
    builtin_again = api.post(
        "/crm/v3/properties/deals",
        {
            "name": "dealname",
            "label": "x",
            "type": "string",
            "fieldType": "text",
            "groupName": "dealinformation",
        },
    )

    for answer in (property_again, group_again, builtin_again):
        assert answer.status == 409
        assert answer.body["category"] == "OBJECT_ALREADY_EXISTS"
        assert answer.body["correlationId"]
    assert property_again.body["message"] == "Property named 'aws_review_status' already exists."


def test_property_create_is_validated(api: Api) -> None:
    base = {
        "name": "aws_x",
        "label": "X",
        "type": "string",
        "fieldType": "text",
        "groupName": "dealinformation",
    }

    assert api.post("/crm/v3/properties/deals", {**base, "groupName": "nope"}).status == 400
    assert api.post("/crm/v3/properties/deals", {**base, "fieldType": "select"}).status == 400
    assert api.post("/crm/v3/properties/deals", {**base, "name": "Bad Name"}).status == 400
    assert (
        api.post("/crm/v3/properties/deals", {**base, "type": "enumeration", "fieldType": "select"}).status
        == 400
    )
    missing = api.post("/crm/v3/properties/deals", {"name": "aws_y"})
    assert missing.status == 400
    assert {e["in"] for e in missing.body["errors"]} == {"label", "type", "fieldType", "groupName"}


def test_property_patch_and_404(api: Api) -> None:
    api.post(
        "/crm/v3/properties/companies",
        {
            "name": "aws_x",
            "label": "X",
            "type": "string",
            "fieldType": "text",
            "groupName": "companyinformation",
        },
    )

    assert api.patch("/crm/v3/properties/companies/aws_x", {"label": "Renamed"}).body["label"] == "Renamed"
    assert api.get("/crm/v3/properties/companies/aws_nope").status == 404
    assert api.get("/crm/v3/properties/companies/groups/nope").status == 404


def test_default_pipeline_has_hubspot_stage_ids_and_string_metadata(api: Api) -> None:
    pipelines = api.get("/crm/v3/pipelines/deals").body["results"]

    default = pipelines[0]
    assert default["id"] == "default"
    assert [s["id"] for s in default["stages"]] == [
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "closedwon",
        "closedlost",
    ]
    closed_won = default["stages"][5]
    assert closed_won["metadata"] == {"isClosed": "true", "probability": "1.0"}
    assert default["stages"][0]["metadata"] == {"isClosed": "false", "probability": "0.2"}


def test_custom_pipeline_gets_numeric_ids_and_is_usable(api: Api) -> None:
    created = api.post(
        "/crm/v3/pipelines/deals",
        {
            "label": "Co-sell",
            "displayOrder": 1,
            "stages": [
                {"label": "Open", "displayOrder": 0, "metadata": {"probability": "0.5"}},
                {"label": "Won", "displayOrder": 1, "metadata": {"probability": "1.0", "isClosed": "true"}},
            ],
        },
    )
    assert created.status == 201
    pipeline = created.body
    assert pipeline["id"].isdigit()
    assert all(stage["id"].isdigit() for stage in pipeline["stages"])

    won = pipeline["stages"][1]["id"]
    deal = api.create("deals", {"dealname": "x", "pipeline": pipeline["id"], "dealstage": won})
    assert deal["properties"]["dealstage"] == won
    wrong = api.post(
        "/crm/v3/objects/deals", {"properties": {"pipeline": pipeline["id"], "dealstage": "closedwon"}}
    )
    assert wrong.status == 400
    assert (
        api.get(f"/crm/v3/pipelines/deals/{pipeline['id']}/stages").body["results"][1]["metadata"]["isClosed"]
        == "true"
    )
    assert api.get("/crm/v3/pipelines/deals/nope").status == 404


def test_owners_list_filter_and_get(api: Api) -> None:
    owners = api.get("/crm/v3/owners").body["results"]
    first = owners[0]

    assert {"id", "email", "firstName", "lastName", "userId", "type", "archived"} <= set(first)
    by_email = api.get(f"/crm/v3/owners?email={first['email'].upper()}").body["results"]
    assert [o["id"] for o in by_email] == [first["id"]]
    assert api.get(f"/crm/v3/owners/{first['id']}").body["email"] == first["email"]
    assert api.get("/crm/v3/owners/1").status == 404
    paged = api.get("/crm/v3/owners?limit=1").body
    assert len(paged["results"]) == 1
    assert paged["paging"]["next"]["after"] == "1"


def test_owner_can_be_assigned_to_a_deal(api: Api) -> None:
    owner_id = api.get("/crm/v3/owners").body["results"][1]["id"]

    deal = api.create("deals", {"dealname": "x", "hubspot_owner_id": owner_id})

    assert deal["properties"]["hubspot_owner_id"] == owner_id
