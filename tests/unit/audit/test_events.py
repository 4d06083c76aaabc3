"""CloudTrail record shapes for each kind of caller, and redaction of every secret."""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import replace
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape
from helpers import ACCOUNT, OTHER, T0, assumed_role, federated, record, root, user

from iamd.audit.events import MAX_ERROR_MESSAGE, MAX_SOURCE_IP, MAX_USER_AGENT, build_events
from iamd.audit.redaction import ALWAYS_HIDDEN, HIDDEN, cloudtrail_time

COMMON = {
    "eventVersion": "1.08",
    "eventType": "AwsApiCall",
    "managementEvent": True,
    "eventCategory": "Management",
    "sourceIPAddress": "192.0.2.10",
    "userAgent": "aws-cli/2.15 Python/3.11",
}


def one(rec: Any) -> dict[str, Any]:
    events = build_events(rec)
    assert len(events) == 1
    return json.loads(events[0].record)


def test_root_event() -> None:
    ev = one(record("GetUser", root(), params={"UserName": "bob"}))
    assert ev["userIdentity"] == {
        "type": "Root",
        "principalId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:root",
        "accountId": ACCOUNT,
        "accessKeyId": "AKIAROOTROOTROOT1234",
    }
    assert ev.items() >= COMMON.items()
    assert ev["eventTime"] == "2024-03-04T05:06:07Z"
    assert ev["eventSource"] == "iam.amazonaws.com"
    assert ev["awsRegion"] == "us-east-1"  # IAM is global
    assert ev["requestParameters"] == {"userName": "bob"}
    assert ev["responseElements"] is None  # read-only
    assert ev["readOnly"] is True
    assert ev["recipientAccountId"] == ACCOUNT
    assert "errorCode" not in ev and "tlsDetails" not in ev
    assert len(ev["eventID"]) == 36


def test_iam_user_write_keeps_response() -> None:
    rec = record(
        "CreateUser",
        user(),
        params={"UserName": "bob", "Path": "/"},
        response={"User": {"UserName": "bob", "UserId": "AIDABOB", "CreateDate": T0, "Path": "/"}},
        read_only=False,
    )
    ev = one(rec)
    assert ev["userIdentity"]["type"] == "IAMUser"
    assert ev["userIdentity"]["userName"] == "alice"
    assert "sessionContext" not in ev["userIdentity"]
    assert ev["responseElements"] == {
        "user": {"userName": "bob", "userId": "AIDABOB", "createDate": "Mar 4, 2024, 5:06:07 AM", "path": "/"}
    }
    assert ev["readOnly"] is False


