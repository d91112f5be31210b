"""Partner Central's value sets, read from botocore's service model (the contract cosell follows)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from botocore.model import ServiceModel, StringShape, StructureShape

from cosell import aws_clients
from cosell.domain.vocabulary import Vocabulary


@cache
def _model() -> ServiceModel:
    # Read with the loader alone: a session (12 ms of event handlers) is for clients. The client reads the same
    # file through that loader, which parses it once.
    return ServiceModel(aws_clients.loader().load_service_model("partnercentral-selling", "service-2"))


def _enum(shape_name: str) -> frozenset[str]:
    shape = _model().shape_for(shape_name)
    assert isinstance(shape, StringShape), shape_name
    return frozenset(shape.enum)


@cache
def vocabulary() -> Vocabulary:
    return Vocabulary(
        stages=_enum("Stage"),
        industries=_enum("Industry"),
        country_codes=_enum("CountryCode"),
        currency_codes=_enum("CurrencyCode"),
        opportunity_types=_enum("OpportunityType"),
        primary_needs=_enum("PrimaryNeedFromAws"),
        delivery_models=_enum("DeliveryModel"),
        sales_activities=_enum("SalesActivity"),
        closed_lost_reasons=_enum("ClosedLostReason"),
        national_security=_enum("NationalSecurity"),
    )


@cache
def update_members() -> frozenset[str]:
    """The top-level members UpdateOpportunity takes (it replaces the record: everything else is lost)."""
    shape = _model().operation_model("UpdateOpportunity").input_shape
    assert isinstance(shape, StructureShape)
    return frozenset(shape.members)


def instant(value: Any) -> datetime | None:
    """A DateTime member: boto3 parses them (`timestampFormat: iso8601`); text is parsed the same way."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None
