"""Partner Central's value sets, read from botocore's service model (the contract cosell follows)."""

from __future__ import annotations

from functools import cache

import botocore.session
from botocore.model import StringShape

from cosell.domain.vocabulary import Vocabulary


def _enum(shape_name: str) -> frozenset[str]:
    model = botocore.session.get_session().get_service_model("partnercentral-selling")
    shape = model.shape_for(shape_name)
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
    )
