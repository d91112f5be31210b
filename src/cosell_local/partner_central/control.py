"""The control API: play AWS's side (invitations, reviews, summaries, members, snapshots), move the clock,
configure quotas, faults and event sinks, read the call log. Reachable from Python and over HTTP."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cosell_local.malformed import MalformedAnswer
from cosell_local.partner_central import model
from cosell_local.partner_central.clock import iso
from cosell_local.partner_central.config import FaultConfig, QuotaConfig
from cosell_local.partner_central.errors import REQUEST_VALIDATION_FAILED, FieldError, validation_error
from cosell_local.partner_central.events import EventBridgeSink, HttpPostSink, opportunity_detail
from cosell_local.partner_central.operations import HANDLERS, invitations, is_read, opportunities, snapshots
from cosell_local.partner_central.operations.common import deep_merge, opportunity
from cosell_local.partner_central.operations.engagements import (
    AWS_ACCOUNT,
    add_member,
    engagement,
    new_engagement,
)
from cosell_local.partner_central.validation import project, validate

if TYPE_CHECKING:
    from cosell_local.partner_central.backend import Backend

Json = dict[str, Any]

AWS_SENDER = {"SenderAwsAccountId": AWS_ACCOUNT, "SenderCompanyName": "AWS"}
DEFAULT_SELLER = {
    "Email": "alex.seller@amazon.com",
    "FirstName": "Alex",
    "LastName": "Seller",
    "BusinessTitle": "AWSAccountOwner",
    "Phone": "+12065550100",
}
DEFAULT_CUSTOMER_CONTACT = {
    "Email": "pat.customer@example.com",
    "FirstName": "Pat",
    "LastName": "Customer",
    "BusinessTitle": "CTO",
    "Phone": "+12065550123",
}
DEFAULT_ADDRESS = {
    "StreetAddress": "410 Terry Ave N",
    "City": "Seattle",
    "StateOrRegion": "Washington",
    "PostalCode": "98109",
}

# Control actions reachable over HTTP as POST /_emulator/<kebab-case name> with the keyword arguments as JSON.
HTTP_ACTIONS = (
    "create_opportunity_invitation",
    "create_lead_invitation",
    "set_review_status",
    "set_aws_summary",
    "add_engagement_member",
    "add_resource_snapshot",
    "expire_invitation",
    "add_solution",
    "advance_clock",
    "freeze_clock",
    "now",
    "reset",
    "configure_quotas",
    "configure_faults",
    "answer_next",
    "answers_left",
    "set_task_delay",
    "enable_search_opportunities",
    "calls",
    "clear_calls",
    "events",
    "clear_events",
    "add_http_event_sink",
    "add_eventbridge_event_sink",
    "remove_event_sinks",
    "implemented_operations",
    "read",
    "opportunities",
    "opportunity",
)


class ControlApi:
    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    # --- playing AWS ------------------------------------------------------------------------------------

    def create_opportunity_invitation(self, catalog: str = "AWS", fields: Json | None = None) -> Json:
        """An AWS referral. `fields`: any GetEngagementInvitation members to set, plus `OpportunityDetails`
        (opportunity members revealed only on acceptance: street address, contacts, AWS account id)."""
        fields = copy.deepcopy(fields or {})
        details = fields.pop("OpportunityDetails", {})
        target = (self._backend.now() + timedelta(days=90)).date().isoformat()
        payload = {
            "OpportunityInvitation": {
                "SenderContacts": [DEFAULT_SELLER],
                "ReceiverResponsibilities": ["Co-Sell Facilitator"],
                "Customer": {
                    "Industry": "Software and Internet",
                    "CompanyName": "Example Customer Inc",
                    "WebsiteUrl": "https://www.example.com",
                    "CountryCode": "US",
                },
                "Project": {
                    "Title": "Data platform modernisation",
                    "BusinessProblem": "The customer needs to modernise its data platform on AWS.",
                    "TargetCompletionDate": target,
                    "ExpectedCustomerSpend": [
                        {
                            "Amount": "5000",
                            "CurrencyCode": "USD",
                            "Frequency": "Monthly",
                            "TargetCompany": "AWS",
                        }
                    ],
                },
            }
        }
        return self._create_invitation(catalog, invitations.OPPORTUNITY_INVITATION, payload, fields, details)

    def create_lead_invitation(self, catalog: str = "AWS", fields: Json | None = None) -> Json:
        """An AWS lead. `fields`: GetEngagementInvitation members to set, plus `LeadContact` (the customer
        contact revealed in the engagement's Lead context only once the partner has accepted)."""
        fields = copy.deepcopy(fields or {})
        contact = deep_merge(DEFAULT_CUSTOMER_CONTACT, fields.pop("LeadContact", {}))
        payload = {
            "LeadInvitation": {
                "Customer": {
                    "Industry": "Software and Internet",
                    "CompanyName": "Example Lead Co",
                    "WebsiteUrl": "https://www.example.org",
                    "AwsMaturity": "Intermediate",
                    "MarketSegment": "Small",
                },
                "Interaction": {
                    "SourceType": "Marketing",
                    "SourceId": "campaign-001",
                    "SourceName": "AWS Summit",
                    "Usecase": "Analytics",
                    "ContactBusinessTitle": contact["BusinessTitle"],
                },
            }
        }
        return self._create_invitation(
            catalog, invitations.LEAD_INVITATION, payload, fields, {"Contact": contact}
        )

    def _create_invitation(
        self, catalog_name: str, payload_type: str, payload: Json, fields: Json, hidden: Json
    ) -> Json:
        backend = self._backend
        with backend.transaction():
            catalog = backend.catalog(catalog_name)
            identifier = backend.ids.prefixed("engi-", 13)
            now = backend.now()
            record = deep_merge(
                {
                    "Arn": backend.arn(catalog.name, "engagement-invitation", identifier),
                    "PayloadType": payload_type,
                    "Id": identifier,
                    "Status": "PENDING",
                    "InvitationDate": iso(now),
                    "ExpirationDate": iso(now + timedelta(days=backend.config.invitation_lifetime_days)),
                    **AWS_SENDER,
                    "Receiver": {"Account": {"AwsAccountId": backend.config.account_id}},
                    "Catalog": catalog.name,
                    "Payload": payload,
                    "InvitationMessage": "AWS invites you to engage on this customer",
                    "ExistingMembers": [{"CompanyName": "AWS", "WebsiteUrl": "https://aws.amazon.com"}],
                    "ParticipantType": "RECEIVER",
                },
                fields,
            )
            errors = validate(model.response_shape("GetEngagementInvitation"), record)
            errors += [
                FieldError("ParticipantType", error.message, error.code)
                for error in validate(model.shape("ParticipantType"), record["ParticipantType"])
            ]
            if errors:
                raise validation_error(REQUEST_VALIDATION_FAILED, errors)
            if payload_type == invitations.OPPORTUNITY_INVITATION:
                context, record["OpportunityDetails"] = self._opportunity_context(record, hidden)
            else:
                context = self._lead_context(record, hidden["Contact"])
            title = record.get("EngagementTitle") or _payload_title(record)
            created = new_engagement(
                backend, catalog, title=title, created_by=AWS_ACCOUNT, contexts=[context], emit=False
            )
            record["EngagementId"] = created["Id"]
            record.setdefault("EngagementTitle", created["Title"])
            invitations.store_invitation(backend, catalog, record)
            return self._invitation_view(record)

    @staticmethod
    def _invitation_view(record: Json) -> Json:
        view: Json = project(model.response_shape("GetEngagementInvitation"), record)
        return view | {"ParticipantType": record["ParticipantType"]}

    @staticmethod
    def _opportunity_context(record: Json, details: Json) -> tuple[Json, Json]:
        invitation = record["Payload"]["OpportunityInvitation"]
        customer, project_details = invitation["Customer"], invitation["Project"]
        opportunity_details = deep_merge(
            {
                "Customer": {
                    "Account": {
                        "CompanyName": customer["CompanyName"],
                        "Industry": customer["Industry"],
                        "WebsiteUrl": customer["WebsiteUrl"],
                        "AwsAccountId": "111122223333",
                        "Address": {"CountryCode": customer["CountryCode"], **DEFAULT_ADDRESS},
                    },
                    "Contacts": [DEFAULT_CUSTOMER_CONTACT],
                },
                "Project": {
                    "Title": project_details["Title"],
                    "CustomerBusinessProblem": project_details["BusinessProblem"],
                    "ExpectedCustomerSpend": project_details["ExpectedCustomerSpend"],
                },
                "LifeCycle": {
                    "Stage": "Prospect",
                    "TargetCloseDate": project_details["TargetCompletionDate"],
                },
                "OpportunityType": "Net New Business",
            },
            details,
        )
        context = {
            "Type": "CustomerProject",
            "Payload": {
                "CustomerProject": {
                    "Customer": copy.deepcopy(customer),
                    "Project": {
                        key: project_details[key]
                        for key in ("Title", "BusinessProblem", "TargetCompletionDate")
                    },
                }
            },
        }
        return context, opportunity_details

    def _lead_context(self, record: Json, contact: Json) -> Json:
        lead = record["Payload"]["LeadInvitation"]
        interaction = lead["Interaction"]
        return {
            "Type": "Lead",
            "Payload": {
                "Lead": {
                    "Customer": copy.deepcopy(lead["Customer"]),
                    "Interactions": [
                        {
                            **{
                                key: value
                                for key, value in interaction.items()
                                if key != "ContactBusinessTitle"
                            },
                            "InteractionDate": record["InvitationDate"],
                            "BusinessProblem": "The customer asked AWS for help with analytics.",
                            "Contact": contact,
                        }
                    ],
                }
            },
        }

    def set_review_status(
        self,
        catalog: str,
        opportunity_id: str,
        review_status: str,
        review_comments: str | None = None,
        review_status_reason: str | None = None,
    ) -> Json:
        """AWS's review outcome (Submitted → In review → Approved | Action Required | Rejected)."""
        statuses: list[str] = model.shape("ReviewStatus").enum  # type: ignore[attr-defined]
        if review_status not in statuses:
            raise validation_error(
                REQUEST_VALIDATION_FAILED,
                [FieldError("review_status", f"must be one of: {', '.join(statuses)}", "INVALID_ENUM_VALUE")],
            )
        backend = self._backend
        with backend.transaction():
            state = backend.catalog(catalog)
            record = opportunity(state, opportunity_id)
            lifecycle = record.setdefault("LifeCycle", {})
            lifecycle["ReviewStatus"] = review_status
            for name, value in (
                ("ReviewComments", review_comments),
                ("ReviewStatusReason", review_status_reason),
            ):
                if value is None:
                    lifecycle.pop(name, None)
                else:
                    lifecycle[name] = value
            opportunities.touch(backend, state, record)
            return copy.deepcopy(record)

    def set_aws_summary(self, catalog: str, opportunity_id: str, summary: Json) -> Json:
        """Merges `summary` (GetAwsOpportunitySummary members: Insights, LifeCycle, OpportunityTeam, ...)."""
        backend = self._backend
        with backend.transaction():
            state = backend.catalog(catalog)
            record = opportunity(state, opportunity_id)
            merged = deep_merge(state.aws_summaries.get(record["Id"], {}), summary)
            errors = validate(model.response_shape("GetAwsOpportunitySummary"), merged | {"Catalog": catalog})
            if errors:
                raise validation_error(REQUEST_VALIDATION_FAILED, errors)
            state.aws_summaries[record["Id"]] = merged
            backend.emit("Opportunity Updated", opportunity_detail(catalog, record["Id"]), [record["Arn"]])
            return copy.deepcopy(merged)

    def add_engagement_member(
        self,
        catalog: str,
        engagement_id: str,
        account_id: str,
        company_name: str,
        website_url: str | None = None,
    ) -> Json:
        backend = self._backend
        with backend.transaction():
            state = backend.catalog(catalog)
            record = engagement(state, engagement_id)
            member = {"AccountId": account_id, "CompanyName": company_name}
            if website_url is not None:
                member["WebsiteUrl"] = website_url
            add_member(backend, state, record, member)
            return copy.deepcopy(member)

    def add_resource_snapshot(
        self,
        catalog: str,
        engagement_id: str,
        opportunity_id: str,
        template: str = snapshots.AWS_SUMMARY_VIEW,
    ) -> Json:
        """A snapshot AWS takes (by default of its own summary) inside an engagement."""
        backend = self._backend
        with backend.transaction():
            state = backend.catalog(catalog)
            engagement_record = engagement(state, engagement_id)
            record = opportunity(state, opportunity_id)
            return copy.deepcopy(
                snapshots.take_snapshot(
                    backend, state, engagement_record["Id"], record["Id"], template, AWS_ACCOUNT
                )
            )

    def expire_invitation(self, catalog: str, invitation_id: str) -> Json:
        backend = self._backend
        with backend.transaction():
            state = backend.catalog(catalog)
            record = invitations.invitation(state, invitation_id)
            invitations.expire_now(backend, state, record)
            return self._invitation_view(record)

    def add_solution(
        self,
        catalog: str,
        identifier: str,
        name: str,
        status: str = "Active",
        category: str = "Software Product",
    ) -> Json:
        """A partner solution in AWS's catalog (ListSolutions, AssociateOpportunity)."""
        solution = {
            "Catalog": catalog,
            "Id": identifier,
            "Arn": identifier,
            "Name": name,
            "Status": status,
            "Category": category,
            "CreatedDate": iso(self._backend.now()),
        }
        errors = validate(model.shape("SolutionBase"), solution)
        if errors:
            raise validation_error(REQUEST_VALIDATION_FAILED, errors)
        with self._backend.transaction():
            self._backend.catalog(catalog).solutions[identifier] = solution
        return copy.deepcopy(solution)

    # --- time, configuration, observation -----------------------------------------------------------------

    def advance_clock(self, seconds: float) -> Json:
        """Moves the emulator clock; due tasks complete and invitations expire (with their events) now."""
        self._backend.clock.advance(seconds)
        with self._backend.transaction():
            return self.now()

    def freeze_clock(self, frozen: bool = True) -> Json:
        """Stop wall time on the emulator clock (`frozen=False` restarts it); `advance_clock` still moves it."""
        self._backend.clock.freeze(frozen)
        return self.now()

    def now(self) -> Json:
        return {"Now": iso(self._backend.now())}

    def reset(self) -> Json:
        self._backend.reset()
        return {}

    def configure_quotas(self, **settings: Any) -> Json:
        config = QuotaConfig.from_json(settings)
        self._backend.config.quotas = config
        self._backend.quotas.configure(config)
        return config.as_json()

    def configure_faults(self, **settings: Any) -> Json:
        config = FaultConfig.from_json(settings)
        self._backend.config.faults = config
        self._backend.faults.configure(config)
        self._backend.publisher.configure_faults(config)
        return config.as_json()

    def answer_next(self, operation: str, times: int = 1, **answer: Any) -> Json:
        """The next `times` calls of `operation` get a malformed answer (cosell_local.malformed.MalformedAnswer's
        settings: status, body, content_type, remove, replace, truncate, handled); `configure_faults` and
        `reset` forget the ones not served yet."""
        try:
            if operation not in model.operation_names():
                raise ValueError(f"{operation} is no Partner Central operation")
            malformed = MalformedAnswer.from_json(answer)
        except (TypeError, ValueError) as error:
            raise validation_error(
                REQUEST_VALIDATION_FAILED, [FieldError("answer", str(error), "INVALID_VALUE")]
            ) from None
        self._backend.faults.answer_next(operation, malformed, times)
        return {"Operation": operation, "Times": times}

    def answers_left(self) -> Json:
        """How many malformed answers `answer_next` scripted are still to be served."""
        return {"AnswersLeft": self._backend.faults.answers_left()}

    def set_task_delay(self, seconds: float) -> Json:
        self._backend.config.task_delay_seconds = seconds
        return {"TaskDelaySeconds": seconds}

    def enable_search_opportunities(self, enabled: bool = True) -> Json:
        """Answer as a partner account AWS has switched SearchOpportunities on for, or (False) one without it."""
        self._backend.config.search_opportunities_enabled = enabled
        return {"SearchOpportunitiesEnabled": enabled}

    def calls(self, operation: str | None = None) -> list[Json]:
        """The API calls received, oldest first: {Operation, Catalog, Time, Error (None if it succeeded)}."""
        return self._backend.calls(operation)

    def clear_calls(self) -> Json:
        self._backend.clear_calls()
        return {}

    def events(self, detail_type: str | None = None) -> list[Json]:
        """Events emitted, oldest first (before delivery faults drop or duplicate them)."""
        return [
            event
            for event in self._backend.publisher.history()
            if detail_type is None or event["detail-type"] == detail_type
        ]

    def clear_events(self) -> Json:
        self._backend.publisher.clear_history()
        return {}

    def add_http_event_sink(self, url: str) -> Json:
        self._backend.publisher.add_sink(HttpPostSink(url))
        return {}

    def add_eventbridge_event_sink(self, endpoint_url: str, event_bus_name: str = "default") -> Json:
        self._backend.publisher.add_sink(
            EventBridgeSink(endpoint_url, event_bus_name, self._backend.config.region)
        )
        return {}

    def remove_event_sinks(self) -> Json:
        self._backend.publisher.remove_sinks()
        return {}

    def read(self, operation: str, **request: Any) -> Json:
        """A read (a Get… or List… operation) as Partner Central answers it, without a quota slot, a fault or
        a call record: how a test observes Partner Central without competing with the sync for its quota."""
        handler = HANDLERS.get(operation)
        if handler is None or not is_read(operation):
            raise validation_error(
                REQUEST_VALIDATION_FAILED,
                [FieldError("operation", f"{operation} is no read the emulator implements", "INVALID_VALUE")],
            )
        errors = validate(model.request_shape(operation), request)
        if errors:
            raise validation_error(REQUEST_VALIDATION_FAILED, errors)
        backend = self._backend
        with backend.transaction(writes=False):
            answer = handler(backend, request)
        output = model.operation(operation).output_shape
        return project(output, answer) if output is not None else answer

    def opportunities(self, catalog: str) -> list[Json]:
        """Every opportunity of `catalog` as GetOpportunity answers it (`read`)."""
        with self._backend.transaction(writes=False):
            identifiers = sorted(self._backend.catalog(catalog).opportunities)
        return [self.opportunity(catalog, identifier) for identifier in identifiers]

    def opportunity(self, catalog: str, identifier: str) -> Json:
        """One opportunity as GetOpportunity answers it (`read`)."""
        return self.read("GetOpportunity", Catalog=catalog, Identifier=identifier)

    def implemented_operations(self) -> list[str]:
        return self._backend.implemented_operations


def _payload_title(record: Json) -> str:
    payload = record["Payload"]
    if "OpportunityInvitation" in payload:
        return str(payload["OpportunityInvitation"]["Project"]["Title"])
    return str(payload["LeadInvitation"]["Customer"]["CompanyName"])
