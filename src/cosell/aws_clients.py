"""Clients of the functions' own AWS services (SQS, DynamoDB, SNS, SSM, Secrets Manager, STS).

Made the way `boto3.client` makes them, from one botocore session per process, without importing boto3:
its import (13 ms of a cold start, for resources and S3 transfers no function uses) is then paid only by
the functions that call Partner Central, whose client is boto3's (cosell.partner_central.client). The
webhook, the function HubSpot waits on, never loads it. Credentials, region and endpoint settings
(`AWS_ENDPOINT_URL_<SERVICE>`) are read as boto3 reads them: boto3 delegates all of it to this session.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Literal, overload

import botocore.session

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_sns.client import SNSClient
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_ssm.client import SSMClient
    from mypy_boto3_sts.client import STSClient


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@overload
def client(service: Literal["dynamodb"], region: str) -> DynamoDBClient: ...
@overload
def client(service: Literal["sns"], region: str) -> SNSClient: ...
@overload
def client(service: Literal["sqs"], region: str) -> SQSClient: ...
@overload
def client(service: Literal["ssm"], region: str) -> SSMClient: ...
@overload
def client(service: Literal["sts"], region: str) -> STSClient: ...
@overload
def client(service: Literal["secretsmanager"], region: str) -> Any: ...  # no stubs installed
def client(service: str, region: str) -> Any:
    return _session().create_client(service, region_name=region)
