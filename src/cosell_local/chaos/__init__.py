"""A chaos run on the local stack (bench/chaos.py, tests/e2e/test_chaos.py): deals and referrals synced while
both emulators fail about a fifth of the calls, worker invocations are killed at seeded points, and the whole
stack is SIGKILLed once and restarted on its state directory. The report says what was lost or duplicated.

The stack runs in a child process (`python -m cosell_local.chaos serve`), so that it can be killed whole.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
import urllib3

from cosell.hubspot.client import HubSpotClient
from cosell_local.demo.rep import REP_OWNER_ID, REP_TOKEN, Rep
from cosell_local.runner.stack import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY

if TYPE_CHECKING:
    from pathlib import Path

# Each call's chance of each fault; with the events' and webhooks' faults, about 20 % of all traffic.
FAULT_RATE = 0.05
# A timeout longer than the clients' read timeouts (HubSpot 10 s, Partner Central 20 s), on 0.5 % of calls.
TIMEOUT_RATE = 0.005
KILL_RATE = 0.05  # share of the worker's writes after which its invocation is killed


@dataclass(frozen=True)
class ChaosPlan:
    deals: int = 1000
    referrals: int = 200
    seed: int = 17
    clock_scale: float = 10.0  # emulated Partner Central seconds per second; its quotas stay AWS's
    timeout_seconds: float = 3600.0
    worker_environments: int = 2  # the worker's MaximumConcurrency (the template's default), each a process


@dataclass
class ChaosReport:
    deals: int
    referrals: int
    seed: int
    lost: int = 0
    duplicated: int = 0
    converged_percent: float = 0.0
    dlq: list[str] = field(default_factory=list)  # each parked message, with what became of its object
    seconds_to_converge: float = 0.0
    partner_central_writes_sent: int = 0
    partner_central_writes_ideal: int = 0
    faults_injected: dict[str, int] = field(default_factory=dict)
    stack_killed: bool = False

    def lines(self) -> list[str]:
        return [f"{name}: {value}" for name, value in asdict(self).items()]


class _Stack:
    """The stack's child process, its JSON line and HTTP clients of its emulators."""

    def __init__(self, plan: ChaosPlan, state_dir: Path) -> None:
        command = [sys.executable, "-m", "cosell_local.chaos", "serve", "--state-dir", str(state_dir),
                   "--seed", str(plan.seed), "--clock-scale", str(plan.clock_scale),
                   "--worker-environments", str(plan.worker_environments)]  # fmt: skip
        logs = (state_dir.parent / "stack.log").open("a")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=logs, text=True)  # noqa: S603 - our own module
        assert self.process.stdout is not None
        self.ready: dict[str, str] = json.loads(self.process.stdout.readline())
        self.http = urllib3.PoolManager()
        self.control("hubspot", "rep-tokens", {"token": REP_TOKEN, "ownerId": REP_OWNER_ID})
        self.integration = HubSpotClient(
            lambda: self.ready["hubspot_token"], base_url=self.ready["hubspot_url"]
        )

    def control(self, emulator: str, action: str, body: dict[str, Any] | None = None) -> Any:
        url = self.ready["hubspot_url" if emulator == "hubspot" else "partner_central_url"]
        answer = self.http.request("POST", f"{url}/_emulator/{action}", body=json.dumps(body or {}).encode())
        assert answer.status < 300, answer.data
        return json.loads(answer.data) if answer.data else None

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def run(plan: ChaosPlan, workdir: Path) -> ChaosReport:
    report = ChaosReport(plan.deals, plan.referrals, plan.seed)
    workdir.mkdir(parents=True, exist_ok=True)  # `--workdir` may name a folder not made yet
    state_dir = workdir / "state"
    choices = random.Random(plan.seed)
    started = time.monotonic()
    stack = _Stack(plan, state_dir)
    writes_sent = 0
    try:
        rep = Rep(stack.ready["hubspot_url"])
        deals: list[str] = []
        kill_at = choices.randrange(plan.deals // 3, 2 * plan.deals // 3 + 1)
        for number in range(plan.deals):
            deals.append(rep.create_deal(f"Chaos {number} #AWS", company_domain=f"chaos{number}.example"))
            if number < plan.referrals:
                stack.control("partner-central", "create-opportunity-invitation", {"catalog": "Sandbox"})
            if choices.random() < 0.2 and deals:  # a rep's edit of a deal made earlier, while it syncs
                rep.update_deal(choices.choice(deals), amount=str(choices.randrange(12, 120) * 1000))
            if number == kill_at:
                writes_sent += _writes(stack, report.faults_injected)
                stack.kill()
                report.stack_killed = True
                stack = _Stack(plan, state_dir)
                rep = Rep(stack.ready["hubspot_url"])
        deadline = started + plan.timeout_seconds
        while not _converged(stack, deals, plan.referrals) and time.monotonic() < deadline:
            time.sleep(2)
        report.seconds_to_converge = round(time.monotonic() - started, 1)
        _judge(stack, deals, plan.referrals, report)
        report.partner_central_writes_sent = writes_sent + _writes(stack, report.faults_injected)
        # One pass without faults: a CreateOpportunity per deal, an acceptance task per referral.
        report.partner_central_writes_ideal = plan.deals + plan.referrals
        log = (workdir / "stack.log").read_text(encoding="utf-8", errors="replace")
        report.faults_injected["invocations killed"] = log.count("killed mid-invocation")
        # Not injected, but what Lambda would do too: an invocation over its timeout ends with its environment.
        report.faults_injected["invocations timed out"] = log.count("timed out: killed")
    finally:
        stack.stop()
    return report


def _writes(stack: _Stack, faults: dict[str, int] | None = None) -> int:
    """Partner Central write calls sent (the emulator's call log, kept in memory: read before a kill);
    `faults` counts each injected error by its code, and HubSpot's webhooks lost."""
    calls = stack.control("partner-central", "calls")
    for call in calls:
        if faults is not None and call["Error"]:
            faults[call["Error"]] = faults.get(call["Error"], 0) + 1
    if faults is not None:
        answer = stack.http.request("GET", f"{stack.ready['hubspot_url']}/_emulator/lost-webhooks")
        lost = json.loads(answer.data)["lost"]
        faults["HubSpot webhooks lost"] = faults.get("HubSpot webhooks lost", 0) + lost
    return sum(1 for call in calls if not call["Operation"].startswith(("Get", "List", "Search")))


def _deal_records(stack: _Stack) -> list[dict[str, Any]]:
    """Every deal with its link and sync status, read page by page as the integration."""
    records: list[dict[str, Any]] = []
    after = ""
    while True:
        answer = stack.http.request(
            "GET",
            f"{stack.ready['hubspot_url']}/crm/v3/objects/deals?limit=100&properties=aws_opportunity_id,"
            "aws_invitation_id,"
            f"aws_sync_status{after}",
            headers={"Authorization": f"Bearer {stack.ready['hubspot_token']}"},
            retries=urllib3.Retry(10, status_forcelist=[429, 500, 502, 503, 504], backoff_factor=0.1),
        )
        page = json.loads(answer.data)
        records += page["results"]
        cursor = page.get("paging", {}).get("next", {}).get("after")
        if not cursor:
            return records
        after = f"&after={cursor}"


def _opportunities(stack: _Stack) -> list[dict[str, Any]]:
    answer: list[dict[str, Any]] = stack.control("partner-central", "opportunities", {"catalog": "Sandbox"})
    return answer


def _converged(stack: _Stack, deals: list[str], referrals: int) -> bool:
    """Nothing left in the queue, and converged as the report judges it (each deal and referral once each way,
    its deal Synced): a referral accepted whose deal is still to come (its claim's holder was killed) is not.
    The queue is looked at first: the tally reads every deal as the integration does, from its HubSpot rate
    limit, and while the sync still has work it must not compete with it (10 pages every look at 1,000 deals)."""
    return _queues_empty(stack) and _tally(stack, deals, referrals) == (0, 0, 100.0)


def _sqs(stack: _Stack) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=stack.ready["aws_endpoint_url"],
        region_name=stack.ready["aws_region"],
        aws_access_key_id=LOCAL_ACCESS_KEY,
        aws_secret_access_key=LOCAL_SECRET_KEY,
    )


