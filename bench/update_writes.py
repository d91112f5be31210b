"""Partner Central writes per HubSpot change event, under a realistic mix of rep activity.

    python bench/update_writes.py [--deals 20] [--actions 60] [--seed 7]

On the local stack (cosell_local.runner.LocalStack: moto, both emulators, template.yaml's functions), a rep
creates `--deals` linked #AWS deals (5 companies, each the primary company of 4 deals; one contact per deal;
owner set), the sync pushes them, and then the rep plays `--actions` seeded actions through the HubSpot
emulator with a rep token, so HubSpot's own signed webhooks reach the webhook function. The same plan (same
kinds, values and pauses) is played twice, each time on fresh deals:

- live: the worker's SQS event source (LocalStack's, as Lambda's event source mapping: batches of 5, polled
  every 0.2 s when idle) runs in the background while the rep works, pausing 0.2-1.2 s between actions;
- batched: the event source is stopped while the rep works (same pauses), then the queue is run.

The mix (seeded; share of actions; what HubSpot sends with cosell's subscriptions):

    form save        20%  amount + close date + stage, one PATCH        3 deal.propertyChange
    inline burst     10%  amount, close date, stage: 3 PATCHes,         3 deal.propertyChange, one per PATCH
                          0.5-1.5 s apart
    single edit      20%  amount or close date                          1 deal.propertyChange
    owner change      5%  hubspot_owner_id to the other owner           1 deal.propertyChange
    unmapped edit    10%  dealtype (cosell does not subscribe to it)    none
    no-op save       10%  amount written again, same value              none (HubSpot records no change)
    company edit      5%  city of a company with 4 linked deals         1 company.propertyChange
    company unmapped  5%  company description (not subscribed)          none
    contact edit     10%  the deal contact's jobtitle                   1 contact.propertyChange
    new contact       5%  a contact created, then associated            1 deal.associationChange, and
                          to the deal                                   contact.propertyChange for the values
                                                                        set at creation (email, firstname, phone)

Counted from a settled start to a settled end: change events in the deliveries the webhook function answered
200 (the HubSpot emulator records every delivery), messages the worker processed (from the event source's
history), Partner Central write calls (the emulator's control API, `calls()`), and deal PATCHes made with the
app's token (the HubSpot emulator's request log). Then the echo check: the sweep queues a reconcile of every
opportunity modified since its cursor (every pair of the case), the queue runs until idle: zero writes.

HubSpot's clock runs 100 times faster, as in the e2e tests: its 10-second rate-limit windows would otherwise
add 429 back-off to the worker's reads, which changes timing, not what is written. Partner Central's write
pacing (0.9/s) is the real one. Prints one table and writes nothing else (the functions log at ERROR).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

import urllib3

from cosell.hubspot.client import HubSpotClient
from cosell.hubspot.models import DEAL_TO_CONTACT, DEAL_TO_PRIMARY_COMPANY, AssociationInput
from cosell.queue.messages import Subject, parse_message
from cosell_local.demo.rep import REP_OWNER_ID, REP_TOKEN
from cosell_local.partner_central import EmulatorConfig
from cosell_local.partner_central.config import WRITE_OPERATIONS
from cosell_local.runner import LocalStack
from ratios import ratio

if TYPE_CHECKING:
    from collections.abc import Callable

COMPANIES = 5
DEAL_STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin")
OWNERS = ("110000001", "110000002")  # the HubSpot emulator's two seeded owners
CITIES = ("Seattle", "Austin", "Denver", "Boston", "Chicago", "Portland", "Atlanta", "Phoenix")
TITLES = ("CTO", "VP Engineering", "Head of Platform", "CIO", "Director of IT", "Cloud Architect")
DESCRIPTION = "Move the on-premises ERP to AWS and cut hosting costs by 40 percent."
SETTLE_SECONDS = 600.0

# kind → share of actions (see the module docstring)
MIX: dict[str, int] = {
    "form save": 20,
    "inline burst": 10,
    "single edit": 20,
    "owner change": 5,
    "unmapped edit": 10,
    "no-op save": 10,
    "company edit": 5,
    "company unmapped": 5,
    "contact edit": 10,
    "new contact": 5,
}


# --- the rep's portfolio and actions ----------------------------------------------------------------------


@dataclass
class DealState:
    """What the rep last wrote, so an edit is a change and a no-op save writes the same value."""

    id: str
    company: str
    contact: str
    amount: int = 60_000
    close_date: date = date(2027, 9, 30)
    stage: str = "presentationscheduled"
    owner: str = OWNERS[0]
    dealtype: str = "newbusiness"


@dataclass
class Portfolio:
    deals: list[DealState]
    cities: dict[str, str]
    domains: dict[str, str]
    titles: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One rep request, after a pause: PATCH `values` onto a deal, company or contact, or ("new contact")
    create a contact with `values` and associate it to deal `object_id`."""

    pause: float
    target: Literal["deals", "companies", "contacts", "new contact"]
    object_id: str
    values: dict[str, str]


