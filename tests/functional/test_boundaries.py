"""Permissions boundaries: set by Put…PermissionsBoundary or the PermissionsBoundary parameter of
CreateUser/CreateRole, enforced on the next request, lifted by Delete…PermissionsBoundary; and the
delegated administrator of AWS's "Delegating responsibility to others using permissions
boundaries", who may create users only with the company boundary and cannot escape their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from functional_helpers import ENCODED, allow, clients, doc
from functional_helpers import denied as access_denied

from iamd.testing import IamdServer

ADMIN_AWS = "arn:aws:iam::aws:policy/AdministratorAccess"
IAM_READ_ONLY_AWS = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
IAM_FULL_AWS = "arn:aws:iam::aws:policy/IAMFullAccess"


def denied(fn: Callable[..., Any], **kwargs: Any) -> str:
    """AccessDenied (403); returns the sentence before the encoded message."""
    return access_denied(fn, **kwargs).partition(ENCODED)[0]


def policy(iam: Any, name: str, *statements: dict[str, Any]) -> str:
    return str(iam.create_policy(PolicyName=name, PolicyDocument=doc(*statements))["Policy"]["Arn"])


def user_keys(server: IamdServer, iam: Any, name: str) -> Any:
    return clients(server, iam.create_access_key(UserName=name)["AccessKey"])[0]


EC2_TRUST = doc(
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
)
NO_BOUNDARY_ALLOWS = "because no permissions boundary allows the iam:CreateUser action"


# --- users ---------------------------------------------------------------------------------------


def test_user_boundary_caps_an_administrator_until_deleted(server: IamdServer, iam: Any) -> None:
    read_only = policy(iam, "ReadOnlyBoundary", allow(["iam:Get*", "iam:List*"]))
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin", PolicyArn=ADMIN_AWS)
    admin = user_keys(server, iam, "admin")
    admin.create_user(UserName="before")

    iam.put_user_permissions_boundary(UserName="admin", PermissionsBoundary=read_only)
    assert admin.get_user()["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "Policy",
        "PermissionsBoundaryArn": read_only,
    }
    assert denied(admin.create_user, UserName="during").endswith(NO_BOUNDARY_ALLOWS)
    admin.list_users()

    iam.delete_user_permissions_boundary(UserName="admin")
    admin.create_user(UserName="after")
    assert {u["UserName"] for u in iam.list_users()["Users"]} == {"admin", "before", "after"}


def test_create_user_with_a_boundary_parameter(server: IamdServer, iam: Any) -> None:
    iam.create_user(UserName="capped", PermissionsBoundary=IAM_READ_ONLY_AWS)
    iam.attach_user_policy(UserName="capped", PolicyArn=ADMIN_AWS)
    capped = user_keys(server, iam, "capped")
    capped.list_roles()
    assert denied(capped.create_user, UserName="x").endswith(NO_BOUNDARY_ALLOWS)
    # Switching the boundary applies on the very next request.
    iam.put_user_permissions_boundary(UserName="capped", PermissionsBoundary=IAM_FULL_AWS)
    capped.create_user(UserName="x")


def test_a_boundary_grants_nothing_by_itself(server: IamdServer, iam: Any) -> None:
    iam.create_user(UserName="bounded", PermissionsBoundary=ADMIN_AWS)
    bounded = user_keys(server, iam, "bounded")
    message = denied(bounded.list_users)
    assert message.endswith("because no identity-based policy allows the iam:ListUsers action")
    iam.put_user_policy(UserName="bounded", PolicyName="list", PolicyDocument=doc(allow("iam:ListUsers")))
    bounded.list_users()


def test_boundary_through_group_policies_and_a_new_boundary_version(server: IamdServer, iam: Any) -> None:
    boundary = policy(iam, "Boundary", allow("iam:List*"))
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN_AWS)
    iam.create_user(UserName="member", PermissionsBoundary=boundary)
    iam.add_user_to_group(GroupName="admins", UserName="member")
    member = user_keys(server, iam, "member")
    member.list_groups()
    denied(member.get_group, GroupName="admins")
    iam.create_policy_version(PolicyArn=boundary, PolicyDocument=doc(allow("iam:*Group*")), SetAsDefault=True)
    member.get_group(GroupName="admins")
    denied(member.list_users)


# --- roles ---------------------------------------------------------------------------------------


def test_role_boundary_put_and_delete(server: IamdServer, iam: Any) -> None:
    account = server.account_id
    boundary = policy(iam, "RoleBoundary", allow(["iam:Get*", "iam:List*"]))
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:user/dev"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.create_user(UserName="dev")  # before the trust policy that names it
    iam.create_role(RoleName="ops", AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)
    iam.attach_role_policy(RoleName="ops", PolicyArn=ADMIN_AWS)
    assert iam.get_role(RoleName="ops")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    _, dev_sts = clients(server, iam.create_access_key(UserName="dev")["AccessKey"])
    creds = dev_sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/ops", RoleSessionName="s1")[
        "Credentials"
    ]
    ops, _ = clients(server, creds)

    ops.get_role(RoleName="ops")
    message = denied(ops.create_user, UserName="x")
    assert message == (
        f"User: arn:aws:sts::{account}:assumed-role/ops/s1 is not authorized to perform: iam:CreateUser on "
        f"resource: arn:aws:iam::{account}:user/x {NO_BOUNDARY_ALLOWS}"
    )
    iam.delete_role_permissions_boundary(RoleName="ops")
    ops.create_user(UserName="x")  # the same session, the next request
    iam.put_role_permissions_boundary(RoleName="ops", PermissionsBoundary=boundary)
    denied(ops.create_user, UserName="y")


def test_role_boundary_explicit_deny_names_the_boundary(server: IamdServer, iam: Any) -> None:
    account = server.account_id
    boundary = policy(iam, "NoUsers", allow("*"), {"Effect": "Deny", "Action": "iam:*User*", "Resource": "*"})
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:user/dev"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.create_user(UserName="dev")  # before the trust policy that names it
    iam.create_role(RoleName="ops", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="ops", PolicyArn=ADMIN_AWS)
    iam.put_role_permissions_boundary(RoleName="ops", PermissionsBoundary=boundary)
    _, dev_sts = clients(server, iam.create_access_key(UserName="dev")["AccessKey"])
    creds = dev_sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/ops", RoleSessionName="s1")[
        "Credentials"
    ]
    ops, _ = clients(server, creds)
    ops.list_roles()
    assert denied(ops.list_users).endswith(f"with an explicit deny in a permissions boundary: {boundary}")


# --- the delegated administrator (IAM User Guide, access_policies_boundaries) --------------------


def x_company_boundaries() -> str:
    return doc(
        {
            "Sid": "ServiceBoundaries",
            "Effect": "Allow",
            "Action": ["s3:*", "cloudwatch:*", "ec2:*", "dynamodb:*"],
            "Resource": "*",
        },
        {
            "Sid": "AllowIAMConsoleForCredentials",
            "Effect": "Allow",
            "Action": ["iam:ListUsers", "iam:GetAccountPasswordPolicy"],
            "Resource": "*",
        },
        {
            "Sid": "AllowManageOwnPasswordAndAccessKeys",
            "Effect": "Allow",
            "Action": [
                "iam:*AccessKey*",
                "iam:ChangePassword",
                "iam:GetUser",
                "iam:*ServiceSpecificCredential*",
                "iam:*SigningCertificate*",
            ],
            "Resource": ["arn:aws:iam::*:user/${aws:username}"],
        },
        {
            "Sid": "DenyS3Logs",
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
        },
        {
            "Sid": "DenyEC2Production",
            "Effect": "Deny",
            "Action": "ec2:*",
            "Resource": "arn:aws:ec2:*:*:instance/i-1234567890abcdef0",
        },
    )


def delegated_user_boundary(account: str, company: str) -> str:
    return doc(
        {
            "Sid": "CreateOrChangeOnlyWithBoundary",
            "Effect": "Allow",
            "Action": [
                "iam:CreateUser",
                "iam:DeleteUserPolicy",
                "iam:AttachUserPolicy",
                "iam:DetachUserPolicy",
                "iam:PutUserPermissionsBoundary",
            ],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PermissionsBoundary": company}},
        },
        {
            "Sid": "CloudWatchAndOtherIAMTasks",
            "Effect": "Allow",
            "Action": [
                "cloudwatch:*",
                "iam:GetUser",
                "iam:ListUsers",
                "iam:DeleteUser",
                "iam:UpdateUser",
                "iam:CreateAccessKey",
                "iam:CreateLoginProfile",
                "iam:GetAccountPasswordPolicy",
                "iam:GetLoginProfile",
                "iam:*Group*",
                "iam:CreatePolicy",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:GetUserPolicy",
                "iam:GetRolePolicy",
                "iam:ListPolicies",
                "iam:ListPolicyVersions",
                "iam:ListEntitiesForPolicy",
                "iam:ListUserPolicies",
                "iam:ListAttachedUserPolicies",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:PutUserPolicy",
                "iam:SetDefaultPolicyVersion",
                "iam:SimulatePrincipalPolicy",
                "iam:SimulateCustomPolicy",
            ],
            "Resource": "*",
        },
        {
            "Sid": "NoBoundaryPolicyEdit",
            "Effect": "Deny",
            "Action": [
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            ],
            "Resource": [company, f"arn:aws:iam::{account}:policy/DelegatedUserBoundary"],
        },
        {
            "Sid": "NoBoundaryUserDelete",
            "Effect": "Deny",
            "Action": "iam:DeleteUserPermissionsBoundary",
            "Resource": "*",
        },
    )


DELEGATED_USER_PERMISSIONS = doc(
    {"Sid": "IAM", "Effect": "Allow", "Action": "iam:*", "Resource": "*"},
    {
        "Sid": "CloudWatchLimited",
        "Effect": "Allow",
        "Action": [
            "cloudwatch:GetDashboard",
            "cloudwatch:GetMetricData",
            "cloudwatch:ListDashboards",
            "cloudwatch:GetMetricStatistics",
            "cloudwatch:ListMetrics",
        ],
        "Resource": "*",
    },
    {
        "Sid": "S3BucketContents",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::ZhangBucket",
    },
)


@pytest.fixture
def zhang(server: IamdServer, iam: Any) -> tuple[Any, str, str]:
    """María's set-up: the company boundary, Zhang's boundary and permissions; Zhang's IAM client."""
    company = policy_from(iam, "XCompanyBoundaries", x_company_boundaries())
    own = policy_from(iam, "DelegatedUserBoundary", delegated_user_boundary(server.account_id, company))
    permissions = policy_from(iam, "DelegatedUserPermissions", DELEGATED_USER_PERMISSIONS)
    iam.create_user(UserName="Zhang", PermissionsBoundary=own)
    iam.attach_user_policy(UserName="Zhang", PolicyArn=permissions)
    return user_keys(server, iam, "Zhang"), company, own