def _queues_empty(stack: _Stack) -> bool:
    sqs = _sqs(stack)
    attributes = sqs.get_queue_attributes(QueueUrl=stack.ready["sync_queue_url"], AttributeNames=["All"])
    counts = attributes["Attributes"]
    return bool(
        counts["ApproximateNumberOfMessages"] == counts["ApproximateNumberOfMessagesNotVisible"] == "0"
    )


def _judge(stack: _Stack, deals: list[str], referrals: int, report: ChaosReport) -> None:
    report.lost, report.duplicated, report.converged_percent = _tally(stack, deals, referrals)
    # A parked message names a deal, or the referral's invitation or opportunity its deal carries.
    synced = {
        name
        for record in _deal_records(stack)
        if record["properties"].get("aws_sync_status") == "Synced"
        for name in (
            record["id"],
            record["properties"].get("aws_invitation_id"),
            record["properties"].get("aws_opportunity_id"),
        )
        if name
    }
    report.dlq = _dead_letters(stack, synced)


def _tally(stack: _Stack, deals: list[str], referrals: int) -> tuple[int, int, float]:
    """Lost (a deal without its opportunity, a referral without its deal), duplicated (a second one either
    way), and the share converged (exactly one each way and the deal Synced), in percent."""
    opportunities = _opportunities(stack)
    by_deal: dict[str, int] = {}
    for opportunity in opportunities:
        named = opportunity.get("PartnerOpportunityIdentifier") or ""
        by_deal[named] = by_deal.get(named, 0) + 1
    records = _deal_records(stack)
    deals_of: dict[str, list[str]] = {}
    for record in records:
        linked = record["properties"].get("aws_opportunity_id")
        if linked:
            deals_of.setdefault(linked, []).append(record["id"])
    synced = {r["id"] for r in records if r["properties"].get("aws_sync_status") == "Synced"}
    referral_opportunities = [
        o["Id"] for o in opportunities if o.get("PartnerOpportunityIdentifier") not in deals
    ]
    lost_deals = sum(1 for deal in deals if deal not in by_deal)
    made_for_referrals = sum(1 for o in referral_opportunities if o in deals_of)
    lost = lost_deals + max(0, referrals - made_for_referrals)
    duplicated = sum(by_deal[deal] - 1 for deal in deals if by_deal.get(deal, 0) > 1) + sum(
        len(made) - 1 for made in deals_of.values() if len(made) > 1
    )
    converged = sum(1 for deal in deals if by_deal.get(deal) == 1 and deal in synced) + sum(
        1 for o in referral_opportunities if len(deals_of.get(o, [])) == 1 and deals_of[o][0] in synced
    )
    return lost, duplicated, round(100 * converged / (len(deals) + referrals), 2)


def _dead_letters(stack: _Stack, synced: set[str]) -> list[str]:
    """Each parked message: its body's object, and whether the object converged anyway (its change was
    carried by a later message or the sweep)."""
    sqs = _sqs(stack)
    explained: list[str] = []
    seen: set[str] = set()
    while True:
        batch = sqs.receive_message(
            QueueUrl=stack.ready["dead_letter_queue_url"], MaxNumberOfMessages=10, VisibilityTimeout=30
        ).get("Messages", [])
        if not batch:
            return explained
        for message in batch:
            if message["MessageId"] in seen:
                continue
            seen.add(message["MessageId"])
            body = json.loads(message["Body"])
            # A sync request names its subject; an EventBridge event its source and detail type.
            kind = body.get("subject") or body.get("detail-type") or body.get("source") or "?"
            subject = f"{kind} {body.get('object_id', '')}"
            fate = "converged anyway" if str(body.get("object_id")) in synced else "UNEXPLAINED"
            explained.append(f"{subject}: {fate}")
