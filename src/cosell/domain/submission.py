"""Submitting an opportunity to AWS: when the deal asks for it, and whether the opportunity is complete enough
for AWS to review it. Pure.

A deal asks by its `aws_involvement_type` (Co-Sell or For Visibility Only, with `aws_visibility`), or by
reaching a stage its pipeline submits at (`MappingRules.submit_stages`). Only an opportunity in Pending
Submission is submitted: under Action Required AWS reviews it again after the partner's update
(docs/CONTRACTS.md, "Editable fields by review status"), and the other statuses are AWS's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cosell.domain.countries import COUNTRIES_WITHOUT_POSTAL_CODE
from cosell.domain.deal_properties import INVOLVEMENT_TYPES, VISIBILITIES
from cosell.domain.mapping_rules import DEFAULT_PIPELINE
from cosell.domain.stages import CLOSED_LOST

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cosell.domain.deal import DealView
    from cosell.domain.mapping_rules import MappingRules

SUBMITTABLE = "Pending Submission"
BUSINESS_PROBLEM_MIN, BUSINESS_PROBLEM_MAX = 20, 2000
# Countries whose addresses Partner Central needs a state or region for.
STATE_REQUIRED = frozenset({"US"})


@dataclass(frozen=True)
class SubmissionRequest:
    involvement: str  # Co-Sell or For Visibility Only
    visibility: str  # Full or Limited


def requested(deal: DealView, rules: MappingRules) -> SubmissionRequest | None:
    """What the deal asks of AWS, if anything."""
    visibility = deal.visibility if deal.visibility in VISIBILITIES else rules.submission_visibility
    if deal.involvement_type in INVOLVEMENT_TYPES:
        return SubmissionRequest(str(deal.involvement_type), visibility)
    stage_id = deal.stage_id
    if stage_id and stage_id in rules.submit_stages.get(deal.pipeline_id or DEFAULT_PIPELINE, ()):
        return SubmissionRequest(rules.submission_involvement, visibility)
    return None


def submission_problems(
    opportunity: Mapping[str, Any], solution_ids: Sequence[str], request: SubmissionRequest, today: date
) -> list[str]:
    """What AWS needs before it reviews the opportunity (as Partner Central holds it), in the rep's words:
    each line names the HubSpot field to fix (docs/MAPPING.md, "Submitting to AWS")."""
    customer = opportunity.get("Customer") or {}
    account = customer.get("Account") or {}
    address = account.get("Address") or {}
    project = opportunity.get("Project") or {}
    life_cycle = opportunity.get("LifeCycle") or {}
    national_security = opportunity.get("NationalSecurity") == "Yes"
    country = address.get("CountryCode")
    problem = str(project.get("CustomerBusinessProblem") or "")
    close = str(life_cycle.get("TargetCloseDate") or "")
    stage = life_cycle.get("Stage")
    checks: list[tuple[object, str]] = [
        (solution_ids, "AWS solutions: AWS reviews only an opportunity with a solution. Set the deal's AWS "
         "solution ids, or ask your cosell administrator for default solutions."),
        (national_security or account.get("CompanyName"),
         "Company name: AWS needs the customer's name. Name the deal's company."),
        (national_security or account.get("WebsiteUrl"),
         "Company website: AWS needs the customer's website. Set the company's domain."),
        (account.get("Industry"), "Company industry: AWS needs the customer's industry. Set the company's industry."),
        (account.get("Industry") != "Other" or account.get("OtherIndustry"),
         "Company industry: is Other; AWS needs to know which. Set the company's industry."),
        (country, "Company country: AWS needs the customer's country. Set the company's country."),
        (country in COUNTRIES_WITHOUT_POSTAL_CODE or address.get("PostalCode"),
         "Company postal code: AWS needs it to review the opportunity. Set the company's zip."),
        (country not in STATE_REQUIRED or national_security or address.get("StateOrRegion"),
         f"Company state: AWS needs the state of a customer in {country}. Set the company's state."),
        (project.get("Title"), "Deal name: AWS needs the opportunity's title. Name the deal."),
        (project.get("CustomerUseCase"),
         "AWS customer use case: AWS needs the customer's use case to review the opportunity. Set the deal's "
         "AWS customer use case (aws_customer_use_case), or ask your cosell administrator for a default."),
        (BUSINESS_PROBLEM_MIN <= len(problem) <= BUSINESS_PROBLEM_MAX,
         f"Deal description: AWS needs the customer's business problem in {BUSINESS_PROBLEM_MIN} to "
         f"{BUSINESS_PROBLEM_MAX:,} characters (it has {len(problem):,})."),
        (any(_positive(entry.get("Amount")) for entry in project.get("ExpectedCustomerSpend") or []),
         "Deal amount: AWS needs the expected AWS spend. Set the deal's amount."),
        (project.get("DeliveryModels"), "AWS delivery models: AWS needs how the solution is delivered. Pick one."),
        (project.get("SalesActivities"), "AWS sales activities: AWS needs what has happened so far. Pick one."),
        (request.involvement != "Co-Sell" or opportunity.get("PrimaryNeedsFromAws"),
         "AWS primary needs: a Co-Sell submission says what the partner needs from AWS. Pick one."),
        (request.involvement != "Co-Sell" or customer.get("Contacts"),
         "Deal contacts: a Co-Sell submission needs a customer contact with an e-mail. Associate one."),
        (close, "Close date: AWS needs a target close date. Set the deal's close date."),
        (not close or date.fromisoformat(close[:10]) >= today,
         f"Close date: {close[:10]} is in the past; AWS reviews only open opportunities. Move it forward."),
        (stage, "Deal stage: AWS needs the opportunity's stage."),
        (stage != CLOSED_LOST, "Deal stage: a closed lost opportunity is not submitted to AWS."),
    ]  # fmt: skip
    return [line for passed, line in checks if not passed]


def _positive(amount: object) -> bool:
    try:
        return float(str(amount)) > 0
    except ValueError:
        return False
