"""Use case: keep a linked deal and opportunity in step, both ways (after the link exists).

Reconciles whatever triggered it (a deal, company or contact change, an Opportunity Updated event, the
sweep, an operator): reads both sides, decides field by field against the link's snapshot
(cosell.domain.reconcile), then writes only what differs:
- Partner Central: one read-merge-write UpdateOpportunity for every pushed field
  (cosell.domain.opportunity_update), sent with the LastModifiedDate it read. ConflictException (someone wrote
  in between) → read again and decide again. The owner goes through AssignOpportunity, the one call that
  changes the opportunity team.
- HubSpot: one deal update with the pulled fields, AWS's review status, comments and next steps, and the
  sync status, only for properties whose value differs from the deal's.
So a burst of changes costs one write per side, and the sync's own writes, coming back as a webhook or an
event, find both sides equal to the snapshot: zero writes. Every write and every decision not to write
(hold, conflict, keep, error) is audited.

Runs inside the deal's FIFO message group (opportunity events of linked opportunities are routed there), so
the worker never reconciles one pair twice at once. A backfill or an operator's command runs beside it: the
snapshot is saved against the link revision read (StateStore.save_snapshot), and a run that lost the race
reads both sides again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import TRANSIENT, error_code, error_message
from cosell.domain import deal_properties
from cosell.domain.audit import AuditAction, FieldChange
from cosell.domain.aws_summary import involvement_from_aws, observed, seen_by_aws, summary_properties
from cosell.domain.deal import with_properties
from cosell.domain.deal_status import (
    link_properties,
    partner_central_refusal,
    review_properties,
    status_properties,
    waiting_text,
)
from cosell.domain.notifications import pair_notifications, submission_failed
from cosell.domain.opportunity_update import is_refusal_key, refusal_key, update_body
from cosell.domain.reconcile import Action, Sides, changes_of, decide, next_snapshot, why
from cosell.domain.synced_fields import pulled_deal_properties, values_of
from cosell.domain.to_partner_central import map_deal
from cosell.hubspot.client import HubSpotValidationError
from cosell.metrics import Refusal
from cosell.partner_central.schema import instant, update_members
from cosell.store.conflicts import DealConflicts, FieldConflict
from cosell.store.state import LinkChangedError
from cosell.sync.deals.echoes import hubspot_seen_ms
from cosell.sync.notify import notify
from cosell.sync.reporting import audit, show_on_deal
from cosell.sync.solutions.associate import associated, converge, shown
from cosell.sync.solutions.choice import choose_solutions
from cosell.sync.submission.submit import advance_submission

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from mypy_boto3_partnercentral_selling.type_defs import AssigneeContactTypeDef

    from cosell.domain.audit import Cause
    from cosell.domain.deal import DealView
    from cosell.domain.mapping_rules import MappingRules
    from cosell.domain.reconcile import ConflictPolicy, FieldDecision, Side
    from cosell.domain.solutions import Solution
    from cosell.domain.synced_fields import Values
    from cosell.domain.to_partner_central import MappingResult
    from cosell.hubspot.models import Deal
    from cosell.store.state import Link
    from cosell.sync.ports import Ports, ReadPorts

CONFLICT_RETRIES = 3
_SETTLED = frozenset({Action.PUSH, Action.PULL, Action.KEEP, Action.AGREE})
IN_STEP = "in step: nothing to write"


@dataclass(frozen=True)
class PairReading:
    """Both sides as read, and the decision per field that changed on either (cosell.domain.reconcile)."""

    opportunity: dict[str, Any]
    sides: Sides
    decisions: list[FieldDecision]


@dataclass(frozen=True)
class Assessment:
    """A pair weighed, nothing written: the deal in Partner Central's terms and what to do per field."""

    mapped: MappingResult
    hubspot: Values | None  # the deal's values; None when it cannot be mapped
    read: PairReading
    conflicts: DealConflicts | None  # waiting for an operator, with the choices made

    @property
    def resolutions(self) -> Mapping[str, Side]:
        return self.conflicts.resolutions if self.conflicts else {}


