"""The seed's policy patterns, enforced end to end: root creates users, groups, roles and keys;
the principals then act with their own credentials, and each pattern gets an allowed and a
denied call on the very next request after the change that decides it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from functional_helpers import allow, as_creds, denied, doc, error

from iamd.testing import IamdServer

READ_ONLY_AWS = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
FULL_AWS = "arn:aws:iam::aws:policy/IAMFullAccess"
ADMIN_AWS = "arn:aws:iam::aws:policy/AdministratorAccess"


class Actor:
    """A principal acting with its own credentials (IAM and STS clients)."""

    def __init__(self, server: IamdServer, name: str, key: dict[str, Any], region: str = "us-east-1") -> None:
        self.name = name
        self.iam = as_creds(server, "iam", key, region_name=region)
        self.sts = as_creds(server, "sts", key, region_name=region)


Make = Callable[..., Actor]


@pytest.fixture
def user(server: IamdServer, iam: Any) -> Make:
    """``user("alice", statement, …, managed=[ARN], tags={…})``: a user created by root with an
    inline policy of those statements, acting with its own access key."""

    def make(
        name: str,
        *statements: dict[str, Any],
        managed: tuple[str, ...] = (),
        tags: dict[str, str] | None = None,
        region: str = "us-east-1",
    ) -> Actor:
        iam.create_user(UserName=name, Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])
        if statements:
            iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=doc(*statements))
        for arn in managed:
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
        return Actor(server, name, iam.create_access_key(UserName=name)["AccessKey"], region)

    return make


def authorized(fn: Callable[..., Any], **kwargs: Any) -> None:
    """Call ``fn`` and accept any outcome but AccessDenied: authorization let it through (the
    operation may still answer NoSuchEntity or NotImplemented)."""
    try:
        fn(**kwargs)
    except ClientError as err:
        assert err.response["Error"]["Code"] != "AccessDenied", err.response["Error"]


# --- read-only wildcards ---------------------------------------------------------------------


def test_read_only_wildcards(user: Make, iam: Any) -> None:
    reader = user("reader", allow(["iam:Get*", "iam:List*"]))
    assert reader.iam.get_user()["User"]["UserName"] == "reader"
    assert [u["UserName"] for u in reader.iam.list_users()["Users"]] == ["reader"]
    reader.iam.list_access_keys()
    denied(reader.iam.create_user, UserName="intruder")
    denied(reader.iam.delete_user, UserName="reader")
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["reader"]


def test_action_wildcards_are_case_insensitive(user: Make) -> None:
    reader = user("reader", allow("IAM:get*"))
    reader.iam.get_user()
    denied(reader.iam.list_users)


# --- MFA required (NotAction + BoolIfExists) ---------------------------------------------------

MFA_LISTED = [
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "sts:GetSessionToken",
]
MFA_REQUIRED = (
    allow("*"),
    {
        "Sid": "DenyAllExceptListedIfNoMFA",
        "Effect": "Deny",
        "NotAction": MFA_LISTED,
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    },
)


def test_mfa_required_without_mfa_allows_only_the_listed_calls(user: Make) -> None:
    alice = user("alice", *MFA_REQUIRED)
    assert alice.iam.get_user()["User"]["UserName"] == "alice"
    # Authorized; the operation itself arrives with MFA devices.
    authorized(alice.iam.list_mfa_devices)
    # Long-term keys carry no aws:MultiFactorAuthPresent: BoolIfExists matches, the deny applies.
    message = denied(alice.iam.list_users)
    assert "with an explicit deny in an identity-based policy" in message
    denied(alice.iam.create_access_key)


def test_mfa_required_session_token_without_mfa_is_still_denied(user: Make, server: IamdServer) -> None:
    alice = user("alice", *MFA_REQUIRED)
    creds = alice.sts.get_session_token()["Credentials"]
    session = Actor(server, "alice", creds)
    # GetSessionToken credentials without MFA may not call IAM at all (AWS's rule and answer).
    assert error(session.iam.get_user)["Code"] == "InvalidClientTokenId"
    assert session.sts.get_caller_identity()["Arn"].endswith(":user/alice")


# The with-MFA half (a GetSessionToken session with SerialNumber + TokenCode is allowed) is
# tests/functional/test_mfa.py::test_seed_flow_mfa_required_policy.


# --- IP restriction (the test client is 127.0.0.1) ---------------------------------------------


def test_source_ip_allow_for_loopback(user: Make) -> None:
    local = user("local", allow("iam:GetUser", **{"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))
    office = user(
        "office", allow("iam:GetUser", **{"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}})
    )
    local.iam.get_user()
    message = denied(office.iam.get_user)
    assert "because no identity-based policy allows the iam:GetUser action" in message


def test_source_ip_deny_outside_the_office(user: Make) -> None:
    deny_outside = {
        "Sid": "DenyOutsideOffice",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}},
    }
    deny_loopback = {**deny_outside, "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}
    deny_not_loopback = {**deny_outside, "Condition": {"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}
    outsider = user("outsider", allow("iam:*"), deny_outside)
    blocked = user("blocked", allow("iam:*"), deny_loopback)
    insider = user("insider", allow("iam:*"), deny_not_loopback)
    assert "explicit deny in an identity-based policy" in denied(outsider.iam.get_user)
    denied(blocked.iam.list_users)
    insider.iam.get_user()
    insider.iam.list_users()


# --- time window (aws:CurrentTime) -------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def window(start: datetime, end: datetime) -> dict[str, Any]:
    return allow(
        "iam:ListUsers",
        DateGreaterThan={"aws:CurrentTime": _iso(start)},
        DateLessThan={"aws:CurrentTime": _iso(end)},
    )


def test_time_window_around_now_and_in_the_past(user: Make) -> None:
    now = datetime.now(UTC)
    current = user("current", window(now - timedelta(hours=1), now + timedelta(hours=1)))
    expired = user("expired", window(now - timedelta(days=30), now - timedelta(days=1)))
    current.iam.list_users()
    denied(expired.iam.list_users)


def test_time_window_with_server_time_travel(user: Make, server: IamdServer) -> None:
    now = datetime.now(UTC)
    later = user("later", window(now + timedelta(days=1), now + timedelta(days=2)))
    denied(later.iam.list_users)
    server.set_clock_offset(timedelta(days=1, hours=12).total_seconds())
    later.iam.list_users()
    server.set_clock_offset(timedelta(days=3).total_seconds())
    denied(later.iam.list_users)
    server.set_clock_offset(0)
    denied(later.iam.list_users)


def test_epoch_time_window(user: Make) -> None:
    now = int(datetime.now(UTC).timestamp())
    worker = user("worker", allow("iam:GetUser", NumericLessThan={"aws:EpochTime": str(now + 3600)}))
    late = user("late", allow("iam:GetUser", NumericLessThan={"aws:EpochTime": str(now - 3600)}))
    worker.iam.get_user()
    denied(late.iam.get_user)


# --- region restriction (aws:RequestedRegion) --------------------------------------------------


@pytest.mark.parametrize("service", ["sts", "iam"])
def test_requested_region(user: Make, server: IamdServer, iam: Any, service: str) -> None:
    only_eu = allow(
        ["iam:ListUsers", "sts:GetFederationToken"], StringEquals={"aws:RequestedRegion": "eu-west-1"}
    )
    user("dev", only_eu)
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    us, eu = Actor(server, "dev", key, "us-east-1"), Actor(server, "dev", key, "eu-west-1")
    if service == "sts":
        call = {"Name": "fed", "Policy": doc(allow("iam:GetUser"))}
        assert "sts:GetFederationToken" in denied(us.sts.get_federation_token, **call)
        assert eu.sts.get_federation_token(**call)["Credentials"]["AccessKeyId"].startswith("ASIA")
    else:
        # IAM is global: its calls are always in us-east-1, whatever region the client signs for.
        assert "iam:ListUsers" in denied(us.iam.list_users)
        assert "iam:ListUsers" in denied(eu.iam.list_users)


# --- ${aws:username} in a Resource -------------------------------------------------------------

SELF_SERVICE = allow(
    ["iam:GetUser", "iam:*AccessKey*", "iam:ListUserTags"], "arn:aws:iam::*:user/${aws:username}"
)


def test_username_variable_limits_a_user_to_itself(user: Make, iam: Any, server: IamdServer) -> None:
    alice = user("alice", SELF_SERVICE)
    iam.create_user(UserName="bob")
    assert alice.iam.get_user(UserName="alice")["User"]["UserName"] == "alice"
    made = alice.iam.create_access_key()["AccessKey"]
    alice.iam.update_access_key(AccessKeyId=made["AccessKeyId"], Status="Inactive")
    assert len(alice.iam.list_access_keys()["AccessKeyMetadata"]) == 2
    message = denied(alice.iam.create_access_key, UserName="bob")
    assert message.startswith(
        f"User: arn:aws:iam::{server.account_id}:user/alice is not authorized to perform: iam:CreateAccessKey "
        f"on resource: arn:aws:iam::{server.account_id}:user/bob because no identity-based policy allows"
    )
    denied(alice.iam.get_user, UserName="bob")
    denied(alice.iam.list_access_keys, UserName="bob")
    assert iam.list_access_keys(UserName="bob")["AccessKeyMetadata"] == []


def test_username_variable_follows_the_path(user: Make, iam: Any, server: IamdServer) -> None:
    """The resource is the full ARN with the user's path, so the pattern must allow the path."""
    iam.create_user(UserName="carol", Path="/staff/")
    iam.put_user_policy(UserName="carol", PolicyName="p", PolicyDocument=doc(SELF_SERVICE))
    carol = Actor(server, "carol", iam.create_access_key(UserName="carol")["AccessKey"])
    denied(carol.iam.get_user)
    iam.put_user_policy(
        UserName="carol",
        PolicyName="p",
        PolicyDocument=doc(allow("iam:GetUser", "arn:aws:iam::*:user/*/${aws:username}")),
    )
    assert carol.iam.get_user()["User"]["Path"] == "/staff/"


