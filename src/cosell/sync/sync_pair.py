"""Use case: keep a linked deal and opportunity in step, both ways (after the link exists).

Reconciles whatever triggered it (a deal, company or contact change, an Opportunity Updated event, the
sweep, an operator): reads both sides, decides field by field against the link's snapshot
(cosell.domain.reconcile), then writes only what differs:
- Partner Central: one read-merge-write UpdateOpportunity for every pushed field (the whole record, as read,
  with HubSpot's values in; UpdateOpportunity replaces the record), sent with the LastModifiedDate it read.
  ConflictException (someone wrote in between) → read again and decide again. The owner goes through
  AssignOpportunity, the one call that changes the opportunity team.
- HubSpot: one deal update with the pulled fields, AWS's review status, comments and next steps, and the
  sync status, only for properties whose value differs from the deal's.
So a burst of changes costs one write per side, and the sync's own writes, coming back as a webhook or an
event, find both sides equal to the snapshot: zero writes. Every write and every decision not to write
(hold, conflict, keep, error) is audited.

Runs inside the deal's FIFO message group (opportunity events of linked opportunities are routed there), so
one pair is never reconciled twice at once.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.domain.audit import AuditAction, AuditRecord, FieldChange, value_text
from cosell.domain.mapping import map_deal
from cosell.domain.reconcile import Action, Sides, decide, next_snapshot
from cosell.domain.synced_fields import BY_NAME, copy_field, deal_properties, values_of
from cosell.hubspot import properties
from cosell.hubspot.client import HubSpotValidationError
from cosell.partner_central.schema import instant, update_members
from cosell.store.conflicts import DealConflicts, FieldConflict

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from mypy_boto3_partnercentral_selling.type_defs import AssigneeContactTypeDef

    from cosell.domain.audit import Cause
    from cosell.domain.deal import DealView
    from cosell.domain.mapping_rules import MappingRules
    from cosell.domain.reconcile import FieldDecision
    from cosell.hubspot.models import Deal
    from cosell.store.state import Link
    from cosell.sync.push_deal import PushDealContext

CONFLICT_RETRIES = 3
_REFUSAL = "update:"
# Errors worth the queue's retries; any other refusal is shown on the deal.
_TRANSIENT = frozenset({"ThrottlingException", "InternalServerException", "ServiceQuotaExceededException"})
IN_STEP = "in step: nothing to write"
# LifeCycle members AWS owns: never sent back (UpdateOpportunity replaces the record; AWS keeps these).
AWS_OWNED_LIFE_CYCLE = ("ReviewStatus", "ReviewComments", "ReviewStatusReason", "NextStepsHistory")
_SENT_SEPARATELY = ("Catalog", "Identifier", "LastModifiedDate")


@dataclass(frozen=True)
class _Read:
    opportunity: dict[str, Any]
    sides: Sides
    decisions: list[FieldDecision]


@dataclass
class _Run:
    """What one reconcile did, for the deal's status and the audit trail."""

    deal: Deal
    link: Link
    view: DealView
    cause: Cause
    context: PushDealContext
    problems: list[str]
    refused: str | None = None
    deal_written: bool = False
    unapplied: set[str] = field(default_factory=set)  # fields whose write was refused: still changes

    def audit(self, action: AuditAction, changes: Sequence[FieldChange] = (), detail: str = "") -> None:
        audit(self.context, self.cause, action, self.link.deal_id, self.link, changes, detail)


def audit(
    context: PushDealContext,
    cause: Cause,
    action: AuditAction,
    deal_id: str,
    link: Link | None = None,
    changes: Sequence[FieldChange] = (),
    detail: str = "",
) -> None:
    """One audit record of a deal (and its opportunity, once linked), stamped with what caused the run."""
    context.audit.record(
        AuditRecord(
            at=context.now(),
            action=action,
            catalog=link.catalog if link else context.catalog,
            trigger=cause.trigger,
            correlation_id=cause.correlation_id,
            deal_id=deal_id,
            opportunity_id=link.opportunity_id if link else None,
            changes=tuple(changes),
            detail=detail,
        )
    )