@dataclass
class _Run:
    """What one reconcile did, for the deal's status and the audit trail."""

    deal: Deal
    link: Link
    view: DealView
    cause: Cause
    ports: Ports
    problems: list[str]
    catalog: Sequence[Solution]
    refused: str | None = None
    deal_written: bool = False
    unapplied: set[str] = field(default_factory=set)  # fields whose write was refused: still changes
    has_solution: bool = False  # the opportunity carries a solution, and the deal names none unknown
    updated: bool = False  # an UpdateOpportunity went out
    shown: dict[str, str] = field(default_factory=dict)  # what the submission shows on the deal
    review_source: dict[str, Any] | None = None  # the opportunity read after a submission moved it
    submission: str | None = None  # where a submission that moved in this run stands
    warnings: list[str] = field(default_factory=list)  # what the mapping left out (on the deal)
    # The LastModifiedDate of the opportunity as last read, while nothing was written to it since (Link).
    partner_central_seen: str | None = None

    def audit(
        self,
        action: AuditAction,
        changes: Sequence[FieldChange] = (),
        detail: str = "",
        refusal: Refusal | None = None,
    ) -> None:
        audit(self.ports, self.cause, action, self.link.deal_id, self.link, changes, detail, refusal)

    def refuse(self, reason: str) -> None:
        self.refused = "\n".join(filter(None, [self.refused, reason]))


def sync_pair(deal: Deal, link: Link, ports: Ports, cause: Cause) -> str:
    """Bring a linked deal and its opportunity in step; returns what happened, for the log."""
    for _attempt in range(CONFLICT_RETRIES):
        try:
            return _reconcile(deal, link, ports, cause)
        except LinkChangedError:
            # Another sync of this pair saved its snapshot in between (a backfill beside the worker): that
            # one stands; read both sides again and decide again, as for a ConflictException.
            fresh = ports.links.link_for_deal(deal.id)
            if fresh is None:
                return "unlinked while it was reconciled: nothing more to do"
            link, deal = fresh, ports.deals.read_deal(deal.id)
    raise RuntimeError(f"deal {deal.id}: its link kept changing while it was reconciled")


