"""The Partner Central client's session reads botocore's files through the process's one loader."""

from __future__ import annotations

from cosell import aws_clients
from cosell.config.sync import load_operator_settings
from cosell.partner_central.client import partner_central_client

ROLE = "arn:aws:iam::123456789012:role/HubSpotPartnerCentralServiceRole"


def test_every_client_shares_the_loader_and_its_search_paths_stay_as_they_were(aws: str) -> None:
    settings = load_operator_settings(
        {
            "ENVIRONMENT": "development",
            "AWS_REGION": "us-east-1",
            "PARTNER_CENTRAL_ROLE_ARN": ROLE,
            "HUBSPOT_ACCESS_TOKEN": "pat-local",
            "HUBSPOT_WEBHOOK_SECRET": "local-secret",
        }
    )
    clients = [partner_central_client(settings, session_name=f"test-{n}") for n in range(3)]
    loader = aws_clients.loader()
    assert all(client.meta.service_model.service_name == "partnercentral-selling" for client in clients)
    assert len(loader.search_paths) == len(set(loader.search_paths))  # boto3 appends its own on every session
    assert aws_clients.client("sts", "us-east-1").meta.service_model.service_name == "sts"
