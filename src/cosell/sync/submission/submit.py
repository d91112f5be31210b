"""Use case: submit a linked deal's opportunity to AWS when the deal asks for it, and follow the submission.

Runs inside the pair's sync (cosell.sync.deals.pair), after the deal's changes are in Partner Central:
1. A submission under way is followed (ListEngagementFromOpportunityTasks, a read): COMPLETE → the deal shows
   Submitted and the engagement (its members follow: cosell.sync.engagements); FAILED → AWS's reason on the deal.
2. Otherwise, when the deal asks (cosell.domain.submission) and the opportunity is Pending Submission, and
   nothing else stops the deal: pre-flight; each problem goes on the deal and nothing is sent. Then
   StartEngagementFromOpportunityTask, its attempt recorded first (cosell.store.submissions): a redelivered
   request, or a run after a crash, sends the same ClientToken and Partner Central returns the same task.
3. A failed submission is tried again only after the rep changes the deal (a new attempt, a new token).
4. AWS rejecting the opportunity ends the co-sell path (the review's notification tells the rep why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain import deal_properties
from cosell.domain.audit import AuditAction, FieldChange
from cosell.domain.deal import fingerprint
from cosell.domain.deal_status import partner_central_refusal
from cosell.domain.submission import SUBMITTABLE, requested, submission_problems
from cosell.metrics import Refusal
from cosell.store.submissions import Submission, SubmissionState
from cosell.sync.engagements.requests import queue_engagement_started
from cosell.sync.solutions.associate import associated

if TYPE_CHECKING:
    from cosell.domain.deal import DealView
    from cosell.hubspot.models import Deal
    from cosell.store.state import Link
    from cosell.sync.ports import Ports
    from cosell.sync.solutions.associate import Audit

# What Partner Central answers when it refuses the submission itself: shown on the deal, not retried.
REFUSALS = frozenset({"ValidationException", "ConflictException"})
_SHOWN = {
    SubmissionState.STARTING: "Submitting",
    SubmissionState.RUNNING: "Submitting",
    SubmissionState.SUBMITTED: "Submitted",
    SubmissionState.FAILED: "Failed",
    SubmissionState.REJECTED: "Rejected",
}


@dataclass
class SubmissionReport:
    """What the deal shows of its submission, and whether Partner Central changed (read it again)."""

    properties: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    changed: bool = False
    failed: tuple[int, str] | None = None  # (attempt, AWS's reason) when an attempt failed in this run


@dataclass(frozen=True)
class _Submitting:
    deal: Deal
    view: DealView
    link: Link
    ports: Ports
    audit: Audit
    correlation_id: str


def client_token(catalog: str, opportunity_id: str, attempt: int) -> str:
    return f"cosell-{catalog.lower()}-submit-{opportunity_id}-{attempt}"


def advance_submission(
    deal: Deal,
    view: DealView,
    link: Link,
    opportunity: dict[str, Any],
    *,
    blocked: bool,
    ports: Ports,
    audit: Audit,
    correlation_id: str,
) -> SubmissionReport:
    """`opportunity`: as Partner Central holds it now; `blocked`: something else stops the deal's sync."""
    run = _Submitting(deal, view, link, ports, audit, correlation_id)
    stored = ports.submissions.get(link.catalog, link.opportunity_id)
    review_status = (opportunity.get("LifeCycle") or {}).get("ReviewStatus")
    if stored is not None and stored.state in (SubmissionState.STARTING, SubmissionState.RUNNING):
        return _follow(run, stored)
    if review_status == "Rejected":
        return _rejected(run, opportunity)
    request = requested(view, ports.config.rules)
    if stored is not None and (
        stored.state is SubmissionState.SUBMITTED or request is None or review_status != SUBMITTABLE
    ):
        return _shown(stored, still_failing=False)
    if request is None or review_status != SUBMITTABLE:
        # Nothing asked (any more), or AWS has the opportunity: a status shown earlier is cleared.
        return SubmissionReport({deal_properties.SUBMISSION_STATUS: ""})
    if (
        stored is not None
        and stored.state is SubmissionState.FAILED
        and stored.fingerprint == fingerprint(view)
    ):
        return _shown(stored, still_failing=True)  # unchanged since AWS refused it: not sent again
    if blocked:
        return SubmissionReport()  # the deal shows what stops it; the submission waits for the fix
    problems = submission_problems(opportunity, associated(opportunity), request, ports.now().date())
    if problems:
        return SubmissionReport({deal_properties.SUBMISSION_STATUS: "Incomplete"}, problems)
    number = stored.attempt + 1 if stored is not None else 1
    attempt = Submission(
        number,
        client_token(link.catalog, link.opportunity_id, number),
        SubmissionState.STARTING,
        involvement=request.involvement,
        visibility=request.visibility,
    )
    return _start(run, ports.submissions.start(link.catalog, link.opportunity_id, attempt))


