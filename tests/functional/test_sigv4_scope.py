"""The credential scope names a region that exists and a service iamd serves, or the request fails
with AWS's code, in the protocol the client speaks."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from iamd.testing import IamdServer


def _client(server: IamdServer, service: str, region: str, signing_name: str | None = None) -> Any:
    client = boto3.client(
        service, endpoint_url=server.endpoint, region_name=region,
        aws_access_key_id=server.access_key_id, aws_secret_access_key=server.secret_access_key,
    )
    if signing_name is not None:
        client._request_signer._signing_name = signing_name  # sign for another service, as a misconfigured SDK would
    return client


def _error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return {**caught.value.response["Error"], "HTTPStatus": caught.value.response["ResponseMetadata"]["HTTPStatusCode"]}


@pytest.mark.parametrize(("service", "call"), [("sts", "get_caller_identity"), ("iam", "list_users"),
                                               ("cloudtrail", "lookup_events")])
def test_a_region_that_does_not_exist_is_refused(server: IamdServer, service: str, call: str) -> None:
    err = _error(getattr(_client(server, service, "zz-fake-9"), call))
    assert err["HTTPStatus"] == 403, err
    expected = "InvalidSignatureException" if service == "cloudtrail" else "SignatureDoesNotMatch"
    assert err["Code"] == expected
    assert err["Message"] == "Credential should be scoped to a valid region, not 'zz-fake-9'. "


@pytest.mark.parametrize("region", ["eu-west-1", "us-gov-west-1", "cn-north-1", "ap-southeast-5"])
def test_every_aws_region_is_accepted(server: IamdServer, region: str) -> None:
    assert _client(server, "sts", region).get_caller_identity()["Account"] == server.account_id


@pytest.mark.parametrize("region", ["aws-global"])
def test_pseudo_regions_are_refused(server: IamdServer, region: str) -> None:
    assert _error(_client(server, "sts", region).get_caller_identity)["Code"] == "SignatureDoesNotMatch"


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [("sts", "get_caller_identity", "SignatureDoesNotMatch"), ("iam", "list_users", "SignatureDoesNotMatch"),
     ("cloudtrail", "lookup_events", "InvalidSignatureException")],
)
def test_a_scope_for_another_service_answers_in_the_clients_protocol(
    server: IamdServer, service: str, call: str, code: str
) -> None:
    err = _error(getattr(_client(server, service, "us-east-1", signing_name="s3"), call))
    assert (err["Code"], err["HTTPStatus"]) == (code, 403), err
    assert err["Message"] == f"Credential should be scoped to correct service: '{service}'. "


def test_configured_regions_of_a_private_cloud_are_accepted() -> None:
    with IamdServer(extra_args=["--ephemeral", "--extra-regions", "onprem-a, onprem-b"]) as server:
        assert _client(server, "sts", "onprem-b").get_caller_identity()["Account"] == server.account_id
        assert _error(_client(server, "sts", "onprem-c").get_caller_identity)["Code"] == "SignatureDoesNotMatch"
