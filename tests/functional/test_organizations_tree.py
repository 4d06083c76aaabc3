"""Organizations through boto3 and the aws CLI: the organization, its root, its tree."""

from __future__ import annotations

import re
from typing import Any

import pytest
from functional_helpers import OTHER_ACCOUNT, as_creds, error, new_user
from org_helpers import reason_of

from iamd.testing import IamdServer

ORG_ID = re.compile(r"o-[a-z0-9]{10,32}")
ROOT_ID = re.compile(r"r-[0-9a-z]{4,32}")
OU_ID = re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}")


@pytest.fixture
def org(server: IamdServer) -> Any:
    return server.client("organizations")


def test_create_describe_delete_organization(org: Any, server: IamdServer) -> None:
    created = org.create_organization(FeatureSet="ALL")["Organization"]
    assert ORG_ID.fullmatch(created["Id"])
    assert created["FeatureSet"] == "ALL"
    assert created["MasterAccountId"] == server.account_id
    assert created["Arn"] == f"arn:aws:organizations::{server.account_id}:organization/{created['Id']}"
    assert created["MasterAccountArn"] == (
        f"arn:aws:organizations::{server.account_id}:account/{created['Id']}/{server.account_id}"
    )
    assert org.describe_organization()["Organization"] == created
    roots = org.list_roots()["Roots"]
    assert len(roots) == 1 and ROOT_ID.fullmatch(roots[0]["Id"]) and roots[0]["Name"] == "Root"
    assert roots[0]["Arn"] == f"arn:aws:organizations::{server.account_id}:root/{created['Id']}/{roots[0]['Id']}"
    org.delete_organization()
    err = error(org.describe_organization)
    assert err["Code"] == "AWSOrganizationsNotInUseException" and err["HTTPStatus"] == 400


def test_default_feature_set_is_all(org: Any) -> None:
    assert org.create_organization()["Organization"]["FeatureSet"] == "ALL"


def test_consolidated_billing_is_accepted(org: Any) -> None:
    assert org.create_organization(FeatureSet="CONSOLIDATED_BILLING")["Organization"]["FeatureSet"] == (
        "CONSOLIDATED_BILLING"
    )


def test_second_organization_is_refused(org: Any) -> None:
    org.create_organization()
    assert error(org.create_organization)["Code"] == "AlreadyInOrganizationException"


def test_outside_any_organization(org: Any) -> None:
    for call in (org.describe_organization, org.list_roots, org.delete_organization):
        assert error(call)["Code"] == "AWSOrganizationsNotInUseException"


def test_unknown_feature_set_is_a_validation_error(org: Any) -> None:
    # botocore does not validate enums client-side; the server's model does.
    err = error(org.create_organization, FeatureSet="NONE")
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidInputException", 400)


def test_cli_create_and_list_roots(aws: Any, server: IamdServer) -> None:
    created = aws("organizations", "create-organization", "--feature-set", "ALL")["Organization"]
    assert created["MasterAccountId"] == server.account_id
    roots = aws("organizations", "list-roots")["Roots"]
    assert roots[0]["Arn"].endswith(f"/{created['Id']}/{roots[0]['Id']}")


def test_identity_policies_apply(org: Any, iam: Any, server: IamdServer) -> None:
    """A user of the management account without organizations permissions is denied; one allowed
    only DescribeOrganization can call just that."""
    org.create_organization()
    _, nobody = new_user(iam, "nobody")
    _, reader = new_user(iam, "reader", {"Effect": "Allow", "Action": "organizations:DescribeOrganization",
                                         "Resource": "*"})
    denied = error(as_creds(server, "organizations", nobody).describe_organization)
    assert denied["Code"] == "AccessDeniedException" and denied["HTTPStatus"] == 403
    assert "organizations:DescribeOrganization" in denied["Message"]
    reading = as_creds(server, "organizations", reader)
    assert reading.describe_organization()["Organization"]["MasterAccountId"] == server.account_id
    assert error(reading.list_roots)["Code"] == "AccessDeniedException"
    assert error(reading.delete_organization)["Code"] == "AccessDeniedException"


