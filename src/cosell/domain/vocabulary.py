"""The closed value sets Partner Central accepts (industries, countries, currencies, ...).

Pure data for the domain. The values come from botocore's service model at run time
(`cosell.partner_central.schema.vocabulary`), so they follow the API, not a copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    stages: frozenset[str]
    industries: frozenset[str]
    country_codes: frozenset[str]
    currency_codes: frozenset[str]
    opportunity_types: frozenset[str]
    primary_needs: frozenset[str]
    delivery_models: frozenset[str]
    sales_activities: frozenset[str]
    closed_lost_reasons: frozenset[str]
    national_security: frozenset[str]
