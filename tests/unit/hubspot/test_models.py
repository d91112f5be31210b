"""Boundary models accept what HubSpot actually sends, not only what its spec promises."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from cosell.hubspot.models import Association, Deal, Pipeline

TIMES = {"createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-02T00:00:00.123Z"}


def test_association_ids_arrive_as_numbers_live_and_strings_in_the_spec() -> None:
    live = Association.model_validate(
        {
            "toObjectId": 123,
            "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"}],
        }
    )
    spec = Association.model_validate({"toObjectId": "123", "associationTypes": []})

    assert live.to_object_id == spec.to_object_id == "123"
    assert live.type_ids == {5}


def test_deal_fields_parse_hubspots_strings() -> None:
    deal = Deal.model_validate(
        {
            "id": "1",
            "properties": {"amount": "12.50", "closedate": "1767225600000", "dealname": None},
            **TIMES,
        }
    )
    iso = Deal.model_validate(
        {"id": "2", "properties": {"closedate": "2026-01-01T00:00:00Z", "amount": "n/a"}, **TIMES}
    )

    assert deal.amount == Decimal("12.50")
    assert deal.close_date == datetime(2026, 1, 1, tzinfo=UTC)
    assert deal.name is None
    assert iso.close_date == datetime(2026, 1, 1, tzinfo=UTC)
    assert iso.amount is None


def test_stage_metadata_strings_become_typed() -> None:
    pipeline = Pipeline.model_validate(
        {
            "id": "default",
            "label": "Sales",
            "displayOrder": 0,
            "stages": [
                {
                    "id": "closedlost",
                    "label": "Lost",
                    "displayOrder": 6,
                    "metadata": {"isClosed": "true", "probability": "0.0"},
                }
            ],
        }
    )

    assert pipeline.stages[0].is_closed
    assert pipeline.stages[0].probability == 0.0