def test_deny_on_the_organization_resource(org: Any, iam: Any, server: IamdServer) -> None:
    """The ListRoots / DeleteOrganization resource is ``*``; a Deny naming the root ARN holds for
    calls that name the root (checked once OUs exist); here a Deny of everything holds."""
    org.create_organization()
    _, admin = new_user(iam, "admin", {"Effect": "Allow", "Action": "*", "Resource": "*"},
                        {"Effect": "Deny", "Action": "organizations:Delete*", "Resource": "*"})
    acting = as_creds(server, "organizations", admin)
    assert acting.list_roots()["Roots"]
    assert error(acting.delete_organization)["Code"] == "AccessDeniedException"
    assert org.describe_organization()


def test_member_account_refused_from_another_account(two_accounts: Any) -> None:
    """An account outside the organization neither sees nor deletes it."""
    srv, other_key = two_accounts
    mine = srv.client("organizations")
    mine.create_organization()
    try:
        theirs = as_creds(srv, "organizations", other_key)
        assert error(theirs.describe_organization)["Code"] == "AWSOrganizationsNotInUseException"
        assert error(theirs.delete_organization)["Code"] == "AWSOrganizationsNotInUseException"
        assert error(theirs.list_roots)["Code"] == "AWSOrganizationsNotInUseException"
        assert theirs.create_organization()["Organization"]["MasterAccountId"] == OTHER_ACCOUNT
        theirs.delete_organization()
    finally:
        mine.delete_organization()


# --- organizational units ---------------------------------------------------------------------


@pytest.fixture
def tree(org: Any) -> dict[str, str]:
    created = org.create_organization()["Organization"]
    return {"org": created["Id"], "root": org.list_roots()["Roots"][0]["Id"]}


