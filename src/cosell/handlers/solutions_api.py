"""Solutions API (API Gateway, AWS_IAM → Lambda): the partner's solution catalog, and which solutions a deal's
opportunity would carry and why (cosell.sync.solutions.browse).

API Gateway lets only SigV4-signed requests of principals allowed `execute-api:Invoke` through, so the function
trusts what reaches it. Each route (template.yaml declares them) is one use case; a request that cannot be
answered as asked is 400 with each parameter and what is wrong with it, an unknown solution or deal 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths

from cosell.domain.solution_search import InvalidRequestError
from cosell.handlers import runtime
from cosell.handlers.api_gateway import json_response, path_parameter
from cosell.handlers.runtime import logger
from cosell.metrics import metrics
from cosell.sync.solutions import browse

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.utilities.typing import LambdaContext


def _list_solutions(event: dict[str, Any]) -> dict[str, Any]:
    return browse.list_solutions(runtime.ports(), event.get("queryStringParameters")).body()


def _get_solution(event: dict[str, Any]) -> dict[str, Any]:
    return browse.get_solution(runtime.ports(), path_parameter(event, "id")).body()


def _solution_matches(event: dict[str, Any]) -> dict[str, Any]:
    return browse.solution_matches(runtime.ports(), path_parameter(event, "dealId")).body()


# API Gateway resource → its use case (only GET is routed to the function).
ROUTES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "/solutions": _list_solutions,
    "/solutions/{id}": _get_solution,
    "/deals/{dealId}/solution-matches": _solution_matches,
}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    route = ROUTES.get(str(event.get("resource")))
    if route is None:  # a route added to the API and not here
        return json_response(404, {"message": f"no such route: {event.get('resource')}"})
    try:
        return json_response(200, route(event))
    except InvalidRequestError as error:
        logger.info("solutions API: bad request", extra={"reason": error.message})
        return json_response(400, error.body())
    except browse.NotFoundError as error:
        return json_response(404, {"message": str(error)})
