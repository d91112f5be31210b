"""Notifications to the outside (Slack, e-mail) through an SNS topic, when `NOTIFICATION_SNS_TOPIC_ARN` is set.

The message is JSON of a stable shape (docs/OPERATIONS.md, "Notifications"), its subject the notification's.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_sns.client import SNSClient

SUBJECT_MAX = 99  # SNS takes a subject of fewer than 100 printable characters


class SnsTopic:
    def __init__(self, sns: SNSClient, topic_arn: str) -> None:
        self._sns = sns
        self._topic_arn = topic_arn

    def publish(self, subject: str, message: Mapping[str, Any]) -> None:
        printable = " ".join("".join(c if c.isprintable() else " " for c in subject).split())[:SUBJECT_MAX]
        self._sns.publish(
            TopicArn=self._topic_arn, Subject=printable, Message=json.dumps(message, sort_keys=True)
        )


class NoTopic:
    """No topic configured: notifications go to HubSpot only."""

    def publish(self, subject: str, message: Mapping[str, Any]) -> None:
        return None