@dataclass(frozen=True)
class Action:
    kind: str
    steps: tuple[Step, ...]


class Rep:
    """A rep in HubSpot's UI: the emulator reports these writes as CRM_UI by a user. Retries a 429, as a
    person clicks again."""

    def __init__(self, client: HubSpotClient, base_url: str, token: str) -> None:
        self.client = client
        self._base_url = base_url
        self._token = token
        self._http = urllib3.PoolManager()

    def apply(self, step: Step) -> None:
        if step.target == "deals":
            self.client.update_deal(step.object_id, step.values)
        elif step.target == "companies":
            self.client.update_company(step.object_id, step.values)
        elif step.target == "contacts":
            self._patch_contact(step.object_id, step.values)
        else:
            contact = self.client.create_contact(
                {**step.values, "firstname": "Sam", "phone": "+1 206 555 0142"}
            )
            self.client.associate("deals", step.object_id, "contacts", contact.id, [DEAL_TO_CONTACT])

    def _patch_contact(self, contact_id: str, values: dict[str, str]) -> None:
        """The client has no contact update (the sync never writes contacts): the same PATCH, by hand."""
        for _attempt in range(5):
            response = self._http.request(
                "PATCH",
                f"{self._base_url}/crm/v3/objects/contacts/{contact_id}",
                body=json.dumps({"properties": values}).encode(),
                headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
            )
            if response.status != 429:
                break
            time.sleep(1.0)
        if response.status != 200:
            raise RuntimeError(f"contact {contact_id} not updated: {response.status} {response.data!r}")


def _iso(day: date) -> str:
    return f"{day.isoformat()}T00:00:00.000Z"


def _deal_edit(deal: DealState, rng: random.Random, fields: tuple[str, ...]) -> dict[str, str]:
    """New values for `fields` of `deal`, each different from the last one written."""
    values: dict[str, str] = {}
    for name in fields:
        if name == "amount":
            deal.amount = rng.choice([a for a in range(24_000, 240_001, 12_000) if a != deal.amount])
            values["amount"] = str(deal.amount)
        elif name == "closedate":
            deal.close_date = deal.close_date + timedelta(days=rng.choice([-14, -7, 7, 14, 30, 45]))
            values["closedate"] = _iso(deal.close_date)
        elif name == "dealstage":
            deal.stage = rng.choice([s for s in DEAL_STAGES if s != deal.stage])
            values["dealstage"] = deal.stage
    return values


def plan_actions(portfolio: Portfolio, count: int, rng: random.Random) -> list[Action]:
    """`count` actions drawn from MIX, each on a random deal (or its company or contact). Values are drawn
    now, so the plan is the same however fast the stack runs."""
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    actions: list[Action] = []
    for number, kind in enumerate(kinds):
        deal = rng.choice(portfolio.deals)
        pause = rng.uniform(0.2, 1.2)
        steps: list[Step] = []
        if kind == "form save":
            steps.append(
                Step(pause, "deals", deal.id, _deal_edit(deal, rng, ("amount", "closedate", "dealstage")))
            )
        elif kind == "inline burst":
            for index, name in enumerate(("amount", "closedate", "dealstage")):
                wait = pause if index == 0 else rng.uniform(0.5, 1.5)
                steps.append(Step(wait, "deals", deal.id, _deal_edit(deal, rng, (name,))))
        elif kind == "single edit":
            name = rng.choice(("amount", "closedate"))
            steps.append(Step(pause, "deals", deal.id, _deal_edit(deal, rng, (name,))))
        elif kind == "owner change":
            deal.owner = OWNERS[1] if deal.owner == OWNERS[0] else OWNERS[0]
            steps.append(Step(pause, "deals", deal.id, {"hubspot_owner_id": deal.owner}))
        elif kind == "unmapped edit":
            deal.dealtype = "existingbusiness" if deal.dealtype == "newbusiness" else "newbusiness"
            steps.append(Step(pause, "deals", deal.id, {"dealtype": deal.dealtype}))
        elif kind == "no-op save":
            steps.append(Step(pause, "deals", deal.id, {"amount": str(deal.amount)}))
        elif kind == "company edit":
            city = rng.choice([c for c in CITIES if c != portfolio.cities[deal.company]])
            portfolio.cities[deal.company] = city
            steps.append(Step(pause, "companies", deal.company, {"city": city}))
        elif kind == "company unmapped":
            note = f"Account plan reviewed, action {number}"
            steps.append(Step(pause, "companies", deal.company, {"description": note}))
        elif kind == "contact edit":
            title = rng.choice([t for t in TITLES if t != portfolio.titles.get(deal.contact)])
            portfolio.titles[deal.contact] = title
            steps.append(Step(pause, "contacts", deal.contact, {"jobtitle": title}))
        elif kind == "new contact":
            email = f"buyer{number}@{portfolio.domains[deal.company]}"
            steps.append(Step(pause, "new contact", deal.id, {"email": email}))
        actions.append(Action(kind, tuple(steps)))
    return actions


