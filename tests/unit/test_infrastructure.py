"""The templates say what the code needs, and no more."""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cosell.config.sync import FunctionSettings, load_settings
from tests.support.cfn import ROOT, load_template

IAM_STACK = load_template("infra/iam-role.yaml")
ROLE = IAM_STACK["Resources"]["PartnerCentralServiceRole"]["Properties"]
# The service principal of Partner Central's resource snapshot jobs (developer-guide/working-with-multi-
# partner-opportunities.html, "Creating a custom policy for ResourceSnapshotJobRole").
SNAPSHOT_JOB_SERVICE = "resource-snapshot-job.partnercentral-selling.amazonaws.com"
TEMPLATE = load_template("template.yaml")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def partner_central_operations_called_by_code() -> set[str]:
    """Partner Central operations cosell's code calls: client methods, and paginators by name."""
    model = botocore.session.get_session().get_service_model("partnercentral-selling")
    by_method = {_snake(operation): operation for operation in model.operation_names}
    called: set[str] = set()
    for path in (ROOT / "src" / "cosell").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in by_method:
                called.add(by_method[node.attr])
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get_paginator"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in by_method  # other services' paginators (DynamoDB scan, ...)
            ):
                called.add(by_method[str(node.args[0].value)])
    return called


def _statements(policy_holder: dict[str, Any]) -> list[dict[str, Any]]:
    """Every statement, a conditional one (`!If [condition, statement, AWS::NoValue]`) as if its condition held."""
    found = []
    for policy in policy_holder["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:
                statement = statement["Fn::If"][1]
            found.append(statement)
    return found


# What a task runs as its caller: StartEngagementFromOpportunityTask "automatically executes a sequence of
# operations including GetOpportunity, CreateEngagement (if it doesn't exist), CreateResourceSnapshot,
# CreateResourceSnapshotJob, CreateEngagementInvitation (if not already invited/accepted), and
# SubmitOpportunity" (APIReference/API_StartEngagementFromOpportunityTask.html); the Service Authorization
# Reference adds StartResourceSnapshotJob and TagResource to what it authorizes.
RUN_BY_TASKS = {
    "StartEngagementFromOpportunityTask": {
        "GetOpportunity",
        "CreateEngagement",
        "CreateResourceSnapshot",
        "CreateResourceSnapshotJob",
        "CreateEngagementInvitation",
        "StartResourceSnapshotJob",
        "SubmitOpportunity",
        "TagResource",
    },
}


def _selling_api_statements() -> list[dict[str, Any]]:
    return [s for s in _statements(ROLE) if s.get("Sid") != "PassSnapshotJobRole"]


def test_role_grants_exactly_the_partner_central_actions_the_code_calls_and_its_tasks_run() -> None:
    actions = {action for s in _selling_api_statements() for action in s["Action"]}
    assert all(action.startswith("partnercentral:") for action in actions), actions
    called = partner_central_operations_called_by_code()
    run_by_tasks = {action for task, runs in RUN_BY_TASKS.items() if task in called for action in runs}
    assert {action.removeprefix("partnercentral:") for action in actions} == called | run_by_tasks


def test_role_may_pass_only_the_snapshot_job_role_and_only_to_partner_central() -> None:
    (passing,) = [s for s in _statements(ROLE) if s.get("Sid") == "PassSnapshotJobRole"]
    assert passing["Action"] == "iam:PassRole"
    assert passing["Resource"] == {"Fn::GetAtt": ["ResourceSnapshotJobRole", "Arn"]}
    assert passing["Condition"]["StringEquals"]["iam:PassedToService"] == SNAPSHOT_JOB_SERVICE


def test_snapshot_job_role_is_the_managed_policy_fenced_to_the_catalog_and_trusts_only_its_service() -> None:
    job_role = IAM_STACK["Resources"]["ResourceSnapshotJobRole"]["Properties"]
    (trust,) = job_role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": SNAPSHOT_JOB_SERVICE}
    statements = _statements(job_role)
    assert {s["Action"] for s in statements} == {
        "partnercentral:CreateResourceSnapshot",
        "partnercentral:GetOpportunity",
    }
    assert all("${Catalog}" in s["Resource"]["Fn::Sub"] for s in statements)
    assert "ResourceSnapshotJobRoleArn" in IAM_STACK["Outputs"]


def test_role_is_fenced_to_one_catalog() -> None:
    for statement in _selling_api_statements():
        assert statement["Condition"]["StringEquals"]["partnercentral:Catalog"] == {"Ref": "Catalog"}


def _functions_trust() -> dict[str, Any]:
    trust, _operators = ROLE["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Sid"] == "CosellFunctionRolesOnly"
    return dict(trust)


STACK_UUID = {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}


def test_trust_policy_requires_this_installs_external_id_and_names_no_wildcard_principal() -> None:
    trust = _functions_trust()
    stack_uuid = {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}
    assert trust["Condition"]["StringEquals"]["sts:ExternalId"] == stack_uuid
    assert IAM_STACK["Outputs"]["ExternalId"]["Value"] == stack_uuid
    assert "ExternalId" not in IAM_STACK["Parameters"]  # nothing public to default to
    assert "Default" not in TEMPLATE["Parameters"]["PartnerCentralExternalId"]
    principal = trust["Principal"]
    assert principal != "*"
    assert "*" not in str(principal["AWS"])
    assert "ArnLike" not in trust["Condition"]
    assert "*" not in json.dumps(trust["Condition"])


def test_operators_roles_are_trusted_only_when_named_and_only_with_the_external_id() -> None:
    """The CLI's Partner Central commands run as an operator's role, which the stack admits only if its
    OperatorRoleArns names it (empty by default), on the functions' terms."""
    _functions, operators = ROLE["AssumeRolePolicyDocument"]["Statement"]
    condition, statement, otherwise = operators["Fn::If"]
    assert condition == "AdmitsOperators"
    assert otherwise == {"Ref": "AWS::NoValue"}
    assert IAM_STACK["Conditions"]["AdmitsOperators"] == {
        "Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", {"Ref": "OperatorRoleArns"}]}, ""]}]
    }
    assert IAM_STACK["Parameters"]["OperatorRoleArns"]["Default"] == ""
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == _functions_trust()["Principal"]
    assert statement["Condition"] == {
        "StringEquals": {"sts:ExternalId": STACK_UUID},
        "ArnLike": {"aws:PrincipalArn": {"Ref": "OperatorRoleArns"}},
    }