def sync_pair(deal: Deal, link: Link, context: PushDealContext, cause: Cause) -> str:
    """Bring a linked deal and its opportunity in step; returns what happened, for the log."""
    view = context.reader.view(deal)
    mapped = map_deal(view, context.rules, context.vocabulary, context.now().date(), creating=False)
    run = _Run(deal, link, view, cause, context, [str(problem) for problem in mapped.problems])
    hubspot = values_of(mapped.fields) if mapped.fields is not None else None
    conflicts = context.conflicts.get(deal.id)
    resolutions = conflicts.resolutions if conflicts else {}

    try:
        read = _read(run, hubspot, resolutions)
    except ClientError as error:
        if _error_code(error) != "ResourceNotFoundException":
            raise
        return _opportunity_gone(run)
    for _attempt in range(CONFLICT_RETRIES):
        pushes = [d for d in read.decisions if d.action is Action.PUSH]
        try:
            _push(run, read, pushes, mapped.fields or {})
            break
        except ClientError as error:
            if _error_code(error) != "ConflictException":
                raise
            read = _read(run, hubspot, resolutions)  # someone wrote in between: decide again
    else:
        raise RuntimeError(
            f"opportunity {link.opportunity_id} kept changing while deal {deal.id} was written to it"
        )

    pulled = _pull(run, read, [d for d in read.decisions if d.name not in run.unapplied])
    decisions = [d for d in read.decisions if d.name not in run.unapplied]
    snapshot = next_snapshot(link.last_in_step, read.sides, decisions, pulled)
    _settle_conflicts(run, decisions, conflicts)
    _audit_decisions(run, read, decisions)
    if snapshot != link.last_in_step:
        context.store.save_snapshot(deal.id, snapshot, context.now().isoformat())
    return _summary(decisions, run)


def _read(run: _Run, hubspot: dict[str, Any] | None, resolutions: Mapping[str, Any]) -> _Read:
    context = run.context
    context.read_pacer.acquire()
    opportunity: dict[str, Any] = dict(
        context.partner_central.get_opportunity(Catalog=run.link.catalog, Identifier=run.link.opportunity_id)
    )
    opportunity.pop("ResponseMetadata", None)
    life_cycle = opportunity.get("LifeCycle") or {}
    sides = Sides(
        hubspot=hubspot,
        partner_central=values_of(opportunity),
        review_status=life_cycle.get("ReviewStatus"),
        hubspot_modified_at=run.view.modified_at or run.deal.updated_at,
        partner_central_modified_at=instant(opportunity.get("LastModifiedDate")) or run.deal.updated_at,
    )
    decisions = decide(sides, run.link.last_in_step, context.policy, resolutions)
    return _Read(opportunity, sides, decisions)


# --- HubSpot → Partner Central ---------------------------------------------------------------------------


def _push(run: _Run, read: _Read, pushes: list[FieldDecision], mapped: dict[str, Any]) -> None:
    context = run.context
    updates = [d for d in pushes if not d.synced.assigned]
    owner = next((d for d in pushes if d.synced.assigned), None)
    if updates:
        body = update_body(read.opportunity, mapped, [d.synced.name for d in updates], context.rules)
        refusal = _refusal_key(body, read.opportunity)
        known = context.store.problems_fingerprint(run.deal.id)
        if known == refusal:
            run.refused = "\n".join(context.store.problems(run.deal.id))  # the same update: not sent again
            run.unapplied.update(d.name for d in updates)
            return
        context.pacer.acquire()
        try:
            context.partner_central.update_opportunity(
                Catalog=run.link.catalog,
                Identifier=run.link.opportunity_id,
                LastModifiedDate=read.opportunity["LastModifiedDate"],
                **body,
            )
        except ClientError as error:
            if _error_code(error) != "ValidationException":
                raise
            _refused(run, error, refusal, updates)
            return
        if known is not None and known.startswith(_REFUSAL):
            context.store.clear_problems(run.deal.id)
        run.audit(AuditAction.UPDATE_OPPORTUNITY, _changes(updates, to_partner_central=True), _why(updates))
    if owner is not None:
        _assign(run, owner, mapped)


def update_body(
    opportunity: Mapping[str, Any],
    mapped: Mapping[str, Any],
    field_names: Sequence[str],
    rules: MappingRules,
) -> dict[str, Any]:
    """The opportunity as read, with the pushed fields taken from the mapped deal: what UpdateOpportunity
    takes (it replaces the whole record), without what AWS owns or what is sent separately."""
    body = {
        name: copy.deepcopy(value)
        for name, value in opportunity.items()
        if name in update_members() and name not in _SENT_SEPARATELY
    }
    life_cycle = body.setdefault("LifeCycle", {})
    for name in AWS_OWNED_LIFE_CYCLE:
        life_cycle.pop(name, None)
    for name in field_names:
        copy_field(mapped, body, BY_NAME[name])
    if life_cycle.get("Stage") == "Closed Lost" and not life_cycle.get("ClosedLostReason"):
        life_cycle["ClosedLostReason"] = rules.closed_lost_reason
    elif life_cycle.get("Stage") != "Closed Lost":
        life_cycle.pop("ClosedLostReason", None)
    return body


