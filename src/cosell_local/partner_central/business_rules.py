"""Partner Central's rules beyond the service model, as pure functions over opportunity records.

Sources: docs/CONTRACTS.md, "Opportunity field rules", "Stages that need a solution", "Editable fields by
review status" and "Catalogs"; for submission, docs/EMULATORS.md ("What an opportunity needs to be
submitted"), which names AWS's pages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from cosell_local.partner_central.errors import FieldError

Json = dict[str, Any]

CLOSED_STAGES = ("Launched", "Closed Lost")
STAGES_NEEDING_SOLUTION = ("Committed", "Launched")

# LifeCycle members AWS owns: the partner's full-replace update never overwrites them.
AWS_OWNED_LIFECYCLE = ("ReviewStatus", "ReviewComments", "ReviewStatusReason", "NextStepsHistory")
SANDBOX_REVIEW_OUTCOMES = ("Submitted", "In review", "Approved", "Action Required", "Rejected")
SUBMITTABLE_REVIEW_STATUSES = ("Pending Submission", "Action Required")
# An UpdateOpportunity in Action Required sends the opportunity back into AWS's validation (model shape
# LifeCycle, member ReviewStatus: "After updates, the opportunity re-enters the validation phase").
REVIEW_AFTER_ACTION_REQUIRED = "Submitted"

# aws-samples/partner-crm-integration-samples, opportunity-samples/CountriesWithoutPostalCode.csv, as the
# model's CountryCode values: these countries take no postal code.
COUNTRIES_WITHOUT_POSTAL_CODE = frozenset(
    [
        "AE",
        "AG",
        "AN",
        "AO",
        "AW",
        "BF",
        "BI",
        "BJ",
        "BO",
        "BQ",
        "BS",
        "BW",
        "BZ",
        "CF",
        "CG",
        "CI",
        "CK",
        "CM",
        "CW",
        "DJ",
        "DM",
        "ER",
        "FJ",
        "GD",
        "GH",
        "GM",
        "GQ",
        "GY",
        "HK",
        "HM",
        "KI",
        "KM",
        "KN",
        "LY",
        "ML",
        "MO",
        "MR",
        "MW",
        "NR",
        "NU",
        "QA",
        "RW",
        "SB",
        "SC",
        "SH",
        "SL",
        "SR",
        "ST",
        "SY",
        "TF",
        "TG",
        "TK",
        "TL",
        "TO",
        "TV",
        "UG",
        "VU",
        "YE",
        "ZW",
    ]
)

_ADDRESS = "Customer.Account.Address"
# docs/CONTRACTS.md, "Editable fields by review status": what may change in each ReviewStatus.
_EDITABLE_WHEN_ACTION_REQUIRED = (
    _ADDRESS,
    "Customer.Account.WebsiteUrl",
    "LifeCycle.TargetCloseDate",
    "Project.ExpectedCustomerSpend",
    "Project.CustomerBusinessProblem",
    "PartnerOpportunityIdentifier",
)
_LOCKED_WHEN_APPROVED = (
    f"{_ADDRESS}.CountryCode",
    f"{_ADDRESS}.PostalCode",
    "Customer.Account.Industry",
    "Customer.Account.WebsiteUrl",
    "Project.CustomerBusinessProblem",
    "PartnerOpportunityIdentifier",
    "Project.Title",
)
_LOCKED_STATUSES = ("Submitted", "In review", "Rejected")


def _get(record: Json, path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def has_solution(record: Json) -> bool:
    related = record.get("RelatedEntityIdentifiers") or {}
    return bool(related.get("Solutions") or related.get("AwsMarketplaceSolutions"))


def solution_errors(record: Json) -> list[FieldError]:
    """An opportunity goes to AWS only with a solution associated (working-with-your-opportunities)."""
    if has_solution(record):
        return []
    return [
        FieldError(
            "RelatedEntityIdentifiers.Solutions",
            f"associate a solution with {record.get('Id')} before submitting it to AWS",
            "REQUIRED_FIELD_MISSING",
        )
    ]


def field_errors(record: Json, today: date) -> list[FieldError]:
    """The opportunity-wide rules, checked on every create and update."""
    errors: list[FieldError] = []
    national_security = record.get("NationalSecurity") == "Yes"
    industry = _get(record, "Customer.Account.Industry")
    if not national_security and not _get(record, "Customer.Account.WebsiteUrl"):
        errors.append(
            FieldError(
                "Customer.Account.WebsiteUrl",
                "is required unless the opportunity is national security",
                "REQUIRED_FIELD_MISSING",
            )
        )
    if industry == "Other" and not _get(record, "Customer.Account.OtherIndustry"):
        errors.append(
            FieldError(
                "Customer.Account.OtherIndustry",
                "is required when Industry is Other",
                "REQUIRED_FIELD_MISSING",
            )
        )
    if national_security and industry != "Government":
        errors.append(
            FieldError("NationalSecurity", "can be Yes only when Industry is Government", "INVALID_VALUE")
        )
    stage = _get(record, "LifeCycle.Stage")
    close_date = _get(record, "LifeCycle.TargetCloseDate")
    if close_date and stage not in CLOSED_STAGES and date.fromisoformat(close_date) < today:
        errors.append(FieldError("LifeCycle.TargetCloseDate", "must not be in the past", "INVALID_VALUE"))
    if stage in STAGES_NEEDING_SOLUTION and not has_solution(record):
        errors.append(
            FieldError(
                "LifeCycle.Stage",
                f"{stage} needs a solution associated with the opportunity first",
                "INVALID_RESOURCE_STATE",
            )
        )
    return errors


def _changed_paths(before: Any, after: Any, path: str = "") -> list[str]:
    """Leaf paths whose values differ; lists compare whole, absent equals null."""
    if isinstance(before, dict) or isinstance(after, dict):
        before_map = before if isinstance(before, dict) else {}
        after_map = after if isinstance(after, dict) else {}
        changed: list[str] = []
        for key in sorted(set(before_map) | set(after_map)):
            changed += _changed_paths(
                before_map.get(key), after_map.get(key), f"{path}.{key}" if path else key
            )
        return changed
    return [] if before == after else [path]


def _within(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(prefix + ".") for prefix in prefixes)


def edit_errors(review_status: str, before: Json, after: Json) -> list[FieldError]:
    """Members the partner changed that its ReviewStatus does not let it change."""
    aws_owned = tuple(f"LifeCycle.{name}" for name in AWS_OWNED_LIFECYCLE)
    changed = [path for path in _changed_paths(before, after) if not _within(path, aws_owned)]
    if review_status in _LOCKED_STATUSES:
        forbidden = changed
    elif review_status == "Action Required":
        forbidden = [path for path in changed if not _within(path, _EDITABLE_WHEN_ACTION_REQUIRED)]
    elif review_status == "Approved":
        forbidden = [path for path in changed if _within(path, _LOCKED_WHEN_APPROVED)]
    else:
        forbidden = []
    return [
        FieldError(path, f"cannot be changed while ReviewStatus is {review_status}", "ACTION_NOT_PERMITTED")
        for path in forbidden
    ]


def _missing(path: str, why: str = "is required to submit the opportunity to AWS") -> FieldError:
    return FieldError(path, why, "REQUIRED_FIELD_MISSING")


def _positive(amount: Any) -> bool:
    try:
        return bool(amount) and Decimal(str(amount)) > 0
    except InvalidOperation:
        return False


def _customer_errors(record: Json) -> list[FieldError]:
    national_security = record.get("NationalSecurity") == "Yes"
    errors: list[FieldError] = []
    if not national_security and not _get(record, "Customer.Account.CompanyName"):
        errors.append(_missing("Customer.Account.CompanyName"))
    if not _get(record, "Customer.Account.Industry"):
        errors.append(_missing("Customer.Account.Industry"))
    country = _get(record, f"{_ADDRESS}.CountryCode")
    if not country:
        errors.append(_missing(f"{_ADDRESS}.CountryCode"))
    if country not in COUNTRIES_WITHOUT_POSTAL_CODE and not _get(record, f"{_ADDRESS}.PostalCode"):
        errors.append(
            _missing(f"{_ADDRESS}.PostalCode", "is required to submit, except in countries without one")
        )
    if country == "US" and not national_security and not _get(record, f"{_ADDRESS}.StateOrRegion"):
        errors.append(_missing(f"{_ADDRESS}.StateOrRegion", "is required to submit when CountryCode is US"))
    return errors


def _project_errors(record: Json) -> list[FieldError]:
    errors = [
        _missing(f"Project.{name}")
        for name in ("Title", "CustomerUseCase", "DeliveryModels", "SalesActivities")
        if not _get(record, f"Project.{name}")
    ]
    problem = _get(record, "Project.CustomerBusinessProblem")
    if not problem:
        errors.append(_missing("Project.CustomerBusinessProblem"))
    elif not 20 <= len(problem) <= 2000:
        errors.append(
            FieldError("Project.CustomerBusinessProblem", "must be 20 to 2000 characters", "INVALID_VALUE")
        )
    spend = _get(record, "Project.ExpectedCustomerSpend") or []
    if not any(_positive(entry.get("Amount")) for entry in spend):
        errors.append(
            _missing(
                "Project.ExpectedCustomerSpend",
                "needs an entry with an Amount greater than 0 (and CurrencyCode, Frequency, TargetCompany) "
                "to submit the opportunity to AWS",
            )
        )
    if record.get("OpportunityType") == "Flat Renewal" and not _get(
        record, "Project.RelatedOpportunityIdentifier"
    ):
        errors.append(
            _missing(
                "Project.RelatedOpportunityIdentifier", "is required to submit a Flat Renewal opportunity"
            )
        )
    return errors


def _lifecycle_errors(record: Json) -> list[FieldError]:
    errors: list[FieldError] = []
    stage = _get(record, "LifeCycle.Stage")
    if not stage:
        errors.append(_missing("LifeCycle.Stage"))
    elif stage == "Closed Lost":
        errors.append(
            FieldError(
                "LifeCycle.Stage", "a Closed Lost opportunity cannot be submitted to AWS", "INVALID_VALUE"
            )
        )
    if not _get(record, "LifeCycle.TargetCloseDate"):
        errors.append(_missing("LifeCycle.TargetCloseDate"))
    return errors


def _co_sell_errors(record: Json) -> list[FieldError]:
    why = "is required to submit the opportunity for Co-Sell"
    errors = [_missing("PrimaryNeedsFromAws", why)] if not record.get("PrimaryNeedsFromAws") else []
    if not _get(record, "Customer.Contacts"):
        errors.append(_missing("Customer.Contacts", why))
    return errors


def submission_errors(record: Json, involvement_type: str, today: date) -> list[FieldError]:
    """Everything AWS needs before it takes an opportunity for review (SubmitOpportunity, the submission
    step of StartEngagementFromOpportunityTask), every violation at once; ReviewStatus is checked apart.
    The opportunity-wide rules come first, then the associated solution, then the complete details."""
    errors = field_errors(record, today) + solution_errors(record)
    errors += _customer_errors(record) + _project_errors(record) + _lifecycle_errors(record)
    if involvement_type == "Co-Sell":
        errors += _co_sell_errors(record)
    return errors
