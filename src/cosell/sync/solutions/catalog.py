"""Use case: the partner's solution catalog, read from Partner Central (ListSolutions, every page, paced with
the other reads) and cached in DynamoDB. Refreshed by the scheduled sweep once it is older than `SCHEDULED_AGE`,
and on demand: when the cache is older than `MAX_AGE`, or a deal names a solution the cache does not know (at
most once per `MIN_AGE`, so a mistyped id does not list the catalog at every change)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from cosell.domain.solutions import Solution
from cosell.observability import build_logger

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_partnercentral_selling.type_defs import ListSolutionsRequestTypeDef

    from cosell.sync.ports import CatalogPorts

PAGE_SIZE = 100
_logger = build_logger()
SCHEDULED_AGE = timedelta(hours=1)
MAX_AGE = timedelta(hours=24)
MIN_AGE = timedelta(minutes=5)


def refresh_catalog(ports: CatalogPorts) -> tuple[Solution, ...]:
    """Every solution of the catalog (all statuses: an inactive one is named as such), cached."""
    catalog = ports.config.catalog
    solutions: list[Solution] = []
    token: str | None = None
    while True:
        request: ListSolutionsRequestTypeDef = {"Catalog": catalog, "MaxResults": PAGE_SIZE}
        if token:
            request["NextToken"] = token
        page = ports.partner_central.list_solutions(**request)
        solutions += [
            Solution(
                id=summary["Id"],
                name=summary["Name"],
                status=summary["Status"],
                category=summary["Category"],
                marketplace_arn=summary.get("AwsMarketplaceSolutionArn"),
            )
            for summary in page.get("SolutionSummaries", [])
        ]
        token = page.get("NextToken")
        if not token:
            break
    ports.solutions.save(catalog, solutions, ports.now())
    return tuple(solutions)


def refresh_when_old(ports: CatalogPorts) -> int:
    """The schedule's refresh: the catalog read again when older than `SCHEDULED_AGE`; how many solutions."""
    cached = ports.solutions.get(ports.config.catalog)
    if cached is not None and ports.now() - cached.read_at <= SCHEDULED_AGE:
        return len(cached.solutions)
    return len(refresh_catalog(ports))


def current_catalog(ports: CatalogPorts, wanted: Sequence[str] = ()) -> tuple[Solution, ...]:
    """The cached catalog, read again from Partner Central when it is old or lacks a `wanted` id. When that
    read fails, the cache still answers (logged): an old catalog is better than a failed sync."""
    cached = ports.solutions.get(ports.config.catalog)
    if cached is None:
        return refresh_catalog(ports)
    age = ports.now() - cached.read_at
    known = {solution.id for solution in cached.solutions}
    if age > MAX_AGE or (age > MIN_AGE and any(solution_id not in known for solution_id in wanted)):
        try:
            return refresh_catalog(ports)
        except (ClientError, BotoCoreError) as error:
            _logger.warning(
                "solution catalog not read again; the cached one answers", extra={"reason": str(error)}
            )
    return cached.solutions