def _reconcile(deal: Deal, link: Link, ports: Ports, cause: Cause) -> str:
    config = ports.config
    view = ports.deals.view(deal)
    choice, catalog = choose_solutions(view, ports)
    run = _Run(deal, link, view, cause, ports, list(choice.problems), catalog)
    try:
        opportunity = _opportunity(run)
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        return _opportunity_gone(run)
    # The solutions first: a stage that needs one is sent only once the opportunity carries one.
    names = {solution.id: solution.name for solution in catalog}
    converged = converge(opportunity, choice, link, ports, run.audit, choice.explain(names))
    for reason in converged.refused:
        run.refuse(reason)
    if converged.changed:  # associations move the opportunity's LastModifiedDate: read it again
        opportunity = _opportunity(run)
    # A solution id the deal names that is not in the catalog holds back what needs a solution.
    run.has_solution = bool(associated(opportunity)) and not choice.unknown
    assessed = assess(view, deal, link, opportunity, ports, has_solution=run.has_solution)
    mapped = assessed.mapped
    run.problems = [str(problem) for problem in mapped.problems] + run.problems
    run.warnings = [*mapped.warnings, *link.warnings]
    read = assessed.read
    for _attempt in range(CONFLICT_RETRIES):
        pushes = [d for d in read.decisions if d.action is Action.PUSH]
        try:
            _push(run, read, pushes, mapped.fields or {})
            break
        except ClientError as error:
            if error_code(error) != "ConflictException":
                raise
            # Someone wrote in between: read again, decide again.
            read = weigh(
                view,
                deal,
                link,
                _opportunity(run),
                assessed.hubspot,
                config.conflict_policy,
                assessed.resolutions,
            )
    else:
        raise RuntimeError(
            f"opportunity {link.opportunity_id} kept changing while deal {deal.id} was written to it"
        )

    _submit(run, read)
    _aws_summary(run, read)
    pulled = _pull(run, read, [d for d in read.decisions if d.name not in run.unapplied])
    decisions = [d for d in read.decisions if d.name not in run.unapplied]
    snapshot = next_snapshot(link.last_in_step, read.sides, decisions, pulled)
    _settle_conflicts(run, decisions, assessed.conflicts)
    _audit_decisions(run, read, decisions)
    # What this run read counts as seen only when it left nothing to do again: a held, locked or manual field,
    # a refusal or a problem is looked at again by the next change's reconcile, however old; and an unsettled
    # run takes back the marks an earlier one left, even when the snapshot stays as it was. A settled run that
    # left the snapshot as it was still records the deal it read, when newer (one write): the events of what
    # it read (the echoes of cosell's own write-backs, the company's and contacts' changes) then cost no
    # reconcile each. Not the opportunity: a submission such a run started changes it after this run's read,
    # and AWS's answer must not be taken for this run's echo.
    settled = not (run.refused or run.problems or run.unapplied) and all(
        decision.action in _SETTLED for decision in decisions
    )
    seen: tuple[int | None, str | None] = (
        (hubspot_seen_ms(deal), run.partner_central_seen) if settled else (None, None)
    )
    if settled and snapshot == link.last_in_step:
        seen = (seen[0], link.partner_central_seen)
    if snapshot != link.last_in_step or seen != (link.hubspot_seen_ms, link.partner_central_seen):
        ports.links.save_snapshot(link, snapshot, ports.now().isoformat(), *seen)
    return _summary(decisions, run)


def _opportunity(run: _Run) -> dict[str, Any]:
    opportunity: dict[str, Any] = dict(
        run.ports.partner_central.get_opportunity(
            Catalog=run.link.catalog, Identifier=run.link.opportunity_id
        )
    )
    opportunity.pop("ResponseMetadata", None)
    read_at = instant(opportunity.get("LastModifiedDate"))
    run.partner_central_seen = read_at.isoformat() if read_at else None
    return opportunity


def assess(
    view: DealView,
    deal: Deal,
    link: Link,
    opportunity: dict[str, Any],
    ports: ReadPorts,
    *,
    has_solution: bool,
) -> Assessment:
    """What the pair's sync decides, from what was read (the sync carries it out; `cosell plan` shows it).
    `has_solution`: the opportunity carries a solution (after this run's associations)."""
    config = ports.config
    today = ports.now().date()
    mapped = map_deal(view, config.rules, config.vocabulary, today, creating=False, has_solution=has_solution)
    hubspot = values_of(mapped.fields) if mapped.fields is not None else None
    conflicts = ports.conflicts.get(deal.id)
    read = weigh(
        view,
        deal,
        link,
        opportunity,
        hubspot,
        config.conflict_policy,
        conflicts.resolutions if conflicts else {},
    )
    return Assessment(mapped, hubspot, read, conflicts)


def weigh(
    view: DealView,
    deal: Deal,
    link: Link,
    opportunity: dict[str, Any],
    hubspot: Values | None,
    policy: ConflictPolicy,
    resolutions: Mapping[str, Side],
) -> PairReading:
    life_cycle = opportunity.get("LifeCycle") or {}
    sides = Sides(
        hubspot=hubspot,
        partner_central=values_of(opportunity),
        review_status=life_cycle.get("ReviewStatus"),
        hubspot_modified_at=view.modified_at or deal.updated_at,
        partner_central_modified_at=instant(opportunity.get("LastModifiedDate")) or deal.updated_at,
    )
    return PairReading(opportunity, sides, decide(sides, link.last_in_step, policy, resolutions))