@pytest.mark.parametrize(
    ("element", "admitted"),
    [
        ("", True),  # the default: no operator
        ("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_RevOps_*", True),
        ("arn:aws:iam::123456789012:role/cosell-operator", True),
        ("*", False),
        ("arn:aws:iam::123456789012:*", False),
        ("arn:aws:iam::123456789012:role/*", False),  # every role in the account
        ("arn:aws:iam::123456789012:user/jane", False),
    ],
)
def test_operator_roles_are_named_never_every_role_of_the_account(element: str, admitted: bool) -> None:
    """CloudFormation matches the pattern against each element of the list."""
    pattern = IAM_STACK["Parameters"]["OperatorRoleArns"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, element, re.ASCII)) is admitted


def _trusted_role_suffixes() -> set[str]:
    trust = _functions_trust()
    prefix = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cosell/${CosellStackName}-"
    arns = [arn["Fn::Sub"] for arn in trust["Condition"]["StringEquals"]["aws:PrincipalArn"]]
    assert all(arn.startswith(prefix) for arn in arns), arns
    return {arn.removeprefix(prefix) for arn in arns}


def _functions() -> dict[str, dict[str, Any]]:
    resources = TEMPLATE["Resources"]
    return {
        name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"
    }


def test_every_handler_the_template_names_exists() -> None:
    for name, function in _functions().items():
        module_name, _, attribute = function["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module_name), attribute)), name


def _role_of(function: dict[str, Any]) -> dict[str, Any]:
    role: dict[str, Any] = TEMPLATE["Resources"][function["Role"]["Fn::GetAtt"][0]]["Properties"]
    return role


def test_the_service_role_trusts_exactly_the_roles_of_the_functions_that_assume_it() -> None:
    assuming_roles = [
        role
        for role in map(_role_of, _functions().values())
        if any(s["Action"] == "sts:AssumeRole" for s in _statements(role))
    ]
    named = {role["RoleName"]["Fn::Sub"].removeprefix("${AWS::StackName}-") for role in assuming_roles}
    assert all(role["Path"] == "/cosell/" for role in assuming_roles)
    assert named == _trusted_role_suffixes()
    # The longest name must fit IAM's 64 characters with the longest stack name infra/iam-role.yaml allows.
    longest_stack_name = 48
    assert longest_stack_name + 1 + max(map(len, named)) <= 64
    assert IAM_STACK["Parameters"]["CosellStackName"]["AllowedPattern"] == "^[A-Za-z][A-Za-z0-9-]{0,47}$"


def test_only_functions_that_call_partner_central_may_assume_its_role() -> None:
    resources = TEMPLATE["Resources"]
    assumers = {
        name
        for name, function in _functions().items()
        for s in _statements(resources[function["Role"]["Fn::GetAtt"][0]]["Properties"])
        if s["Action"] == "sts:AssumeRole"
    }
    # The solutions API reads the solution catalog from Partner Central when its cache is old.
    assert assumers == {
        "WorkerFunction",
        "InvitationPollFunction",
        "SweepFunction",
        "SolutionsApiFunction",
        "AwsSummaryFunction",
        "EngagementSyncFunction",
        "ResourceSyncFunction",
    }


def _of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == resource_type}