def test_assumed_role_session_context() -> None:
    ident = one(record("ListUsers", assumed_role(mfa=True)))["userIdentity"]
    assert ident["type"] == "AssumedRole"
    assert ident["principalId"] == "AROAADMIN:sess-1"
    assert ident["accessKeyId"].startswith("ASIA")
    ctx = ident["sessionContext"]
    assert ctx["sessionIssuer"] == {
        "type": "Role",
        "principalId": "AROAADMIN",
        "arn": f"arn:aws:iam::{ACCOUNT}:role/ops/Admin",
        "accountId": ACCOUNT,
        "userName": "Admin",
    }
    assert ctx["attributes"] == {"creationDate": "2024-03-04T05:01:07Z", "mfaAuthenticated": "true"}
    assert ctx["sourceIdentity"] == "alice"
    no_mfa = one(record("ListUsers", assumed_role(mfa=False, source_identity=None)))["userIdentity"]
    assert no_mfa["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    assert "sourceIdentity" not in no_mfa["sessionContext"]


def test_root_session_is_root_in_scope_of_its_issuer() -> None:
    """A call of an AssumeRoot session ("Track privileged tasks in AWS CloudTrail")."""
    from datetime import timedelta

    from iamd.auth.caller import Caller
    from iamd.auth.session_claims import ROOT_SESSION, SessionClaims

    claims = SessionClaims(
        kind=ROOT_SESSION, account_id=OTHER, access_key_id="ASIAROOTSESSION12345", secret_access_key="s",
        issued_at=T0, expires_at=T0 + timedelta(minutes=15), arn=f"arn:aws:iam::{OTHER}:root", principal_id=OTHER,
        source_arn=f"arn:aws:iam::{ACCOUNT}:user/alice", source_id="AIDAALICE",
        policy_arns=("arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",),
        extra={"issuer_account": ACCOUNT},
    )  # fmt: skip
    caller = Caller(OTHER, claims.arn, OTHER, "root", claims.access_key_id, None, "T", claims)
    (event,) = build_events(record("DeleteAccessKey", caller, account_id=OTHER, read_only=False))
    ident = json.loads(event.record)["userIdentity"]
    assert ident == {
        "type": "Root", "principalId": OTHER, "arn": f"arn:aws:iam::{OTHER}:root", "accountId": OTHER,
        "accessKeyId": "ASIAROOTSESSION12345",
        "sessionContext": {"attributes": {"creationDate": "2024-03-04T05:06:07Z", "mfaAuthenticated": "false"}},
        "inScopeOf": {
            "issuerAccountId": ACCOUNT, "issuerType": "AWS::STS::AssumeRoot",
            "credentialsIssuedTo": f"arn:aws:iam::{ACCOUNT}:user/alice",
        },
    }  # fmt: skip
    marked = one(record("AssumeRoot", assumed_role(), service="sts", read_only=False))["userIdentity"]
    assert marked["sessionContext"]["assumedRoot"] == "true"
    assert "assumedRoot" not in one(record("AssumeRole", assumed_role(), service="sts"))["userIdentity"]["sessionContext"]


def test_federated_user() -> None:
    ident = one(record("ListRoles", federated()))["userIdentity"]
    assert ident["type"] == "FederatedUser"
    assert ident["arn"] == f"arn:aws:sts::{ACCOUNT}:federated-user/carol"
    assert ident["sessionContext"]["sessionIssuer"]["type"] == "IAMUser"
    assert ident["sessionContext"]["sessionIssuer"]["userName"] == "alice"


def test_failed_authentication() -> None:
    rec = record(
        "ListUsers",
        None,
        access_key_id="AKIAINACTIVE12345678",
        error=("InvalidClientTokenId", "The security token included in the request is invalid."),
    )
    events = build_events(rec)
    ev = json.loads(events[0].record)
    assert ev["userIdentity"] == {
        "type": "Unknown",
        "accountId": ACCOUNT,
        "accessKeyId": "AKIAINACTIVE12345678",
    }
    assert ev["errorCode"] == "InvalidClientTokenId"
    assert ev["errorMessage"].startswith("The security token")
    assert events[0].columns.access_key_id == "AKIAINACTIVE12345678"
    assert events[0].columns.error_code == "InvalidClientTokenId"


def test_failed_authentication_with_a_known_key_names_its_owner() -> None:
    """CloudTrail records a failed authentication with a key it knows under the key's user."""
    owner = user()
    rec = replace(
        record("ListUsers", None, access_key_id=owner.access_key_id,
               error=("SignatureDoesNotMatch", "The request signature we calculated does not match")),
        key_owner=owner,
    )
    events = build_events(rec)
    ev = json.loads(events[0].record)
    assert ev["userIdentity"]["type"] == "IAMUser"
    assert ev["userIdentity"]["arn"] == owner.arn
    assert ev["userIdentity"]["accessKeyId"] == owner.access_key_id
    assert events[0].columns.username == owner.user_name
    assert ev["errorCode"] == "SignatureDoesNotMatch"


def test_denied_call_has_no_response() -> None:
    rec = record(
        "CreateUser",
        user(),
        params={"UserName": "x"},
        response=None,
        read_only=False,
        error=("AccessDenied", "no"),
    )
    ev = one(rec)
    assert ev["errorCode"] == "AccessDenied" and ev["responseElements"] is None


def test_read_only_without_parameters_is_null() -> None:
    assert one(record("ListUsers", root(), params={}))["requestParameters"] is None


def test_cross_account_event_in_both_accounts() -> None:
    rec = record(
        "AssumeRole",
        user(),
        service="sts",
        params={"RoleArn": f"arn:aws:iam::{OTHER}:role/X", "RoleSessionName": "s"},
        response={
            "Credentials": {"AccessKeyId": "ASIAX", "SecretAccessKey": "s3cr3t", "SessionToken": "tok"}
        },
        resource_accounts=(OTHER, ACCOUNT, OTHER),
    )
    home, other = (json.loads(e.record) for e in build_events(rec))
    assert home["recipientAccountId"] == ACCOUNT and other["recipientAccountId"] == OTHER
    assert home["sharedEventID"] == other["sharedEventID"]
    assert home["eventID"] != other["eventID"]
    assert other["userIdentity"] == {"type": "AWSAccount", "principalId": "AIDAALICE", "accountId": ACCOUNT}
    assert home["awsRegion"] == "us-west-2"  # STS is regional
    assert home["responseElements"]["credentials"]["accessKeyId"] == "ASIAX"


def test_lookup_columns() -> None:
    rec = record(
        "CreateAccessKey",
        assumed_role(),
        params={"UserName": "bob"},
        response={
            "AccessKey": {"UserName": "bob", "AccessKeyId": "AKIANEW", "SecretAccessKey": "x", "Status": "A"}
        },
        read_only=False,
    )
    cols = build_events(rec)[0].columns
    assert cols.username == "sess-1"
    assert cols.event_name == "CreateAccessKey"
    assert cols.resources == (("AWS::IAM::User", "bob"), ("AWS::IAM::AccessKey", "AKIANEW"))
    assert build_events(record("GetUser", root()))[0].columns.username == "root"


def test_cloudtrail_time() -> None:
    assert cloudtrail_time(T0.replace(hour=0)) == "Mar 4, 2024, 12:06:07 AM"
    assert cloudtrail_time(T0.replace(hour=13)) == "Mar 4, 2024, 1:06:07 PM"


# --- redaction over every operation of the models -----------------------------------------------

_counter = itertools.count()


def synthetic(shape: Shape | None, secrets: list[str], depth: int = 0, secret: bool = False) -> Any:
    """A value for ``shape``; every string inside a sensitive member is a unique marker."""
    if shape is None:
        return None
    secret = secret or bool(shape.metadata.get("sensitive"))
    kind = shape.type_name
    if kind == "structure":
        if depth > 6:
            return {}
        return {
            name: synthetic(m, secrets, depth + 1, secret or name.lower() in ALWAYS_HIDDEN)
            for name, m in shape.members.items()
        }
    if kind == "list":
        return [synthetic(shape.member, secrets, depth + 1, secret)]
    if kind == "map":
        return {"k": synthetic(shape.value, secrets, depth + 1, secret)}
    if kind in ("string", "blob") and secret:
        marker = f"SECRET{next(_counter):06d}SECRET"
        secrets.append(marker)
        return marker.encode() if kind == "blob" else marker
    if kind == "string":
        return (shape.metadata.get("enum") or ["plain"])[0]
    if kind in ("integer", "long"):
        return 3
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return T0
    if kind == "blob":
        return b"plain"
    return 1.5


SESSION = botocore.session.get_session()


def _operations() -> list[tuple[str, str]]:
    session = SESSION
    return [(svc, op) for svc in ("iam", "sts") for op in session.get_service_model(svc).operation_names]


@pytest.mark.parametrize(("service", "operation"), _operations())
def test_no_sensitive_value_survives(service: str, operation: str) -> None:
    op = SESSION.get_service_model(service).operation_model(operation)
    secrets: list[str] = []
    params = synthetic(op.input_shape, secrets) or {}
    response = synthetic(op.output_shape, secrets) or {}
    for read_only in (True, False):
        rec = record(
            operation, user(), service=service, params=params, response=response, read_only=read_only
        )
        text = "\n".join(e.record for e in build_events(rec))
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{service}:{operation} leaks {leaked}"
        assert not [s for s in secrets if base64.b64encode(s.encode()).decode() in text]


def test_the_models_do_have_secrets() -> None:
    secrets: list[str] = []
    op = SESSION.get_service_model("iam").operation_model("CreateVirtualMFADevice")
    response = synthetic(op.output_shape, secrets)
    assert len(secrets) == 2  # Base32StringSeed, QRCodePNG
    ev = one(record("CreateVirtualMFADevice", root(), response=response, read_only=False))
    device = ev["responseElements"]["virtualMFADevice"]
    assert device["base32StringSeed"] == HIDDEN and device["qRCodePNG"] == HIDDEN


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("CreateLoginProfile", {"UserName": "u", "Password": "pw-1"}),
        ("ChangePassword", {"OldPassword": "pw-1", "NewPassword": "pw-2"}),
        (
            "UploadServerCertificate",
            {"ServerCertificateName": "c", "CertificateBody": "b", "PrivateKey": "pk"},
        ),
    ],
)
def test_request_secrets_hidden(operation: str, params: dict[str, str]) -> None:
    ev = one(record(operation, root(), params=params, read_only=False))
    text = json.dumps(ev)
    for key in ("Password", "OldPassword", "NewPassword", "PrivateKey"):
        if key in params:
            assert params[key] not in text
            assert ev["requestParameters"][key[0].lower() + key[1:]] == HIDDEN


