"""STS actions on both backends: AssumeRole, GetSessionToken, GetFederationToken, identities.

Authorization is not exercised here (it runs before an action); these tests call the actions
directly as root, as an IAM user and as sessions made with the actions themselves.
"""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest

from iamd.auth.session_claims import ASSUMED_ROLE, FEDERATED_USER, SESSION_TOKEN, SessionClaims
from iamd.auth.sessions import SessionKeyring, account_of_access_key_id, caller_from_claims, open_session
from iamd.errors import AccessDenied, InvalidParameterValue, ValidationError
from iamd.services.accounts import create_account
from iamd.services.context import Caller
from iamd.services.iam.errors import MalformedPolicyDocument
from iamd.services.runtime import Runtime
from iamd.services.sts import errors as sts_errors
from iamd.services.sts.credentials import verify_mfa
from iamd.services.sts.errors import PackedPolicyTooLarge

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)
SESSION_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
)
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture(autouse=True)
def keyring(runtime: Runtime) -> SessionKeyring:
    if not isinstance(getattr(runtime, "session_keyring", None), SessionKeyring):
        runtime.session_keyring = SessionKeyring(os.urandom(32))
    ring: SessionKeyring = runtime.session_keyring
    return ring


def root(account: str) -> Caller:
    return Caller(account, f"arn:aws:iam::{account}:root", account, "root", "AKIAROOT")


def make_role(invoke: Any, name: str = "deploy", **extra: Any) -> dict[str, Any]:
    params = {"RoleName": name, "AssumeRolePolicyDocument": TRUST, **extra}
    role: dict[str, Any] = invoke("iam", "CreateRole", params)["Role"]
    return role


def make_user(invoke: Any, account: str, name: str = "alice") -> Caller:
    user = invoke("iam", "CreateUser", {"UserName": name})["User"]
    key = invoke("iam", "CreateAccessKey", {"UserName": name})["AccessKey"]["AccessKeyId"]
    return Caller(account, user["Arn"], user["UserId"], "user", key, user_name=name)


def a_user(account: str) -> Caller:
    """An IAM user of ``account``: root may not assume roles, so AssumeRole needs someone else."""
    return Caller(account, f"arn:aws:iam::{account}:user/tester", "AIDATESTERTESTER0000", "user", "AKIATESTER",
                  user_name="tester")


def assume(invoke: Any, role_arn: str, name: str = "sess", caller: Caller | None = None, **extra: Any) -> Any:
    """AssumeRole as ``caller``, by default an IAM user of the account ``invoke`` acts in."""
    if caller is None:
        caller = a_user(invoke("sts", "GetCallerIdentity", {})["Account"])
    return invoke("sts", "AssumeRole", {"RoleArn": role_arn, "RoleSessionName": name, **extra}, caller=caller)


def claims_of(out: dict[str, Any], keyring: SessionKeyring) -> SessionClaims:
    creds = out["Credentials"]
    return open_session(creds["SessionToken"], creds["AccessKeyId"], keyring, datetime.now(UTC))


def session_caller(out: dict[str, Any], keyring: SessionKeyring) -> Caller:
    return caller_from_claims(claims_of(out, keyring), out["Credentials"]["SessionToken"])


def role_session(invoke: Any, keyring: SessionKeyring, role_name: str = "first", **extra: Any) -> Caller:
    role = make_role(invoke, role_name)
    return session_caller(assume(invoke, role["Arn"], **extra), keyring)


# --- AssumeRole: shapes -------------------------------------------------------------------


def test_assume_role_returns_aws_shaped_credentials(
    invoke: Any, account: str, keyring: SessionKeyring
) -> None:
    role = make_role(invoke, "deploy", Path="/ci/")
    before = datetime.now(UTC).replace(microsecond=0)
    out = assume(invoke, role["Arn"], "build-42")
    after = datetime.now(UTC)
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert account_of_access_key_id(creds["AccessKeyId"]) == account
    assert len(creds["SecretAccessKey"]) == 40
    # Bounded by readings of the clock taken around the call, never by how long the call took.
    assert before + timedelta(seconds=3600) <= creds["Expiration"] <= after + timedelta(seconds=3600)
    # The assumed-role ARN has no path: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
    assert out["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:build-42",
        "Arn": f"arn:aws:sts::{account}:assumed-role/deploy/build-42",
    }
    assert "PackedPolicySize" not in out and "SourceIdentity" not in out
    claims = claims_of(out, keyring)
    assert claims.kind == ASSUMED_ROLE and claims.account_id == account
    assert (claims.source_arn, claims.source_id, claims.session_name) == (
        role["Arn"],
        role["RoleId"],
        "build-42",
    )
    assert claims.secret_access_key == creds["SecretAccessKey"] and not claims.chained
    assert not claims.mfa_authenticated