def one_write_per_save(action: Action, portfolio: Portfolio) -> int:
    """What the action would cost without any coalescing: one write per save that changes a synced field,
    per linked deal it changes."""
    if action.kind in ("unmapped edit", "no-op save", "company unmapped"):
        return 0
    if action.kind == "company edit":
        return sum(1 for deal in portfolio.deals if deal.company == action.steps[0].object_id)
    return len(action.steps)


def create_portfolio(rep: HubSpotClient, deals: int, label: str) -> Portfolio:
    """`deals` #AWS deals over COMPANIES companies, each deal with its own contact, owned by the first rep."""
    companies = [
        rep.create_company(
            {
                "name": f"{label} Customer {index}",
                "domain": f"{label.lower()}{index}.example",
                "industry": "COMPUTER_SOFTWARE",
                "city": "Seattle",
                "country": "US",
            }
        ).id
        for index in range(COMPANIES)
    ]
    states: list[DealState] = []
    for index in range(deals):
        company = companies[index % COMPANIES]
        contact = rep.create_contact(
            {"email": f"cto{index}@{label.lower()}.example", "firstname": "Casey", "phone": "+1 415 555 0134"}
        ).id
        state = DealState(id="", company=company, contact=contact)
        deal = rep.create_deal(
            {
                "dealname": f"{label} workload {index} #AWS",
                "description": DESCRIPTION,
                "pipeline": "default",
                "dealstage": state.stage,
                "amount": str(state.amount),
                "deal_currency_code": "USD",
                "closedate": _iso(state.close_date),
                "hubspot_owner_id": state.owner,
                "dealtype": state.dealtype,
            },
            [
                AssociationInput(to_id=company, type_id=DEAL_TO_PRIMARY_COMPANY),
                AssociationInput(to_id=contact, type_id=DEAL_TO_CONTACT),
            ],
        )
        state.id = deal.id
        states.append(state)
    return Portfolio(
        states,
        dict.fromkeys(companies, "Seattle"),
        {company: f"{label.lower()}{index}.example" for index, company in enumerate(companies)},
    )


# --- what is counted ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marks:
    """Positions in every log, taken when the stack is settled."""

    deliveries: int
    worker_batches: int
    pc_calls: int
    hubspot_requests: int


def mark(stack: LocalStack) -> Marks:
    webhooks = stack.hubspot.webhooks
    assert webhooks is not None
    (worker,) = stack.event_sources
    return Marks(
        len(webhooks.deliveries),
        len(worker.history()),
        len(stack.partner_central.control.calls()),
        len(stack.hubspot.requests),
    )


@dataclass
class Figures:
    drawn: Counter[str] = field(default_factory=Counter)  # actions of each kind in the plan
    one_write_per_save: int = 0
    rep_actions: int = 0
    rep_requests: int = 0
    deliveries: int = 0
    events: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)
    reconciles: int = 0  # deal reconciles run (messages not covered by an earlier one in their batch)
    failed_attempts: int = 0
    pc_writes: Counter[str] = field(default_factory=Counter)
    pc_refused: int = 0
    sync_deal_patches: int = 0
    echo_reconciles: int = 0
    echo_writes: int = 0
    seconds: float = 0.0

    @property
    def event_count(self) -> int:
        return sum(self.events.values())

    @property
    def write_count(self) -> int:
        return sum(self.pc_writes.values())


