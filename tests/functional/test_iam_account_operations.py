"""Black-box: SetSecurityTokenServicePreferences (in GetAccountSummary), Get/PutAccountProperties,
and the role-template operations, against a real ``iamd serve``; the aws CLI example of AWS's
documentation run as written; who may call them, and bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.config import Config
from functional_helpers import allow, as_creds, denied, doc, error, new_user, poll
from org_helpers import Org

from iamd.testing import IamdServer

TEMPLATE = "arn:aws:iam::aws:role-template/ExampleServiceTemplate"


@pytest.fixture
def unchecked(server: IamdServer) -> Any:
    """An IAM client that sends what botocore would refuse, as a hostile client does."""
    return server.client("iam", config=Config(parameter_validation=False))


def token_version(iam: Any) -> int:
    return int(iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"])


def test_the_token_version_is_1_until_set_and_then_what_was_set(iam: Any) -> None:
    assert token_version(iam) == 1
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert token_version(iam) == 2
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert token_version(iam) == 2
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert token_version(iam) == 1


def test_the_cli_example_sets_version_2_and_prints_nothing(aws: Any, iam: Any) -> None:
    # awscli/examples/iam/set-security-token-service-preferences.rst: "This command produces no output."
    out = aws("iam", "set-security-token-service-preferences", "--global-endpoint-token-version", "v2Token")
    assert out == ""
    assert token_version(iam) == 2


@pytest.mark.parametrize("value", ["v3Token", "v2token", ""])
def test_a_version_outside_the_models_enum_is_refused_and_changes_nothing(iam: Any, value: str) -> None:
    err = error(iam.set_security_token_service_preferences, GlobalEndpointTokenVersion=value)
    assert (err["Code"], err["HTTPStatus"]) == ("ValidationError", 400), err
    assert token_version(iam) == 1


def test_the_preference_is_the_accounts_own(server: IamdServer, iam: Any) -> None:
    org = Org(server)
    member = org.account("member")
    member_iam = org.as_admin(member)
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert token_version(member_iam) == 1
    member_iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert (token_version(iam), token_version(member_iam)) == (1, 2)


def test_a_user_without_permission_and_a_role_session_of_a_read_only_role_are_denied(
    server: IamdServer, iam: Any
) -> None:
    _, key = new_user(iam, "reader", allow(["iam:GetAccountSummary", "iam:GetAccountProperties"]))
    low = as_creds(server, "iam", key)
    message = denied(low.set_security_token_service_preferences, GlobalEndpointTokenVersion="v2Token")
    assert "iam:SetSecurityTokenServicePreferences on resource: *" in message
    denied(low.put_account_properties, Properties={"RoleManager/Enabled": "true"})
    denied(low.get_role_template_version, TemplateArn=TEMPLATE)
    denied(low.acquire_role, TemplateArn=TEMPLATE)
    assert low.get_account_properties()["Properties"] == {}

    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
                 "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="viewer", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName="viewer", PolicyName="p", PolicyDocument=doc(allow("iam:Get*")))
    _, admin = new_user(iam, "admin", allow("*"))
    session = as_creds(server, "sts", admin).assume_role(
        RoleArn=f"arn:aws:iam::{server.account_id}:role/viewer", RoleSessionName="ses")["Credentials"]
    viewer = as_creds(server, "iam", session)
    denied(viewer.set_security_token_service_preferences, GlobalEndpointTokenVersion="v2Token")
    assert token_version(iam) == 1
    # A Deny wins over the role's Allow of iam:Get*.
    iam.put_role_policy(RoleName="viewer", PolicyName="no", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "iam:GetRoleTemplateVersion", "Resource": "*"}))
    denied(viewer.get_role_template_version, TemplateArn=TEMPLATE)


def test_each_call_is_in_the_audit_trail(server: IamdServer, iam: Any) -> None:
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    error(iam.put_account_properties, Properties={"RoleManager/Enabled": "true"})
    ct = server.client("cloudtrail")

    def found() -> dict[str, dict[str, Any]] | None:
        events = ct.lookup_events(MaxResults=50)["Events"]
        by_name = {e["EventName"]: json.loads(e["CloudTrailEvent"]) for e in events}
        names = {"SetSecurityTokenServicePreferences", "PutAccountProperties"}
        return by_name if names <= set(by_name) else None

    events = poll(found)
    preference = events["SetSecurityTokenServicePreferences"]
    assert preference["eventSource"] == "iam.amazonaws.com"
    assert preference["requestParameters"] == {"globalEndpointTokenVersion": "v2Token"}
    assert preference["readOnly"] is False
    assert events["PutAccountProperties"]["errorCode"].startswith("InvalidInput")


def test_account_properties_are_empty_and_a_put_is_checked_then_refused(iam: Any) -> None:
    assert iam.get_account_properties()["Properties"] == {}
    cases = {
        "RoleManager/Enabled": "The account property namespace RoleManager is not supported",
        "RoleManager": "must be Namespace/PropertyName",
        "Role/Manager/Enabled": "must be Namespace/PropertyName",
        "RoleManager/": "must be Namespace/PropertyName",
    }
    for key, words in cases.items():
        err = error(iam.put_account_properties, Properties={key: "true"})
        assert (err["Code"], err["HTTPStatus"]) == ("InvalidInput", 400), err
        assert words in err["Message"], err
    mixed = error(iam.put_account_properties, Properties={"A/x": "1", "B/y": "2"})
    assert mixed["Message"] == "All properties in a single request must belong to the same namespace."
    empty = error(iam.put_account_properties, Properties={})
    assert empty["Code"] in ("ValidationError", "InvalidInput"), empty
    assert iam.get_account_properties()["Properties"] == {}


@pytest.mark.parametrize("key", ["1Role/x", "Role Manager/x", "R" * 51])
def test_a_property_key_outside_the_models_pattern_is_a_validation_error(unchecked: Any, key: str) -> None:
    err = error(unchecked.put_account_properties, Properties={key: "true"})
    assert (err["Code"], err["HTTPStatus"]) == ("ValidationError", 400), err


def test_no_role_template_exists_so_none_can_be_read_or_acquired(iam: Any) -> None:
    for call, kw in ((iam.get_role_template_version, {"MinorVersion": 2}), (iam.acquire_role, {
            "ReplacementValues": {"Team": {"Values": ["blue"]}}})):
        err = error(call, TemplateArn=TEMPLATE, **kw)
        assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404), err
        assert err["Message"] == f"The role template with ARN {TEMPLATE} cannot be found."
    assert iam.list_roles()["Roles"] == []


@pytest.mark.parametrize(
    ("arn", "minor"),
    [("not-an-arn-at-all-but-long", None), ("arn:aws:s3:::bucket/template-x", None), (TEMPLATE, -1)],
)
def test_a_bad_template_request_is_invalid_input(unchecked: Any, arn: str, minor: int | None) -> None:
    kw = {} if minor is None else {"MinorVersion": minor}
    err = error(unchecked.get_role_template_version, TemplateArn=arn, **kw)
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidInput", 400), err
    short = error(unchecked.acquire_role, TemplateArn="arn:aws:iam::x")
    assert short["Code"] == "ValidationError"