# --- the least-privilege CI/CD role with DenyDangerous -------------------------------------------

CICD = doc(
    allow("*", StringEquals={"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}),
    {
        "Sid": "DenyDangerous",
        "Effect": "Deny",
        "Action": [
            "iam:Create*",
            "iam:Delete*",
            "iam:Put*",
            "iam:Attach*",
            "organizations:*",
            "s3:DeleteBucket",
            "cloudtrail:StopLogging",
        ],
        "Resource": "*",
    },
)


def test_cicd_role_deny_dangerous_beats_allow_all(user: Make, iam: Any, server: IamdServer) -> None:
    account = server.account_id
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:user/builder"},
            "Action": "sts:AssumeRole",
        }
    )
    builder = user("builder")  # before the trust policy that names it
    iam.create_role(RoleName="cicd", AssumeRolePolicyDocument=trust)
    policy_arn = iam.create_policy(PolicyName="cicd-deploy", PolicyDocument=CICD)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="cicd", PolicyArn=policy_arn)
    creds = builder.sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/cicd", RoleSessionName="build-42")
    session = Actor(server, "cicd", creds["Credentials"])
    assert [r["RoleName"] for r in session.iam.list_roles()["Roles"]] == ["cicd"]
    message = denied(session.iam.create_user, UserName="backdoor")
    assert message.startswith(
        f"User: arn:aws:sts::{account}:assumed-role/cicd/build-42 is not authorized to perform: "
        f"iam:CreateUser on resource: arn:aws:iam::{account}:user/backdoor with an explicit deny in an "
        f"identity-based policy: {policy_arn}. Encoded authorization failure message: "
    )
    denied(session.iam.attach_role_policy, RoleName="cicd", PolicyArn=ADMIN_AWS)
    assert iam.list_attached_role_policies(RoleName="cicd")["AttachedPolicies"] == [
        {"PolicyName": "cicd-deploy", "PolicyArn": policy_arn}
    ]
    # IAM is global: a client configured for another region still calls IAM in us-east-1, which
    # the region condition allows (regional denials are in test_requested_region's STS case).
    far = Actor(server, "cicd", creds["Credentials"], region="ap-south-1")
    assert [r["RoleName"] for r in far.iam.list_roles()["Roles"]] == ["cicd"]