def _message_kind(body: str) -> tuple[str, str | None]:
    """What queued a worker message, and its FIFO group (None for a raw Partner Central event)."""
    message = parse_message(body)
    if isinstance(message, dict):
        return "Partner Central event (forwarded)", None
    sources = {trigger.source for trigger in message.triggers}
    kinds = {trigger.kind.split(".")[0] for trigger in message.triggers}
    if message.subject is not Subject.HUBSPOT_DEAL:
        return f"{message.subject.value.split('.')[1]} change (fans out)", message.group_id
    if sources == {"eventbridge"}:
        return "deal: Partner Central echo", message.group_id
    if sources == {"schedule"}:
        return "deal: sweep", message.group_id
    if kinds <= {"company", "contact"}:
        return "deal: from company/contact", message.group_id
    return "deal: HubSpot webhook", message.group_id


def measure(stack: LocalStack, since: Marks, into: Figures) -> None:
    webhooks = stack.hubspot.webhooks
    assert webhooks is not None
    for delivery in webhooks.deliveries[since.deliveries :]:
        if delivery.status == 200:
            into.deliveries += 1
            into.events.update(
                f"{e['subscriptionType']}:{e.get('propertyName') or ''}".rstrip(":") for e in delivery.events
            )
    (worker,) = stack.event_sources
    for batch in worker.history()[since.worker_batches :]:
        records = {r["messageId"]: r["body"] for r in batch.invocation.event["Records"]}
        into.failed_attempts += len(batch.failed_message_ids)
        seen_groups: set[str] = set()
        for message_id in batch.message_ids:
            if message_id in batch.failed_message_ids:
                continue
            kind, group = _message_kind(records[message_id])
            into.messages[kind] += 1
            if group is not None and group.startswith("hubspot.deal:") and group not in seen_groups:
                into.reconciles += 1
            if group is not None:
                seen_groups.add(group)
    for call in stack.partner_central.control.calls()[since.pc_calls :]:
        if call["Operation"] in WRITE_OPERATIONS:
            if call.get("Error") is None:
                into.pc_writes[call["Operation"]] += 1
            else:
                into.pc_refused += 1
    for request in stack.hubspot.requests[since.hubspot_requests :]:
        if request.by_rep is False and request.method == "PATCH" and 200 <= request.status < 300:
            into.sync_deal_patches += request.path.startswith("/crm/v3/objects/deals/")


# --- the two scenarios ------------------------------------------------------------------------------------


def settle(stack: LocalStack) -> None:
    """Until HubSpot, the queue and Partner Central's events are all quiet (events reach the queue through
    moto's EventBridge a moment after the write that made them)."""
    while True:
        run = stack.process_queue_until_idle(timeout=SETTLE_SECONDS)
        time.sleep(1.0)
        if not run.batches and not stack.process_queue_until_idle(timeout=SETTLE_SECONDS).batches:
            return


def play(stack: LocalStack, rep: Rep, actions: list[Action], figures: Figures) -> None:
    before = len(stack.hubspot.requests)
    for action in actions:
        for step in action.steps:
            time.sleep(step.pause)
            rep.apply(step)
    figures.rep_actions = len(actions)
    figures.rep_requests = sum(
        1 for r in stack.hubspot.requests[before:] if r.by_rep and r.method in ("PATCH", "PUT", "POST")
    )


def scenario(stack: LocalStack, rep: Rep, *, live: bool, deals: int, actions: int, seed: int) -> Figures:
    label = "Live" if live else "Batched"
    portfolio = create_portfolio(rep.client, deals, label)
    settle(stack)
    plan = plan_actions(portfolio, actions, random.Random(seed))
    figures = Figures(
        drawn=Counter(action.kind for action in plan),
        one_write_per_save=sum(one_write_per_save(action, portfolio) for action in plan),
    )
    since = mark(stack)
    started = time.monotonic()
    (worker,) = stack.event_sources
    if live:
        worker.start()
    try:
        play(stack, rep, plan, figures)
    finally:
        if live:
            worker.stop()
    settle(stack)
    figures.seconds = time.monotonic() - started
    measure(stack, since, figures)

    # Echo check: reconcile every pair again (the sweep) and run the queue once more: nothing to write.
    echo_since = mark(stack)
    stack.run_schedule("SweepFunction")
    settle(stack)
    echo = Figures()
    measure(stack, echo_since, echo)
    figures.echo_reconciles = echo.reconciles
    figures.echo_writes = echo.write_count + echo.sync_deal_patches
    return figures


