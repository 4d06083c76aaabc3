"""Managed policies through boto3 and the aws CLI: lifecycle, listing, versions, quotas, documents on the wire."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, unquote

import pytest
from functional_helpers import sized

AWS = "arn:aws:iam::aws:policy/"
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def doc(action: str = "s3:GetObject", **statement: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*", **statement}]}


def raw_bodies(client: Any) -> list[str]:
    """Collect the raw XML bodies the client receives (boto3 decodes documents before we see them)."""
    bodies: list[str] = []

    def hook(http_response: Any, **_: Any) -> None:
        bodies.append(http_response.text)

    client.meta.events.register("after-call.iam", hook)
    return bodies


def test_policy_lifecycle(iam, server, error_of) -> None:
    pol = iam.create_policy(
        PolicyName="ReadBucket", Path="/team/", PolicyDocument=json.dumps(DOC), Description="read one bucket"
    )["Policy"]
    arn = f"arn:aws:iam::{server.account_id}:policy/team/ReadBucket"
    assert pol["Arn"] == arn and pol["PolicyId"].startswith("ANPA") and len(pol["PolicyId"]) == 21
    assert (pol["DefaultVersionId"], pol["AttachmentCount"], pol["IsAttachable"]) == ("v1", 0, True)
    assert pol["PermissionsBoundaryUsageCount"] == 0

    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["Description"] == "read one bucket" and got["PolicyId"] == pol["PolicyId"]
    assert got["CreateDate"] == got["UpdateDate"]

    err = error_of(iam.create_policy, PolicyName="readbucket", PolicyDocument=json.dumps(DOC))
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "EntityAlreadyExists", 409, "A policy called readbucket already exists. Duplicate names are not allowed."
    )
    wrong_path = f"arn:aws:iam::{server.account_id}:policy/ReadBucket"
    err = error_of(iam.get_policy, PolicyArn=wrong_path)
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "NoSuchEntity", 404, f"Policy {wrong_path} was not found."
    )
    # Another account's policy: IAM resources have no resource-based policy, so AWS denies
    # cross-account access before it looks the policy up.
    err = error_of(iam.get_policy, PolicyArn="arn:aws:iam::210987654321:policy/team/ReadBucket")
    assert err["Code"] == "AccessDenied"
    assert error_of(iam.get_policy, PolicyArn="not-an-arn-at-all, really")["Code"] == "InvalidInput"

    iam.delete_policy(PolicyArn=arn)
    err = error_of(iam.delete_policy, PolicyArn=arn)
    assert (err["Code"], err["Message"]) == ("NoSuchEntity", f"Policy {arn} was not found.")
    iam.create_policy(PolicyName="ReadBucket", PolicyDocument=json.dumps(DOC))  # the name is free again


def test_aws_managed_policies_read_only(iam, error_of) -> None:
    admin = iam.get_policy(PolicyArn=AWS + "AdministratorAccess")["Policy"]
    assert (admin["PolicyName"], admin["Path"], admin["IsAttachable"]) == ("AdministratorAccess", "/", True)
    assert admin["PolicyId"].startswith("ANPA") and admin["DefaultVersionId"].startswith("v")
    version = iam.get_policy_version(PolicyArn=AWS + "AdministratorAccess", VersionId=admin["DefaultVersionId"])
    assert version["PolicyVersion"]["Document"]["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    assert version["PolicyVersion"]["IsDefaultVersion"] is True
    listed = iam.list_policy_versions(PolicyArn=AWS + "AdministratorAccess")["Versions"]
    assert [v["VersionId"] for v in listed] == [admin["DefaultVersionId"]]
    role_policy = iam.get_policy(PolicyArn=AWS + "service-role/AWSLambdaBasicExecutionRole")["Policy"]
    assert role_policy["Path"] == "/service-role/"

    for call, kwargs in [
        (iam.delete_policy, {}),
        (iam.create_policy_version, {"PolicyDocument": json.dumps(DOC)}),
        (iam.set_default_policy_version, {"VersionId": "v1"}),
        (iam.delete_policy_version, {"VersionId": "v1"}),
    ]:
        err = error_of(call, PolicyArn=AWS + "ReadOnlyAccess", **kwargs)
        assert (err["Code"], err["HTTPStatus"]) == ("AccessDenied", 403), call
    err = error_of(iam.get_policy, PolicyArn=AWS + "NoSuchManagedPolicyAnywhere")
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)


def test_list_policies_scopes_and_filters(iam, server) -> None:
    iam.create_user(UserName="u")
    for name, path in [("zeta", "/"), ("Alpha", "/team/"), ("mid", "/team/sub/")]:
        iam.create_policy(PolicyName=name, Path=path, PolicyDocument=json.dumps(DOC))
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["Alpha", "mid", "zeta"]
    assert all("Description" not in p and "Tags" not in p for p in local)
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local", PathPrefix="/team/")["Policies"]] == [
        "Alpha",
        "mid",
    ]
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local", PathPrefix="/team/sub/")["Policies"]] == [
        "mid"
    ]
    job = iam.list_policies(Scope="AWS", PathPrefix="/job-function/", MaxItems=1000)["Policies"]
    assert job and all(p["Arn"].startswith(AWS + "job-function/") for p in job)
    assert "ViewOnlyAccess" in {p["PolicyName"] for p in job}
    assert iam.list_policies(Scope="AWS", PathPrefix="/team/")["Policies"] == []

    everything = [p for page in iam.get_paginator("list_policies").paginate(PaginationConfig={"PageSize": 1000})
                  for p in page["Policies"]]
    assert {"Alpha", "mid", "zeta", "AdministratorAccess"} <= {p["PolicyName"] for p in everything}
    aws_only = [p for page in iam.get_paginator("list_policies").paginate(Scope="AWS") for p in page["Policies"]]
    assert len(everything) == len(aws_only) + 3

    assert iam.list_policies(OnlyAttached=True)["Policies"] == []
    mine = f"arn:aws:iam::{server.account_id}:policy/team/Alpha"
    iam.attach_user_policy(UserName="u", PolicyArn=mine)
    iam.attach_user_policy(UserName="u", PolicyArn=AWS + "ReadOnlyAccess")
    attached = iam.list_policies(OnlyAttached=True)["Policies"]
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in attached] == [("Alpha", 1), ("ReadOnlyAccess", 1)]
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]] == ["Alpha"]
    assert [p["PolicyName"] for p in iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]] == [
        "ReadOnlyAccess"
    ]
    used = iam.list_policies(OnlyAttached=True, PolicyUsageFilter="PermissionsPolicy")["Policies"]
    assert [p["PolicyName"] for p in used] == ["Alpha", "ReadOnlyAccess"]
    boundaries = iam.list_policies(OnlyAttached=True, PolicyUsageFilter="PermissionsBoundary")["Policies"]
    assert boundaries == []


def test_list_policies_boundary_usage(iam, server) -> None:
    iam.create_policy(PolicyName="Boundary", PolicyDocument=json.dumps(DOC))
    arn = f"arn:aws:iam::{server.account_id}:policy/Boundary"
    iam.create_user(UserName="bounded", PermissionsBoundary=arn)
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert (got["AttachmentCount"], got["PermissionsBoundaryUsageCount"]) == (0, 1)
    boundaries = iam.list_policies(OnlyAttached=True, PolicyUsageFilter="PermissionsBoundary")["Policies"]
    assert [p["PolicyName"] for p in boundaries] == ["Boundary"]
    assert iam.list_policies(OnlyAttached=True, PolicyUsageFilter="PermissionsPolicy")["Policies"] == []


def test_local_policy_sharing_an_aws_managed_name(iam, server) -> None:
    iam.create_policy(PolicyName="ReadOnlyAccess", PolicyDocument=json.dumps(DOC))
    local = f"arn:aws:iam::{server.account_id}:policy/ReadOnlyAccess"
    assert iam.get_policy(PolicyArn=local)["Policy"]["PolicyId"] != iam.get_policy(
        PolicyArn=AWS + "ReadOnlyAccess")["Policy"]["PolicyId"]
    arns = [p["Arn"] for page in iam.get_paginator("list_policies").paginate(PaginationConfig={"PageSize": 1000})
            for p in page["Policies"]]
    assert len(arns) == len(set(arns))
    index = arns.index(AWS + "ReadOnlyAccess")
    assert arns[index + 1] == local  # same name: AWS-managed first

    # A page that ends exactly between the two: the next one starts with the local policy.
    marker, remaining = None, index + 1
    while remaining:
        page = iam.list_policies(MaxItems=min(remaining, 1000), **({"Marker": marker} if marker else {}))
        remaining -= len(page["Policies"])
        marker = page["Marker"]
    assert page["Policies"][-1]["Arn"] == AWS + "ReadOnlyAccess"
    assert [p["Arn"] for p in iam.list_policies(MaxItems=1, Marker=marker)["Policies"]] == [local]


def test_path_prefix_is_case_sensitive(iam, server) -> None:
    arn = iam.create_policy(PolicyName="p", Path="/team/", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    iam.create_user(UserName="u", Path="/team/")
    iam.attach_user_policy(UserName="u", PolicyArn=arn)
    assert iam.list_policies(Scope="AWS", PathPrefix="/SERVICE-ROLE/")["Policies"] == []
    assert iam.list_policies(Scope="Local", PathPrefix="/TEAM/")["Policies"] == []
    assert iam.list_entities_for_policy(PolicyArn=arn, PathPrefix="/TEAM/")["PolicyUsers"] == []


def test_paginator_walks_every_aws_managed_policy_once(iam) -> None:
    seen: list[str] = []
    pages = 0
    for page in iam.get_paginator("list_policies").paginate(Scope="AWS", PaginationConfig={"PageSize": 250}):
        pages += 1
        seen.extend(p["Arn"] for p in page["Policies"])
    assert len(seen) == len(set(seen)) and len(seen) >= 1500
    assert all(a.startswith(AWS) for a in seen)
    assert pages == -(-len(seen) // 250)
    names = [a.rsplit("/", 1)[1].lower() for a in seen]
    assert names == sorted(names)
    default_page = iam.list_policies(Scope="AWS")
    assert len(default_page["Policies"]) == 100 and default_page["IsTruncated"] is True


def test_list_policies_marker_is_stable_while_local_policies_change(iam) -> None:
    for name in ("a1", "a2", "a3", "a4"):
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(DOC))
    first = iam.list_policies(Scope="Local", MaxItems=2)
    assert [p["PolicyName"] for p in first["Policies"]] == ["a1", "a2"] and first["IsTruncated"]
    iam.create_policy(PolicyName="a0", PolicyDocument=json.dumps(DOC))  # before the marker: not returned
    rest = iam.list_policies(Scope="Local", MaxItems=2, Marker=first["Marker"])
    assert [p["PolicyName"] for p in rest["Policies"]] == ["a3", "a4"] and rest["IsTruncated"] is False
    assert "Marker" not in rest


def test_versions(iam, server, error_of) -> None:
    arn = iam.create_policy(PolicyName="v", PolicyDocument=json.dumps(doc("s3:ListBucket")))["Policy"]["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc("s3:GetObject")))["PolicyVersion"]
    assert (v2["VersionId"], v2["IsDefaultVersion"]) == ("v2", False)
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["DefaultVersionId"] == "v1"
    assert got["UpdateDate"] == v2["CreateDate"]  # the most recent version's creation, default or not
    v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc("s3:PutObject")), SetAsDefault=True)
    assert (v3["PolicyVersion"]["VersionId"], v3["PolicyVersion"]["IsDefaultVersion"]) == ("v3", True)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc("s3:DeleteObject")))
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc("s3:GetBucketPolicy")))
    err = error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(DOC))
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "LimitExceeded",
        409,
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
        "existing version.",
    )

    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [
        ("v5", False), ("v4", False), ("v3", True), ("v2", False), ("v1", False)
    ]
    assert all("Document" not in v for v in versions)
    page = iam.list_policy_versions(PolicyArn=arn, MaxItems=2)
    assert [v["VersionId"] for v in page["Versions"]] == ["v5", "v4"] and page["IsTruncated"]
    rest = iam.list_policy_versions(PolicyArn=arn, Marker=page["Marker"])
    assert [v["VersionId"] for v in rest["Versions"]] == ["v3", "v2", "v1"]

    err = error_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v3")
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "DeleteConflict", 409, "Cannot delete the default version of a policy."
    )
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
    iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    err = error_of(iam.get_policy_version, PolicyArn=arn, VersionId="v3")
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "NoSuchEntity", 404, f"Policy {arn} version v3 does not exist or is not attachable."
    )
    assert error_of(iam.set_default_policy_version, PolicyArn=arn, VersionId="v3")["Code"] == "NoSuchEntity"
    v6 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))["PolicyVersion"]
    assert v6["VersionId"] == "v6"  # a deleted id is never reused

    err = error_of(iam.delete_policy, PolicyArn=arn)
    assert (err["Code"], err["Message"]) == (
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete the policy's "
        "versions. The default version is deleted with the policy.",
    )
    for vid in ("v2", "v4", "v5", "v6"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=vid)
    iam.delete_policy(PolicyArn=arn)


def test_document_round_trip_and_wire_encoding(iam) -> None:
    # Characters that URL-encoding must escape: spaces, quotes, '&', '+', '/', '%', non-ASCII.
    sent = doc("s3:GetObject", Sid="Sid1", Condition={"StringLike": {"s3:prefix": ["a b&c+d/e%f", "ümlaut*"]}})
    text = json.dumps(sent, indent=4, ensure_ascii=False)
    bodies = raw_bodies(iam)
    arn = iam.create_policy(PolicyName="enc", PolicyDocument=text)["Policy"]["Arn"]
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert got["Document"] == sent and got["IsDefaultVersion"] is True

    xml = bodies[-1]
    encoded = xml.split("<Document>", 1)[1].split("</Document>", 1)[0]
    assert encoded == quote(text, safe="")
    assert unquote(encoded) == text
    assert "{" not in encoded and " " not in encoded and "&" not in encoded


def test_attachment_count(iam, server, error_of) -> None:
    arn = iam.create_policy(PolicyName="counted", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }))
    iam.attach_user_policy(UserName="u", PolicyArn=arn)
    iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    err = error_of(iam.delete_policy, PolicyArn=arn)
    assert (err["Code"], err["Message"]) == ("DeleteConflict", "Cannot delete a policy attached to entities.")
    iam.detach_user_policy(UserName="u", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 2
    iam.attach_user_policy(UserName="u", PolicyArn=AWS + "ReadOnlyAccess")
    assert iam.get_policy(PolicyArn=AWS + "ReadOnlyAccess")["Policy"]["AttachmentCount"] == 1
    iam.detach_group_policy(GroupName="g", PolicyArn=arn)
    iam.detach_role_policy(RoleName="r", PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)


def test_policy_tags(iam, error_of) -> None:
    arn = iam.create_policy(
        PolicyName="tagged", PolicyDocument=json.dumps(DOC), Tags=[{"Key": "team", "Value": "core"}]
    )["Policy"]
    assert arn["Tags"] == [{"Key": "team", "Value": "core"}]
    arn = arn["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "infra"}])
    tags = iam.list_policy_tags(PolicyArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "prod"), ("team", "infra")]
    assert sorted(t["Key"] for t in iam.get_policy(PolicyArn=arn)["Policy"]["Tags"]) == ["env", "team"]
    iam.untag_policy(PolicyArn=arn, TagKeys=["team"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]
    err = error_of(iam.create_policy, PolicyName="dup", PolicyDocument=json.dumps(DOC),
                   Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])
    assert err["Code"] == "InvalidInput"
    assert error_of(iam.tag_policy, PolicyArn=AWS + "ReadOnlyAccess", Tags=[{"Key": "k", "Value": "v"}])[
        "Code"
    ] == "AccessDenied"


def test_policy_size_quota_counts_non_white_space(iam, error_of) -> None:
    iam.create_policy(PolicyName="exact", PolicyDocument=sized(6144))
    err = error_of(iam.create_policy, PolicyName="over", PolicyDocument=sized(6145))
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144"
    )
    roomy = sized(6000, indent=40)
    assert len(roomy) > 6144 * 1.1
    arn = iam.create_policy(PolicyName="roomy", PolicyDocument=roomy)["Policy"]["Arn"]
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=sized(6145))["Code"] == "LimitExceeded"
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=sized(6144, indent=8))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "Syntax errors in policy."),
        ("{", None),
        ("[]", None),
        (json.dumps({"Version": "2012-10-17"}), None),
        (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}),
         None),
        (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}),
         "Policy statement must contain actions."),
        (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}),
         "Policy statement must contain resources."),
        (json.dumps({"Version": "2099-01-01", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
         None),
        (json.dumps(doc(Principal="*")), "Policy document should not specify a principal."),
        (json.dumps(doc(Principal={"AWS": "arn:aws:iam::123456789012:root"})),
         "Policy document should not specify a principal."),
        (json.dumps(doc(NotPrincipal={"AWS": "*"})), "Policy document should not specify a principal."),
        (json.dumps(doc(Resource="bucket")), None),
    ],
)
def test_malformed_policy_documents(iam, server, error_of, document: str, message: str | None) -> None:
    err = error_of(iam.create_policy, PolicyName="bad", PolicyDocument=document)
    assert (err["Code"], err["HTTPStatus"]) == ("MalformedPolicyDocument", 400), err
    assert err["Message"]
    if message is not None:
        assert err["Message"] == message
    assert iam.list_policies(Scope="Local")["Policies"] == []
    iam.create_policy(PolicyName="good", PolicyDocument=json.dumps(DOC))
    arn = f"arn:aws:iam::{server.account_id}:policy/good"
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=document)["Code"] == (
        "MalformedPolicyDocument"
    )
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v1"]


def test_with_the_aws_cli(aws, server, tmp_path) -> None:
    (tmp_path / "p.json").write_text(json.dumps(DOC, indent=2))
    pol = aws("iam", "create-policy", "--policy-name", "cli-policy", "--path", "/cli/",
              "--policy-document", "file://p.json", "--tags", "Key=k,Value=v")["Policy"]
    assert pol["Arn"] == f"arn:aws:iam::{server.account_id}:policy/cli/cli-policy"
    aws("iam", "create-policy-version", "--policy-arn", pol["Arn"], "--policy-document", "file://p.json",
        "--set-as-default")
    version = aws("iam", "get-policy-version", "--policy-arn", pol["Arn"], "--version-id", "v2")["PolicyVersion"]
    assert version["Document"] == DOC and version["IsDefaultVersion"] is True
    listed = aws("iam", "list-policies", "--scope", "Local")["Policies"]
    assert [(p["PolicyName"], p["DefaultVersionId"]) for p in listed] == [("cli-policy", "v2")]
    names = aws("iam", "list-policies", "--scope", "AWS", "--path-prefix", "/job-function/",
                "--query", "Policies[].PolicyName")
    assert "ViewOnlyAccess" in names
    proc = aws.run("iam", "delete-policy", "--policy-arn", pol["Arn"], check=False)
    assert proc.returncode != 0 and "DeleteConflict" in proc.stderr