def test_assume_role_records_role_last_used(invoke: Any) -> None:
    role = make_role(invoke)
    assert invoke("iam", "GetRole", {"RoleName": "deploy"})["Role"]["RoleLastUsed"] == {}
    assume(invoke, role["Arn"])
    used = invoke("iam", "GetRole", {"RoleName": "deploy"})["Role"]["RoleLastUsed"]
    assert used["Region"] == "us-east-1" and used["LastUsedDate"] is not None


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::{account}:role/missing",
        "arn:aws:iam::{account}:role/other/deploy",  # right name, wrong path
        "arn:aws:iam::{account}:user/deploy",
        "arn:aws:iam::999999999999:role/deploy",
        "not-an-arn-at-all-here",
    ],
)
def test_a_role_that_does_not_exist_is_access_denied(invoke: Any, account: str, arn: str) -> None:
    make_role(invoke, "deploy")
    arn = arn.format(account=account)
    with pytest.raises(AccessDenied) as err:
        assume(invoke, arn)
    assert err.value.message == (
        f"User: arn:aws:iam::{account}:user/tester is not authorized to perform: sts:AssumeRole on resource: {arn}"
    )


def test_root_may_not_assume_roles(invoke: Any, account: str, runtime: Runtime, keyring: SessionKeyring) -> None:
    """AWS refuses root, with long-term keys or its GetSessionToken credentials, whatever the trust says."""
    role = make_role(invoke)
    root_session = session_caller(invoke("sts", "GetSessionToken", {}), keyring)
    other = f"{random.randrange(10**11, 10**12):012d}"
    with runtime.store.begin() as conn:
        create_account(conn, runtime.secretbox, other, datetime.now(UTC))
    for caller in (root(account), root_session, root(other)):
        with pytest.raises(AccessDenied) as err:
            assume(invoke, role["Arn"], caller=caller)
        assert err.value.message == "Roles may not be assumed by root accounts."


def test_cross_account_role(invoke: Any, runtime: Runtime, account: str, keyring: SessionKeyring) -> None:
    other = f"{random.randrange(10**11, 10**12):012d}"
    with runtime.store.begin() as conn:
        create_account(conn, runtime.secretbox, other, datetime.now(UTC))
    role = invoke(
        "iam",
        "CreateRole",
        {"RoleName": "shared", "AssumeRolePolicyDocument": TRUST, "Path": "/x/"},
        caller=root(other),
    )["Role"]
    out = assume(invoke, role["Arn"], "visitor")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{other}:assumed-role/shared/visitor"
    claims = claims_of(out, keyring)
    assert claims.account_id == other and account_of_access_key_id(claims.access_key_id) == other
    used = invoke("iam", "GetRole", {"RoleName": "shared"}, caller=root(other))["Role"]["RoleLastUsed"]
    assert "LastUsedDate" in used
    # Managed session policies must live in the role's account, not the caller's.
    mine = invoke("iam", "CreatePolicy", {"PolicyName": "mine", "PolicyDocument": SESSION_POLICY})["Policy"][
        "Arn"
    ]
    with pytest.raises(InvalidParameterValue):
        assume(invoke, role["Arn"], PolicyArns=[{"arn": mine}])
    theirs = invoke(
        "iam", "CreatePolicy", {"PolicyName": "theirs", "PolicyDocument": SESSION_POLICY}, caller=root(other)
    )["Policy"]["Arn"]
    assert claims_of(assume(invoke, role["Arn"], PolicyArns=[{"arn": theirs}]), keyring).policy_arns == (
        theirs,
    )


def lifetime(call: Any) -> tuple[dict[str, Any], float, float]:
    """The call's response and the shortest and longest lifetime its credentials can have been
    issued with, from clock readings around the call (the expiration is whole seconds): the
    lifetime asked for lies between them however slowly the call ran."""
    before = datetime.now(UTC).replace(microsecond=0)
    out = call()
    after = datetime.now(UTC)
    expiration = out["Credentials"]["Expiration"]
    return out, (expiration - after).total_seconds(), (expiration - before).total_seconds()


