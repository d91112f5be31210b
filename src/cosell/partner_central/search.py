"""SearchOpportunities, where the partner's account has it (botocore 1.44.7 and later).

AWS switches the operation on per partner account. An account without it is refused with
AccessDeniedException and a `Reason` (docs/CONTRACTS.md, "SearchOpportunities"); so is a service role whose
policy predates the operation (no `Reason`). Either way the answer will not change while this execution
environment lives, so it is remembered and the operation is not called again: the sync goes on without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.observability import build_logger

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

# The model's AccessDeniedExceptionErrorCode values that mean the account has no search.
NOT_ENABLED_REASONS = frozenset(
    {"SEARCH_OPPORTUNITIES_NOT_ENABLED", "SEARCH_OPPORTUNITIES_DATA_NOT_ROUTED_TO_DDB"}
)

_logger = build_logger()


class OpportunitySearch:
    """One per execution environment: it remembers whether the account can search."""

    def __init__(self, client: PartnerCentralSellingAPIClient) -> None:
        self._client = client
        self.available = True

    def search(
        self, catalog: str, search_filter: Mapping[str, Any], page_size: int
    ) -> list[dict[str, Any]] | None:
        """The first page of opportunity summaries `search_filter` matches; None where the account cannot
        search (a read, paced like the others by the client)."""
        if not self.available:
            return None
        try:
            # The boto3 stubs on PyPI predate SearchOpportunities (pyproject.toml).
            answer = self._client.search_opportunities(  # type: ignore[attr-defined]
                Catalog=catalog, Filter=search_filter, MaxResults=page_size
            )
        except ClientError as error:
            if error_code(error) != "AccessDeniedException":
                raise
            self.available = False
            reason = error.response.get("Reason")
            _logger.warning(
                "SearchOpportunities is not available: %s; creating opportunities without looking for "
                "existing ones until this function restarts",
                f"the account does not have it ({reason})"
                if reason in NOT_ENABLED_REASONS
                else f"access denied ({reason or 'the service role does not allow partnercentral:SearchOpportunities'})",
            )
            return None
        summaries: list[dict[str, Any]] = answer.get("OpportunitySearchSummaries", [])
        return summaries
