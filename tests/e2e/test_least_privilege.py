"""Each function's role in template.yaml allows exactly what the function does: every AWS call it was seen
making is granted, and every grant was seen used (or is named below with the path that uses it).

The local stack records, per function, each boto3 call as the IAM action and resource it needs
(cosell_local.runner.aws_calls); moto authorizes nothing, so a missing grant would only show deployed, as
AccessDenied. The flow below touches every function: a deal created, submitted and engaged; a referral
taken; every schedule run; the solutions API read.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

from cosell.handlers import runtime
from cosell.store import keys
from cosell_local.runner.aws_calls import RECORDER
from tests.e2e.conftest import running_stack
from tests.e2e.test_engagements import USE_CASE
from tests.e2e.test_referrals import deals_for, refer
from tests.support.cfn import load_template

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cosell_local.runner import LocalStack
    from tests.e2e.conftest import World

TEMPLATE = load_template("template.yaml")
# And the NotificationCheckFunction, while a referral waits for the rep (check_a_referral_in_review).
SCHEDULES = (
    "InvitationPollFunction",
    "SweepFunction",
    "AwsSummaryFunction",
    "EngagementSyncFunction",
    "ResourceSyncFunction",
)
# Grants the flow does not reach, each with the path that needs it and the test that takes that path.
UNREACHED: dict[tuple[str, str, str], str] = {
    ("WorkerFunction", "sns:Publish", "NotificationTopicArn"): (
        "only with NotificationTopicArn set (test_notifications: one SNS message per notification)"
    ),
    ("WorkerFunction", "sqs:ChangeMessageVisibility", "SyncQueue"): (
        "only with a coalescing window, which local stacks set to 0 (test_updates: a burst costs one write)"
    ),
    ("EngagementSyncFunction", "sqs:SendMessage", "SyncQueue"): (
        "only when an engagement's members changed or its snapshots are due (test_engagements)"
    ),
    ("NotificationCheckFunction", "sqs:SendMessage", "SyncQueue"): (
        "only while a referral waits for the rep's decision (test_notifications: about to expire)"
    ),
}

Grant = tuple[str, str]  # (IAM action, the template's logical id or parameter name of the resource)


def _logical(resource: Any) -> str:
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return str(resource["Fn::GetAtt"][0])
    if isinstance(resource, dict) and "Ref" in resource:
        return str(resource["Ref"])
    return str(resource)


def granted(function: str) -> set[Grant]:
    """What the function's role allows, a conditional statement as if its condition held."""
    resources = TEMPLATE["Resources"]
    role = resources[resources[function]["Properties"]["Role"]["Fn::GetAtt"][0]]["Properties"]
    grants: set[Grant] = set()
    for policy in role.get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:
                statement = statement["Fn::If"][1]
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            targets = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            grants |= {(action, _logical(target)) for action in actions for target in targets}
    return grants


def _by_physical_name(stack: LocalStack) -> dict[str, str]:
    resources = stack.resources
    assert resources is not None
    names = {physical: logical for logical, physical in resources.refs.items()}
    names |= {physical: logical for (logical, _), physical in resources.attributes.items()}
    names |= {str(value): name for name, value in resources.parameters.items() if value}
    return names


def used(stack: LocalStack) -> dict[str, set[Grant]]:
    names = _by_physical_name(stack)
    seen: dict[str, set[Grant]] = {}
    for call in RECORDER.calls():
        if call.function in stack.functions:
            seen.setdefault(call.function, set()).add((call.action, names.get(call.resource, call.resource)))
    return seen


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    """This module's own stack, recorded from its start (the event source's calls included), and nothing
    that stacks before it in this process called."""
    RECORDER.clear()
    yield from running_stack()


def as_a_new_execution_environment() -> None:
    # Locally every function shares this process, and so one cache of clients, settings and secrets; in
    # Lambda each function builds its own, with its own role. Forget them before each function runs alone.
    runtime.reset()


