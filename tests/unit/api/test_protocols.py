"""Which service a request meant when its scope names none of iamd's: its error must be one the client parses."""

from __future__ import annotations

import pytest

from iamd.api.json_output import render_error
from iamd.api.protocols import intended_service, named_service, protocols
from iamd.auth.request import HttpRequest
from iamd.errors import (
    AwsError,
    IncompleteSignature,
    InvalidClientTokenId,
    SignatureDoesNotMatch,
    ValidationError,
)

SERVED = protocols()
CT = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"


def _request(body: bytes = b"", query: str = "", target: str | None = None) -> HttpRequest:
    headers = [("Host", "iamd")] + ([("X-Amz-Target", target)] if target is not None else [])
    return HttpRequest("POST", "/", query, headers, body)


@pytest.mark.parametrize(
    ("request_", "service"),
    [
        (_request(target=f"{CT}.LookupEvents"), "cloudtrail"),
        (_request(target="SomeOtherService_2020.Op"), "cloudtrail"),  # a JSON client still reads JSON
        (_request(b"Action=GetCallerIdentity&Version=2011-06-15"), "sts"),
        (_request(query="Action=ListUsers&Version=2010-05-08"), "iam"),
        (_request(b"Action=ListUsers"), "iam"),
        (_request(b"Version=\xff\xfe"), "iam"),  # not UTF-8: no Version to go by
    ],
)
def test_intended_service(request_: HttpRequest, service: str) -> None:
    assert intended_service(SERVED, request_) == service


@pytest.mark.parametrize(
    ("request_", "service"),
    [
        (_request(target=f"{CT}.LookupEvents"), "cloudtrail"),
        (_request(target="AWSOrganizationsV20161128.ListAccounts"), "organizations"),
        (_request(target="DynamoDB_20120810.ListTables"), None),
        (_request(b"Action=GetCallerIdentity&Version=2011-06-15"), "sts"),
        (_request(query="Action=ListUsers&Version=2010-05-08"), "iam"),
        (_request(b"Action=ListQueues&Version=2012-11-05"), None),
        (_request(b"Action=ListUsers"), None),
        (_request(b""), None),
        (_request(b"Version=\xff\xfe"), None),
    ],
)
def test_named_service(request_: HttpRequest, service: str | None) -> None:
    """Only a request that names one of iamd's services is a misconfigured client of iamd's."""
    assert named_service(SERVED, request_) == service


@pytest.mark.parametrize(
    ("err", "code"),
    [(SignatureDoesNotMatch(), "InvalidSignatureException"), (InvalidClientTokenId(), "UnrecognizedClientException"),
     (IncompleteSignature("x"), "IncompleteSignatureException"), (ValidationError("x"), "ValidationError")],
)
def test_json_services_name_authentication_errors_their_way(err: AwsError, code: str) -> None:
    assert f'"__type":"{code}"'.encode() in render_error(err).replace(b" ", b"")