def policy_from(iam: Any, name: str, document: str) -> str:
    return str(iam.create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"])


def test_delegated_admin_creates_users_only_with_the_company_boundary(zhang: Any, iam: Any) -> None:
    admin, company, own = zhang
    other = policy(iam, "Other", allow("*"))
    assert denied(admin.create_user, UserName="Nikhil").endswith(NO_BOUNDARY_ALLOWS)
    assert denied(admin.create_user, UserName="Nikhil", PermissionsBoundary=other).endswith(
        NO_BOUNDARY_ALLOWS
    )
    assert denied(admin.create_user, UserName="Nikhil", PermissionsBoundary=own).endswith(NO_BOUNDARY_ALLOWS)
    admin.create_user(UserName="Nikhil", PermissionsBoundary=company)
    assert iam.get_user(UserName="Nikhil")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == company
    # He may give Nikhil policies, because Nikhil carries the company boundary.
    admin.attach_user_policy(UserName="Nikhil", PolicyArn=IAM_FULL_AWS)
    admin.detach_user_policy(UserName="Nikhil", PolicyArn=IAM_FULL_AWS)
    admin.attach_user_policy(UserName="Nikhil", PolicyArn=IAM_FULL_AWS)
    # … but not to a user without it (root made one), nor may he give it another boundary.
    iam.create_user(UserName="free")
    denied(admin.attach_user_policy, UserName="free", PolicyArn=IAM_FULL_AWS)
    denied(admin.put_user_permissions_boundary, UserName="free", PermissionsBoundary=other)
    admin.put_user_permissions_boundary(UserName="free", PermissionsBoundary=company)
    admin.attach_user_policy(UserName="free", PolicyArn=IAM_FULL_AWS)


def test_delegated_admin_cannot_escape_or_edit_the_boundaries(zhang: Any, iam: Any) -> None:
    admin, company, own = zhang
    admin.create_user(UserName="Nikhil", PermissionsBoundary=company)
    for name in ("Zhang", "Nikhil"):
        assert denied(admin.delete_user_permissions_boundary, UserName=name).endswith(
            f"with an explicit deny in a permissions boundary: {own}"
        )
    # Replacing his own boundary with a wider one is not allowed either.
    denied(admin.put_user_permissions_boundary, UserName="Zhang", PermissionsBoundary=ADMIN_AWS)
    for arn in (company, own):
        denied(admin.create_policy_version, PolicyArn=arn, PolicyDocument=doc(allow("*")), SetAsDefault=True)
        denied(admin.delete_policy, PolicyArn=arn)
    # Nor may he widen his own permissions past the boundary.
    admin.put_user_policy(UserName="Zhang", PolicyName="more", PolicyDocument=doc(allow("*")))
    denied(
        admin.create_role,
        RoleName="escape",
        AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
        ),
    )
    assert iam.get_user(UserName="Zhang")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == own
    assert iam.get_user(UserName="Nikhil")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == company
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=company)["Versions"]] == ["v1"]


