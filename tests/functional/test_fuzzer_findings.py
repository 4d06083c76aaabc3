"""Inputs the reliability fuzzer (``make reliability``) found answering 500 or jamming the trail.

Each was a signed request of a caller that may call the operation; the answer must be an AWS
error of the service's protocol, and the audit trail must keep recording afterwards.
"""

from __future__ import annotations

import http.client
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from iamd.testing import IamdServer

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GET_USER = b"Action=GetUser&Version=2010-05-08"
LOOKUP = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"


def _error(fn: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        fn(**kwargs)
    return {**info.value.response["Error"], "HTTPStatus": info.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def test_a_lone_surrogate_in_a_json_body_is_a_serialization_exception(server: IamdServer, iam: Any) -> None:
    """JSON escapes can spell a lone surrogate (``"\\udfff"``), which is no Unicode text: stored in
    the trail it made every later batch of events fail to encode, so the trail stopped."""
    ct = server.client("cloudtrail")
    err = _error(ct.lookup_events, LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "a\udfffb"}])
    assert (err["Code"], err["HTTPStatus"]) == ("SerializationException", 400)
    iam.get_user()
    for _ in range(50):  # read-only events are written in batches, every 500 ms
        events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetUser"}])
        if events["Events"]:
            return
        time.sleep(0.2)
    raise AssertionError("the GetUser after the rejected request never reached the trail")


def test_a_request_tag_without_a_value_is_no_internal_failure(server: IamdServer) -> None:
    """CloudTrail's ``Tag.Value`` is optional; the request context read it unconditionally."""
    ct = server.client("cloudtrail")
    err = _error(ct.create_channel, Name="channel", Source="Custom",
                 Destinations=[{"Type": "EVENT_DATA_STORE", "Location": "eds"}], Tags=[{"Key": "team"}])
    assert err["HTTPStatus"] != 500 and err["Code"] != "InternalFailure", err


def _raw(server: IamdServer, method: str, body: bytes, headers: list[tuple[str, str]]) -> tuple[int, Any, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest(method, "/", skip_accept_encoding=True)
        for name, value in [*headers, ("Content-Length", str(len(body)))]:
            conn.putheader(name, value)
        conn.endheaders(body)
        answer = conn.getresponse()
        return answer.status, answer, answer.read()
    finally:
        conn.close()


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_other_methods_get_an_aws_error_document(server: IamdServer, method: str) -> None:
    """They got Starlette's plain-text 405 without a request id."""
    status, answer, body = _raw(server, method, GET_USER, list(FORM.items()))
    assert status == 405 and answer.getheader("x-amzn-RequestId")
    assert b"<ErrorResponse" in body and b"<Code>MethodNotAllowed</Code>" in body


def test_head_runs_no_action(server: IamdServer, iam: Any) -> None:
    """Starlette routes HEAD to the GET handler: a HEAD ran the call (and wrote its event)."""
    query = "Action=CreateUser&UserName=headless&Version=2010-05-08"
    status, answer, body = _raw_query(server, "HEAD", query)
    assert status == 405 and body == b""
    assert not [u for u in iam.list_users()["Users"] if u["UserName"] == "headless"]


def _raw_query(server: IamdServer, method: str, query: str) -> tuple[int, Any, bytes]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"{server.endpoint}/?{query}"
    req = AWSRequest(method=method, url=url)
    SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), "iam", "us-east-1").add_auth(req)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, f"/?{query}", headers=dict(req.headers.items()))
        answer = conn.getresponse()
        return answer.status, answer, answer.read()
    finally:
        conn.close()


def test_an_oversized_json_body_is_answered_in_json(server: IamdServer) -> None:
    """The body is read before the protocol is known: a CloudTrail client got Query XML."""
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", LOOKUP)]
    status, _, body = _raw(server, "POST", b"{" + b" " * (600 * 1024) + b"}", headers)
    assert status == 413 and body.startswith(b'{"__type":"RequestEntityTooLarge"')


@pytest.mark.parametrize("forged_first", [True, False])
def test_a_repeated_authorization_header_is_refused(server: IamdServer, forged_first: bool) -> None:
    """The last Authorization header won: a forged one beside a valid one passed (and the other
    way round a verifier and a user of the header could disagree)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    req = AWSRequest(method="POST", url=server.endpoint + "/", data=GET_USER, headers=FORM)
    SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), "iam", "us-east-1").add_auth(req)
    headers = [(k, v) for k, v in req.headers.items() if k != "Authorization"]
    good = req.headers["Authorization"]
    forged = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
    pair = [forged, good] if forged_first else [good, forged]
    status, _, body = _raw(server, "POST", GET_USER, [*headers, *(("Authorization", v) for v in pair)])
    assert status == 403 and b"<Code>IncompleteSignature</Code>" in body
