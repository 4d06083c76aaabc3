"""The unsigned federation path through the real app, with a stand-in authenticator.

What the path owes every federation operation — unsigned entry, the trust policy evaluated with
the provider as ``Federated`` principal and its condition keys, the shared role-session step,
session tags and source identity from the voucher, the trail's ``WebIdentityUser``/``SAMLUser``
identity, failures recorded in the role's account — is tested here once, with an authenticator
that vouches for whatever the test says. The real verifiers (JWT, SAML) have their own tests.
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iamd.api.app import create_app
from iamd.auth import federated
from iamd.auth.federated import SAML_USER, FederatedIdentity
from iamd.auth.secretbox import SecretBox
from iamd.auth.sessions import SessionKeyring
from iamd.errors import SenderError
from iamd.services import registry
from iamd.services.accounts import RootCredentials, create_account
from iamd.services.context import Call
from iamd.services.runtime import Runtime
from iamd.services.sts.federation import assume_role_federated
from iamd.store.engine import Store

with warnings.catch_warnings():
    # starlette 1.x prefers the ``httpx2`` package for its test client; ``httpx`` still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ACCOUNT = "111122223333"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/test"
OPERATION = "AssumeRoleWithSAML"


class Refused(SenderError):
    code = "InvalidIdentityToken"


class Vouch:
    """The stand-in authenticator: the identity the test sets, or a refusal."""

    def __init__(self) -> None:
        self.identity: FederatedIdentity | None = None

    def __call__(self, runtime: Any, inputs: Any, now: datetime) -> FederatedIdentity:
        if self.identity is None:
            raise Refused("The assertion is not valid.")
        return self.identity


def identity(**kw: Any) -> FederatedIdentity:
    base: dict[str, Any] = dict(
        trail_type=SAML_USER, provider=PROVIDER, provider_account=ACCOUNT, principal_id="nq:alice",
        user_name="alice", identity_provider="nq", condition_keys={"saml:aud": "https://signin.aws.amazon.com/saml"},
        response={"Subject": "alice", "Issuer": "https://idp.example"}, session_name="alice",
    )
    base.update(kw)
    return FederatedIdentity(**base)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, RootCredentials, Vouch]]:
    vouch = Vouch()
    monkeypatch.setitem(federated.AUTHENTICATORS, ("sts", OPERATION), vouch)

    def run(call: Call, p: dict[str, Any]) -> dict[str, Any]:
        ident = call.caller.federation
        assert ident is not None
        return assume_role_federated(call, p, ident.session_name or "")

    registry.load_all()
    monkeypatch.setitem(registry.ACTIONS["sts"], OPERATION, run)
    master = os.urandom(32)
    store = Store(f"sqlite:///{tmp_path / 'iamd.db'}")
    store.migrate()
    box = SecretBox(master)
    with store.begin() as conn:
        root = create_account(conn, box, ACCOUNT, datetime.now(UTC), is_default=True)
    runtime = Runtime(store=store, secretbox=box, default_account_id=ACCOUNT, master_key=master,
                      session_keyring=SessionKeyring(master), trail_digest_dir=tmp_path / "digests")
    with TestClient(create_app(runtime), base_url="http://localhost") as client:
        yield client, root, vouch
    store.close()


def signed(client: TestClient, creds: Credentials, service: str, params: dict[str, str]) -> Any:
    body = urllib.parse.urlencode(params)
    req = AWSRequest("POST", "http://localhost/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    SigV4Auth(creds, service, "us-east-1").add_auth(req)
    return client.post("/", content=body, headers=dict(req.headers.items()))


def root_creds(root: RootCredentials) -> Credentials:
    return Credentials(root.access_key_id, root.secret_access_key)


def trust(*conditions: dict[str, Any], actions: tuple[str, ...] = ("sts:AssumeRoleWithSAML",)) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": list(actions)}
    if conditions:
        statement["Condition"] = conditions[0]
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def make_role(client: TestClient, root: RootCredentials, policy: str, name: str = "fed") -> str:
    r = signed(client, root_creds(root), "iam",
               {"Action": "CreateRole", "Version": "2010-05-08", "RoleName": name, "AssumeRolePolicyDocument": policy})
    assert r.status_code == 200, r.text
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def unsigned(client: TestClient, role: str, **extra: str) -> Any:
    params = {"Action": OPERATION, "Version": "2011-06-15", "RoleArn": role, "PrincipalArn": PROVIDER,
              "SAMLAssertion": "PHNhbWw+PC9zYW1sPg==", **extra}
    return client.post("/", content=urllib.parse.urlencode(params),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})


def tag(text: str, name: str) -> str:
    return text.split(f"<{name}>", 1)[1].split(f"</{name}>", 1)[0]


def trail(client: TestClient, root: RootCredentials, name: str = OPERATION) -> list[dict[str, Any]]:
    """The events of ``name``, once there are any: failed and read-only calls are written in batches."""
    for _ in range(400):
        found = _lookup(client, root, name)
        if found:
            return found
        time.sleep(0.05)
    return []


def _lookup(client: TestClient, root: RootCredentials, name: str) -> list[dict[str, Any]]:
    body = json.dumps({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}]})
    req = AWSRequest("POST", "http://localhost/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"})
    SigV4Auth(root_creds(root), "cloudtrail", "us-east-1").add_auth(req)
    r = client.post("/", content=body, headers=dict(req.headers.items()))
    assert r.status_code == 200, r.text
    return [json.loads(e["CloudTrailEvent"]) for e in r.json()["Events"]]


def test_a_vouched_caller_gets_a_session_that_acts_as_the_role(env: Any) -> None:
    client, root, vouch = env
    role = make_role(client, root, trust({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}))
    vouch.identity = identity()
    r = unsigned(client, role)
    assert r.status_code == 200, r.text
    assert tag(r.text, "Subject") == "alice" and tag(r.text, "Issuer") == "https://idp.example"
    assert tag(r.text, "Arn") == f"arn:aws:sts::{ACCOUNT}:assumed-role/fed/alice"
    creds = Credentials(tag(r.text, "AccessKeyId"), tag(r.text, "SecretAccessKey"), tag(r.text, "SessionToken"))
    who = signed(client, creds, "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    assert who.status_code == 200 and tag(who.text, "UserId").endswith(":alice"), who.text
    assert tag(who.text, "UserId").startswith("AROA")
    # The role has no permissions policy: the session can do nothing in IAM.
    listed = signed(client, creds, "iam", {"Action": "ListUsers", "Version": "2010-05-08"})
    assert listed.status_code == 403 and "AccessDenied" in listed.text


def test_the_trail_names_the_federated_caller_and_the_session_its_provider(env: Any) -> None:
    client, root, vouch = env
    role = make_role(client, root, trust())
    vouch.identity = identity()
    r = unsigned(client, role)
    assert r.status_code == 200, r.text
    creds = Credentials(tag(r.text, "AccessKeyId"), tag(r.text, "SecretAccessKey"), tag(r.text, "SessionToken"))
    signed(client, creds, "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    (event,) = trail(client, root)
    assert event["userIdentity"] == {"type": "SAMLUser", "principalId": "nq:alice", "userName": "alice",
                                     "identityProvider": "nq"}
    assert event["recipientAccountId"] == ACCOUNT and "errorCode" not in event
    assert event["requestParameters"]["sAMLAssertion"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    (later,) = trail(client, root, "GetCallerIdentity")
    assert later["userIdentity"]["type"] == "AssumedRole"


@pytest.mark.parametrize(
    ("policy", "ident"),
    [
        (trust({"StringEquals": {"SAML:aud": "https://elsewhere"}}), identity()),
        (trust(), identity(provider=f"arn:aws:iam::{ACCOUNT}:saml-provider/other")),
        (trust(actions=("sts:AssumeRole",)), identity()),
        # Session tags need sts:TagSession, a source identity sts:SetSourceIdentity.
        (trust(), identity(session_tags=(("team", "a"),))),
        (trust(), identity(source_identity="alice")),
    ],
)
def test_the_trust_policy_decides(env: Any, policy: str, ident: FederatedIdentity) -> None:
    client, root, vouch = env
    role = make_role(client, root, policy)
    vouch.identity = ident
    r = unsigned(client, role)
    assert r.status_code == 403 and tag(r.text, "Code") == "AccessDenied", r.text
    assert tag(r.text, "Message") == "Not authorized to perform sts:AssumeRoleWithSAML"


def test_session_tags_and_source_identity_from_the_voucher(env: Any) -> None:
    client, root, vouch = env
    policy = trust({"StringEquals": {"aws:RequestTag/team": "a", "sts:SourceIdentity": "alice"}},
                   actions=("sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"))
    role = make_role(client, root, policy)
    vouch.identity = identity(session_tags=(("team", "a"),), transitive_tag_keys=("team",), source_identity="alice")
    r = unsigned(client, role)
    assert r.status_code == 200, r.text
    assert tag(r.text, "SourceIdentity") == "alice" and "<PackedPolicySize>" in r.text


def test_a_refused_voucher_is_recorded_in_the_roles_account(env: Any) -> None:
    client, root, vouch = env
    role = make_role(client, root, trust())
    r = unsigned(client, role)
    assert r.status_code == 400 and tag(r.text, "Code") == "InvalidIdentityToken", r.text
    (event,) = trail(client, root)
    assert event["userIdentity"] == {"type": "SAMLUser"} and event["errorCode"] == "InvalidIdentityToken"


def test_a_missing_role_is_access_denied(env: Any) -> None:
    client, _, vouch = env
    vouch.identity = identity()
    r = unsigned(client, f"arn:aws:iam::{ACCOUNT}:role/none")
    assert r.status_code == 403 and tag(r.text, "Code") == "AccessDenied", r.text
