"""Which properties a HubSpot 400 refused, in either of the forms HubSpot reports them."""

from __future__ import annotations

import json

from cosell.hubspot.client import HubSpotValidationError

PROBLEM = {
    "isValid": False,
    "name": "deal_currency_code",
    "error": "INVALID_OPTION",
    "message": "JPY was not one",
}


def test_named_in_the_message() -> None:
    error = HubSpotValidationError(400, f"Property values were not valid: {json.dumps([PROBLEM])}")
    assert error.refused_properties == {"deal_currency_code"}


def test_named_in_the_errors() -> None:
    error = HubSpotValidationError(
        400,
        "Property values were not valid",
        errors=[{"message": "bad", "code": "INVALID_OPTION", "context": {"propertyName": ["dealstage"]}}],
    )
    assert error.refused_properties == {"dealstage"}


def test_other_validation_errors_name_none() -> None:
    assert HubSpotValidationError(400, "Invalid input JSON on line 1").refused_properties == set()
    assert HubSpotValidationError(400, "Property values were not valid: not json").refused_properties == set()
