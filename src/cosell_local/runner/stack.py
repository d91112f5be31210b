"""The whole sync on one machine: moto's server, both emulators, and template.yaml's functions wired as in AWS.

```python
with LocalStack(queue_time_scale=1000) as stack:
    deal = create_deal_as_rep(stack.hubspot_url)      # HubSpot posts a signed webhook to stack.webhook_url
    run = stack.process_queue_until_idle(timeout=10)  # webhook → queue → worker, until all is quiet
    assert all(invocation.succeeded for invocation in run.invocations)
```
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3

from cosell.config import DEFAULT_PARTNER_CENTRAL_ROLE_NAME
from cosell.domain.referral import POLL_HOLD
from cosell.hubspot.client import HubSpotClient
from cosell.hubspot.properties import WEBHOOK_SUBSCRIPTIONS
from cosell.partner_central.schema import vocabulary
from cosell.sync.onboarding.setup import SetupReport, ensure_deal_properties
from cosell_local.hubspot import HubSpotEmulator, WebhookSettings
from cosell_local.partner_central import EmulatorConfig, EventBridgeSink, PartnerCentralEmulator
from cosell_local.runner.api_gateway import ApiGateway, Route
from cosell_local.runner.aws_state import AwsStateJournal, forget, keep
from cosell_local.runner.child_environment import ChildEnvironment
from cosell_local.runner.environment import ProcessEnvironment, function_environment
from cosell_local.runner.lambda_runtime import ACCOUNT_ID, LambdaFunction
from cosell_local.runner.moto_server import moto_server
from cosell_local.runner.provision import provision
from cosell_local.runner.schedules import Schedule
from cosell_local.runner.sigv4 import sign
from cosell_local.runner.sqs_event_source import QueueRun, SqsEventSource
from cosell_local.runner.template import DEFAULT_TEMPLATE, StackTemplate
from cosell_local.state_files import write_atomically

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime
    from pathlib import Path
    from types import TracebackType

    from mypy_boto3_sqs.type_defs import MessageTypeDef

    from cosell_local.runner.child_environment import EnvironmentSetup
    from cosell_local.runner.lambda_runtime import Invocation
    from cosell_local.runner.provision import ProvisionedStack
    from cosell_local.runner.template import FunctionSpec

log = logging.getLogger(__name__)

REGION = "us-east-1"  # Partner Central's events arrive only there (template condition IsPartnerCentralRegion)
CATALOG = "Sandbox"
DEFAULT_HUBSPOT_TOKEN = "pat-local-cosell-0000"  # noqa: S105 - the emulator's, valid nowhere else
DEFAULT_WEBHOOK_SECRET = "local-webhook-client-secret"  # noqa: S105 - the emulator's, valid nowhere else
# The deal lifecycle and the fields the mapping reads, including the per-deal Partner Central overrides.
DEFAULT_SUBSCRIPTIONS = WEBHOOK_SUBSCRIPTIONS
# moto accepts any credentials; the local API Gateway checks SigV4 signatures against these (moto's documented
# test credentials).
LOCAL_ACCESS_KEY = "testing"
LOCAL_SECRET_KEY = "testing"  # noqa: S105 - valid only on local stacks
WEBHOOK_FUNCTION = "WebhookFunction"  # HubSpot's webhook target is its route
SOLUTIONS_API = "SolutionsApi"  # `api_url`
# The pacer's rates at AWS's quotas, and the most the functions' settings accept (cosell.config.sync).
_PACED_WRITES_PER_SECOND = 0.98
_PACED_READS_PER_SECOND = 8.0
_MOST_PER_SECOND = 10.0


@dataclass(frozen=True)
class Ports:
    """0 picks a free port."""

    aws: int = 0
    hubspot: int = 0
    partner_central: int = 0
    api: int = 0


class LocalStack:
    """Starts everything on 127.0.0.1, sets this process's environment for the handlers, undoes both on stop."""

    def __init__(
        self,
        *,
        template: Path = DEFAULT_TEMPLATE,
        ports: Ports = Ports(),
        stack_name: str | None = None,
        hubspot_token: str = DEFAULT_HUBSPOT_TOKEN,
        webhook_secret: str = DEFAULT_WEBHOOK_SECRET,
        webhook_subscriptions: Sequence[str] = DEFAULT_SUBSCRIPTIONS,
        hubspot_tier: str = "starter",
        hubspot_time_scale: float = 1.0,
        hubspot_webhook_faults: Mapping[str, float | bool] | None = None,
        partner_central: EmulatorConfig | None = None,
        route_partner_central_events: bool = True,
        queue_time_scale: float = 1.0,
        schedule_time_scale: float = 1.0,
        poll_in_background: bool = True,
        run_schedules: bool = True,
        set_up_hubspot: bool = True,
        seed: int = 0,
        log_level: str = "INFO",
        parameters: Mapping[str, str] | None = None,
        state_dir: Path | None = None,
        scale_out: bool = False,
        environment_setup: EnvironmentSetup | None = None,
    ) -> None:
        """`parameters`: template parameters to set, as `sam deploy --parameter-overrides` would.
        `scale_out`: each queue-triggered function runs as many execution environments as its event source's
        MaximumConcurrency, each in a process of its own (cosell_local.runner.child_environment), started by
        `environment_setup`; off, one environment in this process, whose invocations a test can read.
        `hubspot_webhook_faults`: WebhookSettings' duplicate_rate, reorder and loss_rate for HubSpot's webhooks.
        `state_dir`: both emulators and the stack's tables and queues are kept there, and a stack started on
        it again continues from what it holds (its names, records, items and messages)."""
        self.template = StackTemplate.read(template)
        problems = self.template.parameter_problems(parameters or {})
        if problems:
            raise ValueError("parameter overrides refused: " + "; ".join(problems))
        self._parameter_overrides = dict(parameters or {})
        self._state_dir = state_dir
        identity = self._identity(stack_name)
        # moto keeps one in-memory state per process: distinct names keep two stacks in one process apart.
        self.stack_name: str = identity["stack_name"]
        self.hubspot_token = hubspot_token
        self.webhook_secret = webhook_secret
        self.external_id: str = identity["external_id"]
        self.catalog = CATALOG
        self._ports = ports
        self._queue_time_scale = queue_time_scale
        self._webhook_faults = dict(hubspot_webhook_faults or {})
        self._schedule_time_scale = schedule_time_scale
        self._poll_in_background = poll_in_background
        self._run_schedules = run_schedules
        self._set_up_hubspot = set_up_hubspot
        self._route_events = route_partner_central_events
        self._log_level = log_level
        self._scale_out = scale_out
        self._environment_setup = environment_setup
        self.functions = {
            name: LambdaFunction(spec, REGION) for name, spec in self.template.functions.items()
        }
        self.api = ApiGateway(
            (
                Route(
                    self.template.api_stage(route.api),
                    route.path,
                    route.method,
                    self.functions[name],
                    route.authorizer,
                )
                for name, spec in self.template.functions.items()
                for route in spec.api_routes
            ),
            port=ports.api,
            region=REGION,
            credentials={LOCAL_ACCESS_KEY: LOCAL_SECRET_KEY},
        )
        self._hubspot_tier = hubspot_tier
        self._hubspot_time_scale = hubspot_time_scale
        self._seed = seed
        self._hubspot: HubSpotEmulator | None = None  # built in start(): its webhook target is the API's URL
        self._webhook_subscriptions = tuple(webhook_subscriptions)
        self.partner_central = PartnerCentralEmulator(
            partner_central or EmulatorConfig(seed=seed), state_file=self._state_file("partner-central.json")
        )
        self._aws_state: AwsStateJournal | None = None
        self._moto = moto_server(ports.aws)
        self._clients: dict[str, Any] = {}
        self._environment = ProcessEnvironment()
        self.event_sources: list[SqsEventSource] = []
        self.schedules: dict[str, Schedule] = {}
        self.resources: ProvisionedStack | None = None
        self._session: boto3.Session | None = None
        self.aws_endpoint_url = ""
        self.webhook_url = ""
        self.api_url = ""  # the solutions API's base URL (its stage), set in start()

    # --- lifecycle ---

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.aws_endpoint_url = self._moto.start()
        self._session = boto3.Session(
            region_name=REGION, aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_ACCESS_KEY
        )

        self.api.start()
        (webhook_route,) = self.template.functions[WEBHOOK_FUNCTION].api_routes  # HubSpot's one target
        self.webhook_url = self.api.route_url(self.template.api_stage(webhook_route.api), webhook_route.path)
        if SOLUTIONS_API in self.template.resources:
            self.api_url = self.api.stage_url(self.template.api_stage(SOLUTIONS_API))
        self._start_hubspot()
        if self._set_up_hubspot:
            self._create_hubspot_properties()
        self.partner_central.start("127.0.0.1", self._ports.partner_central)
        if self._route_events:
            self.partner_central.add_event_sink(EventBridgeSink(self.aws_endpoint_url, "default", REGION))

        self.resources = provision(self.template, self.client, REGION, self.stack_name, self._parameters())
        if self._state_dir is not None:
            self._aws_state = AwsStateJournal(self._state_dir, f"{self.stack_name}-", REGION)
            self._aws_state.restore_into_moto()
            keep(self._aws_state)
        self._environment.apply(self._handler_environment(self.resources))
        self._start_event_sources(self.resources)
        for name, spec in self.template.functions.items():
            for trigger in spec.schedules:
                schedule = Schedule(self.functions[name], trigger.period_seconds, self._schedule_time_scale)
                self.schedules[name] = schedule
                if self._run_schedules:
                    schedule.start()
        if self.hubspot.webhooks is not None:
            self.hubspot.webhooks.start()
        log.info("local stack %s ready: webhook %s", self.stack_name, self.webhook_url)

    def _start_hubspot(self) -> None:
        hubspot = HubSpotEmulator(
            tokens=[self.hubspot_token],
            webhook=WebhookSettings(
                self.webhook_url,
                self.webhook_secret,
                seed=self._seed,
                **self._webhook_faults,  # type: ignore[arg-type]
            ),
            tier=self._hubspot_tier,
            time_scale=self._hubspot_time_scale,
            seed=self._seed,
            port=self._ports.hubspot,
            state_file=self._state_file("hubspot.pickle"),
        )
        assert hubspot.webhooks is not None  # it has webhook settings
        for spec in self._webhook_subscriptions:
            subscription_type, _, property_name = spec.partition(":")
            hubspot.webhooks.subscribe(subscription_type, property_name or None)
        # Its webhooks wait for the webhook function's environment (the end of _start), as HubSpot's wait
        # for a deployed stack: a portal restored from a state directory may hold deliveries due at once.
        self._hubspot = hubspot.start(deliver_webhooks=False)

    def _create_hubspot_properties(self) -> None:
        """What an operator runs once after deploying (`cosell setup`): cosell's deal properties."""
        report = SetupReport()
        client = HubSpotClient(lambda: self.hubspot_token, base_url=self.hubspot_url)
        ensure_deal_properties(client, vocabulary(), report)
        if not report.ok:
            raise RuntimeError("HubSpot setup failed: " + "; ".join(report.lines()))

    def _start_event_sources(self, resources: ProvisionedStack) -> None:
        for name, spec in self.template.functions.items():
            for trigger in spec.queue_triggers:
                source = SqsEventSource(
                    self.functions[name],
                    self.client("sqs"),
                    queue_url=resources.refs[trigger.queue],
                    queue_arn=resources.attributes[(trigger.queue, "Arn")],
                    batch_size=trigger.batch_size,
                    reports_batch_item_failures=trigger.reports_batch_item_failures,
                    time_scale=self._queue_time_scale,
                    environments=self._scaled_out(spec, resources.resolve(trigger.maximum_concurrency)),
                )
                self.event_sources.append(source)
                if self._poll_in_background:
                    source.start()

    def _scaled_out(self, spec: FunctionSpec, maximum_concurrency: Any) -> list[ChildEnvironment]:
        if not self._scale_out or maximum_concurrency is None:
            return []
        return [
            ChildEnvironment(
                spec, REGION, index=index, log_level=self._log_level, setup=self._environment_setup
            )
            for index in range(int(maximum_concurrency))
        ]

    def stop(self) -> None:
        for schedule in self.schedules.values():
            schedule.stop()
        for source in self.event_sources:
            source.stop()
            for environment in source.environments:
                environment.close()
        servers = [self.partner_central.stop, self.api.stop, self._moto.stop]
        if self._hubspot is not None:
            servers.append(self._hubspot.stop)
        # Each server's shutdown waits out its poll interval: stop them side by side.
        with ThreadPoolExecutor(max_workers=len(servers)) as pool:
            for stopping in [pool.submit(stop) for stop in servers]:
                stopping.result()
        if self._aws_state is not None:
            forget(self._aws_state)
            self._aws_state.close()
            self._aws_state = None
        self._environment.restore()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # --- what a test reads ---

    @property
    def hubspot(self) -> HubSpotEmulator:
        if self._hubspot is None:
            raise RuntimeError("the local stack is not started")
        return self._hubspot

    @property
    def hubspot_url(self) -> str:
        return self.hubspot.base_url

    @property
    def partner_central_url(self) -> str:
        return self.partner_central.url

    @property
    def sync_queue_url(self) -> str:
        return self._resource("SyncQueue")

    @property
    def dead_letter_queue_url(self) -> str:
        return self._resource("SyncDeadLetterQueue")

    @property
    def state_table_name(self) -> str:
        return self._resource("StateTable")

    @property
    def audit_table_name(self) -> str:
        return self._resource("AuditTable")

    @property
    def session(self) -> boto3.Session:
        """A boto3 session with the local credentials and region; give clients `endpoint_url`."""
        if self._session is None:
            raise RuntimeError("the local stack is not started")
        return self._session

    def client(self, service: str) -> Any:
        """A boto3 client of moto's server (sqs, dynamodb, events, ...), or of the Partner Central emulator."""
        if service not in self._clients:
            endpoint = (
                self.partner_central_url if service == "partnercentral-selling" else self.aws_endpoint_url
            )
            self._clients[service] = self.session.client(service, endpoint_url=endpoint)  # type: ignore[call-overload]
        return self._clients[service]

    def summary(self) -> dict[str, str]:
        """What a client of the stack needs (`cosell local up` prints it)."""
        return {
            "hubspot_url": self.hubspot_url,
            "hubspot_token": self.hubspot_token,
            "hubspot_webhook_secret": self.webhook_secret,
            "partner_central_url": self.partner_central_url,
            "aws_endpoint_url": self.aws_endpoint_url,
            "aws_region": REGION,
            "webhook_url": self.webhook_url,
            "api_url": self.api_url,
            "catalog": self.catalog,
            "sync_queue_url": self.sync_queue_url,
            "dead_letter_queue_url": self.dead_letter_queue_url,
            "state_table_name": self.state_table_name,
            "audit_table_name": self.audit_table_name,
        }

    # --- driving it ---

    def process_queue_until_idle(self, timeout: float = 30.0) -> QueueRun:
        """Run the worker until HubSpot has no webhook to send and the queue nothing to deliver (visible,
        in flight or waiting out a visibility timeout). Returns every batch since the previous call."""
        deadline = time.monotonic() + timeout
        run = QueueRun()
        while True:
            if self.hubspot.webhooks is not None and not self.hubspot.webhooks.wait_idle(
                max(0.0, deadline - time.monotonic())
            ):
                raise TimeoutError(f"HubSpot webhooks still pending or retrying after {timeout} s")
            for source in self.event_sources:
                run.batches.extend(source.run_until_idle(max(0.0, deadline - time.monotonic())).batches)
            # The worker's own writes may have produced webhooks; idle means both sides are quiet at once.
            if self.hubspot.webhooks is None or self.hubspot.webhooks.wait_idle(0):
                return run

    def dlq_messages(self) -> list[MessageTypeDef]:
        """Every message in the sync DLQ (read without removing it)."""
        sqs = self.client("sqs")
        found: dict[str, MessageTypeDef] = {}
        while True:
            batch = sqs.receive_message(
                QueueUrl=self.dead_letter_queue_url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=0,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
            ).get("Messages", [])
            new = [message for message in batch if message["MessageId"] not in found]
            if not new:
                return list(found.values())
            found.update((message["MessageId"], message) for message in new)

    def signed_headers(
        self,
        method: str,
        url: str,
        body: bytes = b"",
        *,
        secret_key: str = LOCAL_SECRET_KEY,
        at: datetime | None = None,
    ) -> dict[str, str]:
        """Headers that sign `method url` for the local API Gateway's AWS_IAM routes (SigV4, service
        execute-api, the stack's credentials and region; `secret_key` and `at` to sign wrongly)."""
        return sign(
            method,
            url,
            region=REGION,
            access_key=LOCAL_ACCESS_KEY,
            secret_key=secret_key,
            body=body,
            at=at,
        )

    def run_schedule(self, function: str) -> Invocation:
        """Fire a scheduled function now (e.g. "InvitationPollFunction"), as its schedule would."""
        return self.schedules[function].run_now()

    def invocations(self, function: str | None = None) -> list[Invocation]:
        """Every invocation so far, of one function or of all, in order."""
        children = [
            e for source in self.event_sources for e in source.environments if e is not source.function
        ]
        chosen = [e for e in [*self.functions.values(), *children] if function in (None, e.name)]
        return sorted((i for f in chosen for i in f.invocations), key=lambda i: i.started_at)

    # --- wiring ---

    def _state_file(self, name: str) -> Path | None:
        return None if self._state_dir is None else self._state_dir / name

    def _identity(self, stack_name: str | None) -> dict[str, str]:
        """The stack's names and external id: new, or the ones its state directory was started with."""
        identity_file = self._state_file("stack.json")
        if identity_file is not None and identity_file.exists():
            saved: dict[str, str] = json.loads(identity_file.read_text(encoding="utf-8"))
            return saved
        identity = {
            "stack_name": stack_name or f"cosell-{uuid.uuid4().hex[:8]}",
            "external_id": str(uuid.uuid4()),
        }
        if identity_file is not None:
            write_atomically(identity_file, json.dumps(identity).encode())
        return identity

    def _resource(self, logical_id: str) -> str:
        if self.resources is None:
            raise RuntimeError("the local stack is not started")
        return self.resources.refs[logical_id]

    def _parameters(self) -> dict[str, Any]:
        defaults = {
            name: spec.get("Default") for name, spec in self.template.document.get("Parameters", {}).items()
        }
        return (
            defaults
            | {
                "Environment": "development",
                "PartnerCentralCatalog": self.catalog,
                "PartnerCentralRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/{DEFAULT_PARTNER_CENTRAL_ROLE_NAME}",
                # What infra/iam-role.yaml's ExternalId output would be: its stack's id, one per install.
                "PartnerCentralExternalId": self.external_id,
                "HubSpotAccessToken": self.hubspot_token,
                "HubSpotWebhookSecret": self.webhook_secret,
                "HubSpotApiBaseUrl": self.hubspot_url,
                "LogLevel": self._log_level,
                # moto delays messages in real time, which a compressed queue clock cannot shorten: local
                # runs reconcile at once unless a test or the demo asks for the coalescing window.
                "CoalescingWindowSeconds": "0",
            }
            | self._parameter_overrides
        )

    def _handler_environment(self, resources: ProvisionedStack) -> dict[str, str | None]:
        return {
            **function_environment(self.template, resources),
            # What Lambda and the account would provide, pointed at the local services.
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": LOCAL_ACCESS_KEY,
            "AWS_SESSION_TOKEN": None,
            "AWS_PROFILE": None,
            "AWS_ENDPOINT_URL": self.aws_endpoint_url,
            "AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING": self.partner_central_url,
            # HubSpot signs the URL it calls; behind API Gateway the handler would rebuild it from Host.
            "HUBSPOT_WEBHOOK_URL": self.webhook_url,
            **self._pacing_environment(),
            # The invitation poll's hold is a number of its runs; runs come `schedule_time_scale` times as often.
            "INVITATION_POLL_HOLD_SECONDS": str(int(POLL_HOLD.total_seconds() / self._schedule_time_scale)),
        }

    def _pacing_environment(self) -> dict[str, str | None]:
        """On a compressed Partner Central clock, the pacer's rates in wall seconds: the emulator still counts
        AWS's quotas per (emulated) second, so 1 write/s there is `clock_scale` writes per wall second."""
        scale = self.partner_central.backend.config.clock_scale
        if scale == 1:
            return {}
        return {
            "PARTNER_CENTRAL_WRITES_PER_SECOND": str(min(_MOST_PER_SECOND, _PACED_WRITES_PER_SECOND * scale)),
            "PARTNER_CENTRAL_READS_PER_SECOND": str(min(_MOST_PER_SECOND, _PACED_READS_PER_SECOND * scale)),
        }
