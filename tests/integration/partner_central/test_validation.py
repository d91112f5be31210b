"""Request validation walked over botocore's model: what AWS answers with REQUEST_VALIDATION_FAILED.

The client here skips botocore's own client-side checks, so the emulator sees what a careless caller sends.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.partner_central.conftest import (
    error_of,
    field_codes,
    make_client,
    partner_referral,
    raw_post,
)
from tests.integration.partner_central.test_protocol import SIGNED

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi, PartnerCentralEmulator


@pytest.fixture
def unchecked(emulator: PartnerCentralEmulator, control: ControlApi) -> PartnerCentralSellingAPIClient:
    return make_client(emulator.url, parameter_validation=False)


def rejected(client: PartnerCentralSellingAPIClient, body: dict[str, Any]) -> pytest.ExceptionInfo[Any]:
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.create_opportunity(**body)
    assert error_of(excinfo)["Reason"] == "REQUEST_VALIDATION_FAILED"
    return excinfo


def with_change(path: str, value: Any) -> dict[str, Any]:
    body = partner_referral()
    target = body
    *parents, leaf = path.split(".")
    for parent in parents:
        target = target[int(parent)] if parent.isdigit() else target[parent]
    if value is None:
        del target[leaf]
    else:
        target[leaf] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "field", "code"),
    [
        (
            "Project.ExpectedContractDuration",
            {"Value": "12"},
            "Project.ExpectedContractDuration.Term",
            "REQUIRED_FIELD_MISSING",
        ),
        ("Customer.Account.CompanyName", None, "Customer.Account.CompanyName", "REQUIRED_FIELD_MISSING"),
        (
            "Project.ExpectedCustomerSpend.0.Frequency",
            None,
            "Project.ExpectedCustomerSpend[0].Frequency",
            "REQUIRED_FIELD_MISSING",
        ),
        ("LifeCycle.Stage", "Won", "LifeCycle.Stage", "INVALID_ENUM_VALUE"),
        ("Customer.Account.Industry", "Banking", "Customer.Account.Industry", "INVALID_ENUM_VALUE"),
        (
            "Customer.Contacts.0.Email",
            "Pat@Example.com",
            "Customer.Contacts[0].Email",
            "INVALID_STRING_FORMAT",
        ),
        ("Customer.Contacts.0.Phone", "206-555-0100", "Customer.Contacts[0].Phone", "INVALID_STRING_FORMAT"),
        ("LifeCycle.TargetCloseDate", "11/10/2029", "LifeCycle.TargetCloseDate", "INVALID_STRING_FORMAT"),
        (
            "Project.CustomerBusinessProblem",
            "x" * 19,
            "Project.CustomerBusinessProblem",
            "INVALID_STRING_FORMAT",
        ),
        (
            "Project.CustomerBusinessProblem",
            "x" * 2001,
            "Project.CustomerBusinessProblem",
            "INVALID_STRING_FORMAT",
        ),
        (
            "Project.ExpectedCustomerSpend.0.Amount",
            "12.345",
            "Project.ExpectedCustomerSpend[0].Amount",
            "INVALID_STRING_FORMAT",
        ),
        ("Customer.Account.Duns", "12345", "Customer.Account.Duns", "INVALID_STRING_FORMAT"),
        (
            "Project.ExpectedCustomerSpend.0.Amount",
            12500,
            "Project.ExpectedCustomerSpend[0].Amount",
            "INVALID_VALUE",
        ),
        ("Project.Title", 42, "Project.Title", "INVALID_VALUE"),
        ("OpportunityTeam", [{"FirstName": "A"}] * 11, "OpportunityTeam", "TOO_MANY_VALUES"),
        ("Tags", [], "Tags", "NOT_ENOUGH_VALUES"),
        ("Tags", [{"Key": "bad#key", "Value": "v"}], "Tags[0].Key", "INVALID_STRING_FORMAT"),
    ],
)
def test_create_opportunity_rejects_what_the_model_forbids(
    unchecked: PartnerCentralSellingAPIClient, path: str, value: Any, field: str, code: str
) -> None:
    excinfo = rejected(unchecked, with_change(path, value))
    assert (field, code) in field_codes(excinfo)


def test_structures_and_lists_of_the_wrong_json_type_are_rejected(
    emulator: PartnerCentralEmulator, control: ControlApi
) -> None:
    body = partner_referral(Customer="ACME", PrimaryNeedsFromAws="Co-Sell - Architectural Validation")
    status, answer = raw_post(
        emulator.url,
        json.dumps(body).encode(),
        {**SIGNED, "X-Amz-Target": "AWSPartnerCentralSelling.CreateOpportunity"},
    )
    assert status == 400
    assert {(item["FieldName"], item["Code"]) for item in answer["ErrorList"]} == {
        ("Customer", "INVALID_VALUE"),
        ("PrimaryNeedsFromAws", "INVALID_VALUE"),
    }


def test_a_datetime_that_is_not_iso_8601_is_rejected(
    emulator: PartnerCentralEmulator, control: ControlApi
) -> None:
    status, answer = raw_post(
        emulator.url,
        json.dumps(
            {"Catalog": "Sandbox", "LastModifiedDate": {"AfterLastModifiedDate": "yesterday"}}
        ).encode(),
        {**SIGNED, "X-Amz-Target": "AWSPartnerCentralSelling.ListOpportunities"},
    )
    assert status == 400
    assert answer["ErrorList"] == [
        {
            "FieldName": "LastModifiedDate.AfterLastModifiedDate",
            "Message": "must be an ISO 8601 date-time",
            "Code": "INVALID_VALUE",
        }
    ]


def test_every_violation_is_reported_at_once(unchecked: PartnerCentralSellingAPIClient) -> None:
    body = with_change("LifeCycle.Stage", "Won")
    body["Customer"]["Contacts"][0]["Email"] = "UPPER@EXAMPLE.COM"
    del body["Customer"]["Account"]["CompanyName"]
    excinfo = rejected(unchecked, body)
    assert field_codes(excinfo) == {
        ("LifeCycle.Stage", "INVALID_ENUM_VALUE"),
        ("Customer.Contacts[0].Email", "INVALID_STRING_FORMAT"),
        ("Customer.Account.CompanyName", "REQUIRED_FIELD_MISSING"),
    }
    assert all(item["Message"] for item in error_of(excinfo)["ErrorList"])


def test_unicode_letters_are_valid_in_tags(unchecked: PartnerCentralSellingAPIClient) -> None:
    body = partner_referral(Tags=[{"Key": "Schlüssel", "Value": "café au lait"}])
    assert unchecked.create_opportunity(**body)["Id"].startswith("O")


def test_a_rejected_request_changes_nothing(unchecked: PartnerCentralSellingAPIClient) -> None:
    rejected(unchecked, with_change("LifeCycle.Stage", "Won"))
    assert unchecked.list_opportunities(Catalog="Sandbox")["OpportunitySummaries"] == []


@pytest.mark.parametrize(
    ("request_body", "field", "code"),
    [
        ({"Catalog": "Sandbox", "MaxResults": 0}, "MaxResults", "VALUE_OUT_OF_RANGE"),
        ({"Catalog": "Sandbox", "MaxResults": 101}, "MaxResults", "VALUE_OUT_OF_RANGE"),
        ({"Catalog": "Sandbox", "MaxResults": "10"}, "MaxResults", "INVALID_VALUE"),
        ({"Catalog": "Sandbox", "Identifier": [f"O{n}" for n in range(21)]}, "Identifier", "TOO_MANY_VALUES"),
        ({"Catalog": "Sandbox", "Identifier": ["X1"]}, "Identifier[0]", "INVALID_STRING_FORMAT"),
        ({"Catalog": "Sandbox", "Sort": {"SortOrder": "ASCENDING"}}, "Sort.SortBy", "REQUIRED_FIELD_MISSING"),
        ({}, "Catalog", "REQUIRED_FIELD_MISSING"),
    ],
)
def test_list_opportunities_request_checks(
    unchecked: PartnerCentralSellingAPIClient, request_body: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(unchecked.exceptions.ValidationException) as excinfo:
        unchecked.list_opportunities(**request_body)
    assert (field, code) in field_codes(excinfo)


def test_any_operation_is_checked_against_its_own_input_shape(
    unchecked: PartnerCentralSellingAPIClient,
) -> None:
    with pytest.raises(unchecked.exceptions.ValidationException) as excinfo:
        unchecked.list_engagement_invitations(Catalog="Sandbox", ParticipantType="OBSERVER")
    assert field_codes(excinfo) == {("ParticipantType", "INVALID_ENUM_VALUE")}


def test_update_needs_its_concurrency_token(unchecked: PartnerCentralSellingAPIClient) -> None:
    with pytest.raises(unchecked.exceptions.ValidationException) as excinfo:
        unchecked.update_opportunity(Catalog="Sandbox", Identifier="O1")
    assert ("LastModifiedDate", "REQUIRED_FIELD_MISSING") in field_codes(excinfo)
