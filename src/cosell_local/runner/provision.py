"""Create the template's queues, table and event rules on moto's server, as CloudFormation would.

Only the resources the sync's data path needs are created: Secrets Manager secrets, SQS queues, DynamoDB tables
and EventBridge rules (with their targets). Functions are run in-process by the runner; IAM, log groups, alarms, queue policies and
the API are not enforced by moto or are played by the runner itself (docs/LOCAL.md).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_sqs.literals import QueueAttributeNameType

    from cosell_local.runner.template import StackTemplate

log = logging.getLogger(__name__)

# Queue properties that are also SQS attribute names, passed through as CloudFormation states them.
_QUEUE_ATTRIBUTES: tuple[QueueAttributeNameType, ...] = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)

_SUBSTITUTION = re.compile(r"\$\{([^}]+)\}")

# Table properties that are also CreateTable parameters of the same shape.
_TABLE_PROPERTIES = (
    "ProvisionedThroughput",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "DeletionProtectionEnabled",
)


@dataclass
class ProvisionedStack:
    """Physical names of what was created: `!Ref` and `!GetAtt` values, keyed by logical id."""

    region: str
    parameters: dict[str, Any]
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        """A property value with `Ref` / `Fn::GetAtt` replaced by local values (other intrinsics: error)."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            name = value["Ref"]
            if name == "AWS::Region":
                return self.region
            if name in self.parameters:
                return self.parameters[name]
            if name not in self.refs:
                raise NotImplementedError(f"!Ref {name}: not a parameter or a resource created locally")
            return self.refs[name]
        if set(value) == {"Fn::GetAtt"}:
            resource, attribute = value["Fn::GetAtt"]
            if (resource, attribute) not in self.attributes:
                raise NotImplementedError(f"!GetAtt {resource}.{attribute}: not available locally")
            return self.attributes[(resource, attribute)]
        if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
            return _SUBSTITUTION.sub(self._substitute, value["Fn::Sub"])
        intrinsic = next((key for key in value if key.startswith("Fn::")), None)
        if intrinsic is not None:
            raise NotImplementedError(f"{intrinsic} is not resolved locally")
        return {key: self.resolve(item) for key, item in value.items()}

    def _substitute(self, match: re.Match[str]) -> str:
        """One `${...}` of a `!Sub` string: `${Name}` is `!Ref Name`, `${Name.Attribute}` `!GetAtt`, and
        `${!Text}` the text `${Text}`."""
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if "." in name:
            return str(self.resolve({"Fn::GetAtt": name.split(".", 1)}))
        return str(self.resolve({"Ref": name}))

    def condition_holds(self, template: StackTemplate, name: str | None) -> bool:
        return name is None or self._evaluate(template.document.get("Conditions", {})[name], template)

    def _evaluate(self, condition: Any, template: StackTemplate) -> bool:
        if "Fn::Equals" in condition:
            left, right = (self.resolve(side) for side in condition["Fn::Equals"])
            return bool(left == right)
        if "Fn::Not" in condition:
            return not self._evaluate(condition["Fn::Not"][0], template)
        if "Condition" in condition:
            return self.condition_holds(template, condition["Condition"])
        raise NotImplementedError(f"condition {condition} is not evaluated locally")


def _attribute_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def provision(
    template: StackTemplate,
    client: Callable[[str], Any],
    region: str,
    stack_name: str,
    parameters: dict[str, Any],
) -> ProvisionedStack:
    """`client(service)` must return a boto3 client of moto's server."""
    stack = ProvisionedStack(region=region, parameters=parameters)
    _create_secrets(template, client, stack_name, stack)
    _create_queues(template, client, stack_name, stack)
    _create_tables(template, client, stack_name, stack)
    _create_rules(template, client, stack_name, stack)
    return stack


def _create_secrets(
    template: StackTemplate, client: Callable[[str], Any], stack_name: str, stack: ProvisionedStack
) -> None:
    # The functions read them at run time, as deployed: the same code path, rotation included.
    secretsmanager = client("secretsmanager")
    for logical_id, resource in template.resources_of_type("AWS::SecretsManager::Secret").items():
        properties = stack.resolve(resource["Properties"])
        stack.refs[logical_id] = secretsmanager.create_secret(
            Name=properties.get("Name", f"{stack_name}-{logical_id}"), SecretString=properties["SecretString"]
        )["ARN"]


def _create_queues(
    template: StackTemplate, client: Callable[[str], Any], stack_name: str, stack: ProvisionedStack
) -> None:
    sqs = client("sqs")
    queues = {
        name: resource
        for name, resource in template.resources_of_type("AWS::SQS::Queue").items()
        if stack.condition_holds(template, resource.get("Condition"))
    }
    # A queue's redrive policy names its DLQ's ARN, so queues without one are created first.
    for logical_id in sorted(queues, key=lambda name: "RedrivePolicy" in queues[name]["Properties"]):
        properties = stack.resolve(queues[logical_id]["Properties"])
        attributes: dict[QueueAttributeNameType, str] = {
            key: _attribute_text(properties[key]) for key in _QUEUE_ATTRIBUTES if key in properties
        }
        if "RedrivePolicy" in properties:
            attributes["RedrivePolicy"] = json.dumps(properties["RedrivePolicy"])
        suffix = ".fifo" if properties.get("FifoQueue") else ""
        name = properties.get("QueueName", f"{stack_name}-{logical_id}{suffix}")
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        stack.refs[logical_id] = url
        stack.attributes[(logical_id, "Arn")] = arn
        stack.attributes[(logical_id, "QueueName")] = name
        stack.attributes[(logical_id, "QueueUrl")] = url


def _create_tables(
    template: StackTemplate, client: Callable[[str], Any], stack_name: str, stack: ProvisionedStack
) -> None:
    dynamodb = client("dynamodb")
    for logical_id, resource in template.resources_of_type("AWS::DynamoDB::Table").items():
        properties = stack.resolve(resource["Properties"])
        name = properties.get("TableName", f"{stack_name}-{logical_id}")
        description = dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=properties["AttributeDefinitions"],
            KeySchema=properties["KeySchema"],
            BillingMode=properties.get("BillingMode", "PROVISIONED"),
            # Optional properties CloudFormation shares with CreateTable, passed through as stated (the
            # audit trail's queries need its indexes).
            **{key: properties[key] for key in _TABLE_PROPERTIES if key in properties},
        )["TableDescription"]
        ttl = properties.get("TimeToLiveSpecification")
        if ttl is not None:
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={
                    "AttributeName": ttl["AttributeName"],
                    "Enabled": bool(ttl["Enabled"]),
                },
            )
        stack.refs[logical_id] = name
        stack.attributes[(logical_id, "Arn")] = description["TableArn"]


def _create_rules(
    template: StackTemplate, client: Callable[[str], Any], stack_name: str, stack: ProvisionedStack
) -> None:
    events = client("events")
    for logical_id, resource in template.resources_of_type("AWS::Events::Rule").items():
        if not stack.condition_holds(template, resource.get("Condition")):
            continue
        properties = stack.resolve(resource["Properties"])
        name = properties.get("Name", f"{stack_name}-{logical_id}")
        bus = properties.get("EventBusName", "default")
        arn = events.put_rule(
            Name=name,
            EventPattern=json.dumps(properties["EventPattern"]),
            EventBusName=bus,
            State=properties.get("State", "ENABLED"),
        )["RuleArn"]
        targets = properties.get("Targets", [])
        events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
        stack.refs[logical_id] = name
        stack.attributes[(logical_id, "Arn")] = arn