def _assign(run: _Run, owner: FieldDecision, mapped: Mapping[str, Any]) -> None:
    """The deal owner changed: AssignOpportunity makes the new owner the opportunity's owner (the first
    team member). Partner Central needs a name and an e-mail; an owner without them is reported, not sent."""
    team = mapped.get("OpportunityTeam") or []
    assignee = team[0] if team else {}
    if not (assignee.get("Email") and assignee.get("FirstName") and assignee.get("LastName")):
        run.audit(
            AuditAction.SKIP,
            _changes([owner], to_partner_central=True),
            "the new deal owner has no first name, last name and e-mail in HubSpot; Partner Central's owner "
            "is unchanged",
        )
        return
    contact: AssigneeContactTypeDef = {
        "Email": assignee["Email"],
        "FirstName": assignee["FirstName"],
        "LastName": assignee["LastName"],
        "BusinessTitle": assignee.get("BusinessTitle") or run.context.rules.owner_business_title,
    }
    if assignee.get("Phone"):
        contact["Phone"] = assignee["Phone"]
    run.context.pacer.acquire()
    try:
        run.context.partner_central.assign_opportunity(
            Catalog=run.link.catalog, Identifier=run.link.opportunity_id, Assignee=contact
        )
    except ClientError as error:
        if _error_code(error) in _TRANSIENT:
            raise
        # E.g. the new owner is not a user of the partner's Partner Central account.
        reason = f"Partner Central refused the new owner: {error.response.get('Error', {}).get('Message')}"
        run.refused = "\n".join(filter(None, [run.refused, reason]))
        run.unapplied.add(owner.name)
        run.audit(AuditAction.ERROR, _changes([owner], to_partner_central=True), reason)
        return
    run.audit(AuditAction.ASSIGN_OPPORTUNITY, _changes([owner], to_partner_central=True), _why([owner]))


def _refused(run: _Run, error: ClientError, refusal: str, updates: list[FieldDecision]) -> None:
    response: Any = error.response
    reasons = [
        f"Partner Central refused {item.get('FieldName')}: {item.get('Message')}"
        for item in response.get("ErrorList") or []
    ] or [
        f"Partner Central refused the update: {response.get('Error', {}).get('Message', 'no reason given')}"
    ]
    run.refused = "\n".join(reasons)
    run.unapplied.update(d.name for d in updates)
    run.context.store.save_problems(run.deal.id, refusal, reasons)
    run.audit(AuditAction.ERROR, _changes(updates, to_partner_central=True), run.refused)


def _refusal_key(body: Mapping[str, Any], opportunity: Mapping[str, Any]) -> str:
    """The update refused last time: not sent again until the deal or the opportunity changes (an
    association made in Partner Central moves its LastModifiedDate and may be what was missing)."""
    text = json.dumps([body, opportunity.get("LastModifiedDate")], sort_keys=True, default=str)
    return _REFUSAL + hashlib.sha256(text.encode()).hexdigest()


def _opportunity_gone(run: _Run) -> str:
    """The linked opportunity no longer exists (a Sandbox catalog is wiped about once a year): said on the
    deal, not retried into the DLQ at every change."""
    reason = (
        f"The linked Partner Central opportunity {run.link.opportunity_id} no longer exists in the "
        f"{run.link.catalog} catalog; ask your cosell administrator"
    )
    if (run.deal.get(properties.SYNC_ERROR) or "") != reason:
        run.context.hubspot.update_deal(
            run.deal.id, {properties.SYNC_STATUS: "Error", properties.SYNC_ERROR: reason}
        )
        run.audit(AuditAction.ERROR, detail=reason)
    return reason


# --- Partner Central → HubSpot ---------------------------------------------------------------------------


