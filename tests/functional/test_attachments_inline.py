"""Attached managed policies, inline policies and GetAccountAuthorizationDetails through boto3 and the aws CLI."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from functional_helpers import sized

AWS = "arn:aws:iam::aws:policy/"
WELL_KNOWN = [
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "IAMFullAccess",
    "IAMReadOnlyAccess",
    "IAMUserChangePassword",
    "AmazonS3ReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonEC2ReadOnlyAccess",
]
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
KINDS = ["User", "Group", "Role"]


def doc(**statement: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", **statement}]}


def make(iam: Any, kind: str, name: str, path: str = "/") -> None:
    extra = {"AssumeRolePolicyDocument": json.dumps(TRUST)} if kind == "Role" else {}
    getattr(iam, f"create_{kind.lower()}")(**{f"{kind}Name": name, "Path": path, **extra})


def call(iam: Any, op: str, kind: str, name: str, **kw: Any) -> Any:
    """``call(iam, "attach_{}_policy", "Role", "r", PolicyArn=…)``: one code path for the three kinds."""
    return getattr(iam, op.format(kind.lower()))(**{f"{kind}Name": name, **kw})


def local_policy(iam: Any, name: str, path: str = "/") -> str:
    return str(iam.create_policy(PolicyName=name, Path=path, PolicyDocument=json.dumps(DOC))["Policy"]["Arn"])


@pytest.mark.parametrize("kind", KINDS)
def test_attach_well_known_and_local_policies_up_to_the_quota(iam, error_of, kind: str) -> None:
    make(iam, kind, "holder")
    mine = local_policy(iam, "Mine", "/team/")
    for name in WELL_KNOWN:
        call(iam, "attach_{}_policy", kind, "holder", PolicyArn=AWS + name)
    call(iam, "attach_{}_policy", kind, "holder", PolicyArn=mine)
    call(iam, "attach_{}_policy", kind, "HOLDER", PolicyArn=mine)  # already attached: a no-op
    listed = call(iam, "list_attached_{}_policies", kind, "holder")
    assert listed["IsTruncated"] is False
    assert sorted(p["PolicyArn"] for p in listed["AttachedPolicies"]) == sorted([AWS + n for n in WELL_KNOWN] + [mine])
    assert {p["PolicyName"] for p in listed["AttachedPolicies"]} == {*WELL_KNOWN, "Mine"}
    assert call(iam, "list_attached_{}_policies", kind, "holder", PathPrefix="/team/")["AttachedPolicies"] == [
        {"PolicyName": "Mine", "PolicyArn": mine}
    ]

    err = error_of(getattr(iam, f"attach_{kind.lower()}_policy"), **{f"{kind}Name": "holder"},
                   PolicyArn=AWS + "AmazonEC2FullAccess")
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "LimitExceeded", 409, f"Cannot exceed quota for PoliciesPer{kind}: 10"
    )
    page = call(iam, "list_attached_{}_policies", kind, "holder", MaxItems=4)
    rest = call(iam, "list_attached_{}_policies", kind, "holder", Marker=page["Marker"])
    arns = [p["PolicyArn"] for p in page["AttachedPolicies"] + rest["AttachedPolicies"]]
    assert page["IsTruncated"] and len(arns) == len(set(arns)) == 10

    call(iam, "detach_{}_policy", kind, "holder", PolicyArn=AWS + "AdministratorAccess")
    call(iam, "attach_{}_policy", kind, "holder", PolicyArn=AWS + "AmazonEC2FullAccess")
    err = error_of(getattr(iam, f"detach_{kind.lower()}_policy"), **{f"{kind}Name": "holder"},
                   PolicyArn=AWS + "AdministratorAccess")
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "NoSuchEntity", 404, f"Policy {AWS}AdministratorAccess was not found."
    )


@pytest.mark.parametrize("kind", KINDS)
def test_attach_errors(iam, server, error_of, kind: str) -> None:
    attach = getattr(iam, f"attach_{kind.lower()}_policy")
    err = error_of(attach, **{f"{kind}Name": "ghost"}, PolicyArn=AWS + "ReadOnlyAccess")
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)
    make(iam, kind, "x")
    missing = f"arn:aws:iam::{server.account_id}:policy/Nope"
    err = error_of(attach, **{f"{kind}Name": "x"}, PolicyArn=missing)
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "NoSuchEntity", 404, f"Policy {missing} does not exist or is not attachable."
    )
    err = error_of(attach, **{f"{kind}Name": "x"}, PolicyArn=AWS + "NotARealManagedPolicy")
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)
    err = error_of(attach, **{f"{kind}Name": "x"}, PolicyArn=AWS + "aws-service-role/AutoScalingServiceRolePolicy")
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "PolicyNotAttachable", 400, "Cannot attach a Service Role Policy to a Customer Role."
    )
    err = error_of(attach, **{f"{kind}Name": "x"}, PolicyArn="this-is-not-an-arn-either")
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidInput", 400)
    assert call(iam, "list_attached_{}_policies", kind, "x")["AttachedPolicies"] == []


@pytest.mark.parametrize("kind", ["User", "Role"])
def test_service_role_policy_is_not_a_boundary(iam, error_of, kind: str) -> None:
    make(iam, kind, "x")
    err = error_of(getattr(iam, f"put_{kind.lower()}_permissions_boundary"), **{f"{kind}Name": "x"},
                   PermissionsBoundary=AWS + "aws-service-role/AutoScalingServiceRolePolicy")
    assert (err["Code"], err["HTTPStatus"]) == ("PolicyNotAttachable", 400)


def test_list_entities_for_policy(iam, server) -> None:
    arn = local_policy(iam, "Shared")
    make(iam, "User", "u1", "/a/")
    make(iam, "User", "u2", "/b/")
    make(iam, "Group", "g1")
    make(iam, "Role", "r1")
    for kind, name in [("User", "u1"), ("User", "u2"), ("Group", "g1"), ("Role", "r1")]:
        call(iam, "attach_{}_policy", kind, name, PolicyArn=arn)
        call(iam, "attach_{}_policy", kind, name, PolicyArn=AWS + "ReadOnlyAccess")
    make(iam, "User", "bounded")
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=arn)

    got = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in got["PolicyUsers"]] == ["bounded", "u1", "u2"]
    assert [g["GroupName"] for g in got["PolicyGroups"]] == ["g1"]
    assert [r["RoleName"] for r in got["PolicyRoles"]] == ["r1"]
    assert got["PolicyUsers"][1]["UserId"] == iam.get_user(UserName="u1")["User"]["UserId"]
    attached_only = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsPolicy")
    assert [u["UserName"] for u in attached_only["PolicyUsers"]] == ["u1", "u2"]
    bounds = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")
    assert [u["UserName"] for u in bounds["PolicyUsers"]] == ["bounded"] and bounds["PolicyGroups"] == []

    users_only = iam.list_entities_for_policy(PolicyArn=AWS + "ReadOnlyAccess", EntityFilter="User")
    assert [u["UserName"] for u in users_only["PolicyUsers"]] == ["u1", "u2"]
    assert users_only["PolicyGroups"] == [] and users_only["PolicyRoles"] == []
    prefixed = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="User", PathPrefix="/b/")
    assert [u["UserName"] for u in prefixed["PolicyUsers"]] == ["u2"]

    seen: list[str] = []
    for page in iam.get_paginator("list_entities_for_policy").paginate(
        PolicyArn=arn, PaginationConfig={"PageSize": 1}
    ):
        seen += [e.get("UserName") or e.get("GroupName") or e["RoleName"]
                 for key in ("PolicyGroups", "PolicyUsers", "PolicyRoles") for e in page[key]]
    assert sorted(seen) == ["bounded", "g1", "r1", "u1", "u2"] and len(seen) == 5
    assert iam.list_entities_for_policy(PolicyArn=AWS + "IAMFullAccess")["PolicyUsers"] == []


# --- inline policies -------------------------------------------------------------------------

SIZE_QUOTA = {"User": 2048, "Group": 5120, "Role": 10240}


@pytest.mark.parametrize("kind", KINDS)
def test_inline_policy_lifecycle(iam, error_of, kind: str) -> None:
    make(iam, kind, "holder")
    raw: list[str] = []
    iam.meta.events.register("after-call.iam", lambda http_response, **_: raw.append(http_response.text))
    text = json.dumps(doc(Sid="S1", Condition={"StringEquals": {"aws:username": "a b&c"}}), indent=2)
    call(iam, "put_{}_policy", kind, "holder", PolicyName="inline-b", PolicyDocument=text)
    call(iam, "put_{}_policy", kind, "holder", PolicyName="inline-a", PolicyDocument=json.dumps(DOC))
    got = call(iam, "get_{}_policy", kind, "HOLDER", PolicyName="inline-b")
    assert (got[f"{kind}Name"], got["PolicyName"]) == ("holder", "inline-b")
    assert got["PolicyDocument"] == json.loads(text)
    assert f"<PolicyDocument>{quote(text, safe='')}</PolicyDocument>" in raw[-1]
    assert call(iam, "list_{}_policies", kind, "holder")["PolicyNames"] == ["inline-a", "inline-b"]
    page = call(iam, "list_{}_policies", kind, "holder", MaxItems=1)
    assert page["PolicyNames"] == ["inline-a"] and page["IsTruncated"]
    assert call(iam, "list_{}_policies", kind, "holder", Marker=page["Marker"])["PolicyNames"] == ["inline-b"]

    call(iam, "put_{}_policy", kind, "holder", PolicyName="inline-b", PolicyDocument=json.dumps(DOC))  # replace
    assert call(iam, "get_{}_policy", kind, "holder", PolicyName="inline-b")["PolicyDocument"] == DOC
    call(iam, "delete_{}_policy", kind, "holder", PolicyName="inline-b")
    err = error_of(getattr(iam, f"get_{kind.lower()}_policy"), **{f"{kind}Name": "holder"}, PolicyName="inline-b")
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "NoSuchEntity", 404, f"The {kind.lower()} policy with name inline-b cannot be found."
    )
    err = error_of(getattr(iam, f"delete_{kind.lower()}_policy"), **{f"{kind}Name": "holder"}, PolicyName="inline-b")
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)
    err = error_of(getattr(iam, f"put_{kind.lower()}_policy"), **{f"{kind}Name": "ghost"}, PolicyName="p",
                   PolicyDocument=json.dumps(DOC))
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)

    err = error_of(getattr(iam, f"put_{kind.lower()}_policy"), **{f"{kind}Name": "holder"}, PolicyName="bad",
                   PolicyDocument=json.dumps(doc(Principal="*")))
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "MalformedPolicyDocument", 400, "Policy document should not specify a principal."
    )
    err = error_of(getattr(iam, f"put_{kind.lower()}_policy"), **{f"{kind}Name": "holder"}, PolicyName="bad",
                   PolicyDocument="{not json")
    assert (err["Code"], err["HTTPStatus"]) == ("MalformedPolicyDocument", 400)
    assert call(iam, "list_{}_policies", kind, "holder")["PolicyNames"] == ["inline-a"]


@pytest.mark.parametrize("kind", KINDS)
def test_inline_total_size_quota(iam, error_of, kind: str) -> None:
    quota = SIZE_QUOTA[kind]
    make(iam, kind, "holder")
    put = getattr(iam, f"put_{kind.lower()}_policy")
    half = quota // 2
    put(**{f"{kind}Name": "holder"}, PolicyName="one", PolicyDocument=sized(half, indent=12))
    put(**{f"{kind}Name": "holder"}, PolicyName="two", PolicyDocument=sized(quota - half))  # exactly the quota
    err = error_of(put, **{f"{kind}Name": "holder"}, PolicyName="three", PolicyDocument=sized(120))
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "LimitExceeded", 409, f"Maximum policy size of {quota} bytes exceeded for {kind.lower()} holder"
    )
    # Replacing a policy counts its new size, not the old one as well.
    put(**{f"{kind}Name": "holder"}, PolicyName="two", PolicyDocument=sized(quota - half, indent=4))
    assert error_of(put, **{f"{kind}Name": "holder"}, PolicyName="two",
                    PolicyDocument=sized(quota - half + 1))["Code"] == "LimitExceeded"
    getattr(iam, f"delete_{kind.lower()}_policy")(**{f"{kind}Name": "holder"}, PolicyName="one")
    put(**{f"{kind}Name": "holder"}, PolicyName="three", PolicyDocument=sized(120))


@pytest.mark.parametrize("kind", KINDS)
def test_delete_refused_while_policies_remain(iam, error_of, kind: str) -> None:
    make(iam, kind, "busy")
    delete = getattr(iam, f"delete_{kind.lower()}")
    call(iam, "put_{}_policy", kind, "busy", PolicyName="inline", PolicyDocument=json.dumps(DOC))
    call(iam, "attach_{}_policy", kind, "busy", PolicyArn=AWS + "ReadOnlyAccess")
    err = error_of(delete, **{f"{kind}Name": "busy"})
    assert (err["Code"], err["HTTPStatus"]) == ("DeleteConflict", 409)
    call(iam, "detach_{}_policy", kind, "busy", PolicyArn=AWS + "ReadOnlyAccess")
    err = error_of(delete, **{f"{kind}Name": "busy"})
    assert (err["Code"], err["Message"]) == ("DeleteConflict", "Cannot delete entity, must delete policies first.")
    call(iam, "delete_{}_policy", kind, "busy", PolicyName="inline")
    call(iam, "attach_{}_policy", kind, "busy", PolicyArn=AWS + "ReadOnlyAccess")
    err = error_of(delete, **{f"{kind}Name": "busy"})
    assert (err["Code"], err["Message"]) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.")
    call(iam, "detach_{}_policy", kind, "busy", PolicyArn=AWS + "ReadOnlyAccess")
    delete(**{f"{kind}Name": "busy"})


def test_service_linked_role_policies_are_unmodifiable(iam, error_of) -> None:
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]
    name = role["RoleName"]
    err = error_of(iam.put_role_policy, RoleName=name, PolicyName="p", PolicyDocument=json.dumps(DOC))
    assert (err["Code"], err["HTTPStatus"]) == ("UnmodifiableEntity", 400)
    assert name in err["Message"]
    err = error_of(iam.attach_role_policy, RoleName=name, PolicyArn=AWS + "ReadOnlyAccess")
    assert (err["Code"], err["HTTPStatus"]) == ("UnmodifiableEntity", 400)
    assert error_of(iam.delete_role_policy, RoleName=name, PolicyName="p")["Code"] == "UnmodifiableEntity"
    assert error_of(iam.detach_role_policy, RoleName=name, PolicyArn=AWS + "ReadOnlyAccess")["Code"] == (
        "UnmodifiableEntity"
    )
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == []


# --- GetAccountAuthorizationDetails ----------------------------------------------------------


def _populate(iam: Any, server: Any) -> str:
    mine = local_policy(iam, "Mine")
    iam.create_policy_version(PolicyArn=mine, PolicyDocument=json.dumps(doc()), SetAsDefault=True)
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "core"}])
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_instance_profile(InstanceProfileName="app-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app")
    iam.put_user_policy(UserName="alice", PolicyName="inline-u", PolicyDocument=json.dumps(DOC))
    iam.put_group_policy(GroupName="devs", PolicyName="inline-g", PolicyDocument=json.dumps(DOC))
    iam.put_role_policy(RoleName="app", PolicyName="inline-r", PolicyDocument=json.dumps(DOC))
    iam.attach_user_policy(UserName="alice", PolicyArn=mine)
    iam.attach_group_policy(GroupName="devs", PolicyArn=AWS + "ReadOnlyAccess")
    iam.attach_role_policy(RoleName="app", PolicyArn=AWS + "AmazonS3ReadOnlyAccess")
    return mine


def test_account_authorization_details(iam, server) -> None:
    mine = _populate(iam, server)
    raw: list[str] = []
    iam.meta.events.register("after-call.iam", lambda http_response, **_: raw.append(http_response.text))
    got = iam.get_account_authorization_details()
    assert f"<PolicyDocument>{quote(json.dumps(DOC), safe='')}</PolicyDocument>" in raw[-1]
    assert f"<Document>{quote(json.dumps(DOC), safe='')}</Document>" in raw[-1]
    assert f"<AssumeRolePolicyDocument>{quote(json.dumps(TRUST), safe='')}</AssumeRolePolicyDocument>" in raw[-1]
    assert got["IsTruncated"] is False
    alice, bob = got["UserDetailList"]
    assert (alice["UserName"], bob["UserName"]) == ("alice", "bob")
    assert alice["GroupList"] == ["devs"] and alice["Tags"] == [{"Key": "team", "Value": "core"}]
    assert alice["UserPolicyList"] == [{"PolicyName": "inline-u", "PolicyDocument": DOC}]
    assert alice["AttachedManagedPolicies"] == [{"PolicyName": "Mine", "PolicyArn": mine}]
    (group,) = got["GroupDetailList"]
    assert group["GroupPolicyList"] == [{"PolicyName": "inline-g", "PolicyDocument": DOC}]
    assert group["AttachedManagedPolicies"] == [{"PolicyName": "ReadOnlyAccess", "PolicyArn": AWS + "ReadOnlyAccess"}]
    (role,) = got["RoleDetailList"]
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["RolePolicyList"] == [{"PolicyName": "inline-r", "PolicyDocument": DOC}]
    assert [p["InstanceProfileName"] for p in role["InstanceProfileList"]] == ["app-profile"]
    by_name = {p["PolicyName"]: p for p in got["Policies"]}
    assert set(by_name) == {"Mine", "ReadOnlyAccess", "AmazonS3ReadOnlyAccess"}
    versions = by_name["Mine"]["PolicyVersionList"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v2", True), ("v1", False)]
    assert versions[0]["Document"] == doc() and versions[1]["Document"] == DOC
    assert by_name["Mine"]["AttachmentCount"] == 1 and by_name["ReadOnlyAccess"]["AttachmentCount"] == 1
    (aws_version,) = by_name["ReadOnlyAccess"]["PolicyVersionList"]
    assert aws_version["IsDefaultVersion"] is True and aws_version["Document"]["Statement"]


@pytest.mark.parametrize(
    ("filters", "expect"),
    [
        (["User"], {"UserDetailList": {"alice", "bob"}}),
        (["Group"], {"GroupDetailList": {"devs"}}),
        (["Role"], {"RoleDetailList": {"app"}}),
        (["LocalManagedPolicy"], {"Policies": {"Mine"}}),
        (["AWSManagedPolicy"], {"Policies": {"ReadOnlyAccess", "AmazonS3ReadOnlyAccess"}}),
        (["User", "Role"], {"UserDetailList": {"alice", "bob"}, "RoleDetailList": {"app"}}),
    ],
)
def test_account_authorization_details_filters(iam, server, filters, expect) -> None:
    _populate(iam, server)
    got = iam.get_account_authorization_details(Filter=filters)
    name_of = {"UserDetailList": "UserName", "GroupDetailList": "GroupName", "RoleDetailList": "RoleName",
               "Policies": "PolicyName"}
    for key, member in name_of.items():
        assert {e[member] for e in got.get(key, [])} == expect.get(key, set()), key


@pytest.mark.parametrize("page_size", [1, 2, 5])
def test_account_authorization_details_pagination(iam, server, page_size: int) -> None:
    _populate(iam, server)
    whole = iam.get_account_authorization_details()
    pages = list(iam.get_paginator("get_account_authorization_details").paginate(
        PaginationConfig={"PageSize": page_size}))
    assert len(pages) == -(-7 // page_size)  # 2 users, 1 group, 1 role, 1 local and 2 AWS-managed policies
    assert all(page["IsTruncated"] for page in pages[:-1])
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        walked = [e for page in pages for e in page[key]]
        assert walked == whole[key], key


def test_with_the_aws_cli(aws, server, tmp_path) -> None:
    aws("iam", "create-user", "--user-name", "cli-user")
    (tmp_path / "p.json").write_text(json.dumps(DOC, indent=2))
    aws("iam", "put-user-policy", "--user-name", "cli-user", "--policy-name", "from-file",
        "--policy-document", "file://p.json")
    got = aws("iam", "get-user-policy", "--user-name", "cli-user", "--policy-name", "from-file")
    assert (got["UserName"], got["PolicyName"], got["PolicyDocument"]) == ("cli-user", "from-file", DOC)
    assert aws("iam", "list-user-policies", "--user-name", "cli-user")["PolicyNames"] == ["from-file"]
    pol = aws("iam", "create-policy", "--policy-name", "cli-local", "--policy-document", "file://p.json")["Policy"]
    aws("iam", "attach-user-policy", "--user-name", "cli-user", "--policy-arn", pol["Arn"])
    aws("iam", "attach-user-policy", "--user-name", "cli-user", "--policy-arn", AWS + "IAMUserChangePassword")
    local = aws("iam", "list-policies", "--scope", "Local")["Policies"]
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in local] == [("cli-local", 1)]
    details = aws("iam", "get-account-authorization-details")
    (user,) = details["UserDetailList"]
    assert user["UserPolicyList"] == [{"PolicyName": "from-file", "PolicyDocument": DOC}]
    assert {p["PolicyName"] for p in user["AttachedManagedPolicies"]} == {"cli-local", "IAMUserChangePassword"}
    assert {p["PolicyName"] for p in details["Policies"]} == {"cli-local", "IAMUserChangePassword"}
    only_users = aws("iam", "get-account-authorization-details", "--filter", "User", "--max-items", "1")
    assert [u["UserName"] for u in only_users["UserDetailList"]] == ["cli-user"] and only_users["Policies"] == []
