"""MAPPING_RULES at deploy time: the template parameter reaches every function, the documented example for a
second pipeline loads and maps that pipeline's deals, and a wrong rule stops start-up naming its key."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from cosell.config import ConfigurationError
from cosell.config.sync import load_settings
from cosell.domain.mapping_rules import MappingRules
from cosell.domain.submission import requested
from cosell.domain.to_partner_central import map_deal
from cosell.partner_central.schema import vocabulary
from cosell_local.runner.template import StackTemplate
from tests.unit.test_mapping import DEAL, TODAY

ROOT = Path(__file__).parents[2]
ENVIRONMENT = {
    "ENVIRONMENT": "development",
    "AWS_REGION": "us-east-1",
    "HUBSPOT_ACCESS_TOKEN": "pat-na1-rules",
    "HUBSPOT_WEBHOOK_SECRET": "rules-secret",
    "SYNC_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/cosell-sync.fifo",
    "STATE_TABLE_NAME": "cosell-state",
    "AUDIT_TABLE_NAME": "cosell-audit",
}


def documented_example() -> str:
    """The JSON block under the marker in docs/MAPPING.md ("At deploy time")."""
    text = (ROOT / "docs" / "MAPPING.md").read_text()
    after_marker = text.split("tests/unit/test_mapping_rules.py. -->", 1)[1]
    return after_marker.split("```json\n", 1)[1].split("```", 1)[0]


def rules_from(mapping_rules: str) -> MappingRules:
    return load_settings({**ENVIRONMENT, "MAPPING_RULES": mapping_rules}).mapping_rules


def test_the_template_parameter_is_every_functions_mapping_rules() -> None:
    template = StackTemplate.read(ROOT / "template.yaml")
    assert template.global_environment()["MAPPING_RULES"] == {"Ref": "MappingRules"}
    assert template.parameter_default("MappingRules") == "{}"
    assert rules_from(template.parameter_default("MappingRules")) == MappingRules()


def test_the_documented_second_pipeline_maps_its_deals_and_keeps_the_default_one() -> None:
    rules = rules_from(documented_example())
    partner_deal = replace(DEAL, pipeline_id="889123", stage_id="1004")

    mapped = map_deal(partner_deal, rules, vocabulary(), TODAY, has_solution=True)  # Committed needs one

    assert mapped.fields is not None, mapped.problems
    assert mapped.fields["LifeCycle"]["Stage"] == "Committed"
    # 120,000 over the example's 24 months.
    assert mapped.fields["Project"]["ExpectedCustomerSpend"][0]["Amount"] == "5000.00"
    assert requested(partner_deal, rules)  # its stage 1004 submits to AWS
    default_deal = map_deal(DEAL, rules, vocabulary(), TODAY)
    assert default_deal.fields is not None
    assert default_deal.fields["LifeCycle"]["Stage"] == "Qualified"
    unknown_pipeline = map_deal(replace(DEAL, pipeline_id="777"), rules, vocabulary(), TODAY)
    assert unknown_pipeline.fields is None


def test_the_defaults_are_all_values_partner_central_accepts() -> None:
    assert MappingRules().problems(vocabulary()) == []


@pytest.mark.parametrize(
    ("rules", "named"),
    [
        ({"stage_mapp": {}}, "MAPPING_RULES.STAGE_MAPP: Extra inputs are not permitted"),
        (
            {"contract_term_months": 0},
            "MAPPING_RULES.CONTRACT_TERM_MONTHS: Input should be greater than or equal to 1",
        ),
        (
            {"stage_map": {"889123": {"1004": "Comitted"}}},
            "stage_map.889123.1004: 'Comitted' is not a stage Partner Central accepts (one of: Business Validation",
        ),
        ({"industry_map": {"VETERINARY": "Vets"}}, "industry_map.VETERINARY: 'Vets' is not an industry"),
        ({"default_currency": "EURO"}, "default_currency: 'EURO' is not a currency code"),
        ({"delivery_models": ["SaaS or PaaS", "Magic"]}, "delivery_models: 'Magic' is not a delivery model"),
        (
            {"submit_stages": {"889123": ["1004"]}},
            "submit_stages.889123: pipeline '889123' has no stage_map entry",
        ),
        (
            {"stage_map": {"889123": {"1004": "Committed"}}, "submit_stages": {"889123": ["1005"]}},
            "submit_stages.889123: stage '1005' is not in stage_map.889123",
        ),
    ],
)
def test_a_wrong_rule_stops_start_up_naming_its_key(rules: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        rules_from(json.dumps(rules))
    assert named in str(refused.value)