def _pull(run: _Run, read: _Read, decisions: list[FieldDecision]) -> dict[str, Any] | None:
    """Write the deal: pulled fields, AWS's review, and the sync status. Returns the deal's values mapped
    again with the pulled properties in (what HubSpot now holds, in Partner Central's terms), or None."""
    context = run.context
    pulls = [d for d in decisions if d.action is Action.PULL]
    pipeline = run.view.pipeline_id or "default"
    pulled: dict[str, str] = {}
    unplaceable: list[FieldDecision] = []
    for decision in pulls:
        values = deal_properties(decision.synced, read.opportunity, context.rules, pipeline)
        if values is None:
            unplaceable.append(decision)
        else:
            pulled |= values
    if unplaceable:
        run.audit(
            AuditAction.SKIP,
            _changes(unplaceable, to_partner_central=False),
            f"HubSpot cannot hold these Partner Central values (pipeline {pipeline}); the deal keeps its own",
        )
    try:
        changed = _write_deal(run, read, decisions, pulled)
    except HubSpotValidationError as error:
        # E.g. a currency the HubSpot account does not have: the pulled values stay out, the reason shows.
        reason = f"HubSpot refused Partner Central's values for the deal: {error}"
        run.refused = "\n".join(filter(None, [run.refused, reason]))
        run.unapplied.update(d.name for d in pulls)
        run.audit(AuditAction.ERROR, _changes(pulls, to_partner_central=False), reason)
        pulled = {}
        changed = _write_deal(run, read, decisions, pulled)
    if not changed:
        return None
    run.audit(
        AuditAction.UPDATE_DEAL,
        [FieldChange(name, run.deal.get(name), value) for name, value in sorted(changed.items())],
        _why(pulls) if pulls else "status and AWS review",
    )
    if not pulled:
        return None
    view = _with_properties(run.view, pulled)
    again = map_deal(view, context.rules, context.vocabulary, context.now().date(), creating=False)
    return values_of(again.fields) if again.fields is not None else None


def _write_deal(
    run: _Run, read: _Read, decisions: list[FieldDecision], pulled: dict[str, str]
) -> dict[str, str]:
    """Update the deal with what differs from what it holds; returns what was written."""
    wanted = pulled | review_properties(read.opportunity) | _status_properties(run, read, decisions)
    changed = {name: value for name, value in wanted.items() if (run.deal.get(name) or "") != value}
    if changed:
        run.context.hubspot.update_deal(
            run.deal.id, changed | {properties.LAST_SYNCED_AT: run.context.now().isoformat()}
        )
        run.deal_written = True
    return changed


def review_properties(opportunity: Mapping[str, Any]) -> dict[str, str]:
    life_cycle = opportunity.get("LifeCycle") or {}
    comments = "\n".join(
        text for text in (life_cycle.get("ReviewStatusReason"), life_cycle.get("ReviewComments")) if text
    )
    return {
        properties.REVIEW_STATUS: life_cycle.get("ReviewStatus") or "",
        properties.REVIEW_COMMENTS: comments[:65_000],
        properties.NEXT_STEPS: (life_cycle.get("NextSteps") or "")[:65_000],
    }


def _status_properties(run: _Run, read: _Read, decisions: list[FieldDecision]) -> dict[str, str]:
    waiting = _waiting(run, read, decisions)
    errors = "\n".join(run.problems + ([run.refused] if run.refused else []))
    status = "Error" if errors else "Pending" if waiting else "Synced"
    return {
        properties.OPPORTUNITY_ID: run.link.opportunity_id,
        properties.OPPORTUNITY_URL: run.context.opportunity_url(run.link.opportunity_id),
        properties.SYNC_STATUS: status,
        properties.SYNC_ERROR: errors[:65_000],
        properties.SYNC_WAITING: waiting[:65_000],
    }


def _waiting(run: _Run, read: _Read, decisions: list[FieldDecision]) -> str:
    lines = []
    held = [d.synced.label for d in decisions if d.action is Action.HOLD]
    if held:
        lines.append(
            f"waiting: opportunity is {read.sides.review_status}; {', '.join(held)} will be sent to Partner "
            f"Central when AWS lets the partner edit them"
        )
    locked = [d.synced.label for d in decisions if d.action is Action.LOCKED]
    if locked:
        lines.append(
            f"not sent: opportunity is {read.sides.review_status}; Partner Central no longer lets the partner "
            f"change {', '.join(locked)}. The deal keeps its value, the opportunity its own"
        )
    for decision in decisions:
        if decision.action is Action.MANUAL:
            lines.append(
                f"conflict: {decision.synced.label}: HubSpot has {value_text(decision.hubspot)}, Partner Central "
                f"has {value_text(decision.partner_central)}. Nothing is synced for it until your cosell "
                f"administrator picks one (cosell conflicts resolve {run.deal.id})"
            )
    return "\n".join(lines)