# --- AssumeRole: durations ----------------------------------------------------------------


@pytest.mark.parametrize("seconds", [900, 3600])
def test_duration_within_the_role_maximum(invoke: Any, seconds: int) -> None:
    role = make_role(invoke)
    before = datetime.now(UTC).replace(microsecond=0)
    out = assume(invoke, role["Arn"], DurationSeconds=seconds)
    after = datetime.now(UTC)
    expiration = out["Credentials"]["Expiration"]
    assert before + timedelta(seconds=seconds) <= expiration <= after + timedelta(seconds=seconds)


def test_duration_up_to_a_raised_maximum(invoke: Any) -> None:
    role = make_role(invoke, MaxSessionDuration=43200)
    before = datetime.now(UTC).replace(microsecond=0)
    out = assume(invoke, role["Arn"], DurationSeconds=43200)
    after = datetime.now(UTC)
    expiration = out["Credentials"]["Expiration"]
    assert before + timedelta(seconds=43200) <= expiration <= after + timedelta(seconds=43200)


def test_duration_over_the_role_maximum(invoke: Any) -> None:
    role = make_role(invoke, MaxSessionDuration=7200)
    with pytest.raises(ValidationError) as err:
        assume(invoke, role["Arn"], DurationSeconds=7201)
    assert (
        err.value.message == "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    )


def test_role_chaining_is_limited_to_one_hour(invoke: Any, keyring: SessionKeyring) -> None:
    first = role_session(invoke, keyring)
    second = make_role(invoke, "second", MaxSessionDuration=43200)
    with pytest.raises(ValidationError) as err:
        assume(invoke, second["Arn"], caller=first, DurationSeconds=3601)
    assert err.value.message == (
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    )
    out = assume(invoke, second["Arn"], caller=first, DurationSeconds=3600)
    assert claims_of(out, keyring).chained
    assert claims_of(assume(invoke, second["Arn"], caller=first), keyring).chained


def test_a_session_token_caller_is_not_chaining(invoke: Any, account: str, keyring: SessionKeyring) -> None:
    user = make_user(invoke, account)
    session = session_caller(invoke("sts", "GetSessionToken", {}, caller=user), keyring)
    role = make_role(invoke, MaxSessionDuration=7200)
    claims = claims_of(assume(invoke, role["Arn"], caller=session, DurationSeconds=7200), keyring)
    assert not claims.chained


def test_a_federated_user_cannot_assume_a_role(invoke: Any, account: str, keyring: SessionKeyring) -> None:
    user = make_user(invoke, account)
    fed = session_caller(invoke("sts", "GetFederationToken", {"Name": "bob"}, caller=user), keyring)
    role = make_role(invoke)
    with pytest.raises(AccessDenied):
        assume(invoke, role["Arn"], caller=fed)


# --- AssumeRole: session policies ---------------------------------------------------------


def test_inline_session_policy_is_validated_and_carried(invoke: Any, keyring: SessionKeyring) -> None:
    role = make_role(invoke)
    out = assume(invoke, role["Arn"], Policy=SESSION_POLICY)
    assert claims_of(out, keyring).policy == SESSION_POLICY
    assert 1 <= out["PackedPolicySize"] <= 100


@pytest.mark.parametrize(
    "policy",
    [
        "{not json",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}),
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
            }
        ),
    ],
)
def test_malformed_session_policy(invoke: Any, policy: str) -> None:
    role = make_role(invoke)
    with pytest.raises(MalformedPolicyDocument):
        assume(invoke, role["Arn"], Policy=policy)


