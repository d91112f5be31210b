"""Partner Central's rules beyond the service model, as pure functions over opportunity records.

Sources: docs/CONTRACTS.md, "Opportunity field rules", "Stages that need a solution", "Editable fields by
review status" and "Catalogs".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cosell_local.partner_central.errors import FieldError

Json = dict[str, Any]

CLOSED_STAGES = ("Launched", "Closed Lost")
STAGES_NEEDING_SOLUTION = ("Committed", "Launched")

# LifeCycle members AWS owns: the partner's full-replace update never overwrites them.
AWS_OWNED_LIFECYCLE = ("ReviewStatus", "ReviewComments", "ReviewStatusReason", "NextStepsHistory")
SANDBOX_REVIEW_OUTCOMES = ("Submitted", "In review", "Approved", "Action Required", "Rejected")
SUBMITTABLE_REVIEW_STATUSES = ("Pending Submission", "Action Required")

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
