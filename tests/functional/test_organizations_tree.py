"""Organizations through boto3 and the aws CLI: the organization, its root, its tree."""

from __future__ import annotations

import re
from typing import Any

import pytest
from functional_helpers import OTHER_ACCOUNT, as_creds, error, new_user

from iamd.testing import IamdServer

ORG_ID = re.compile(r"o-[a-z0-9]{10,32}")
ROOT_ID = re.compile(r"r-[0-9a-z]{4,32}")


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
    assert error(org.create_organization, FeatureSet="NONE")["Code"] == "ValidationException"


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
    assert denied["Code"] == "AccessDenied" and denied["HTTPStatus"] == 403
    assert "organizations:DescribeOrganization" in denied["Message"]
    reading = as_creds(server, "organizations", reader)
    assert reading.describe_organization()["Organization"]["MasterAccountId"] == server.account_id
    assert error(reading.list_roots)["Code"] == "AccessDenied"
    assert error(reading.delete_organization)["Code"] == "AccessDenied"


def test_deny_on_the_organization_resource(org: Any, iam: Any, server: IamdServer) -> None:
    """The ListRoots / DeleteOrganization resource is ``*``; a Deny naming the root ARN holds for
    calls that name the root (checked once OUs exist); here a Deny of everything holds."""
    org.create_organization()
    _, admin = new_user(iam, "admin", {"Effect": "Allow", "Action": "*", "Resource": "*"},
                        {"Effect": "Deny", "Action": "organizations:Delete*", "Resource": "*"})
    acting = as_creds(server, "organizations", admin)
    assert acting.list_roots()["Roots"]
    assert error(acting.delete_organization)["Code"] == "AccessDenied"
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