# --- HubSpot → Partner Central ---------------------------------------------------------------------------


def _push(run: _Run, read: PairReading, pushes: list[FieldDecision], mapped: dict[str, Any]) -> None:
    ports = run.ports
    updates = [d for d in pushes if not d.synced.assigned]
    owner = next((d for d in pushes if d.synced.assigned), None)
    if updates:
        body = update_body(
            read.opportunity, mapped, [d.synced.name for d in updates], ports.config.rules, update_members()
        )
        refusal = refusal_key(body, read.opportunity.get("LastModifiedDate"))
        known = ports.links.problems_fingerprint(run.deal.id)
        if known == refusal:
            run.refused = "\n".join(ports.links.problems(run.deal.id))  # the same update: not sent again
            run.unapplied.update(d.name for d in updates)
            return
        try:
            ports.partner_central.update_opportunity(
                Catalog=run.link.catalog,
                Identifier=run.link.opportunity_id,
                LastModifiedDate=read.opportunity["LastModifiedDate"],
                **body,
            )
        except ClientError as error:
            if error_code(error) != "ValidationException":
                raise
            reasons = partner_central_refusal(error.response, "the update")
            run.refuse("\n".join(reasons))
            run.unapplied.update(d.name for d in updates)
            ports.links.save_problems(run.deal.id, refusal, reasons)
            run.audit(
                AuditAction.ERROR,
                changes_of(updates, to_partner_central=True),
                "\n".join(reasons),
                Refusal.PARTNER_CENTRAL,
            )
            return
        run.updated = True
        run.partner_central_seen = None  # until it is read again (_submit reads it after an update)
        if is_refusal_key(known):
            ports.links.clear_problems(run.deal.id)
        run.audit(AuditAction.UPDATE_OPPORTUNITY, changes_of(updates, to_partner_central=True), why(updates))
    if owner is not None:
        _assign(run, owner, mapped)


def assignee(mapped: Mapping[str, Any], rules: MappingRules) -> AssigneeContactTypeDef | None:
    """The deal's owner as AssignOpportunity takes them (the mapped OpportunityTeam's first member); None
    when HubSpot lacks the name or e-mail Partner Central needs."""
    team = mapped.get("OpportunityTeam") or []
    member = team[0] if team else {}
    if not (member.get("Email") and member.get("FirstName") and member.get("LastName")):
        return None
    contact: AssigneeContactTypeDef = {
        "Email": member["Email"],
        "FirstName": member["FirstName"],
        "LastName": member["LastName"],
        "BusinessTitle": member.get("BusinessTitle") or rules.owner_business_title,
    }
    if member.get("Phone"):
        contact["Phone"] = member["Phone"]
    return contact


def _assign(run: _Run, owner: FieldDecision, mapped: Mapping[str, Any]) -> None:
    """The deal owner changed: AssignOpportunity makes the new owner the opportunity's owner (the first
    team member). An owner without the name and e-mail Partner Central needs is reported, not sent."""
    ports = run.ports
    contact = assignee(mapped, ports.config.rules)
    if contact is None:
        run.audit(
            AuditAction.SKIP,
            changes_of([owner], to_partner_central=True),
            "the new deal owner has no first name, last name and e-mail in HubSpot; Partner Central's owner "
            "is unchanged",
        )
        return
    try:
        ports.partner_central.assign_opportunity(
            Catalog=run.link.catalog, Identifier=run.link.opportunity_id, Assignee=contact
        )
    except ClientError as error:
        if error_code(error) in TRANSIENT:
            raise
        # E.g. the new owner is not a user of the partner's Partner Central account.
        reason = f"Partner Central refused the new owner: {error_message(error)}"
        run.refuse(reason)
        run.unapplied.add(owner.name)
        run.audit(
            AuditAction.ERROR, changes_of([owner], to_partner_central=True), reason, Refusal.PARTNER_CENTRAL
        )
        return
    run.partner_central_seen = None  # the team changed: not read since
    run.audit(AuditAction.ASSIGN_OPPORTUNITY, changes_of([owner], to_partner_central=True), why([owner]))