def test_every_function_logs_to_a_group_of_its_own() -> None:
    groups = [function["LoggingConfig"]["LogGroup"]["Ref"] for function in _functions().values()]
    assert set(groups) <= set(_of_type(TEMPLATE, "AWS::Logs::LogGroup"))
    assert len(set(groups)) == len(groups)


def test_every_log_group_is_kept_30_days() -> None:
    for name, group in _of_type(TEMPLATE, "AWS::Logs::LogGroup").items():
        assert group["Properties"]["RetentionInDays"] == 30, name


# --- access logs ------------------------------------------------------------------------------------------

_CONTEXT_VARIABLE = re.compile(r"\$context\.[\w.]+")
# What a request carries (headers, body, query string, API key) stays out of the access logs.
_CONTENT_VARIABLE_PARTS = ("header", "body", "input", "querystring", "useragent", "apikey", "override")


def _apis() -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in _of_type(TEMPLATE, "AWS::Serverless::Api").items()}


def test_every_api_writes_access_logs_to_a_group_of_its_own() -> None:
    assert set(_apis()) == {"WebhookApi", "SolutionsApi"}
    function_groups = {function["LoggingConfig"]["LogGroup"]["Ref"] for function in _functions().values()}
    destinations = [api["AccessLogSetting"]["DestinationArn"] for api in _apis().values()]
    assert all(set(destination) == {"Fn::GetAtt"} for destination in destinations), destinations
    groups = [destination["Fn::GetAtt"] for destination in destinations]
    assert all(attribute == "Arn" for _group, attribute in groups)
    names = {group for group, _attribute in groups}
    assert len(names) == len(groups)  # one per API
    assert names <= set(_of_type(TEMPLATE, "AWS::Logs::LogGroup"))
    assert not names & function_groups


def test_access_logs_are_one_json_format_of_who_and_how_never_what() -> None:
    formats = {api["AccessLogSetting"]["Format"] for api in _apis().values()}
    assert len(formats) == 1, "one format, so one Logs Insights query reads every API's access log"
    (log_format,) = formats
    variables = _CONTEXT_VARIABLE.findall(log_format)
    # Every value is a quoted variable, so each line is JSON whatever API Gateway puts in ("-" for none).
    line = json.loads(_CONTEXT_VARIABLE.sub("-", log_format))
    assert {"requestId", "ip", "caller", "method", "resourcePath", "status", "errorType"} <= set(line)
    assert len(variables) == len(line)
    assert "$" not in _CONTEXT_VARIABLE.sub("", log_format)  # no $input, $stageVariables, ...
    for variable in variables:
        assert not any(part in variable.lower() for part in _CONTENT_VARIABLE_PARTS), variable