# --- report -----------------------------------------------------------------------------------------------


def report(live: Figures, batched: Figures, args: argparse.Namespace) -> None:
    def ratio(writes: int, events: int) -> str:
        return f"{writes / events:.2f}" if events else "-"

    rows: list[tuple[str, Callable[[Figures], object]]] = [
        ("rep actions / rep write requests", lambda f: f"{f.rep_actions} / {f.rep_requests}"),
        ("webhook deliveries accepted", lambda f: f.deliveries),
        ("HubSpot change events in them", lambda f: f.event_count),
        ("worker messages processed", lambda f: sum(f.messages.values())),
        *(
            (f"  {kind}", (lambda f, k=kind: f.messages[k]))
            for kind in sorted(set(live.messages) | set(batched.messages))
        ),
        ("deal reconciles run (after batch coalescing)", lambda f: f.reconciles),
        ("one write per synced save per deal (no coalescing)", lambda f: f.one_write_per_save),
        ("Partner Central writes", lambda f: f.write_count),
        *(
            (f"  {op}", (lambda f, o=op: f.pc_writes[o]))
            for op in sorted(set(live.pc_writes) | set(batched.pc_writes))
        ),
        ("Partner Central writes refused / throttled", lambda f: f.pc_refused),
        ("HubSpot deal PATCHes by the sync", lambda f: f.sync_deal_patches),
        ("PC writes per HubSpot change event", lambda f: ratio(f.write_count, f.event_count)),
        ("failed worker attempts (retried)", lambda f: f.failed_attempts),
        (
            "echo pass (sweep + idle): pairs reconciled / writes",
            lambda f: f"{f.echo_reconciles} / {f.echo_writes}",
        ),
        ("wall time, activity to settled (s)", lambda f: f"{f.seconds:.0f}"),
    ]
    print(f"{args.deals} linked deals per case, {args.actions} rep actions, seed {args.seed}")
    print("actions drawn: " + ", ".join(f"{kind} {live.drawn[kind]}" for kind in MIX))
    width = max(len(name) for name, _ in rows)
    print(f"{'':<{width}}  {'live':>9}  {'batched':>9}")
    for name, value in rows:
        print(f"{name:<{width}}  {value(live)!s:>9}  {value(batched)!s:>9}")
    events = sorted(set(live.events) | set(batched.events))
    print(
        "events by subscription (live / batched): "
        + ", ".join(f"{e} {live.events[e]}/{batched.events[e]}" for e in events)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=20)
    parser.add_argument("--actions", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--coalescing-window",
        type=int,
        default=0,
        help="the template's CoalescingWindowSeconds (deployed default 5; local runs default to 0)",
    )
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the local servers' request lines

    with LocalStack(
        queue_time_scale=200,  # visibility timeouts of a failed message pass in seconds
        hubspot_time_scale=100,  # as the e2e tests: rate-limit windows and webhook back-off compressed
        poll_in_background=False,  # each case starts and stops the worker's event source itself
        run_schedules=False,  # the sweep runs once, for the echo check
        partner_central=EmulatorConfig(tick_seconds=0, task_delay_seconds=0.1),
        seed=args.seed,
        log_level="ERROR",
        parameters={"CoalescingWindowSeconds": str(args.coalescing_window)},
    ) as stack:
        stack.hubspot.add_rep_token(REP_TOKEN, REP_OWNER_ID)
        rep = Rep(HubSpotClient(lambda: REP_TOKEN, base_url=stack.hubspot_url), stack.hubspot_url, REP_TOKEN)
        live = scenario(stack, rep, live=True, deals=args.deals, actions=args.actions, seed=args.seed)
        batched = scenario(stack, rep, live=False, deals=args.deals, actions=args.actions, seed=args.seed)
    report(live, batched, args)
    for case, figures in (("live", live), ("batched", batched)):
        if figures.event_count:
            ratio(
                f"Partner Central writes per HubSpot change event ({case})",
                figures.write_count / figures.event_count,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