def _opportunity_gone(run: _Run) -> str:
    """The linked opportunity no longer exists (a Sandbox catalog is wiped about once a year): said on the
    deal, not retried into the DLQ at every change."""
    reason = (
        f"The linked Partner Central opportunity {run.link.opportunity_id} no longer exists in the "
        f"{run.link.catalog} catalog; ask your cosell administrator"
    )
    if (run.deal.get(deal_properties.SYNC_ERROR) or "") != reason:
        show_on_deal(run.ports, run.deal.id, status_properties([reason]), synced=False)
        run.audit(AuditAction.ERROR, detail=reason, refusal=Refusal.OPPORTUNITY_GONE)
    return reason


def _submit(run: _Run, read: PairReading) -> None:
    """The submission to AWS, when the deal asks for it (cosell.sync.submission), on the opportunity as
    Partner Central holds it after this run's writes."""
    # After an update, the opportunity as Partner Central now holds it: under Action Required AWS reviews it
    # again (its review status moves on), and the submission's pre-flight must see this run's changes.
    latest = _opportunity(run) if run.updated else read.opportunity
    if run.updated:
        run.review_source = latest
    report = advance_submission(
        run.deal,
        run.view,
        run.link,
        latest,
        blocked=bool(run.problems or run.refused),
        ports=run.ports,
        audit=run.audit,
        correlation_id=run.cause.correlation_id,
    )
    run.problems += report.problems
    run.shown = report.properties
    if report.failed is not None:
        attempt, reason = report.failed
        config = run.ports.config
        score = observed(run.deal.properties).quality_score
        high_score = config.notification_rules.high_score
        failed = submission_failed(
            run.link.opportunity_id,
            run.deal.name or run.deal.id,
            attempt,
            reason,
            config.notification_rules,
            high=score is not None
            and score >= (config.thresholds.high_score if high_score is None else high_score),
        )
        notify(failed, run.deal.id, run.deal.owner_id, run.ports, run.cause, run.link)
    if report.changed:  # AWS's review status moved: the deal shows the new one
        run.review_source = _opportunity(run)
        run.submission = report.properties.get(deal_properties.SUBMISSION_STATUS)


def _aws_summary(run: _Run, read: PairReading) -> None:
    """What AWS says about an opportunity it has seen (cosell.domain.aws_summary), for the deal's one update;
    stamped with when it changed, so an unchanged summary costs no write."""
    opportunity = run.review_source or read.opportunity
    if not seen_by_aws(opportunity):
        return
    summary = run.ports.partner_central.get_aws_opportunity_summary(
        Catalog=run.link.catalog, RelatedOpportunityIdentifier=run.link.opportunity_id
    )
    shown = summary_properties(summary) | involvement_from_aws(
        summary, run.deal.get(deal_properties.INVOLVEMENT_TYPE)
    )
    _notify_changes(run, opportunity, shown)
    first = not run.deal.get(
        deal_properties.SUMMARY_UPDATED_AT
    )  # even an empty first summary is the baseline
    if first or any((run.deal.get(name) or "") != value for name, value in shown.items()):
        shown[deal_properties.SUMMARY_UPDATED_AT] = run.ports.now().isoformat()
    run.shown = {**run.shown, **shown}


def _notify_changes(run: _Run, opportunity: dict[str, Any], shown: dict[str, str]) -> None:
    """What AWS changed that the rep must hear of (cosell.domain.notifications): the deal's properties are what
    the rep saw, `shown` and the opportunity's review what Partner Central says now. Sent before the deal is
    written, so a run that stops in between notifies at its retry (once: each notification's key is claimed)."""
    properties = run.deal.properties
    before = observed(properties)
    if not properties.get(deal_properties.SUMMARY_UPDATED_AT):
        before = replace(
            before, sellers=observed(shown).sellers
        )  # the first summary: what AWS says, not news
    now = observed({**shown, **review_properties(opportunity)})
    config = run.ports.config
    notifications = pair_notifications(
        before,
        now,
        opportunity_id=run.link.opportunity_id,
        deal_name=run.deal.name or run.deal.id,
        rules=config.notification_rules,
        thresholds=config.thresholds,
        marker=run.deal.updated_at.isoformat(),
    )
    notify(notifications, run.deal.id, run.deal.owner_id, run.ports, run.cause, run.link)


