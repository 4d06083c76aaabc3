"""A failed authentication with an access key iamd knows is recorded under the key's owner, as
CloudTrail records it, and the caller learns nothing new (an unknown key stays ``Unknown``: see
tests/unit/audit/test_events.py)."""

from __future__ import annotations

import json
from typing import Any

from functional_helpers import as_creds, new_user, poll

from iamd.testing import IamdServer


def _events(server: IamdServer, key_id: str) -> list[dict[str, Any]]:
    ct = server.client("cloudtrail")

    def found() -> list[dict[str, Any]]:
        events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": key_id}])
        return [json.loads(e["CloudTrailEvent"]) for e in events["Events"]]

    return list(poll(found))


def test_a_wrong_secret_is_recorded_under_the_keys_user(server: IamdServer, iam: Any, error_of: Any) -> None:
    arn, key = new_user(iam, "carol")
    forged = as_creds(server, "iam", {**key, "SecretAccessKey": "x" * 40})
    err = error_of(forged.list_users)
    assert err["Code"] == "SignatureDoesNotMatch"
    assert "carol" not in err["Message"]  # the caller is told nothing about whose key it is
    (event,) = _events(server, key["AccessKeyId"])
    assert event["errorCode"] == "SignatureDoesNotMatch"
    assert event["userIdentity"] == {
        "type": "IAMUser", "principalId": iam.get_user(UserName="carol")["User"]["UserId"], "arn": arn,
        "accountId": server.account_id, "accessKeyId": key["AccessKeyId"], "userName": "carol",
    }
    assert event["recipientAccountId"] == server.account_id


def test_a_wrong_secret_for_roots_key_is_recorded_as_root(server: IamdServer, error_of: Any) -> None:
    forged = as_creds(server, "sts", {"AccessKeyId": server.access_key_id, "SecretAccessKey": "y" * 40})
    assert error_of(forged.get_caller_identity)["Code"] == "SignatureDoesNotMatch"
    events = [e for e in _events(server, server.access_key_id) if e.get("errorCode") == "SignatureDoesNotMatch"]
    assert events and events[0]["userIdentity"]["type"] == "Root"
    assert events[0]["userIdentity"]["arn"] == f"arn:aws:iam::{server.account_id}:root"
