"""Clients of the functions' own AWS services (SQS, DynamoDB, SNS, SSM, Secrets Manager, STS).

Made the way `boto3.client` makes them, from one botocore session per process, without importing boto3:
its import (13 ms of a cold start, for resources and S3 transfers no function uses) is then paid only by
the functions that call Partner Central, whose client is boto3's (cosell.partner_central.client). The
webhook, the function HubSpot waits on, never loads it. Credentials, region and endpoint settings
(`AWS_ENDPOINT_URL_<SERVICE>`) are read as boto3 reads them: boto3 delegates all of it to this session.

Every session here, the Partner Central client's included, reads service models and endpoint rules through
one loader, which parses each of those files once per process (docs/BENCHMARKS.md, "A function's first
request").
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, overload

import botocore.session
from botocore.loaders import create_loader

if TYPE_CHECKING:
    import boto3
    from botocore.loaders import Loader
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_sns.client import SNSClient
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_ssm.client import SSMClient
    from mypy_boto3_sts.client import STSClient


@cache
def loader() -> Loader:
    """The process's loader of botocore's data files (service models, endpoint rules), which caches them."""
    # What a session would make for itself; a data path set in the AWS config file instead of AWS_DATA_PATH is
    # not read (a session reads it, but only a custom service model needs one).
    return create_loader(os.environ.get("AWS_DATA_PATH"))


def session() -> botocore.session.Session:
    """A new botocore session that reads its data files through `loader()` (for clients with credentials of
    their own)."""
    new = botocore.session.get_session()
    new.register_component("data_loader", loader())
    return new


def boto3_session(core: botocore.session.Session, region: str) -> boto3.Session:
    """boto3's session over `core`, one of `session()`'s (the Partner Central client is boto3's)."""
    import boto3  # here: only the functions that call Partner Central load it

    wrapped = boto3.Session(botocore_session=core, region_name=region)
    # boto3 adds its data directory (for resources) to the session's loader, which is the process's shared one:
    # once is enough, however many sessions a process wraps.
    loader().search_paths[:] = dict.fromkeys(loader().search_paths)
    return wrapped


_session = cache(session)


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