# --- Partner Central → HubSpot ---------------------------------------------------------------------------


def _pull(run: _Run, read: PairReading, decisions: list[FieldDecision]) -> dict[str, Any] | None:
    """Write the deal: pulled fields, AWS's review, and the sync status. Returns the deal's values mapped
    again with the pulled properties in (what HubSpot now holds, in Partner Central's terms), or None."""
    config = run.ports.config
    pulls = [d for d in decisions if d.action is Action.PULL]
    pipeline = run.view.pipeline_id or "default"
    pulled: dict[str, str] = {}
    unplaceable: list[FieldDecision] = []
    for decision in pulls:
        values = pulled_deal_properties(decision.synced, read.opportunity, config.rules, pipeline)
        if values is None:
            unplaceable.append(decision)
        else:
            pulled |= values
    if unplaceable:
        run.audit(
            AuditAction.SKIP,
            changes_of(unplaceable, to_partner_central=False),
            f"HubSpot cannot hold these Partner Central values (pipeline {pipeline}); the deal keeps its own",
        )
    try:
        changed = _write_deal(run, read, decisions, pulled)
    except HubSpotValidationError as error:
        # E.g. a currency the HubSpot account does not have: the pulled values stay out, the reason shows.
        reason = f"HubSpot refused Partner Central's values for the deal: {error}"
        run.refuse(reason)
        run.unapplied.update(d.name for d in pulls)
        run.audit(AuditAction.ERROR, changes_of(pulls, to_partner_central=False), reason, Refusal.HUBSPOT)
        pulled = {}
        changed = _write_deal(run, read, decisions, pulled)
    if not changed:
        return None
    run.audit(
        AuditAction.UPDATE_DEAL,
        [FieldChange(name, run.deal.get(name), value) for name, value in sorted(changed.items())],
        why(pulls) if pulls else "status and AWS review",
    )
    if not pulled:
        return None
    again = map_deal(
        with_properties(run.view, pulled),
        config.rules,
        config.vocabulary,
        run.ports.now().date(),
        creating=False,
        has_solution=run.has_solution,
    )
    return values_of(again.fields) if again.fields is not None else None


def _write_deal(
    run: _Run, read: PairReading, decisions: list[FieldDecision], pulled: dict[str, str]
) -> dict[str, str]:
    """Update the deal with what differs from what it holds; returns what was written."""
    ports = run.ports
    errors = [*run.problems, *([run.refused] if run.refused else [])]
    wanted = (
        pulled
        | review_properties(run.review_source or read.opportunity)
        | link_properties(run.link.opportunity_id, ports.config.opportunity_url(run.link.opportunity_id))
        | {deal_properties.SOLUTIONS: shown(associated(run.review_source or read.opportunity), run.catalog)}
        | run.shown
        | status_properties(
            errors, waiting_text(decisions, read.sides.review_status, run.deal.id), run.warnings
        )
    )
    changed = {name: value for name, value in wanted.items() if (run.deal.get(name) or "") != value}
    if changed:
        show_on_deal(ports, run.deal.id, changed)
        run.deal_written = True
    return changed


# --- conflicts and the audit trail -----------------------------------------------------------------------