# --- groups granting and revoking ----------------------------------------------------------------


def test_group_membership_grants_and_revokes_on_the_next_request(user: Make, iam: Any) -> None:
    dev = user("dev")
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers", PolicyArn=READ_ONLY_AWS)
    denied(dev.iam.list_users)
    iam.add_user_to_group(GroupName="readers", UserName="dev")
    dev.iam.list_users()
    iam.remove_user_from_group(GroupName="readers", UserName="dev")
    denied(dev.iam.list_users)
    iam.add_user_to_group(GroupName="readers", UserName="dev")
    dev.iam.list_users()
    iam.detach_group_policy(GroupName="readers", PolicyArn=READ_ONLY_AWS)
    denied(dev.iam.list_users)


def test_group_inline_policy_and_deny_in_another_group(user: Make, iam: Any) -> None:
    dev = user("dev")
    iam.create_group(GroupName="builders")
    iam.create_group(GroupName="quarantine")
    iam.add_user_to_group(GroupName="builders", UserName="dev")
    iam.add_user_to_group(GroupName="quarantine", UserName="dev")
    iam.put_group_policy(GroupName="builders", PolicyName="list", PolicyDocument=doc(allow("iam:List*")))
    dev.iam.list_groups()
    iam.put_group_policy(
        GroupName="quarantine",
        PolicyName="stop",
        PolicyDocument=doc({"Effect": "Deny", "Action": "iam:ListGroups", "Resource": "*"}),
    )
    assert "with an explicit deny in an identity-based policy" in denied(dev.iam.list_groups)
    dev.iam.list_users()
    iam.delete_group_policy(GroupName="quarantine", PolicyName="stop")
    dev.iam.list_groups()
    iam.delete_group_policy(GroupName="builders", PolicyName="list")
    denied(dev.iam.list_groups)