def _with_properties(view: DealView, values: Mapping[str, str]) -> DealView:
    """The deal as it reads after `values` were written to it."""
    changes: dict[str, Any] = {}
    if "dealname" in values:
        changes["name"] = values["dealname"]
    if "description" in values:
        changes["description"] = values["description"]
    if "dealstage" in values:
        changes["stage_id"] = values["dealstage"]
    if "closedate" in values:
        changes["close_date"] = date.fromisoformat(values["closedate"][:10])
    if "deal_currency_code" in values:
        changes["currency_code"] = values["deal_currency_code"]
    if "amount" in values:
        with contextlib.suppress(InvalidOperation):
            changes["amount"] = Decimal(values["amount"])
    return replace(view, **changes)


# --- conflicts and the audit trail -----------------------------------------------------------------------


def _settle_conflicts(run: _Run, decisions: list[FieldDecision], known: DealConflicts | None) -> None:
    # A conflict stays recorded until it is settled: waiting for an operator, or chosen by one but held
    # until AWS's review allows the write (the choice must survive the wait).
    chosen = known.resolutions if known else {}
    manual = [
        d for d in decisions if d.action is Action.MANUAL or (d.action is Action.HOLD and d.name in chosen)
    ]
    store = run.context.conflicts
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
            detected_at=run.context.now().isoformat(),
            fields=fields,
            resolutions={
                name: side
                for name, side in (known.resolutions if known else {}).items()
                if name in {f.field for f in fields}
            },
        )
    )


def _audit_decisions(run: _Run, read: _Read, decisions: list[FieldDecision]) -> None:
    """Decisions not to write. Holds and manual conflicts are recorded when they start, not at every run
    that finds them still waiting (the deal's `aws_sync_waiting` says they are known)."""
    known_waiting = run.deal.get(properties.SYNC_WAITING) or ""
    held = [d for d in decisions if d.action is Action.HOLD]
    if held and not _mentions(known_waiting, [d.synced.label for d in held]):
        run.audit(
            AuditAction.HOLD,
            _changes(held, to_partner_central=True),
            f"opportunity is {read.sides.review_status}: Partner Central does not let the partner edit these now",
        )
    for decision in decisions:
        if decision.action is Action.MANUAL and decision.synced.label not in known_waiting:
            run.audit(
                AuditAction.CONFLICT,
                [FieldChange(decision.name, decision.partner_central, decision.hubspot)],
                "both sides changed it; strategy manual: waiting for an operator",
            )
        elif decision.conflict and decision.winner is not None and decision.synced.label not in known_waiting:
            run.audit(
                AuditAction.CONFLICT,
                [FieldChange(decision.name, decision.partner_central, decision.hubspot)],
                f"both sides changed it; {decision.strategy}: {decision.winner} wins",
            )
    locked = [d for d in decisions if d.action is Action.LOCKED]
    if locked:
        run.audit(
            AuditAction.SKIP,
            _changes(locked, to_partner_central=True),
            f"opportunity is {read.sides.review_status}: Partner Central no longer lets the partner change these",
        )
    kept = [d for d in decisions if d.action is Action.KEEP]
    if kept:
        run.audit(
            AuditAction.SKIP,
            _changes(kept, to_partner_central=False),
            "changed in Partner Central; HubSpot does not take these back (docs/MAPPING.md)",
        )
    if run.problems and (run.deal.get(properties.SYNC_ERROR) or "") != "\n".join(run.problems):
        run.audit(AuditAction.ERROR, detail="\n".join(run.problems))


def _mentions(text: str, labels: list[str]) -> bool:
    return all(label in text for label in labels)


def _changes(decisions: Sequence[FieldDecision], *, to_partner_central: bool) -> list[FieldChange]:
    if to_partner_central:
        return [FieldChange(d.name, d.partner_central, d.hubspot) for d in decisions]
    return [FieldChange(d.name, d.hubspot, d.partner_central) for d in decisions]


def _why(decisions: Sequence[FieldDecision]) -> str:
    settled = [f"{d.name}: {d.strategy}, {d.winner} wins" for d in decisions if d.conflict]
    return "; ".join(["changed on one side", *settled]) if settled else "changed on one side"


def _summary(decisions: list[FieldDecision], run: _Run) -> str:
    if not decisions and not run.problems and not run.deal_written:
        return IN_STEP
    counts: dict[str, int] = {}
    for decision in decisions:
        counts[decision.action.value] = counts.get(decision.action.value, 0) + 1
    parts = [f"{count} × {action}" for action, count in sorted(counts.items())]
    if run.refused:
        parts.append("Partner Central refused the update")
    if run.problems:
        parts.append(f"{len(run.problems)} problem(s) on the deal")
    if run.deal_written:
        parts.append("deal updated")
    return "; ".join(parts)


def _error_code(error: ClientError) -> str | None:
    return error.response.get("Error", {}).get("Code")