def _settle_conflicts(run: _Run, decisions: list[FieldDecision], known: DealConflicts | None) -> None:
    # A conflict stays recorded until it is settled: waiting for an operator, or chosen by one but held
    # until AWS's review allows the write (the choice must survive the wait).
    chosen = known.resolutions if known else {}
    manual = [
        d for d in decisions if d.action is Action.MANUAL or (d.action is Action.HOLD and d.name in chosen)
    ]
    store = run.ports.conflicts
    if not manual:
        if known is not None:
            store.clear(run.deal.id)
        return
    fields = tuple(FieldConflict(d.name, d.hubspot, d.partner_central) for d in manual)
    if known is not None and known.fields == fields:
        return
    store.save(
        DealConflicts(
            deal_id=run.deal.id,
            opportunity_id=run.link.opportunity_id,
            catalog=run.link.catalog,
            detected_at=run.ports.now().isoformat(),
            fields=fields,
            resolutions={name: side for name, side in chosen.items() if name in {f.field for f in fields}},
        )
    )


def _audit_decisions(run: _Run, read: PairReading, decisions: list[FieldDecision]) -> None:
    """Decisions not to write. Holds and manual conflicts are recorded when they start, not at every run
    that finds them still waiting (the deal's `aws_sync_waiting` says they are known)."""
    known_waiting = run.deal.get(deal_properties.SYNC_WAITING) or ""
    held = [d for d in decisions if d.action is Action.HOLD]
    if held and not all(d.synced.label in known_waiting for d in held):
        run.audit(
            AuditAction.HOLD,
            changes_of(held, to_partner_central=True),
            f"opportunity is {read.sides.review_status}: Partner Central does not let the partner edit these now",
        )
    for decision in decisions:
        if decision.action is Action.MANUAL and decision.synced.label not in known_waiting:
            run.audit(
                AuditAction.CONFLICT,
                [FieldChange(decision.name, decision.partner_central, decision.hubspot)],
                f"{_conflict_cause(run, decision)}; strategy manual: waiting for an operator",
            )
        elif decision.conflict and decision.winner is not None and decision.synced.label not in known_waiting:
            run.audit(
                AuditAction.CONFLICT,
                [FieldChange(decision.name, decision.partner_central, decision.hubspot)],
                f"{_conflict_cause(run, decision)}; {decision.strategy}: {decision.winner} wins",
            )
    locked = [d for d in decisions if d.action is Action.LOCKED]
    if locked:
        run.audit(
            AuditAction.SKIP,
            changes_of(locked, to_partner_central=True),
            f"opportunity is {read.sides.review_status}: Partner Central no longer lets the partner change these",
        )
    kept = [d for d in decisions if d.action is Action.KEEP]
    if kept:
        run.audit(
            AuditAction.SKIP,
            changes_of(kept, to_partner_central=False),
            "changed in Partner Central; HubSpot does not take these back (docs/MAPPING.md)",
        )
    if run.problems and (run.deal.get(deal_properties.SYNC_ERROR) or "") != "\n".join(run.problems):
        run.audit(AuditAction.ERROR, detail="\n".join(run.problems), refusal=Refusal.INVALID_DEAL)


def _conflict_cause(run: _Run, decision: FieldDecision) -> str:
    if decision.name in run.link.last_in_step.unsettled:
        return "the two sides differed when they were linked"  # an adopted opportunity (.adopt)
    return "both sides changed it"


def _summary(decisions: list[FieldDecision], run: _Run) -> str:
    if not decisions and not run.problems and not run.deal_written and run.submission is None:
        return IN_STEP
    counts: dict[str, int] = {}
    for decision in decisions:
        counts[decision.action.value] = counts.get(decision.action.value, 0) + 1
    parts = [f"{count} × {action}" for action, count in sorted(counts.items())]
    if run.refused:
        parts.append("Partner Central refused the update")
    if run.problems:
        parts.append(f"{len(run.problems)} problem(s) on the deal")
    if run.submission is not None:
        parts.append(f"submission to AWS: {run.submission}")
    if run.deal_written:
        parts.append("deal updated")
    return "; ".join(parts)