def test_managed_policy_new_default_version_applies_next_request(user: Make, iam: Any) -> None:
    arn = iam.create_policy(PolicyName="p", PolicyDocument=doc(allow("iam:ListUsers")))["Policy"]["Arn"]
    dev = user("dev", managed=(arn,))
    dev.iam.list_users()
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("iam:ListRoles")), SetAsDefault=True)
    denied(dev.iam.list_users)
    dev.iam.list_roles()
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    dev.iam.list_users()


# --- tags: principal, resource, request ---------------------------------------------------------


def test_principal_tag_condition(user: Make, iam: Any) -> None:
    blue = user(
        "blue", allow("iam:ListUsers", StringEquals={"aws:PrincipalTag/team": "blue"}), tags={"team": "blue"}
    )
    blue.iam.list_users()
    iam.tag_user(UserName="blue", Tags=[{"Key": "team", "Value": "red"}])
    denied(blue.iam.list_users)
    iam.untag_user(UserName="blue", TagKeys=["team"])
    denied(blue.iam.list_users)


@pytest.mark.parametrize("key", ["aws:ResourceTag/team", "iam:ResourceTag/team"])
def test_resource_tag_condition(user: Make, iam: Any, key: str) -> None:
    iam.create_user(UserName="blue-user", Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_user(UserName="red-user", Tags=[{"Key": "team", "Value": "red"}])
    iam.create_role(
        RoleName="blue-role",
        AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
        Tags=[{"Key": "team", "Value": "blue"}],
    )
    iam.create_role(
        RoleName="untagged-role",
        AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )
    ops = user("ops", allow(["iam:GetUser", "iam:GetRole", "iam:TagUser"], StringEquals={key: "blue"}))
    ops.iam.get_user(UserName="blue-user")
    ops.iam.get_role(RoleName="blue-role")
    denied(ops.iam.get_user, UserName="red-user")
    denied(ops.iam.get_role, RoleName="untagged-role")
    ops.iam.tag_user(UserName="blue-user", Tags=[{"Key": "team", "Value": "red"}])
    denied(ops.iam.get_user, UserName="blue-user")


def test_resource_tag_matches_principal_tag_variable(user: Make, iam: Any) -> None:
    iam.create_user(UserName="teammate", Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_user(UserName="stranger", Tags=[{"Key": "team", "Value": "red"}])
    lead = user(
        "lead",
        allow("iam:GetUser", StringEquals={"iam:ResourceTag/team": "${aws:PrincipalTag/team}"}),
        tags={"team": "blue"},
    )
    lead.iam.get_user(UserName="teammate")
    denied(lead.iam.get_user, UserName="stranger")


# AWS's "IAM: Create new users only with specific tags" example.
ONLY_THESE_TAGS = allow(
    "iam:CreateUser",
    StringEquals={"aws:RequestTag/Department": ["Development", "QualityAssurance"]},
    **{"ForAllValues:StringEquals": {"aws:TagKeys": ["Department", "JobFunction"]}},
)


def test_request_tags_on_create_user(user: Make, iam: Any) -> None:
    hr = user("hr", ONLY_THESE_TAGS)
    hr.iam.create_user(UserName="dev1", Tags=[{"Key": "Department", "Value": "Development"}])
    hr.iam.create_user(
        UserName="qa1",
        Tags=[
            {"Key": "Department", "Value": "QualityAssurance"},
            {"Key": "JobFunction", "Value": "employee"},
        ],
    )
    denied(hr.iam.create_user, UserName="sales1", Tags=[{"Key": "Department", "Value": "Sales"}])
    denied(hr.iam.create_user, UserName="untagged")
    denied(
        hr.iam.create_user,
        UserName="extra",
        Tags=[{"Key": "Department", "Value": "Development"}, {"Key": "CostCenter", "Value": "1"}],
    )
    assert sorted(u["UserName"] for u in iam.list_users()["Users"]) == ["dev1", "hr", "qa1"]


def test_tag_keys_on_tag_and_untag(user: Make, iam: Any) -> None:
    iam.create_user(UserName="target")
    tagger = user(
        "tagger",
        allow(["iam:TagUser", "iam:UntagUser"], **{"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}),
    )
    tagger.iam.tag_user(UserName="target", Tags=[{"Key": "env", "Value": "dev"}])
    denied(tagger.iam.tag_user, UserName="target", Tags=[{"Key": "owner", "Value": "x"}])
    iam.tag_user(UserName="target", Tags=[{"Key": "owner", "Value": "x"}])
    denied(tagger.iam.untag_user, UserName="target", TagKeys=["owner"])
    tagger.iam.untag_user(UserName="target", TagKeys=["env"])
    assert iam.list_user_tags(UserName="target")["Tags"] == [{"Key": "owner", "Value": "x"}]


# --- iam:PolicyARN -------------------------------------------------------------------------------


def test_policy_arn_condition_on_attach(user: Make, iam: Any) -> None:
    iam.create_user(UserName="target")
    granter = user(
        "granter",
        allow(["iam:AttachUserPolicy", "iam:DetachUserPolicy"], ArnEquals={"iam:PolicyARN": READ_ONLY_AWS}),
    )
    granter.iam.attach_user_policy(UserName="target", PolicyArn=READ_ONLY_AWS)
    message = denied(granter.iam.attach_user_policy, UserName="target", PolicyArn=ADMIN_AWS)
    assert "iam:AttachUserPolicy on resource: arn:aws:iam::" in message
    assert [
        p["PolicyArn"] for p in iam.list_attached_user_policies(UserName="target")["AttachedPolicies"]
    ] == [READ_ONLY_AWS]
    granter.iam.detach_user_policy(UserName="target", PolicyArn=READ_ONLY_AWS)


# --- AWS-managed policies --------------------------------------------------------------------------


def test_aws_managed_read_only_and_full_access(user: Make, iam: Any) -> None:
    reader = user("reader", managed=(READ_ONLY_AWS,))
    admin = user("iam-admin", managed=(FULL_AWS,))
    reader.iam.get_user()
    reader.iam.list_users()
    reader.iam.get_policy(PolicyArn=FULL_AWS)
    denied(reader.iam.create_user, UserName="x")
    admin.iam.create_user(UserName="x")
    admin.iam.attach_user_policy(UserName="x", PolicyArn=READ_ONLY_AWS)
    # IAMFullAccess is iam:* (and a few organizations reads), nothing of STS.
    denied(admin.sts.get_federation_token, Name="fed")


def test_root_may_do_everything_in_its_account(iam: Any, sts: Any) -> None:
    iam.create_user(UserName="u")
    iam.put_user_policy(
        UserName="u",
        PolicyName="deny",
        PolicyDocument=doc({"Effect": "Deny", "Action": "*", "Resource": "*"}),
    )
    iam.attach_user_policy(UserName="u", PolicyArn=ADMIN_AWS)
    iam.delete_user_policy(UserName="u", PolicyName="deny")
    assert sts.get_caller_identity()["Arn"].endswith(":root")


# --- more context keys and statement forms ------------------------------------------------------

EC2_TRUST = doc(
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
)


def test_secure_transport_deny(user: Make) -> None:
    """The test server speaks plain HTTP: aws:SecureTransport is false."""
    deny_plain = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    deny_tls = {**deny_plain, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    strict = user("strict", allow("iam:*"), deny_plain)
    lax = user("lax", allow("iam:*"), deny_tls)
    denied(strict.iam.get_user)
    lax.iam.get_user()


def test_user_agent_and_userid(user: Make, iam: Any) -> None:
    agent = user(
        "agent",
        allow("iam:ListUsers", StringLike={"aws:UserAgent": "*Boto3/*"}),
        allow("iam:ListRoles", StringLike={"aws:UserAgent": "terraform/*"}),
    )
    agent.iam.list_users()
    denied(agent.iam.list_roles)
    user_id = iam.get_user(UserName="agent")["User"]["UserId"]
    iam.put_user_policy(
        UserName="agent",
        PolicyName="inline",
        PolicyDocument=doc(
            allow(
                "iam:ListGroups", StringEquals={"aws:userid": "${aws:userid}", "aws:PrincipalType": "User"}
            ),
            allow("iam:ListPolicies", StringEquals={"aws:userid": "AIDANOTTHISUSER00000"}),
        ),
    )
    assert user_id.startswith("AIDA")
    agent.iam.list_groups()
    denied(agent.iam.list_policies)


def test_not_resource_and_not_action(user: Make, iam: Any) -> None:
    iam.create_user(UserName="protected")
    iam.create_user(UserName="ordinary")
    ops = user(
        "ops",
        {"Effect": "Allow", "NotAction": ["iam:Delete*", "iam:Create*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:DeleteUser", "NotResource": "arn:aws:iam::*:user/protected"},
    )
    ops.iam.get_user(UserName="protected")
    denied(ops.iam.create_group, GroupName="g")
    denied(ops.iam.delete_user, UserName="protected")
    ops.iam.delete_user(UserName="ordinary")


def test_role_session_principal_keys(user: Make, iam: Any, server: IamdServer) -> None:
    """A role session's aws:PrincipalArn is the role's ARN; its principal tags are the role's tags
    and the session tags."""
    account = server.account_id
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:user/dev"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    )
    dev = user("dev")  # before the trust policy that names it
    iam.create_role(
        RoleName="deployer",
        Path="/ci/",
        AssumeRolePolicyDocument=trust,
        Tags=[{"Key": "team", "Value": "blue"}],
    )
    iam.put_role_policy(
        RoleName="deployer",
        PolicyName="p",
        PolicyDocument=doc(
            allow("iam:ListRoles", ArnLike={"aws:PrincipalArn": f"arn:aws:iam::{account}:role/ci/*"}),
            allow(
                "iam:ListUsers",
                StringEquals={"aws:PrincipalTag/team": "blue", "aws:PrincipalTag/stage": "prod"},
            ),
            allow("iam:ListGroups", StringEquals={"aws:PrincipalType": "AssumedRole"}),
            allow(
                "iam:ListPolicies",
                StringEquals={"aws:PrincipalArn": f"arn:aws:sts::{account}:assumed-role/deployer/s1"},
            ),
        ),
    )
    role_arn = f"arn:aws:iam::{account}:role/ci/deployer"
    prod = Actor(
        server,
        "s1",
        dev.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", Tags=[{"Key": "stage", "Value": "prod"}])[
            "Credentials"
        ],
    )
    test = Actor(
        server,
        "s2",
        dev.sts.assume_role(RoleArn=role_arn, RoleSessionName="s2", Tags=[{"Key": "stage", "Value": "test"}])[
            "Credentials"
        ],
    )
    prod.iam.list_roles()
    prod.iam.list_groups()
    prod.iam.list_users()
    denied(test.iam.list_users)
    denied(prod.iam.list_policies)


def test_assume_role_on_tagged_roles_only(user: Make, iam: Any, server: IamdServer) -> None:
    account = server.account_id
    trust = doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}
    )
    iam.create_role(RoleName="blue", AssumeRolePolicyDocument=trust, Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_role(RoleName="red", AssumeRolePolicyDocument=trust, Tags=[{"Key": "team", "Value": "red"}])
    dev = user("dev", allow("sts:AssumeRole", StringEquals={"aws:ResourceTag/team": "blue"}))
    dev.sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/blue", RoleSessionName="ok")
    message = denied(dev.sts.assume_role, RoleArn=f"arn:aws:iam::{account}:role/red", RoleSessionName="no")
    assert message.startswith(
        f"User: arn:aws:iam::{account}:user/dev is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{account}:role/red because no identity-based policy allows the sts:AssumeRole action"
    )


def test_policy_resource_tags(user: Make, iam: Any) -> None:
    tagged = iam.create_policy(
        PolicyName="tagged", PolicyDocument=doc(allow("iam:Get*")), Tags=[{"Key": "owner", "Value": "ops"}]
    )["Policy"]["Arn"]
    untagged = iam.create_policy(PolicyName="untagged", PolicyDocument=doc(allow("iam:Get*")))["Policy"][
        "Arn"
    ]
    ops = user("ops", allow("iam:GetPolicy", StringEquals={"iam:ResourceTag/owner": "ops"}))
    ops.iam.get_policy(PolicyArn=tagged)
    denied(ops.iam.get_policy, PolicyArn=untagged)


def test_pass_role_for_instance_profiles(user: Make, iam: Any, server: IamdServer) -> None:
    """AddRoleToInstanceProfile also needs iam:PassRole on the role (IAM API Reference)."""
    account = server.account_id
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_role(RoleName="admin", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_instance_profile(InstanceProfileName="p1")
    iam.create_instance_profile(InstanceProfileName="p2")
    ops = user(
        "ops",
        allow("iam:AddRoleToInstanceProfile"),
        allow("iam:PassRole", f"arn:aws:iam::{account}:role/app"),
    )
    ops.iam.add_role_to_instance_profile(InstanceProfileName="p1", RoleName="app")
    message = denied(ops.iam.add_role_to_instance_profile, InstanceProfileName="p2", RoleName="admin")
    assert message.startswith(
        f"User: arn:aws:iam::{account}:user/ops is not authorized to perform: iam:PassRole on resource: "
        f"arn:aws:iam::{account}:role/admin because no identity-based policy allows the iam:PassRole action"
    )
    assert iam.get_instance_profile(InstanceProfileName="p2")["InstanceProfile"]["Roles"] == []


def test_enforcement_through_the_aws_cli(user: Make, iam: Any, aws: Any, server: IamdServer) -> None:
    user("reader", managed=(READ_ONLY_AWS,))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    as_reader = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    users = aws("iam", "list-users", env=as_reader)
    assert [u["UserName"] for u in users["Users"]] == ["reader"]
    proc = aws.run("iam", "create-user", "--user-name", "x", check=False, env=as_reader)
    assert proc.returncode != 0
    assert (
        "An error occurred (AccessDenied) when calling the CreateUser operation: "
        f"User: arn:aws:iam::{server.account_id}:user/reader is not authorized to perform: iam:CreateUser on "
        f"resource: arn:aws:iam::{server.account_id}:user/x because no identity-based policy allows the "
        "iam:CreateUser action. Encoded authorization failure message: "
    ) in proc.stderr
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["reader"]