def test_session_token_hidden_without_model() -> None:
    rec = record(
        None, None, params={"X-Amz-Security-Token": "t", "SessionToken": "tok-secret"}, access_key_id="AKIA1"
    )
    assert "tok-secret" not in build_events(rec)[0].record


def test_client_chosen_strings_are_bounded_and_marked_omitted() -> None:
    base = record("CreateUser", root(), params={"UserName": "bob"}, error=("ValidationError", "e" * 10_000))
    ev = one(replace(base, user_agent="u" * 5000, source_ip="1" * 500))
    assert len(ev["userAgent"]) == MAX_USER_AGENT and len(ev["sourceIPAddress"]) == MAX_SOURCE_IP
    assert len(ev["errorMessage"]) == MAX_ERROR_MESSAGE and ev["omitted"] is True
    assert ev["requestParameters"] == {"userName": "bob"}
    assert "omitted" not in one(record("GetUser", root(), params={"UserName": "bob"}))


def test_oversized_request_parameters_are_dropped_whole() -> None:
    """A failed call's parameters get a smaller bound than a successful call's: anyone can fail."""
    params = {"UserName": "bob", "PermissionsBoundary": "p" * 20_000}
    failed = one(record("CreateUser", root(), params=params, error=("AccessDenied", "no"), read_only=False))
    assert failed["requestParameters"] is None and failed["omitted"] is True
    done = one(record("CreateUser", root(), params=params, read_only=False))
    assert done["requestParameters"]["permissionsBoundary"] == "p" * 20_000 and "omitted" not in done