# --- what a deletion or a replacement keeps ---------------------------------------------------------------

# The types here that hold something (cfn-lint's I3011 names them): each states what a deletion and a
# replacement do to it.
_STATEFUL_TYPES = (
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
    "AWS::Logs::LogGroup",
)


def _stateful() -> dict[str, dict[str, Any]]:
    return {
        name: r for resource_type in _STATEFUL_TYPES for name, r in _of_type(TEMPLATE, resource_type).items()
    }


def test_every_stateful_resource_states_its_deletion_and_replacement_policies() -> None:
    assert {resource["Type"] for resource in _stateful().values()} == set(_STATEFUL_TYPES)
    for name, resource in _stateful().items():
        assert resource["DeletionPolicy"] in ("Delete", "Retain"), name
        assert resource["UpdateReplacePolicy"] in ("Delete", "Retain"), name


def test_a_log_group_goes_with_the_stack_or_its_name_would_block_the_next_one() -> None:
    for name, group in _of_type(TEMPLATE, "AWS::Logs::LogGroup").items():
        assert "LogGroupName" in group["Properties"], name
        assert group["DeletionPolicy"] == "Delete", name


def test_the_sync_dead_letter_queue_survives_a_replacement() -> None:
    """Failed requests wait there to be replayed; the events DLQ's are read again by the sweep and schedules."""
    redrive_targets = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in _of_type(TEMPLATE, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in q["Properties"]
    }
    assert redrive_targets == {"SyncDeadLetterQueue"}
    assert TEMPLATE["Resources"]["SyncDeadLetterQueue"]["UpdateReplacePolicy"] == "Retain"


# --- checkov ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", [TEMPLATE, IAM_STACK], ids=["template.yaml", "infra/iam-role.yaml"])
def test_every_checkov_skip_names_a_check_and_gives_its_reason(template: dict[str, Any]) -> None:
    for name, resource in template["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV_AWS_\d+", skip["id"]), (name, skip)
            assert len(skip["comment"].split()) >= 8, (name, skip)


def test_access_logging_is_never_skipped() -> None:
    skipped = {
        skip["id"]
        for resource in TEMPLATE["Resources"].values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    }
    assert "CKV_AWS_76" not in skipped
    assert skipped  # the skips are read where checkov reads them


def test_the_api_gateway_logging_role_is_only_for_api_gateway_and_outlives_its_stack() -> None:
    """The account setting stays after the stack goes, so the role it names must stay too."""
    resources = IAM_STACK["Resources"]
    role = resources["ApiGatewayCloudWatchLogsRole"]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert [arn["Fn::Sub"] for arn in role["Properties"]["ManagedPolicyArns"]] == [
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    ]
    assert "Policies" not in role["Properties"]
    assert role["DeletionPolicy"] == role["UpdateReplacePolicy"] == "Retain"
    account = resources["ApiGatewayAccount"]
    assert account["Properties"]["CloudWatchRoleArn"] == {
        "Fn::GetAtt": ["ApiGatewayCloudWatchLogsRole", "Arn"]
    }
    # An account whose region already names a role keeps it.
    assert role["Condition"] == account["Condition"] == "CreatesApiGatewayCloudWatchRole"
    assert IAM_STACK["Parameters"]["ApiGatewayCloudWatchRole"]["Default"] == "create"


def test_runtime_is_python_312() -> None:
    assert TEMPLATE["Globals"]["Function"]["Runtime"] == "python3.12"


