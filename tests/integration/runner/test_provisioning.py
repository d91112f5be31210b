"""What the runner creates on moto is what template.yaml declares."""

from __future__ import annotations

import json
import os

from cosell_local.runner import LocalStack
from tests.support.cfn import load_template

RESOURCES = load_template("template.yaml")["Resources"]


def _attributes(stack: LocalStack, url: str) -> dict[str, str]:
    attributes: dict[str, str] = stack.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["All"]
    )["Attributes"]
    return attributes


def test_sync_queue_and_its_dead_letter_queue_match_the_template(shared_stack: LocalStack) -> None:
    stack = shared_stack
    declared = RESOURCES["SyncQueue"]["Properties"]
    queue = _attributes(stack, stack.sync_queue_url)
    dead_letter = _attributes(stack, stack.dead_letter_queue_url)
    for name in ("VisibilityTimeout", "MessageRetentionPeriod"):
        assert queue[name] == str(declared[name])
    for name in ("DeduplicationScope", "FifoThroughputLimit"):
        assert queue[name] == declared[name]
    assert queue["FifoQueue"] == queue["SqsManagedSseEnabled"] == "true"
    assert json.loads(queue["RedrivePolicy"]) == {
        "deadLetterTargetArn": dead_letter["QueueArn"],
        "maxReceiveCount": declared["RedrivePolicy"]["maxReceiveCount"],
    }
    assert dead_letter["FifoQueue"] == "true"
    assert dead_letter["MessageRetentionPeriod"] == str(
        RESOURCES["SyncDeadLetterQueue"]["Properties"]["MessageRetentionPeriod"]
    )


def test_state_table_matches_the_template(shared_stack: LocalStack) -> None:
    stack = shared_stack
    declared = RESOURCES["StateTable"]["Properties"]
    dynamodb = stack.client("dynamodb")
    table = dynamodb.describe_table(TableName=stack.state_table_name)["Table"]
    assert table["KeySchema"] == declared["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(declared["AttributeDefinitions"], key=str)
    assert table["BillingModeSummary"]["BillingMode"] == declared["BillingMode"]
    ttl = dynamodb.describe_time_to_live(TableName=stack.state_table_name)["TimeToLiveDescription"]
    assert ttl == {
        "AttributeName": declared["TimeToLiveSpecification"]["AttributeName"],
        "TimeToLiveStatus": "ENABLED",
    }


def test_audit_table_has_the_template_indexes_ttl_and_deletion_protection(shared_stack: LocalStack) -> None:
    stack = shared_stack
    declared = RESOURCES["AuditTable"]["Properties"]
    assert stack.resources is not None
    name = stack.resources.refs["AuditTable"]
    assert os.environ["AUDIT_TABLE_NAME"] == name
    dynamodb = stack.client("dynamodb")
    table = dynamodb.describe_table(TableName=name)["Table"]
    assert table["KeySchema"] == declared["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(declared["AttributeDefinitions"], key=str)
    indexes = {
        index["IndexName"]: (index["KeySchema"], index["Projection"])
        for index in table["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        index["IndexName"]: (index["KeySchema"], index["Projection"])
        for index in declared["GlobalSecondaryIndexes"]
    }
    assert table["DeletionProtectionEnabled"] is True
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {"AttributeName": "expires_at", "TimeToLiveStatus": "ENABLED"}


def test_partner_central_rule_has_the_template_pattern_and_queue_target(shared_stack: LocalStack) -> None:
    stack = shared_stack
    declared = RESOURCES["PartnerCentralEventsRule"]["Properties"]
    events = stack.client("events")
    (rule,) = [r for r in events.list_rules()["Rules"] if r["Name"].startswith(stack.stack_name)]
    assert json.loads(rule["EventPattern"]) == declared["EventPattern"]
    (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == _attributes(stack, stack.sync_queue_url)["QueueArn"]
    assert target["SqsParameters"] == declared["Targets"][0]["SqsParameters"]


def test_handlers_environment_is_set_while_running_and_restored_after() -> None:
    before = dict(os.environ)
    with LocalStack(poll_in_background=False, run_schedules=False) as stack:
        declared = load_template("template.yaml")["Globals"]["Function"]["Environment"]["Variables"]
        assert set(declared) <= set(os.environ)
        # Secrets are read at run time from Secrets Manager, as deployed: named, never given in clear. Both
        # live in one secret, each variable naming its member.
        secrets = stack.client("secretsmanager")
        for name, member, value in (
            ("HUBSPOT_ACCESS_TOKEN", "accessToken", stack.hubspot_token),
            ("HUBSPOT_WEBHOOK_SECRET", "webhookSecret", stack.webhook_secret),
        ):
            assert name not in os.environ
            secret_arn, _, key = os.environ[f"{name}_SOURCE"].partition("#")
            assert key == member
            stored = json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"])
            assert stored[key] == value
        assert os.environ["SYNC_QUEUE_URL"] == stack.sync_queue_url
        assert os.environ["ENVIRONMENT"] == "development"
        assert os.environ["PARTNER_CENTRAL_CATALOG"] == "Sandbox"
        assert os.environ["HUBSPOT_WEBHOOK_URL"] == stack.webhook_url
        assert os.environ["AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING"] == stack.partner_central_url
    assert dict(os.environ) == before
