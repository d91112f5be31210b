"""The solutions API routes on the resource API Gateway matched: every route the template declares has its use
case, and a resource the function does not know is answered, not raised."""

from __future__ import annotations

import json

from cosell.handlers import solutions_api
from tests.support.cfn import load_template
from tests.support.lambda_context import FakeLambdaContext


def test_every_route_the_template_sends_to_the_function_has_its_use_case() -> None:
    function = load_template("template.yaml")["Resources"]["SolutionsApiFunction"]["Properties"]
    declared = {
        (event["Properties"]["Path"], event["Properties"]["Method"])
        for event in function["Events"].values()
        if event["Type"] == "Api"
    }
    assert declared == {(resource, "get") for resource in solutions_api.ROUTES}


def test_a_resource_the_function_does_not_know_is_404_naming_it() -> None:
    event = {"resource": "/catalogs", "httpMethod": "GET", "requestContext": {"requestId": "r-1"}}
    answer = solutions_api.handler(event, FakeLambdaContext())
    assert answer["statusCode"] == 404
    assert answer["headers"] == {"Content-Type": "application/json"}
    assert json.loads(answer["body"]) == {"message": "no such route: /catalogs"}
