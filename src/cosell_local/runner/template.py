"""template.yaml as the local runner reads it: the functions, what triggers them, and the values behind `!Ref`.

The runner wires nothing by hand: which handler serves which API route, which queue feeds the worker and in
what batches, which schedule fires which function, all come from here, so the local stack cannot drift from
the deployed one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from collections.abc import Mapping

# The repository's template (the runner ships with the source tree; `--template` points elsewhere).
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[3] / "template.yaml"

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def _value_problems(spec: Mapping[str, Any], value: str) -> list[str]:
    problems = []
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [str(option) for option in allowed]:
        problems.append(f"must be one of {', '.join(str(option) for option in allowed)}")
    pattern = spec.get("AllowedPattern")
    if pattern is not None and re.fullmatch(pattern, value) is None:
        problems.append(f"must match {pattern}")
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        problems.append(f"must be at least {spec['MinLength']} characters")
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        problems.append(f"must be at most {spec['MaxLength']} characters")
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            return [*problems, "must be a number"]
        if "MinValue" in spec and number < float(spec["MinValue"]):
            problems.append(f"must be at least {spec['MinValue']}")
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            problems.append(f"must be at most {spec['MaxValue']}")
    return problems


class _CfnLoader(yaml.SafeLoader):
    pass


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":  # short form "Resource.Attribute" means ["Resource", "Attribute"]
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node {node!r}", node.start_mark)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    """A CloudFormation YAML document, short-form intrinsics (`!Ref X`) turned into their long form."""
    with path.open() as stream:
        document: dict[str, Any] = yaml.load(stream, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return document


# Authorizers the local API Gateway applies; "NONE" (or none at all) leaves a route open.
LOCAL_AUTHORIZERS = ("AWS_IAM",)


@dataclass(frozen=True)
class ApiRoute:
    api: str  # logical id of the AWS::Serverless::Api
    path: str  # without the stage, as a template: /hubspot/webhook, /solutions/{id}
    method: str  # upper case
    authorizer: str | None = None  # AWS_IAM, or None for an open route


@dataclass(frozen=True)
class QueueTrigger:
    queue: str  # logical id of the AWS::SQS::Queue
    batch_size: int
    reports_batch_item_failures: bool
    maximum_concurrency: Any = None  # ScalingConfig.MaximumConcurrency, unresolved (a !Ref is a dict)


@dataclass(frozen=True)
class ScheduleTrigger:
    name: str  # the event's key under Events
    period_seconds: int


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    handler: str  # module.attribute
    timeout_seconds: int
    api_routes: tuple[ApiRoute, ...] = ()
    queue_triggers: tuple[QueueTrigger, ...] = ()
    schedules: tuple[ScheduleTrigger, ...] = ()


@dataclass(frozen=True)
class StackTemplate:
    document: dict[str, Any]
    functions: dict[str, FunctionSpec] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path = DEFAULT_TEMPLATE) -> StackTemplate:
        document = load_template(path)
        template = cls(document)
        for logical_id, resource in template.resources_of_type("AWS::Serverless::Function").items():
            template.functions[logical_id] = template._function(logical_id, resource["Properties"])
        return template

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.document["Resources"]
        return resources

    def resources_of_type(self, resource_type: str) -> dict[str, Any]:
        return {name: r for name, r in self.resources.items() if r["Type"] == resource_type}

    def parameter_default(self, name: str) -> Any:
        return self.document.get("Parameters", {}).get(name, {}).get("Default")

    def parameter_problems(self, values: Mapping[str, str]) -> list[str]:
        """What CloudFormation would refuse in `values` (name → value, as `--parameter-overrides` gives them):
        an unknown name, or a value outside the parameter's AllowedValues, AllowedPattern, lengths or range."""
        declared: dict[str, Any] = self.document.get("Parameters", {})
        problems = []
        for name, value in values.items():
            spec = declared.get(name)
            if spec is None:
                problems.append(
                    f"{name}: not a parameter of the template (it has {', '.join(sorted(declared))})"
                )
                continue
            problems += [f"{name}={value!r}: {problem}" for problem in _value_problems(spec, value)]
        return problems

    def global_environment(self) -> dict[str, Any]:
        """Globals → Function → Environment → Variables, values unresolved (intrinsics as dicts)."""
        variables: dict[str, Any] = self.document["Globals"]["Function"]["Environment"]["Variables"]
        return variables

    def api_stage(self, api: str) -> str:
        stage: str = self.resources[api]["Properties"]["StageName"]
        return stage

    def route_authorizer(self, api: str, event_properties: dict[str, Any]) -> str | None:
        """The route's own `Auth.Authorizer`, else its API's `Auth.DefaultAuthorizer`; NONE means none."""
        default = self.resources[api]["Properties"].get("Auth", {}).get("DefaultAuthorizer")
        authorizer = event_properties.get("Auth", {}).get("Authorizer", default)
        if authorizer in (None, "NONE"):
            return None
        if authorizer not in LOCAL_AUTHORIZERS:
            raise NotImplementedError(f"{api}: authorizer {authorizer} is not applied locally")
        return str(authorizer)

    def _function(self, logical_id: str, properties: dict[str, Any]) -> FunctionSpec:
        defaults = self.document.get("Globals", {}).get("Function", {})
        routes: list[ApiRoute] = []
        queues: list[QueueTrigger] = []
        schedules: list[ScheduleTrigger] = []
        for event_name, event in properties.get("Events", {}).items():
            settings = event["Properties"]
            if event["Type"] == "Api":
                api = settings["RestApiId"]["Ref"]
                routes.append(
                    ApiRoute(
                        api,
                        settings["Path"],
                        settings["Method"].upper(),
                        self.route_authorizer(api, settings),
                    )
                )
            elif event["Type"] == "SQS":
                queues.append(
                    QueueTrigger(
                        queue=settings["Queue"]["Fn::GetAtt"][0],
                        batch_size=int(settings.get("BatchSize", 10)),
                        reports_batch_item_failures="ReportBatchItemFailures"
                        in settings.get("FunctionResponseTypes", []),
                        maximum_concurrency=settings.get("ScalingConfig", {}).get("MaximumConcurrency"),
                    )
                )
            elif event["Type"] in ("Schedule", "ScheduleV2"):
                expression = self._parameter_value(settings["ScheduleExpression"])
                schedules.append(ScheduleTrigger(event_name, rate_seconds(expression)))
            else:
                raise NotImplementedError(f"{logical_id}: event type {event['Type']} is not run locally")
        return FunctionSpec(
            logical_id=logical_id,
            handler=properties["Handler"],
            timeout_seconds=int(properties.get("Timeout", defaults.get("Timeout", 3))),
            api_routes=tuple(routes),
            queue_triggers=tuple(queues),
            schedules=tuple(schedules),
        )

    def _parameter_value(self, value: Any) -> str:
        if isinstance(value, dict):
            return str(self.parameter_default(value["Ref"]))
        return str(value)


def rate_seconds(expression: str) -> int:
    """`rate(5 minutes)` → 300. cron() and at() expressions are not run locally."""
    match = _RATE.match(expression)
    if match is None:
        raise NotImplementedError(f"schedule {expression!r}: only rate(...) expressions run locally")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).removesuffix("s")]