def forget_customer_index(world: World) -> None:
    """The deals' records in the customer index, and the index's build marker (not its entries)."""
    dynamodb, table = world.stack.client("dynamodb"), world.stack.state_table_name
    for item in dynamodb.scan(TableName=table)["Items"]:
        if item["sk"]["S"] in ("customers", "index"):
            dynamodb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})


def check_a_referral_in_review(world: World) -> None:
    """The notifications check, on a referral whose deal waits for the rep's decision: under the review
    policy (the stack's own, auto, would accept it when the check's request comes)."""
    os.environ["INVITATION_POLICY"] = "review"
    runtime.reset()  # the functions read their settings again, as a redeploy would make them
    try:
        refer(world)
        world.settle()
        as_a_new_execution_environment()
        assert world.stack.run_schedule("NotificationCheckFunction").response == {"queued": 1}
        world.settle()
    finally:
        del os.environ["INVITATION_POLICY"]
        runtime.reset()


def forget_engagements(world: World) -> None:
    """Each engagement as last seen."""
    dynamodb, table = world.stack.client("dynamodb"), world.stack.state_table_name
    for item in dynamodb.scan(TableName=table)["Items"]:
        if keys.kind_of(item) is keys.ItemKind.ENGAGEMENT:
            dynamodb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})


def exercise_every_function(world: World) -> None:
    # First, on a stack with no solution catalog cached: the API reads it from Partner Central and keeps it.
    catalog = f"{world.stack.api_url}/solutions"
    assert (
        world.http.request("GET", catalog, headers=world.stack.signed_headers("GET", catalog)).status == 200
    )
    as_a_new_execution_environment()
    deal_id, _ = world.submitted_deal("Least privilege #AWS", USE_CASE)
    check_a_referral_in_review(world)
    invitation_id = refer(world)
    # As on a stack upgraded to the customer index: deals its syncs never recorded, which the first sweep
    # records and the solutions API's read of a deal records too.
    forget_customer_index(world)
    forget_engagements(world)  # for the engagement schedules to queue: never reconciled
    for schedule in SCHEDULES:
        as_a_new_execution_environment()
        assert world.stack.run_schedule(schedule).succeeded, schedule
        world.settle()
    assert deals_for(world, invitation_id)
    as_a_new_execution_environment()
    company_id = world.integration.list_associations("deals", deal_id, "companies")[0].to_object_id
    world.rep.client.update_company(company_id, {"city": "Leipzig"})  # its deals, from the index
    world.settle()
    # The deal's record names a company it has left: the API's read of the deal replaces it, and removes it.
    forget_customer_index(world)
    dynamodb, table = world.stack.client("dynamodb"), world.stack.state_table_name
    old = {"read_at_ms": {"N": "1"}}
    dynamodb.put_item(TableName=table, Item={**keys.deal_customers(deal_id), "company_id": {"S": "9"}, **old})
    dynamodb.put_item(TableName=table, Item={**keys.customer_deal("companies", "9", deal_id), **old})
    as_a_new_execution_environment()
    matches = f"{world.stack.api_url}/deals/{deal_id}/solution-matches"
    assert (
        world.http.request("GET", matches, headers=world.stack.signed_headers("GET", matches)).status == 200
    )


def test_every_function_role_allows_exactly_what_its_function_does(world: World) -> None:
    exercise_every_function(world)
    seen = used(world.stack)
    assert set(seen) == set(world.stack.functions)  # each function ran and called AWS
    problems = []
    for function in world.stack.functions:
        allowed = granted(function)
        missing = seen.get(function, set()) - allowed
        unused = allowed - seen.get(function, set()) - {(a, r) for f, a, r in UNREACHED if f == function}
        problems += [
            f"{function} calls {action} on {resource}, which its role does not allow"
            for action, resource in sorted(missing)
        ]
        problems += [
            f"{function}'s role allows {action} on {resource}, never used"
            for action, resource in sorted(unused)
        ]
    assert not problems, "\n".join(problems)
