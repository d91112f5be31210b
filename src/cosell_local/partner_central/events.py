"""EventBridge events as Partner Central emits them, and the sinks that receive them."""

from __future__ import annotations

import json
import logging
import random
import threading
import urllib.request
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import boto3

if TYPE_CHECKING:
    from collections.abc import Callable

    from cosell_local.partner_central.config import FaultConfig

Json = dict[str, Any]

SOURCE = "aws.partnercentral-selling"
logger = logging.getLogger(__name__)


def envelope(
    *,
    event_id: str,
    detail_type: str,
    account: str,
    region: str,
    time: datetime,
    resources: list[str],
    detail: Json,
) -> Json:
    return {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": SOURCE,
        "account": account,
        "time": time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


def opportunity_detail(catalog: str, opportunity_id: str) -> Json:
    return {"schemaVersion": "1", "catalog": catalog, "opportunity": {"identifier": opportunity_id}}


def invitation_detail(catalog: str, invitation: Json, receiver_account: str, *, created: bool) -> Json:
    # Events spell the participant type `Receiver`/`Sender`; the List API filter spells it RECEIVER/SENDER.
    fields: Json = {
        "arn": invitation["Arn"],
        "id": invitation["Id"],
        "engagementId": invitation["EngagementId"],
        "participantType": invitation["ParticipantType"].capitalize(),
        "senderAccountId": invitation["SenderAwsAccountId"],
        "receiverAccountId": receiver_account,
        "payloadType": invitation["PayloadType"],
    }
    if created:
        fields["senderCompanyName"] = invitation["SenderCompanyName"]
        fields["expirationDate"] = invitation["ExpirationDate"]
    return {"catalog": catalog, "engagementInvitation": fields}


def engagement_detail(catalog: str, engagement: Json, *, created: bool) -> Json:
    fields: Json = {"engagementArn": engagement["Arn"], "engagementId": engagement["Id"]}
    if created:
        fields |= {"CreatedAt": engagement["CreatedAt"], "CreatedBy": engagement["CreatedBy"]}
    else:
        fields |= {"LastModifiedAt": engagement["ModifiedAt"], "LastModifiedBy": engagement["ModifiedBy"]}
    fields["ContextTypes"] = [context["Type"] for context in engagement["Contexts"]]
    return {"catalog": catalog, "engagement": fields}


def member_added_detail(catalog: str, engagement_id: str, member: Json) -> Json:
    return {
        "catalog": catalog,
        "engagement": {"id": engagement_id},
        "engagementMember": {"accountId": member["AccountId"], "companyName": member["CompanyName"]},
    }


def snapshot_detail(catalog: str, snapshot: Json) -> Json:
    return {
        "catalog": catalog,
        "resourceSnapshot": {
            "arn": snapshot["Arn"],
            "engagementId": snapshot["EngagementId"],
            "resourceType": snapshot["ResourceType"],
            "resourceId": snapshot["ResourceId"],
            "createdBy": snapshot["CreatedBy"],
            "targetMemberAccounts": snapshot["TargetMemberAccounts"],
            "resourceSnapshotTemplateName": snapshot["ResourceSnapshotTemplateName"],
        },
    }


class EventSink(Protocol):
    def deliver(self, event: Json) -> None: ...


class CallbackSink:
    def __init__(self, callback: Callable[[Json], None]) -> None:
        self._callback = callback

    def deliver(self, event: Json) -> None:
        self._callback(event)


class HttpPostSink:
    """POSTs each event as JSON, as an EventBridge API destination would."""

    def __init__(self, url: str, timeout_seconds: float = 5.0) -> None:
        self.url = url
        self._timeout = timeout_seconds

    def deliver(self, event: Json) -> None:
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own sink
            self.url,
            data=json.dumps(event).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self._timeout):  # noqa: S310
            pass


class EventBridgeSink:
    """PutEvents onto a bus of a local EventBridge (moto server), so real rules and targets see the event."""

    def __init__(self, endpoint_url: str, event_bus_name: str = "default", region: str = "us-east-1") -> None:
        self.endpoint_url = endpoint_url
        self._event_bus_name = event_bus_name
        self._client = boto3.client(
            "events",
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - local endpoint only
        )

    def deliver(self, event: Json) -> None:
        self._client.put_events(
            Entries=[
                {
                    "Source": event["source"],
                    "DetailType": event["detail-type"],
                    "Detail": json.dumps(event["detail"]),
                    "Resources": event["resources"],
                    "Time": datetime.fromisoformat(event["time"].replace("Z", "+00:00")),
                    "EventBusName": self._event_bus_name,
                }
            ]
        )


class EventPublisher:
    """Hands events to every sink; best-effort like EventBridge, with seeded duplicates and losses."""

    def __init__(self, faults: FaultConfig) -> None:
        self._sinks: list[EventSink] = []
        self._history: list[Json] = []
        self._lock = threading.Lock()
        self.configure_faults(faults)

    def configure_faults(self, faults: FaultConfig) -> None:
        with self._lock:
            self._faults = faults
            self._random = random.Random(faults.seed)

    def add_sink(self, sink: EventSink) -> None:
        with self._lock:
            self._sinks.append(sink)

    def remove_sinks(self) -> None:
        with self._lock:
            self._sinks.clear()

    def history(self) -> list[Json]:
        with self._lock:
            return list(self._history)

    def clear_history(self) -> None:
        with self._lock:
            self._history.clear()

    def publish(self, events: list[Json]) -> None:
        for event in events:
            with self._lock:
                self._history.append(event)
                sinks = list(self._sinks)
                if self._random.random() < self._faults.lose_event_rate:
                    continue
                copies = 2 if self._random.random() < self._faults.duplicate_event_rate else 1
            for _ in range(copies):
                for sink in sinks:
                    try:
                        sink.deliver(event)
                    except Exception:
                        logger.exception("event sink %r failed", sink)
