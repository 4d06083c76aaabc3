"""Inputs the reliability fuzzer (``make reliability``) found answering 500 or jamming the trail.

Each was a signed request of a caller that may call the operation; the answer must be an AWS
error of the service's protocol, and the audit trail must keep recording afterwards.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from iamd.testing import IamdServer


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
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
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