def _start(run: _Submitting, attempt: Submission) -> SubmissionReport:
    """Start the recorded attempt's task, with exactly its token and request (a replay after a crash too)."""
    ports, link = run.ports, run.link
    try:
        task = ports.partner_central.start_engagement_from_opportunity_task(
            Catalog=link.catalog,
            ClientToken=attempt.client_token,
            Identifier=link.opportunity_id,
            AwsSubmission={"InvolvementType": attempt.involvement, "Visibility": attempt.visibility},  # type: ignore[typeddict-item]
        )
    except ClientError as error:
        if error_code(error) not in REFUSALS:
            raise  # throttling, 5xx, access: retried by the queue, then parked in the DLQ
        return _failed(run, attempt, "; ".join(partner_central_refusal(error.response, "the submission")))
    ports.submissions.update(
        link.catalog, link.opportunity_id, attempt.attempt, SubmissionState.RUNNING, task_id=task["TaskId"]
    )
    run.audit(
        AuditAction.SUBMIT_OPPORTUNITY,
        [FieldChange("submission", None, f"{attempt.involvement}, {attempt.visibility} visibility")],
        f"ClientToken {attempt.client_token}; task {task['TaskId']}",
    )
    report = _on_task(run, attempt, dict(task))
    report.changed = True
    return report


def _follow(run: _Submitting, stored: Submission) -> SubmissionReport:
    if stored.task_id is None:
        # Recorded, then the run stopped before the task id was: start again, same token, same task.
        return _start(run, stored)
    tasks = run.ports.partner_central.list_engagement_from_opportunity_tasks(
        Catalog=run.link.catalog, TaskIdentifier=[stored.task_id]
    ).get("TaskSummaries", [])
    if not tasks:
        return _shown(stored, still_failing=False)  # not listed yet: the next change or the sweep comes back
    report = _on_task(run, stored, dict(tasks[0]))
    report.changed = report.properties.get(deal_properties.SUBMISSION_STATUS) != "Submitting"
    return report


def _on_task(run: _Submitting, attempt: Submission, task: dict[str, Any]) -> SubmissionReport:
    status = task.get("TaskStatus")
    if status == "IN_PROGRESS":
        return SubmissionReport({deal_properties.SUBMISSION_STATUS: "Submitting"})
    if status == "COMPLETE":
        engagement_id = str(task.get("EngagementId") or "")
        if engagement_id:  # before SUBMITTED: a run that stops in between queues it again
            queue_engagement_started(engagement_id, run.ports, run.correlation_id)
        run.ports.submissions.update(
            run.link.catalog,
            run.link.opportunity_id,
            attempt.attempt,
            SubmissionState.SUBMITTED,
            engagement_id=engagement_id,
        )
        return SubmissionReport(
            {deal_properties.SUBMISSION_STATUS: "Submitted", deal_properties.ENGAGEMENT_ID: engagement_id}
        )
    reason = ": ".join(str(part) for part in (task.get("ReasonCode"), task.get("Message")) if part)
    return _failed(run, attempt, reason or "the task failed without a reason")


def _failed(run: _Submitting, attempt: Submission, reason: str) -> SubmissionReport:
    line = _failure_line(reason)
    run.ports.submissions.update(
        run.link.catalog,
        run.link.opportunity_id,
        attempt.attempt,
        SubmissionState.FAILED,
        reason=reason,
        fingerprint=fingerprint(run.view),
    )
    run.audit(AuditAction.ERROR, [FieldChange("submission", None, None)], line, Refusal.SUBMISSION)
    return SubmissionReport(
        {deal_properties.SUBMISSION_STATUS: "Failed"}, [line], changed=True, failed=(attempt.attempt, reason)
    )


def _failure_line(reason: str) -> str:
    return (
        f"AWS submission: Partner Central could not submit the opportunity ({reason}). Fix the deal; cosell "
        f"submits it again at your next change."
    )


def _rejected(run: _Submitting, opportunity: dict[str, Any]) -> SubmissionReport:
    """AWS disqualified the opportunity: it is not submitted again. The rep hears why from the review's
    notification (cosell.domain.notifications); the deal shows AWS's reason in its review comments."""
    life_cycle = opportunity.get("LifeCycle") or {}
    why = life_cycle.get("ReviewStatusReason") or life_cycle.get("ReviewComments") or "no reason given"
    if run.ports.submissions.close_rejected(run.link.catalog, run.link.opportunity_id, why):
        run.audit(
            AuditAction.SKIP, detail=f"AWS rejected the opportunity ({why}); the co-sell path is closed"
        )
    return SubmissionReport({deal_properties.SUBMISSION_STATUS: "Rejected"})


def _shown(stored: Submission, *, still_failing: bool) -> SubmissionReport:
    properties = {deal_properties.SUBMISSION_STATUS: _SHOWN[stored.state]}
    if stored.engagement_id:
        properties[deal_properties.ENGAGEMENT_ID] = stored.engagement_id
    if not still_failing:
        return SubmissionReport(properties)
    # Still failing: told again each run, notified once (a run that stopped before its notification sends it).
    reason = stored.reason or ""
    return SubmissionReport(properties, [_failure_line(reason)], failed=(stored.attempt, reason))