def _tables() -> dict[str, dict[str, Any]]:
    return {name: r for name, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"}


def test_every_table_has_point_in_time_recovery_encryption_ttl_and_is_retained() -> None:
    assert {"StateTable", "AuditTable"} <= set(_tables())
    for name, table in _tables().items():
        properties = table["Properties"]
        assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name
        assert properties["SSESpecification"]["SSEEnabled"] is True, name
        assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain", name


def test_audit_table_is_protected_and_indexed_for_its_queries() -> None:
    """cosell.store.audit queries by deal (the key), by opportunity and by day (the indexes)."""
    from cosell.store.audit import BY_DAY, BY_OPPORTUNITY

    audit = TEMPLATE["Resources"]["AuditTable"]["Properties"]
    assert audit["DeletionProtectionEnabled"] is True
    assert audit["BillingMode"] == "PAY_PER_REQUEST"
    assert audit["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    indexes = {index["IndexName"]: index for index in audit["GlobalSecondaryIndexes"]}
    assert set(indexes) == {BY_OPPORTUNITY, BY_DAY}
    for index, hash_key in ((BY_OPPORTUNITY, "opportunity_key"), (BY_DAY, "day")):
        assert indexes[index]["KeySchema"] == [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ]
        assert indexes[index]["Projection"] == {"ProjectionType": "ALL"}
    declared = {a["AttributeName"]: a["AttributeType"] for a in audit["AttributeDefinitions"]}
    assert declared == {"pk": "S", "sk": "S", "opportunity_key": "S", "day": "S"}


def _table_grants(table: str) -> dict[str, set[str]]:
    """Function → the actions its role is granted on `table`."""
    resources = TEMPLATE["Resources"]
    grants: dict[str, set[str]] = {}
    for name, function in _functions().items():
        for s in _statements(resources[function["Role"]["Fn::GetAtt"][0]]["Properties"]):
            if s["Resource"] == {"Fn::GetAtt": [table, "Arn"]}:
                actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
                grants.setdefault(name, set()).update(actions)
    return grants


def test_functions_may_only_append_to_the_audit_trail() -> None:
    """Every function that writes to HubSpot or Partner Central records what it does; none may change or delete
    a record. The solutions API and the schedules write to neither (they read and queue)."""
    audit = _table_grants("AuditTable")
    readers = {
        "WebhookFunction",
        "SolutionsApiFunction",
        "InvitationPollFunction",
        "SweepFunction",
        "AwsSummaryFunction",
        "NotificationCheckFunction",
        "EngagementSyncFunction",
        "ResourceSyncFunction",
    }
    assert set(audit) == set(_table_grants("StateTable")) - readers
    assert all(actions == {"dynamodb:PutItem"} for actions in audit.values()), audit
    # No DynamoDB grant reaches a table another way: a wildcard, or an index ARN (Query on the trail's indexes).
    resources = TEMPLATE["Resources"]
    for function in _functions().values():
        for s in _statements(resources[function["Role"]["Fn::GetAtt"][0]]["Properties"]):
            actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            if any(action.startswith("dynamodb:") for action in actions):
                assert s["Resource"]["Fn::GetAtt"][0] in _tables(), s
                assert s["Resource"]["Fn::GetAtt"][1] == "Arn", s


def test_audit_table_name_is_in_the_environment_and_the_outputs() -> None:
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["AUDIT_TABLE_NAME"] == {"Ref": "AuditTable"}
    assert TEMPLATE["Outputs"]["AuditTableName"]["Value"] == {"Ref": "AuditTable"}


# Read by the functions but never set by the stack: Lambda sets AWS_REGION; plain secrets are for local runs;
# only the CLI reads the DLQ's URL; Partner Central's region is fixed (us-east-1).
NOT_FROM_THE_STACK = {
    "AWS_REGION",
    "HUBSPOT_ACCESS_TOKEN",
    "HUBSPOT_WEBHOOK_SECRET",
    "DEAD_LETTER_QUEUE_URL",
    "PARTNER_CENTRAL_REGION",
}


def test_every_setting_a_function_reads_can_be_set_by_a_template_parameter_or_resource() -> None:
    """A setting the README documents is one a deployed stack can change without editing template.yaml."""
    read = {name.upper() for name in FunctionSettings.model_fields}
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert read - NOT_FROM_THE_STACK == set(variables) & read
    for name in read - NOT_FROM_THE_STACK:
        assert "Ref" in variables[name] or "Fn::Sub" in variables[name], name


# A deployed stack's settings, each parameter-fed variable then replaced by a value its parameter admits.
DEPLOYED = {
    "ENVIRONMENT": "production",
    "AWS_REGION": "us-east-1",
    "PARTNER_CENTRAL_CATALOG": "AWS",
    "PARTNER_CENTRAL_ROLE_ARN": "arn:aws:iam::123456789012:role/HubSpotPartnerCentralServiceRole",
    "PARTNER_CENTRAL_EXTERNAL_ID": "5f0c3a2e-8d1b-11ef-9c1a-0a1b2c3d4e5f",
    "HUBSPOT_ACCESS_TOKEN_SOURCE": "arn:aws:secretsmanager:us-east-1:123456789012:secret:h-AbCdEf#accessToken",
    "HUBSPOT_WEBHOOK_SECRET_SOURCE": "arn:aws:secretsmanager:us-east-1:123456789012:secret:h-AbCdEf#webhookSecret",
    "SYNC_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/cosell-sync.fifo",
    "STATE_TABLE_NAME": "cosell-state",
    "AUDIT_TABLE_NAME": "cosell-audit",
}
PATTERNED = sorted(
    (variable, ref["Ref"])
    for variable, ref in TEMPLATE["Globals"]["Function"]["Environment"]["Variables"].items()
    if isinstance(ref, dict) and "AllowedPattern" in TEMPLATE["Parameters"].get(ref.get("Ref"), {})
)


@pytest.mark.parametrize(("variable", "parameter"), PATTERNED, ids=[p for _, p in PATTERNED])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_value_a_parameter_admits_is_one_the_functions_start_with(
    variable: str, parameter: str, data: st.DataObject
) -> None:
    """CloudFormation checks a parameter against its AllowedPattern (Java's regex: \\d and \\w are ASCII) at deploy
    time; a value it lets through that the settings refuse would deploy, then stop every function."""
    pattern = re.compile(TEMPLATE["Parameters"][parameter]["AllowedPattern"], re.ASCII)
    value = data.draw(st.from_regex(pattern, fullmatch=True), label=parameter)
    load_settings({**DEPLOYED, variable: value})  # raises ConfigurationError naming the variable


def test_worker_reports_partial_failures_from_a_fifo_queue_with_a_dlq() -> None:
    resources = TEMPLATE["Resources"]
    source = _functions()["WorkerFunction"]["Events"]["SyncQueue"]["Properties"]
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = resources["SyncQueue"]["Properties"]
    assert queue["FifoQueue"] is True
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["SyncDeadLetterQueue", "Arn"]}


@pytest.mark.parametrize("parameter", ["HubSpotAccessToken", "HubSpotWebhookSecret"])
def test_secrets_are_noecho_parameters(parameter: str) -> None:
    assert TEMPLATE["Parameters"][parameter]["NoEcho"] is True


def test_the_events_rule_targets_a_fifo_queue_that_eventbridge_can_deliver_to() -> None:
    """EventBridge sends no deduplication id: a FIFO target must deduplicate by content, or SQS refuses."""
    (target,) = TEMPLATE["Resources"]["PartnerCentralEventsRule"]["Properties"]["Targets"]
    queue = TEMPLATE["Resources"][target["Arn"]["Fn::GetAtt"][0]]["Properties"]
    assert queue["FifoQueue"] is True
    assert queue["ContentBasedDeduplication"] is True
    assert target["SqsParameters"]["MessageGroupId"]


def test_events_rule_subscribes_to_every_documented_detail_type() -> None:
    rule = TEMPLATE["Resources"]["PartnerCentralEventsRule"]["Properties"]
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "partner_central_events"
    sample_types = {json.loads(p.read_text())["detail-type"] for p in fixtures.glob("*.json")}
    assert sample_types <= set(rule["EventPattern"]["detail-type"])
    assert rule["EventPattern"]["source"] == ["aws.partnercentral-selling"]


# --- alarms and the dashboard ----------------------------------------------------------------------------

OPERATIONS = (ROOT / "docs" / "OPERATIONS.md").read_text()


def _alarms() -> dict[str, dict[str, Any]]:
    return {
        name: r["Properties"]
        for name, r in TEMPLATE["Resources"].items()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }


def _alarm_runbooks() -> dict[str, str]:
    """Alarm name → its runbook entry (a `### \\`Name\\`` heading under "## Alarms")."""
    section = OPERATIONS.split("\n## Alarms\n", 1)[1].split("\n## ", 1)[0]
    entries = re.split(r"^### `(\w+)`\n", section, flags=re.MULTILINE)[1:]
    return dict(zip(entries[::2], entries[1::2], strict=True))


def test_one_alarm_per_failure_mode() -> None:
    assert set(_alarms()) == {
        "DeadLetterAlarm",
        "EventsDeadLetterAlarm",
        "WorkerErrorsAlarm",
        "ScheduleErrorsAlarm",
        "WebhookServerErrorsAlarm",
        "WebhookRefusalsAlarm",
        "OldestMessageAlarm",
        "PartnerCentralQuotaAlarm",
    }


def test_every_alarm_has_a_runbook_entry_it_names_and_goes_to_the_alarm_topic() -> None:
    runbooks = _alarm_runbooks()
    assert set(runbooks) == set(_alarms())
    for name, alarm in _alarms().items():
        assert f'docs/OPERATIONS.md, "{name}"' in alarm["AlarmDescription"], name
        for part in ("**Means:**", "**Find the cause:**", "**Fix"):
            assert part in runbooks[name], (name, part)
        assert alarm["AlarmActions"] == {
            "Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
        }


def test_the_schedule_alarm_watches_every_scheduled_function() -> None:
    scheduled = {
        name
        for name, function in _functions().items()
        if any(event["Type"] == "ScheduleV2" for event in function.get("Events", {}).values())
    }
    watched = {
        query["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Ref"]
        for query in _alarms()["ScheduleErrorsAlarm"]["Metrics"]
        if "MetricStat" in query
    }
    assert watched == scheduled


def _dashboard() -> dict[str, Any]:
    body, _variables = TEMPLATE["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    return {
        "text": body,
        "json": json.loads(re.sub(r"\$\{[^}]+\}", "X", body)),  # valid JSON once CloudFormation substitutes
    }


def test_the_dashboard_and_alarms_read_only_metrics_the_code_emits() -> None:
    from cosell.metrics import NAMESPACE, Metric

    emitted = {metric.value for metric in Metric}
    dashboard = _dashboard()
    named: set[str] = set()
    for widget in dashboard["json"]["widgets"]:
        for row in widget["properties"]["metrics"]:
            if isinstance(row[0], str) and row[0] == NAMESPACE:
                named.add(row[1])
            elif isinstance(row[0], dict):
                named |= set(re.findall(r'MetricName=\\?"(\w+)', row[0]["expression"]))
    named |= {alarm["MetricName"] for alarm in _alarms().values() if alarm.get("Namespace") == NAMESPACE}
    assert named <= emitted, named - emitted
    assert {"DealsSynced", "DealsRefused", "PartnerCentralWritesToday", "WebhookDeliveries"} <= named


def test_the_dashboard_shows_both_dead_letter_queues() -> None:
    text = _dashboard()["text"]
    assert '"${SyncDeadLetterQueue.QueueName}"' in text
    assert (
        '"${EventsDeadLetterQueueName}"' in text
    )  # only where the events DLQ exists (IsPartnerCentralRegion)


def test_the_dashboard_shows_every_functions_errors_throttles_and_duration() -> None:
    text = _dashboard()["text"]
    for name in _functions():
        for metric in ("Errors", "Throttles", "Duration"):
            assert f'["AWS/Lambda", "{metric}", "FunctionName", "${{{name}}}"]' in text, (name, metric)
