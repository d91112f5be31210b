"""At DEBUG, botocore writes whole requests and answers to the logs: STS's temporary credentials, and the
contacts of an opportunity. None of it may reach a log line, while the ids an operator needs do."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

import boto3

from cosell.observability import redact_every_logger
from tests.integration.partner_central.conftest import partner_referral

if TYPE_CHECKING:
    from cosell_local.partner_central import ControlApi, PartnerCentralEmulator

EMAIL = "jane.doe@customer-example.com"
PHONE = "+14155550134"


def test_botocore_at_debug_writes_no_credential_and_no_contact(
    aws: str, emulator: PartnerCentralEmulator, control: ControlApi
) -> None:
    redact_every_logger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # as the Lambda runtime's: on the root logger, plain format
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        credentials = boto3.client("sts").assume_role(
            RoleArn="arn:aws:iam::123456789012:role/HubSpotPartnerCentralServiceRole",
            RoleSessionName="redaction",
            ExternalId="5f0c3a2e-8d1b-11ef-9c1a-0a1b2c3d4e5f",
        )["Credentials"]
        body = partner_referral()  # on a freshly reset emulator (`control`): its ClientToken is new there
        body["Customer"]["Contacts"] = [
            {"Email": EMAIL, "Phone": PHONE, "FirstName": "Jane", "LastName": "Doe"}
        ]
        # Signed with the assumed role's credentials, as cosell.partner_central.client signs: botocore's
        # CanonicalRequest line then carries the session token (`x-amz-security-token:<token>`).
        partner_central = boto3.client(
            "partnercentral-selling",
            region_name="us-east-1",
            endpoint_url=emulator.url,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        opportunity_id = partner_central.create_opportunity(**body)["Id"]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    text = stream.getvalue()
    assert "AssumeRole" in text
    assert "CreateOpportunity" in text
    assert "x-amz-security-token:" in text
    for value in (credentials["SecretAccessKey"], credentials["SessionToken"], EMAIL, PHONE):
        assert value not in text, value
    assert opportunity_id in text
