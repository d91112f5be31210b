"""A deployed cosell stack, as the operator commands find their tables and queues in it (`--stack NAME`).

One reader of CloudFormation for every command: the stack's outputs (template.yaml's `Outputs`) and the
catalog it syncs (its `PartnerCentralCatalog` parameter). A stack that does not exist, or lacks an output a
command needs, is a configuration error naming it (exit status 2), never a traceback.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError

from cosell.config import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True)
class DeployedStack:
    name: str
    session: boto3.Session  # in the stack's region
    outputs: Mapping[str, str]
    parameters: Mapping[str, str]

    @property
    def region(self) -> str:
        return str(self.session.region_name)

    @property
    def catalog(self) -> str:
        return self.parameters.get("PartnerCentralCatalog") or "Sandbox"

    def output(self, key: str) -> str:
        value = self.outputs.get(key)
        if value is None:
            raise ConfigurationError(
                f"stack {self.name} has no {key} output: is it a cosell stack deployed from this release's "
                "template.yaml?"
            )
        return value


def deployed_stack(name: str) -> DeployedStack:
    session = boto3.Session()
    if session.region_name is None:
        raise ConfigurationError("AWS_REGION: required with --stack (the region the stack runs in)")
    try:
        (stack,) = session.client("cloudformation").describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        raise ConfigurationError(f"stack {name}: {error}") from None
    return DeployedStack(
        name,
        session,
        outputs={output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])},
        parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])},
    )


def add_stack_option(
    command: argparse.ArgumentParser, *actions: argparse.ArgumentParser, reads: str, variables: str
) -> None:
    """`--stack NAME` on `command` and on each of its `actions`: it may come before the action or after it.
    Without it, the command reads `variables` from the functions' environment."""
    help_text = (
        f"read {reads} from a deployed CloudFormation stack's outputs (default: the functions' environment, "
        f"{variables})"
    )
    command.add_argument("--stack", metavar="NAME", help=help_text)
    for action in actions:
        # SUPPRESS: an action not given --stack leaves the command's value as it is.
        action.add_argument("--stack", metavar="NAME", help=help_text, default=argparse.SUPPRESS)