def test_ous_two_levels_deep(org: Any, tree: dict[str, str], server: IamdServer) -> None:
    eng = org.create_organizational_unit(ParentId=tree["root"], Name="Engineering")["OrganizationalUnit"]
    assert OU_ID.fullmatch(eng["Id"]) and eng["Id"].startswith(f"ou-{tree['root'][2:]}-")
    assert eng["Arn"] == f"arn:aws:organizations::{server.account_id}:ou/{tree['org']}/{eng['Id']}"
    assert eng["Path"] == f"{tree['org']}/{tree['root']}/{eng['Id']}/"
    prod = org.create_organizational_unit(ParentId=eng["Id"], Name="Prod")["OrganizationalUnit"]
    assert prod["Path"] == f"{tree['org']}/{tree['root']}/{eng['Id']}/{prod['Id']}/"
    assert org.describe_organizational_unit(OrganizationalUnitId=prod["Id"])["OrganizationalUnit"] == prod
    assert org.list_parents(ChildId=prod["Id"])["Parents"] == [{"Id": eng["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert org.list_parents(ChildId=eng["Id"])["Parents"] == [{"Id": tree["root"], "Type": "ROOT"}]
    assert org.list_children(ParentId=eng["Id"], ChildType="ORGANIZATIONAL_UNIT")["Children"] == [
        {"Id": prod["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert org.list_children(ParentId=tree["root"], ChildType="ACCOUNT")["Children"] == [
        {"Id": server.account_id, "Type": "ACCOUNT"}]
    assert [u["Id"] for u in org.list_organizational_units_for_parent(ParentId=tree["root"])["OrganizationalUnits"]] == [
        eng["Id"]]
    renamed = org.update_organizational_unit(OrganizationalUnitId=prod["Id"], Name="Production")["OrganizationalUnit"]
    assert renamed["Name"] == "Production" and renamed["Id"] == prod["Id"]
    assert reason_of(org.delete_organizational_unit, OrganizationalUnitId=eng["Id"])[0] == (
        "OrganizationalUnitNotEmptyException")
    org.delete_organizational_unit(OrganizationalUnitId=prod["Id"])
    org.delete_organizational_unit(OrganizationalUnitId=eng["Id"])
    assert org.list_organizational_units_for_parent(ParentId=tree["root"])["OrganizationalUnits"] == []


def test_ou_depth_limit_is_five(org: Any, tree: dict[str, str]) -> None:
    parent = tree["root"]
    for level in range(5):
        parent = org.create_organizational_unit(ParentId=parent, Name=f"L{level}")["OrganizationalUnit"]["Id"]
    assert reason_of(org.create_organizational_unit, ParentId=parent, Name="L5") == (
        "ConstraintViolationException", "OU_DEPTH_LIMIT_EXCEEDED")


def test_ou_errors(org: Any, tree: dict[str, str]) -> None:
    org.create_organizational_unit(ParentId=tree["root"], Name="Dup")
    assert reason_of(org.create_organizational_unit, ParentId=tree["root"], Name="dup")[0] == (
        "DuplicateOrganizationalUnitException")
    other = org.create_organizational_unit(ParentId=tree["root"], Name="Other")["OrganizationalUnit"]["Id"]
    assert reason_of(org.update_organizational_unit, OrganizationalUnitId=other, Name="DUP")[0] == (
        "DuplicateOrganizationalUnitException")
    missing_ou = f"ou-{tree['root'][2:]}-00000000"
    missing_root = "r-zzzz"
    assert reason_of(org.create_organizational_unit, ParentId=missing_root, Name="x")[0] == "ParentNotFoundException"
    assert reason_of(org.describe_organizational_unit, OrganizationalUnitId=missing_ou)[0] == (
        "OrganizationalUnitNotFoundException")
    assert reason_of(org.delete_organizational_unit, OrganizationalUnitId=missing_ou)[0] == (
        "OrganizationalUnitNotFoundException")
    assert reason_of(org.list_parents, ChildId=missing_ou)[0] == "ChildNotFoundException"
    assert reason_of(org.list_parents, ChildId="999999999999")[0] == "ChildNotFoundException"
    assert reason_of(org.list_children, ParentId=missing_ou, ChildType="ACCOUNT")[0] == "ParentNotFoundException"
    assert reason_of(org.list_organizational_units_for_parent, ParentId=missing_root)[0] == "ParentNotFoundException"
    assert reason_of(org.describe_organizational_unit, OrganizationalUnitId="not-an-ou") == (
        "InvalidInputException", "INVALID_PATTERN")
    assert reason_of(org.create_organizational_unit, ParentId=tree["root"], Name="n" * 129) == (
        "InvalidInputException", "MAX_LENGTH_EXCEEDED")


def test_ou_pagination(org: Any, tree: dict[str, str]) -> None:
    made = sorted(org.create_organizational_unit(ParentId=tree["root"], Name=f"ou{i}")["OrganizationalUnit"]["Id"]
                  for i in range(5))
    seen: list[str] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"ParentId": tree["root"], "MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        out = org.list_organizational_units_for_parent(**kwargs)
        assert len(out["OrganizationalUnits"]) <= 2
        seen += [u["Id"] for u in out["OrganizationalUnits"]]
        token = out.get("NextToken")
        if not token:
            break
    assert seen == made
    paginator = org.get_paginator("list_children")
    pages = list(paginator.paginate(ParentId=tree["root"], ChildType="ORGANIZATIONAL_UNIT",
                                    PaginationConfig={"PageSize": 3}))
    assert len(pages) == 2 and sum(len(p["Children"]) for p in pages) == 5


def test_forged_and_replayed_tokens(org: Any, tree: dict[str, str]) -> None:
    for i in range(3):
        org.create_organizational_unit(ParentId=tree["root"], Name=f"t{i}")
    token = org.list_organizational_units_for_parent(ParentId=tree["root"], MaxResults=1)["NextToken"]
    body, _, mac = token.rpartition(".")
    expected = ("InvalidInputException", "INVALID_NEXT_TOKEN")
    assert reason_of(org.list_organizational_units_for_parent, ParentId=tree["root"], NextToken=body + "." + "0" * len(mac)) == expected
    assert reason_of(org.list_organizational_units_for_parent, ParentId=tree["root"], NextToken="garbage") == expected
    # The token of one listing does not continue another (operation and parameters are bound).
    assert reason_of(org.list_children, ParentId=tree["root"], ChildType="ORGANIZATIONAL_UNIT", NextToken=token) == expected
    assert org.list_organizational_units_for_parent(ParentId=tree["root"], NextToken=token)["OrganizationalUnits"]


def test_ou_deny_on_its_arn(org: Any, iam: Any, tree: dict[str, str], server: IamdServer) -> None:
    """Identity policies see the OU's ARN: a Deny on one OU's ARN blocks deleting it, not another."""
    keep = org.create_organizational_unit(ParentId=tree["root"], Name="Keep")["OrganizationalUnit"]
    drop = org.create_organizational_unit(ParentId=tree["root"], Name="Drop")["OrganizationalUnit"]
    _, key = new_user(iam, "ops", {"Effect": "Allow", "Action": "organizations:*", "Resource": "*"},
                      {"Effect": "Deny", "Action": "organizations:DeleteOrganizationalUnit", "Resource": keep["Arn"]})
    ops = as_creds(server, "organizations", key)
    denied = reason_of(ops.delete_organizational_unit, OrganizationalUnitId=keep["Id"])
    assert denied[0] == "AccessDeniedException"
    ops.delete_organizational_unit(OrganizationalUnitId=drop["Id"])


def test_tags_on_ous_and_root(org: Any, tree: dict[str, str]) -> None:
    ou = org.create_organizational_unit(ParentId=tree["root"], Name="Tagged",
                                        Tags=[{"Key": "team", "Value": "a"}])["OrganizationalUnit"]["Id"]
    assert org.list_tags_for_resource(ResourceId=ou)["Tags"] == [{"Key": "team", "Value": "a"}]
    org.tag_resource(ResourceId=ou, Tags=[{"Key": "team", "Value": "b"}, {"Key": "env", "Value": "prod"}])
    assert org.list_tags_for_resource(ResourceId=ou)["Tags"] == [{"Key": "team", "Value": "b"},
                                                                   {"Key": "env", "Value": "prod"}]
    org.untag_resource(ResourceId=ou, TagKeys=["team"])
    assert org.list_tags_for_resource(ResourceId=ou)["Tags"] == [{"Key": "env", "Value": "prod"}]
    org.tag_resource(ResourceId=tree["root"], Tags=[{"Key": "k", "Value": "v"}])
    assert org.list_tags_for_resource(ResourceId=tree["root"])["Tags"] == [{"Key": "k", "Value": "v"}]
    assert reason_of(org.tag_resource, ResourceId=ou, Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]) == (
        "InvalidInputException", "DUPLICATE_TAG_KEY")
    assert reason_of(org.tag_resource, ResourceId=ou, Tags=[{"Key": "aws:x", "Value": "1"}]) == (
        "InvalidInputException", "INVALID_SYSTEM_TAGS_PARAMETER")
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert reason_of(org.tag_resource, ResourceId=ou, Tags=many) == ("ConstraintViolationException",
                                                                      "MAX_TAG_LIMIT_EXCEEDED")
    assert org.list_tags_for_resource(ResourceId=ou)["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert reason_of(org.list_tags_for_resource, ResourceId=f"ou-{tree['root'][2:]}-zzzzzzzz")[0] == (
        "TargetNotFoundException")
    assert reason_of(org.list_tags_for_resource, ResourceId="999999999999")[0] == "TargetNotFoundException"


def test_no_resource_policy_until_one_is_put(org: Any, tree: dict[str, str]) -> None:
    """More in test_organizations_resource_policy.py and test_organizations_unavailable.py."""
    err = error(org.describe_resource_policy)
    assert (err["Code"], err["HTTPStatus"]) == ("ResourcePolicyNotFoundException", 400)
