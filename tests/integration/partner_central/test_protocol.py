"""AWS JSON 1.0 as boto3 speaks it: targets, signatures, error shapes and status codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
import botocore
import pytest
import urllib3
from botocore.exceptions import ClientError

from tests.integration.partner_central.conftest import create, error_of, make_client, raw_post

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi, PartnerCentralEmulator


SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/partnercentral-selling/aws4_request",
    "Content-Type": "application/x-amz-json-1.0",
}


def test_an_unmodified_client_finds_the_emulator_through_the_service_endpoint_variable(
    emulator: PartnerCentralEmulator, control: ControlApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING", emulator.url)
    client = boto3.client(
        "partnercentral-selling",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    solutions = client.list_solutions(Catalog="Sandbox")["SolutionSummaries"]
    assert "S-1234567" in {solution["Id"] for solution in solutions}
    assert control.calls("ListSolutions")[0]["Catalog"] == "Sandbox"


def test_a_request_without_a_signature_is_refused_as_aws_refuses_it(
    emulator: PartnerCentralEmulator, control: ControlApi
) -> None:
    unsigned = make_client(emulator.url, signature_version=botocore.UNSIGNED)
    with pytest.raises(ClientError) as excinfo:
        unsigned.list_solutions(Catalog="Sandbox")
    assert error_of(excinfo)["Error"]["Code"] == "MissingAuthenticationTokenException"
    assert error_of(excinfo)["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert control.calls() == []


def test_a_signature_that_is_not_sigv4_is_refused(
    emulator: PartnerCentralEmulator, control: ControlApi
) -> None:
    status, body = raw_post(
        emulator.url,
        b"{}",
        {
            **SIGNED,
            "Authorization": "Basic dGVzdA==",
            "X-Amz-Target": "AWSPartnerCentralSelling.ListSolutions",
        },
    )
    assert (status, body["__type"]) == (403, "IncompleteSignatureException")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("AWSPartnerCentralSelling.NoSuchOperation", "UnknownOperationException"),
        ("SomeOtherService.ListSolutions", "UnknownOperationException"),
        ("", "UnknownOperationException"),
    ],
)
def test_unknown_targets_are_unknown_operations(
    emulator: PartnerCentralEmulator, control: ControlApi, target: str, expected: str
) -> None:
    status, body = raw_post(emulator.url, b"{}", {**SIGNED, "X-Amz-Target": target})
    assert (status, body["__type"]) == (400, expected)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/x-amz-json-1.0"),
        (b"[]", "application/x-amz-json-1.0"),
        (b"{}", "text/plain"),
    ],
)
def test_bodies_that_are_not_aws_json_are_serialization_errors(
    emulator: PartnerCentralEmulator, control: ControlApi, body: bytes, content_type: str
) -> None:
    headers = {
        **SIGNED,
        "Content-Type": content_type,
        "X-Amz-Target": "AWSPartnerCentralSelling.ListSolutions",
    }
    status, answer = raw_post(emulator.url, body, headers)
    assert (status, answer["__type"]) == (400, "SerializationException")


def test_errors_carry_type_message_and_the_shape_members(pc: PartnerCentralSellingAPIClient) -> None:
    with pytest.raises(pc.exceptions.ResourceNotFoundException) as excinfo:
        pc.get_opportunity(Catalog="Sandbox", Identifier="O123")
    error = error_of(excinfo)
    assert error["Error"]["Message"] == "Opportunity O123 was not found in catalog Sandbox"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ResourceNotFoundException"


def test_a_fault_shape_is_answered_with_500(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> None:
    control.configure_faults(internal_error_rate=1.0)
    with pytest.raises(pc.exceptions.InternalServerException) as excinfo:
        pc.list_solutions(Catalog="Sandbox")
    assert error_of(excinfo)["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_datetimes_travel_as_iso_8601_and_parse_in_boto3(pc: PartnerCentralSellingAPIClient) -> None:
    identifier = create(pc)
    record = pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)
    assert record["CreatedDate"].tzinfo is not None
    assert record["LastModifiedDate"] >= record["CreatedDate"]


def test_other_paths_are_not_found(emulator: PartnerCentralEmulator) -> None:
    assert urllib3.request("GET", emulator.url + "/nothing-here").status == 404


def test_an_unknown_catalog_is_a_validation_error(pc: PartnerCentralSellingAPIClient) -> None:
    with pytest.raises(pc.exceptions.ValidationException) as excinfo:
        pc.list_solutions(Catalog="Production")
    assert error_of(excinfo)["ErrorList"] == [
        {"FieldName": "Catalog", "Message": "must be one of: AWS, Sandbox", "Code": "INVALID_VALUE"}
    ]


def test_responses_hold_only_members_of_the_output_shape(pc: PartnerCentralSellingAPIClient) -> None:
    identifier = create(pc)
    summary = pc.list_opportunities(Catalog="Sandbox")["OpportunitySummaries"][0]
    assert summary["Id"] == identifier
    # The list view's address has no street: AddressSummary does not model it.
    assert "StreetAddress" not in summary["Customer"]["Account"]["Address"]
    assert "Contacts" not in summary["Customer"]
