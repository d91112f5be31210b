"""Solutions API (API Gateway, AWS_IAM → Lambda): the partner's solution catalog, and which solutions a deal's
opportunity would carry and why (cosell.sync.solutions.browse).

API Gateway lets only SigV4-signed requests of principals allowed `execute-api:Invoke` through, so the function
trusts what reaches it. Each route is one use case; a request that cannot be answered as asked is 400 with each
parameter and what is wrong with it, an unknown solution or deal 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths

from cosell.domain.solution_search import InvalidRequestError
from cosell.handlers import runtime
from cosell.handlers.runtime import logger
from cosell.metrics import metrics
from cosell.sync.solutions import browse

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = APIGatewayRestResolver()


@app.get("/solutions")
def list_solutions() -> dict[str, Any]:
    return browse.list_solutions(runtime.ports(), app.current_event.query_string_parameters).body()


@app.get("/solutions/<solution_id>")
def get_solution(solution_id: str) -> dict[str, Any]:
    return browse.get_solution(runtime.ports(), solution_id).body()


@app.get("/deals/<deal_id>/solution-matches")
def solution_matches(deal_id: str) -> dict[str, Any]:
    return browse.solution_matches(runtime.ports(), deal_id).body()


# Powertools leaves exception_handler's return type unannotated; the handlers below are typed.
@app.exception_handler(InvalidRequestError)  # type: ignore[untyped-decorator]
def _bad_request(error: InvalidRequestError) -> Response[dict[str, Any]]:
    logger.info("solutions API: bad request", extra={"reason": error.message})
    return Response(400, content_types.APPLICATION_JSON, error.body())


@app.exception_handler(browse.NotFoundError)  # type: ignore[untyped-decorator]
def _not_found(error: browse.NotFoundError) -> Response[dict[str, Any]]:
    return Response(404, content_types.APPLICATION_JSON, {"message": str(error)})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
