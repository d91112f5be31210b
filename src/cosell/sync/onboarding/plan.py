"""Use case: `cosell plan`. What a sync would do now, read from both systems, written to neither.

Runs on `PlanPorts` alone (cosell.sync.ports: reads, no writer), through the sync's own decisions:
- every linked pair of the catalog (the state table's links): the deal and the opportunity read as the pair's
  sync reads them, the solutions' difference (cosell.sync.solutions.associate.planned_steps) and the
  decision per field (cosell.sync.deals.pair.assess, cosell.domain.reconcile);
- every tagged deal without a link (HubSpot search): why none is made (reason_not_to_create), the
  opportunity it names and whether it may be adopted (cosell.sync.deals.adopt), or the create path's
  pre-flight (cosell.sync.deals.push.preflight);
- every opportunity of the catalog no deal is linked to or names: left alone.
Not foreseen: submissions to AWS, notifications, engagements, and what the deal shows besides synced fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cosell.aws_errors import error_code
from cosell.domain import deal_properties
from cosell.domain.adoption import NotAdoptable
from cosell.domain.plan import Plan, PlanEntry, Step, create_writes, field_plans, pair_step, pair_writes
from cosell.domain.stages import stage_to_create
from cosell.hubspot.client import HubSpotNotFoundError
from cosell.partner_central.opportunities import opportunity_summaries
from cosell.sync.deals.adopt import adoptable, adopted_link
from cosell.sync.deals.pair import assess, assignee
from cosell.sync.deals.push import preflight, reason_not_to_create
from cosell.sync.solutions.associate import associated, planned_steps
from cosell.sync.solutions.choice import choose_solutions

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cosell.domain.deal import DealView
    from cosell.hubspot.models import Deal
    from cosell.store.state import Link
    from cosell.sync.ports import PlanPorts


def plan(ports: PlanPorts) -> Plan:
    catalog = ports.config.catalog
    links = [link for link in ports.links.all_links() if link.catalog == catalog]
    entries = [_pair(link, ports) for link in links]
    linked = {link.deal_id for link in links}
    entries += [
        _unlinked(deal_id, ports) for deal_id in ports.deals.tagged_deal_ids() if deal_id not in linked
    ]
    taken = {entry.opportunity_id for entry in entries}
    every = opportunity_summaries(ports.partner_central, {"Catalog": catalog})
    entries += [
        PlanEntry(
            Step.NOTHING,
            None,
            summary["Id"],
            _customer(summary),
            note="linked to no deal: a sync leaves it alone",
        )
        for summary in sorted(every, key=lambda summary: str(summary["Id"]))
        if summary["Id"] not in taken
    ]
    return Plan(tuple(entries))


def _pair(link: Link, ports: PlanPorts) -> PlanEntry:
    try:
        deal = ports.deals.read_deal(link.deal_id)
    except HubSpotNotFoundError:
        return PlanEntry(
            Step.NOTHING,
            link.deal_id,
            link.opportunity_id,
            "",
            linked=True,
            note="the deal no longer exists in HubSpot: its opportunity is left as it is",
        )
    opportunity = _opportunity(link.opportunity_id, ports)
    if opportunity is None:
        return PlanEntry(
            Step.BLOCKED,
            deal.id,
            link.opportunity_id,
            deal.name or "",
            linked=True,
            problems=(f"the linked opportunity no longer exists in the {link.catalog} catalog",),
        )
    return _weighed(deal, ports.deals.view(deal), link, opportunity, ports, adopting=False)


def _unlinked(deal_id: str, ports: PlanPorts) -> PlanEntry:
    deal = ports.deals.read_deal(deal_id)
    name = deal.name or ""
    reason = reason_not_to_create(deal)
    if reason is not None:
        return PlanEntry(Step.NOTHING, deal_id, None, name, note=reason.value)
    named = (deal.get(deal_properties.OPPORTUNITY_ID) or "").strip()
    view = ports.deals.view(deal)
    if named:
        found = adoptable(deal_id, named, ports)
        if isinstance(found, NotAdoptable):
            return PlanEntry(Step.BLOCKED, deal_id, named, name, problems=(str(found.problem()),))
        adopted = adopted_link(view, found, ports.config, ports.now())
        return _weighed(deal, view, adopted, found, ports, adopting=True)
    checked = preflight(view, ports)
    if checked.result.fields is None or checked.choice is None:
        return PlanEntry(Step.BLOCKED, deal_id, None, name, problems=tuple(checked.problems))
    fields = checked.result.fields
    stage = fields["LifeCycle"]["Stage"]
    steps = planned_steps({"LifeCycle": fields["LifeCycle"]}, checked.choice)
    return PlanEntry(
        Step.CREATE,
        deal_id,
        None,
        name,
        solutions=_solutions(steps),
        note="; ".join(f"left out: {warning}" for warning in checked.result.warnings),
        writes=create_writes(len(steps), stage_moved=stage_to_create(stage) != stage),
    )


def _weighed(
    deal: Deal, view: DealView, link: Link, opportunity: dict[str, Any], ports: PlanPorts, *, adopting: bool
) -> PlanEntry:
    """A pair as its sync would find it (`adopting`: the link adoption would make, not saved)."""
    config = ports.config
    choice, _ = choose_solutions(view, ports)
    steps = planned_steps(opportunity, choice)
    carried = {*associated(opportunity), *(i for adding, i in steps if adding)} - {
        i for adding, i in steps if not adding
    }
    assessed = assess(view, deal, link, opportunity, ports, has_solution=bool(carried) and not choice.unknown)
    decisions = assessed.read.decisions
    writes = pair_writes(
        decisions, len(steps), assignable=assignee(assessed.mapped.fields or {}, config.rules) is not None
    )
    return PlanEntry(
        Step.LINK if adopting else pair_step(decisions, writes),
        deal.id,
        link.opportunity_id,
        deal.name or "",
        linked=not adopting,
        fields=field_plans(decisions),
        solutions=_solutions(steps),
        problems=tuple(str(problem) for problem in assessed.mapped.problems) + tuple(choice.problems),
        writes=writes,
    )


def _opportunity(opportunity_id: str, ports: PlanPorts) -> dict[str, Any] | None:
    try:
        opportunity = dict(
            ports.partner_central.get_opportunity(Catalog=ports.config.catalog, Identifier=opportunity_id)
        )
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        return None
    opportunity.pop("ResponseMetadata", None)
    return opportunity


def _customer(summary: Mapping[str, Any]) -> str:
    account = (summary.get("Customer") or {}).get("Account") or {}
    return str(account.get("CompanyName") or "")


def _solutions(steps: list[tuple[bool, str]]) -> tuple[str, ...]:
    return tuple(f"{'+' if adding else '-'}{solution_id}" for adding, solution_id in steps)
