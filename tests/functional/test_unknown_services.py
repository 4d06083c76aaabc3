"""Clients of services iamd does not serve, and JSON calls of operations iamd's models lack, get
AWS's error in the protocol their SDK parses: boto3 and the aws CLI print it, not "(400)"."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.config import Config

from iamd.testing import IamdServer

SERVED = "access-analyzer, cloudtrail, iam, iamd, organizations, sts"
NO_RETRY = Config(retries={"max_attempts": 1})


@pytest.mark.parametrize(
    ("service", "call", "kwargs"),
    [
        ("dynamodb", "list_tables", {}),  # JSON 1.0
        ("kms", "list_keys", {}),  # JSON 1.1
        ("sqs", "list_queues", {}),  # JSON 1.0 in current botocore
        ("s3", "list_buckets", {}),  # REST-XML
        ("lambda", "list_functions", {}),  # REST-JSON
        ("ec2", "describe_regions", {}),  # EC2's Query dialect
        ("sns", "list_topics", {}),  # Query
    ],
)
def test_a_service_iamd_does_not_serve(server: IamdServer, error_of: Any, service: str, call: str,
                                       kwargs: dict[str, Any]) -> None:
    client = server.client(service, config=NO_RETRY)
    err = error_of(getattr(client, call), **kwargs)
    assert (err["Code"], err["HTTPStatus"]) == ("UnknownService", 400), err
    assert err["Message"] == f"iamd does not serve the '{service}' service; this endpoint serves {SERVED}."


def test_the_cli_prints_the_error(aws: Any) -> None:
    proc = aws.run("dynamodb", "list-tables", check=False)
    assert proc.returncode in (254, 255), proc.stderr  # the CLI's "service error" status, v2 and v1
    assert proc.stderr.strip() == (
        "An error occurred (UnknownService) when calling the ListTables operation: "
        f"iamd does not serve the 'dynamodb' service; this endpoint serves {SERVED}."
    )


def test_nothing_changes_and_the_attempt_is_audited(server: IamdServer, iam: Any, error_of: Any) -> None:
    before = iam.list_users()["Users"]
    error_of(server.client("dynamodb", config=NO_RETRY).delete_table, TableName="t")
    assert iam.list_users()["Users"] == before
    ct = server.client("cloudtrail")
    attribute = [{"AttributeKey": "EventSource", "AttributeValue": "dynamodb.amazonaws.com"}]
    for _ in range(50):  # failed calls reach the trail in batches: poll, no clock involved
        events = ct.lookup_events(LookupAttributes=attribute)["Events"]
        if events:
            break
        time.sleep(0.1)
    assert len(events) == 1
    event = json.loads(events[0]["CloudTrailEvent"])
    assert (event["errorCode"], event["userIdentity"]["type"]) == ("UnknownService", "Root")


def test_a_client_of_ours_signing_for_another_service_still_hears_the_scope_error(
    server: IamdServer, error_of: Any
) -> None:
    """An IAM request (its Version says so) signed for s3 is a misconfigured IAM client."""
    client = server.client("iam")
    client._request_signer._signing_name = "s3"
    err = error_of(client.list_users)
    assert (err["Code"], err["Message"]) == ("SignatureDoesNotMatch", "Credential should be scoped to correct service: 'iam'. ")


def _retarget(target: str) -> Any:
    def handler(request: Any, **_: Any) -> None:
        request.headers.replace_header("X-Amz-Target", target)

    return handler


@pytest.mark.parametrize(
    ("service", "call", "target"),
    [
        ("cloudtrail", "lookup_events", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.NoSuchOperation"),
        ("organizations", "describe_organization", "AWSOrganizationsV20161128.NoSuchOperation"),
        ("organizations", "describe_organization", "SomeoneElse_20200101.DescribeOrganization"),
    ],
)
def test_an_operation_the_model_lacks(server: IamdServer, error_of: Any, service: str, call: str, target: str) -> None:
    client = server.client(service, config=NO_RETRY)
    client.meta.events.register_first(f"before-sign.{service}.*", _retarget(target))
    err = error_of(getattr(client, call))
    assert (err["Code"], err["HTTPStatus"]) == ("UnknownOperationException", 400), err
    assert err["Message"] == f"Unknown operation {target}"