def test_the_delegated_users_are_capped_by_the_company_boundary(
    zhang: Any, iam: Any, server: IamdServer
) -> None:
    admin, company, _ = zhang
    admin.create_user(UserName="Nikhil", PermissionsBoundary=company)
    admin.attach_user_policy(UserName="Nikhil", PolicyArn=IAM_FULL_AWS)
    nikhil = user_keys(server, iam, "Nikhil")
    nikhil.get_user()
    nikhil.list_users()
    nikhil.create_access_key()
    assert denied(nikhil.create_user, UserName="x").endswith(NO_BOUNDARY_ALLOWS)
    denied(nikhil.get_user, UserName="Zhang")
    denied(nikhil.delete_user_permissions_boundary, UserName="Nikhil")
    denied(nikhil.attach_user_policy, UserName="Nikhil", PolicyArn=ADMIN_AWS)


def test_delegated_role_creation_requires_the_boundary(server: IamdServer, iam: Any) -> None:
    """The same pattern for roles: CreateRole and Put/DeleteRolePermissionsBoundary under
    iam:PermissionsBoundary, which for an existing role is the role's current boundary."""
    account = server.account_id
    fence = policy(iam, "RoleFence", allow("iam:List*"))
    iam.create_user(UserName="dev")
    iam.put_user_policy(
        UserName="dev",
        PolicyName="roles",
        PolicyDocument=doc(
            allow(
                [
                    "iam:CreateRole",
                    "iam:PutRolePermissionsBoundary",
                    "iam:AttachRolePolicy",
                    "iam:DeleteRolePermissionsBoundary",
                ],
                f"arn:aws:iam::{account}:role/app-*",
                StringEquals={"iam:PermissionsBoundary": fence},
            ),
        ),
    )
    dev = user_keys(server, iam, "dev")
    denied(dev.create_role, RoleName="app-1", AssumeRolePolicyDocument=EC2_TRUST)
    denied(
        dev.create_role, RoleName="app-1", AssumeRolePolicyDocument=EC2_TRUST, PermissionsBoundary=ADMIN_AWS
    )
    denied(dev.create_role, RoleName="other", AssumeRolePolicyDocument=EC2_TRUST, PermissionsBoundary=fence)
    dev.create_role(RoleName="app-1", AssumeRolePolicyDocument=EC2_TRUST, PermissionsBoundary=fence)
    dev.attach_role_policy(RoleName="app-1", PolicyArn=ADMIN_AWS)
    iam.create_role(RoleName="app-2", AssumeRolePolicyDocument=EC2_TRUST)
    denied(dev.attach_role_policy, RoleName="app-2", PolicyArn=ADMIN_AWS)
    denied(dev.put_role_permissions_boundary, RoleName="app-2", PermissionsBoundary=ADMIN_AWS)
    dev.put_role_permissions_boundary(RoleName="app-2", PermissionsBoundary=fence)
    dev.attach_role_policy(RoleName="app-2", PolicyArn=ADMIN_AWS)
    # Removing a boundary is allowed by this policy (the role carries the fence) …
    dev.delete_role_permissions_boundary(RoleName="app-2")
    # … and afterwards the role has none, so nothing more may be attached to it.
    denied(dev.attach_role_policy, RoleName="app-2", PolicyArn=IAM_READ_ONLY_AWS)
    assert "PermissionsBoundary" not in iam.get_role(RoleName="app-2")["Role"]