def test_session_policy_over_2048_characters(invoke: Any) -> None:
    role = make_role(invoke)
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "b" * 2000}
    with pytest.raises(ValidationError):
        assume(invoke, role["Arn"], Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def test_policy_arns_must_exist(invoke: Any, account: str, keyring: SessionKeyring) -> None:
    role = make_role(invoke)
    own = invoke("iam", "CreatePolicy", {"PolicyName": "p", "Path": "/t/", "PolicyDocument": SESSION_POLICY})
    own_arn = own["Policy"]["Arn"]
    out = assume(invoke, role["Arn"], PolicyArns=[{"arn": READ_ONLY}, {"arn": own_arn}])
    assert claims_of(out, keyring).policy_arns == (READ_ONLY, own_arn)
    assert "PackedPolicySize" in out
    for missing in (
        "arn:aws:iam::aws:policy/NoSuchPolicy",
        f"arn:aws:iam::{account}:policy/nope",
        f"arn:aws:iam::{account}:policy/p",  # wrong path
        "arn:aws:s3:::bucket",
    ):
        with pytest.raises(InvalidParameterValue) as err:
            assume(invoke, role["Arn"], PolicyArns=[{"arn": missing}])
        assert missing in err.value.message


def test_at_most_ten_policy_arns(invoke: Any) -> None:
    role = make_role(invoke)
    with pytest.raises(ValidationError):
        assume(invoke, role["Arn"], PolicyArns=[{"arn": READ_ONLY}] * 11)


# --- AssumeRole: session tags -------------------------------------------------------------


def tags(**pairs: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def test_session_tags_and_transitive_keys(invoke: Any, keyring: SessionKeyring) -> None:
    role = make_role(invoke)
    out = assume(invoke, role["Arn"], Tags=tags(Project="blue", Team="a"), TransitiveTagKeys=["project"])
    claims = claims_of(out, keyring)
    assert claims.tags == (("Project", "blue"), ("Team", "a"))
    assert claims.transitive_tag_keys == ("Project",)
    assert 1 <= out["PackedPolicySize"] <= 100


def test_duplicate_session_tag_keys(invoke: Any) -> None:
    role = make_role(invoke)
    with pytest.raises(InvalidParameterValue) as err:
        assume(invoke, role["Arn"], Tags=[{"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}])
    assert err.value.message == "Duplicate tag keys found. Please note that Tag keys are case insensitive."


@pytest.mark.parametrize("given_tags", [None, tags(Team="a")])
def test_transitive_keys_must_be_among_the_tags(invoke: Any, given_tags: Any) -> None:
    role = make_role(invoke)
    extra = {"Tags": given_tags} if given_tags else {}
    with pytest.raises(InvalidParameterValue) as err:
        assume(invoke, role["Arn"], TransitiveTagKeys=["Project"], **extra)
    assert err.value.message == "The specified transitive tag key must be included in the requested tags."


def test_transitive_tags_carry_over_a_chain(invoke: Any, keyring: SessionKeyring) -> None:
    first = role_session(invoke, keyring, Tags=tags(Project="blue", Team="a"), TransitiveTagKeys=["Project"])
    second = make_role(invoke, "second")
    out = assume(invoke, second["Arn"], caller=first, Tags=tags(Stage="dev"))
    claims = claims_of(out, keyring)
    assert claims.tags == (("Project", "blue"), ("Stage", "dev"))
    assert claims.transitive_tag_keys == ("Project",)
    # ... and on to the third session, still transitive.
    third = make_role(invoke, "third")
    later = claims_of(assume(invoke, third["Arn"], caller=caller_from_claims(claims, "t")), keyring)
    assert later.tags == (("Project", "blue"),)
    with pytest.raises(InvalidParameterValue) as err:
        assume(invoke, second["Arn"], caller=first, Tags=tags(project="red"))
    assert err.value.message == (
        "One of the specified transitive tag keys can't be set because it conflicts with a "
        "transitive tag key from the calling session."
    )


def test_packed_size_of_large_tags(invoke: Any) -> None:
    role = make_role(invoke)
    big = [{"Key": f"k{i:02d}" + "K" * 100, "Value": os.urandom(128).hex()} for i in range(50)]
    with pytest.raises(PackedPolicyTooLarge) as err:
        assume(invoke, role["Arn"], Tags=big)
    assert err.value.message.startswith("Packed size of session tags consumes ")
    assert err.value.message.endswith("% of allotted space.")


# --- AssumeRole: source identity and MFA --------------------------------------------------


def test_source_identity_is_set_then_fixed_for_the_chain(invoke: Any, keyring: SessionKeyring) -> None:
    role = make_role(invoke)
    out = assume(invoke, role["Arn"], SourceIdentity="alice@example.com")
    assert out["SourceIdentity"] == "alice@example.com"
    first = session_caller(out, keyring)
    second = make_role(invoke, "second")
    inherited = assume(invoke, second["Arn"], caller=first)
    assert inherited["SourceIdentity"] == "alice@example.com"
    assert claims_of(inherited, keyring).source_identity == "alice@example.com"
    assume(invoke, second["Arn"], caller=first, SourceIdentity="alice@example.com")
    with pytest.raises(AccessDenied):
        assume(invoke, second["Arn"], caller=first, SourceIdentity="mallory")


def test_source_identity_cannot_use_the_aws_prefix(invoke: Any) -> None:
    role = make_role(invoke)
    with pytest.raises(ValidationError):
        assume(invoke, role["Arn"], SourceIdentity="aws:me")


def test_external_id_is_accepted_not_checked(invoke: Any) -> None:
    role = make_role(invoke)
    assert "Credentials" in assume(invoke, role["Arn"], ExternalId="anything-at-all")


def test_mfa_with_a_serial_not_of_the_caller_is_refused(invoke: Any) -> None:
    role = make_role(invoke)
    with pytest.raises(AccessDenied) as err:
        assume(invoke, role["Arn"], SerialNumber="arn:aws:iam::123456789012:mfa/alice", TokenCode="123456")
    assert err.value.message.startswith("MultiFactorAuthentication failed, unable to validate MFA code.")


def test_verify_mfa_without_a_device_is_not_mfa() -> None:
    assert verify_mfa(None, None, None) is False  # type: ignore[arg-type]


# --- GetSessionToken ----------------------------------------------------------------------


def test_get_session_token_of_a_user(invoke: Any, account: str, keyring: SessionKeyring) -> None:
    user = make_user(invoke, account)
    out, low, high = lifetime(lambda: invoke("sts", "GetSessionToken", {}, caller=user))
    assert set(out) == {"Credentials"}
    assert low <= 43200 <= high
    claims = claims_of(out, keyring)
    assert (claims.kind, claims.arn, claims.principal_id) == (SESSION_TOKEN, user.arn, user.user_id)
    assert (claims.source_arn, claims.source_id) == (user.arn, user.user_id)
    assert not claims.mfa_authenticated
    caller = caller_from_claims(claims, out["Credentials"]["SessionToken"])
    assert (caller.kind, caller.user_name) == ("user", "alice")


@pytest.mark.parametrize(("requested", "expected"), [(900, 900), (129600, 129600)])
def test_get_session_token_durations(invoke: Any, account: str, requested: int, expected: int) -> None:
    user = make_user(invoke, account)
    _, low, high = lifetime(lambda: invoke("sts", "GetSessionToken", {"DurationSeconds": requested}, caller=user))
    assert low <= expected <= high


@pytest.mark.parametrize("requested", [None, 900, 7200, 129600])
def test_root_sessions_last_at_most_an_hour(invoke: Any, account: str, requested: int | None) -> None:
    params = {"DurationSeconds": requested} if requested else {}
    for action in ("GetSessionToken", "GetFederationToken"):
        extra = {"Name": "ops"} if action == "GetFederationToken" else {}
        inputs = {**params, **extra}
        _, low, high = lifetime(lambda a=action, i=inputs: invoke("sts", a, i, caller=root(account)))  # type: ignore[misc]
        assert low <= min(requested or 3600, 3600) <= high


@pytest.mark.parametrize("action", ["GetSessionToken", "GetFederationToken"])
def test_session_credentials_cannot_get_more(
    invoke: Any, account: str, keyring: SessionKeyring, action: str
) -> None:
    user = make_user(invoke, account)
    callers = [
        role_session(invoke, keyring),
        session_caller(invoke("sts", "GetSessionToken", {}, caller=user), keyring),
        session_caller(invoke("sts", "GetFederationToken", {"Name": "fed"}, caller=user), keyring),
    ]
    params = {"Name": "again"} if action == "GetFederationToken" else {}
    for caller in callers:
        with pytest.raises(AccessDenied) as err:
            invoke("sts", action, params, caller=caller)
        assert err.value.message == f"Cannot call {action} with session credentials"


def test_get_session_token_with_mfa_goes_through_the_hook(invoke: Any, account: str) -> None:
    user = make_user(invoke, account)
    with pytest.raises(AccessDenied):
        invoke(
            "sts",
            "GetSessionToken",
            {"SerialNumber": f"arn:aws:iam::{account}:mfa/alice", "TokenCode": "123456"},
            caller=user,
        )


# --- GetFederationToken -------------------------------------------------------------------


def test_get_federation_token(invoke: Any, account: str, keyring: SessionKeyring) -> None:
    user = make_user(invoke, account)
    out = invoke(
        "sts",
        "GetFederationToken",
        {"Name": "bob", "Policy": SESSION_POLICY, "PolicyArns": [{"arn": READ_ONLY}], "Tags": tags(Team="a")},
        caller=user,
    )
    assert out["FederatedUser"] == {
        "FederatedUserId": f"{account}:bob",
        "Arn": f"arn:aws:sts::{account}:federated-user/bob",
    }
    assert 1 <= out["PackedPolicySize"] <= 100
    claims = claims_of(out, keyring)
    assert claims.kind == FEDERATED_USER and claims.arn == out["FederatedUser"]["Arn"]
    assert (claims.source_arn, claims.source_id, claims.session_name) == (user.arn, user.user_id, "bob")
    assert (claims.policy, claims.policy_arns, claims.tags) == (
        SESSION_POLICY,
        (READ_ONLY,),
        (("Team", "a"),),
    )
    caller = caller_from_claims(claims, out["Credentials"]["SessionToken"])
    assert invoke("sts", "GetCallerIdentity", {}, caller=caller) == {
        "UserId": f"{account}:bob",
        "Account": account,
        "Arn": f"arn:aws:sts::{account}:federated-user/bob",
    }


def test_get_federation_token_validates_session_policies(invoke: Any, account: str) -> None:
    user = make_user(invoke, account)
    with pytest.raises(MalformedPolicyDocument):
        invoke("sts", "GetFederationToken", {"Name": "bob", "Policy": "{"}, caller=user)
    with pytest.raises(InvalidParameterValue):
        invoke(
            "sts",
            "GetFederationToken",
            {"Name": "bob", "PolicyArns": [{"arn": f"arn:aws:iam::{account}:policy/x"}]},
            caller=user,
        )
    with pytest.raises(InvalidParameterValue):
        invoke("sts", "GetFederationToken", {"Name": "bob", "Tags": tags(A="1", a="2")}, caller=user)


# --- identities ---------------------------------------------------------------------------


def test_get_caller_identity_of_a_role_session(invoke: Any, account: str, keyring: SessionKeyring) -> None:
    role = make_role(invoke, "deploy")
    caller = session_caller(assume(invoke, role["Arn"], "ci"), keyring)
    assert invoke("sts", "GetCallerIdentity", {}, caller=caller) == {
        "UserId": f"{role['RoleId']}:ci",
        "Account": account,
        "Arn": f"arn:aws:sts::{account}:assumed-role/deploy/ci",
    }


def test_get_access_key_info(invoke: Any, runtime: Runtime, account: str, keyring: SessionKeyring) -> None:
    user = make_user(invoke, account)
    assert invoke("sts", "GetAccessKeyInfo", {"AccessKeyId": user.access_key_id}) == {"Account": account}
    assert invoke("sts", "GetAccessKeyInfo", {"AccessKeyId": "AKIAROOT"}) == {"Account": account}
    other = f"{random.randrange(10**11, 10**12):012d}"
    with runtime.store.begin() as conn:
        creds = create_account(conn, runtime.secretbox, other, datetime.now(UTC))
    assert invoke("sts", "GetAccessKeyInfo", {"AccessKeyId": creds.access_key_id}) == {"Account": other}
    role = invoke(
        "iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": TRUST}, caller=root(other)
    )
    asia = assume(invoke, role["Role"]["Arn"])["Credentials"]["AccessKeyId"]
    assert invoke("sts", "GetAccessKeyInfo", {"AccessKeyId": asia}) == {"Account": other}
    # AWS's own key ids encode their account; AWS answers for those whether or not they exist.
    assert invoke("sts", "GetAccessKeyInfo", {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}) == {
        "Account": "581039954779"
    }
    with pytest.raises(InvalidParameterValue):
        invoke("sts", "GetAccessKeyInfo", {"AccessKeyId": "not_a_key_id_at_all"})


# --- errors vs the model ------------------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(sts_errors.BY_SHAPE))
def test_error_classes_match_the_model(shape: str) -> None:
    model = botocore.session.get_session().get_service_model("sts")
    error = model.shape_for(shape).metadata["error"]
    cls = sts_errors.BY_SHAPE[shape]
    assert (cls.code, cls.status, cls.sender_fault) == (
        error["code"],
        error["httpStatusCode"],
        error["senderFault"],
    )
