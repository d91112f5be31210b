"""The configurable part of the HubSpot → Partner Central mapping, with the defaults docs/MAPPING.md lists.

A deployment overrides any of these with the `MAPPING_RULES` setting (JSON, merged over the defaults).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cosell.domain.vocabulary import Vocabulary

DEFAULT_PIPELINE = "default"

# HubSpot's default sales pipeline (internal stage ids) → Partner Central LifeCycle.Stage.
DEFAULT_STAGE_MAP: dict[str, dict[str, str]] = {
    DEFAULT_PIPELINE: {
        "appointmentscheduled": "Prospect",
        "qualifiedtobuy": "Qualified",
        "presentationscheduled": "Technical Validation",
        "decisionmakerboughtin": "Business Validation",
        "contractsent": "Committed",
        "closedwon": "Launched",
        "closedlost": "Closed Lost",
    }
}

# HubSpot's company `industry` options (internal values) → Partner Central Industry. Unlisted values map to
# Industry "Other" with the HubSpot label as OtherIndustry.
DEFAULT_INDUSTRY_MAP: dict[str, str] = {
    "AIRLINES_AVIATION": "Aerospace", "AVIATION_AEROSPACE": "Aerospace", "DEFENSE_SPACE": "Aerospace",
    "FARMING": "Agriculture", "DAIRY": "Agriculture", "FISHERY": "Agriculture", "RANCHING": "Agriculture",
    "AUTOMOTIVE": "Automotive",
    "COMPUTER_HARDWARE": "Computers and Electronics", "CONSUMER_ELECTRONICS": "Computers and Electronics",
    "SEMICONDUCTORS": "Computers and Electronics", "ELECTRICAL_ELECTRONIC_MANUFACTURING": "Computers and Electronics",
    "COMPUTER_NETWORKING": "Computers and Electronics",
    "CONSUMER_GOODS": "Consumer Goods", "COSMETICS": "Consumer Goods", "APPAREL_FASHION": "Consumer Goods",
    "FOOD_BEVERAGES": "Consumer Goods", "SPORTING_GOODS": "Consumer Goods", "LUXURY_GOODS_JEWELRY": "Consumer Goods",
    "EDUCATION_MANAGEMENT": "Education", "HIGHER_EDUCATION": "Education", "PRIMARY_SECONDARY_EDUCATION": "Education",
    "E_LEARNING": "Education",
    "OIL_ENERGY": "Energy - Oil and Gas", "UTILITIES": "Energy - Power and Utilities",
    "RENEWABLES_ENVIRONMENT": "Energy - Power and Utilities",
    "FINANCIAL_SERVICES": "Financial Services", "BANKING": "Financial Services", "INSURANCE": "Financial Services",
    "INVESTMENT_BANKING": "Financial Services", "INVESTMENT_MANAGEMENT": "Financial Services",
    "CAPITAL_MARKETS": "Financial Services", "VENTURE_CAPITAL_PRIVATE_EQUITY": "Financial Services",
    "ACCOUNTING": "Financial Services",
    "COMPUTER_GAMES": "Gaming", "GAMBLING_CASINOS": "Gaming",
    "GOVERNMENT_ADMINISTRATION": "Government", "GOVERNMENT_RELATIONS": "Government", "MILITARY": "Government",
    "PUBLIC_SAFETY": "Government", "LAW_ENFORCEMENT": "Government", "JUDICIARY": "Government",
    "HOSPITAL_HEALTH_CARE": "Healthcare", "MEDICAL_PRACTICE": "Healthcare", "MENTAL_HEALTH_CARE": "Healthcare",
    "HEALTH_WELLNESS_AND_FITNESS": "Healthcare", "MEDICAL_DEVICES": "Healthcare",
    "HOSPITALITY": "Hospitality", "RESTAURANTS": "Hospitality", "FOOD_PRODUCTION": "Hospitality",
    "PHARMACEUTICALS": "Life Sciences", "BIOTECHNOLOGY": "Life Sciences",
    "MACHINERY": "Manufacturing", "INDUSTRIAL_AUTOMATION": "Manufacturing", "CHEMICALS": "Manufacturing",
    "PLASTICS": "Manufacturing", "PAPER_FOREST_PRODUCTS": "Manufacturing", "TEXTILES": "Manufacturing",
    "MARKETING_AND_ADVERTISING": "Marketing and Advertising", "PUBLIC_RELATIONS_AND_COMMUNICATIONS": "Marketing and Advertising",
    "MARKET_RESEARCH": "Marketing and Advertising",
    "MEDIA_PRODUCTION": "Media and Entertainment", "ENTERTAINMENT": "Media and Entertainment",
    "BROADCAST_MEDIA": "Media and Entertainment", "ONLINE_MEDIA": "Media and Entertainment",
    "PUBLISHING": "Media and Entertainment", "MOTION_PICTURES_AND_FILM": "Media and Entertainment",
    "MUSIC": "Media and Entertainment", "NEWSPAPERS": "Media and Entertainment",
    "MINING_METALS": "Mining",
    "NON_PROFIT_ORGANIZATION_MANAGEMENT": "Non-Profit Organization", "PHILANTHROPY": "Non-Profit Organization",
    "CIVIC_SOCIAL_ORGANIZATION": "Non-Profit Organization", "FUND_RAISING": "Non-Profit Organization",
    "MANAGEMENT_CONSULTING": "Professional Services", "LEGAL_SERVICES": "Professional Services",
    "LAW_PRACTICE": "Professional Services", "STAFFING_AND_RECRUITING": "Professional Services",
    "HUMAN_RESOURCES": "Professional Services", "OUTSOURCING_OFFSHORING": "Professional Services",
    "PROFESSIONAL_TRAINING_COACHING": "Professional Services",
    "REAL_ESTATE": "Real Estate and Construction", "COMMERCIAL_REAL_ESTATE": "Real Estate and Construction",
    "CONSTRUCTION": "Real Estate and Construction", "BUILDING_MATERIALS": "Real Estate and Construction",
    "ARCHITECTURE_PLANNING": "Real Estate and Construction", "CIVIL_ENGINEERING": "Real Estate and Construction",
    "RETAIL": "Retail", "SUPERMARKETS": "Retail",
    "COMPUTER_SOFTWARE": "Software and Internet", "INTERNET": "Software and Internet",
    "INFORMATION_TECHNOLOGY_AND_SERVICES": "Software and Internet", "COMPUTER_NETWORK_SECURITY": "Software and Internet",
    "INFORMATION_SERVICES": "Software and Internet",
    "TELECOMMUNICATIONS": "Telecommunications", "WIRELESS": "Telecommunications",
    "LOGISTICS_AND_SUPPLY_CHAIN": "Transportation and Logistics", "TRANSPORTATIONTRUCKINGRAILROAD": "Transportation and Logistics",
    "MARITIME": "Transportation and Logistics", "PACKAGE_FREIGHT_DELIVERY": "Transportation and Logistics",
    "LEISURE_TRAVEL_TOURISM": "Travel",
    "WHOLESALE": "Wholesale and Distribution", "IMPORT_AND_EXPORT": "Wholesale and Distribution",
}  # fmt: skip


class MappingRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # pipeline id → {HubSpot stage id → Partner Central stage}. "default" is HubSpot's default pipeline.
    stage_map: dict[str, dict[str, str]] = Field(default_factory=lambda: DEFAULT_STAGE_MAP)
    industry_map: dict[str, str] = Field(default_factory=lambda: DEFAULT_INDUSTRY_MAP)
    # HubSpot's `amount` is the deal's total; Partner Central wants expected monthly AWS spend.
    # monthly = amount / contract_term_months, rounded half-up to cents.
    contract_term_months: Annotated[int, Field(ge=1, le=120)] = 12
    # Spend to report when a deal's currency is empty (HubSpot accounts without multi-currency leave it so).
    default_currency: str = "USD"
    spend_target_company: str = "AWS"
    # Fields HubSpot has no equivalent for; each can be overridden per deal by the property in brackets.
    opportunity_type: str = "Net New Business"  # [aws_opportunity_type]
    primary_needs_from_aws: tuple[str, ...] = ("Co-Sell - Deal Support",)  # [aws_primary_needs]
    delivery_models: tuple[str, ...] = ("Professional Services",)  # [aws_delivery_models]
    sales_activities: tuple[str, ...] = ("Initialized discussions with customer",)  # [aws_sales_activities]
    national_security: str = "No"  # [aws_national_security]
    customer_use_case: str | None = None  # [aws_customer_use_case]
    # Sent with a deal that moves to Closed Lost when Partner Central has no reason yet (LifeCycle.ClosedLostReason).
    closed_lost_reason: str = "Other"
    owner_business_title: str = "PartnerAccountManager"
    contact_business_title: str = "Customer contact"
    max_contacts: Annotated[int, Field(ge=0, le=50)] = 10
    # Solutions an opportunity carries when the deal names none (aws_solution_ids); none: the matcher chooses.
    default_solution_ids: tuple[str, ...] = ()
    # The matcher's choices: solutions scoring at least this (0–100, cosell.domain.solutions).
    solution_match_threshold: Annotated[int, Field(ge=0, le=100)] = 40
    # Pipeline id → HubSpot stage ids whose deals are submitted to AWS when they reach them, with
    # `submission_involvement` unless the deal says otherwise (aws_involvement_type).
    submit_stages: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    submission_involvement: Literal["Co-Sell", "For Visibility Only"] = "Co-Sell"
    submission_visibility: Literal["Full", "Limited"] = "Full"

    @property
    def monthly_divisor(self) -> Decimal:
        return Decimal(self.contract_term_months)

    def problems(self, vocabulary: Vocabulary) -> list[str]:
        """Each value Partner Central would refuse, named by its key (`stage_map.default.qualifiedtobuy`), and
        each submit stage the stage map does not know: checked at start-up, so a wrong MAPPING_RULES stops
        the function with its reason instead of failing every deal."""
        found: list[str] = []

        def check(key: str, values: Iterable[str], allowed: frozenset[str], what: str) -> None:
            listed = f" (one of: {', '.join(sorted(allowed))})" if len(allowed) <= 30 else ""
            found.extend(
                f"{key}: {value!r} is not {what} Partner Central accepts{listed}"
                for value in values
                if value not in allowed
            )

        for pipeline, stages in self.stage_map.items():
            for stage_id, stage in stages.items():
                check(f"stage_map.{pipeline}.{stage_id}", [stage], vocabulary.stages, "a stage")
        for industry, value in self.industry_map.items():
            check(f"industry_map.{industry}", [value], vocabulary.industries, "an industry")
        check("default_currency", [self.default_currency], vocabulary.currency_codes, "a currency code")
        check(
            "opportunity_type", [self.opportunity_type], vocabulary.opportunity_types, "an opportunity type"
        )
        check(
            "primary_needs_from_aws", self.primary_needs_from_aws, vocabulary.primary_needs, "a primary need"
        )
        check("delivery_models", self.delivery_models, vocabulary.delivery_models, "a delivery model")
        check("sales_activities", self.sales_activities, vocabulary.sales_activities, "a sales activity")
        check(
            "national_security",
            [self.national_security],
            vocabulary.national_security,
            "a NationalSecurity value",
        )
        check(
            "closed_lost_reason",
            [self.closed_lost_reason],
            vocabulary.closed_lost_reasons,
            "a closed-lost reason",
        )
        for pipeline, stage_ids in self.submit_stages.items():
            known = self.stage_map.get(pipeline)
            if known is None:
                found.append(f"submit_stages.{pipeline}: pipeline {pipeline!r} has no stage_map entry")
                continue
            found.extend(
                f"submit_stages.{pipeline}: stage {stage_id!r} is not in stage_map.{pipeline}"
                for stage_id in stage_ids
                if stage_id not in known
            )
        return found
