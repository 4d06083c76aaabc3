"""Black-box: the temporary-delegation operations and UpdateOpenIDConnectProvider against a real
``iamd serve``: what they answer without partner onboarding or IAM Identity Center, who may call
them, and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from functional_helpers import allow, as_creds, denied, error, new_user

from iamd.testing import IamdServer

REQUEST_ID = "dr-0123456789abcdef"
PERMISSIONS = {"PolicyTemplateArn": "arn:aws:iam::aws:delegation-template/PartnerSetup",
               "Parameters": [{"Name": "bucket", "Values": ["logs"], "Type": "string"}]}
CREATE = {"Description": "set up the product", "Permissions": PERMISSIONS, "RequestorWorkflowId": "wf-00001",
          "NotificationChannel": "arn:aws:sns:us-east-1:111122223333:partner", "SessionDuration": 3600}


def test_no_account_is_an_onboarded_partner_so_creating_a_request_is_refused(iam: Any) -> None:
    err = error(iam.create_delegation_request, **CREATE)
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidInput", 400), err
    assert "arn:aws:iam::aws:delegation-template/PartnerSetup is not registered" in err["Message"]
    without = error(iam.create_delegation_request, **(CREATE | {"Permissions": {}}))
    assert without["Code"] in ("InvalidInput", "ValidationError"), without
    assert iam.list_delegation_requests()["DelegationRequests"] == []


@pytest.mark.parametrize("op", ["get_delegation_request", "associate_delegation_request", "update_delegation_request",
                                "accept_delegation_request", "reject_delegation_request", "send_delegation_token"])
def test_every_operation_on_a_request_finds_none(iam: Any, op: str) -> None:
    err = error(getattr(iam, op), DelegationRequestId=REQUEST_ID)
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404), err
    assert err["Message"] == f"The delegation request with id {REQUEST_ID} cannot be found."


def test_the_summary_is_for_delegation_requests_only(server: IamdServer, iam: Any) -> None:
    arn = f"arn:aws:iam::{server.account_id}:delegation-request/{REQUEST_ID}"
    assert error(iam.get_human_readable_summary, EntityArn=arn)["Code"] == "NoSuchEntity"
    other = error(iam.get_human_readable_summary, EntityArn=f"arn:aws:iam::{server.account_id}:role/admin")
    assert other["Code"] == "InvalidInput"


def test_bad_input_is_refused_by_the_model(server: IamdServer) -> None:
    unchecked = server.client("iam", config=Config(parameter_validation=False))
    for changed in ({"SessionDuration": 60}, {"SessionDuration": 50000}, {"RequestorWorkflowId": "w"},
                    {"RedirectUrl": "javascript:alert(1)"}, {"OwnerAccountId": "12"}, {"Description": "x" * 1001}):
        err = error(unchecked.create_delegation_request, **(CREATE | changed))
        assert (err["Code"], err["HTTPStatus"]) == ("ValidationError", 400), (changed, err)
    assert error(unchecked.get_delegation_request, DelegationRequestId="short")["Code"] == "ValidationError"
    assert error(unchecked.get_delegation_request, DelegationRequestId="x" * 20 + "/..")["Code"] == "ValidationError"


def test_callers_without_permission_are_denied_on_the_requests_arn(server: IamdServer, iam: Any) -> None:
    _, key = new_user(iam, "low", allow("iam:GetDelegationRequest", f"arn:aws:iam::{server.account_id}:delegation-request/mine-0000000000000"))
    low = as_creds(server, "iam", key)
    message = denied(low.accept_delegation_request, DelegationRequestId=REQUEST_ID)
    assert f"iam:AcceptDelegationRequest on resource: arn:aws:iam::{server.account_id}:delegation-request/{REQUEST_ID}" in message
    message = denied(low.get_delegation_request, DelegationRequestId=REQUEST_ID)
    assert f"delegation-request/{REQUEST_ID}" in message
    assert error(low.get_delegation_request, DelegationRequestId="mine-0000000000000")["Code"] == "NoSuchEntity"
    denied(low.create_delegation_request, **CREATE)
    denied(low.list_delegation_requests)


# --- UpdateOpenIDConnectProvider ------------------------------------------------------------------

@pytest.fixture
def provider(iam: Any) -> str:
    return str(iam.create_open_id_connect_provider(Url="https://idp.example.com", ClientIDList=["app"])[
        "OpenIDConnectProviderArn"])


def test_removing_either_configuration_succeeds_and_setting_one_needs_identity_center(iam: Any, provider: str) -> None:
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=provider, RemoveContextProvider=True)
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=provider, RemoveIdentityCenterInstance=True)
    for kw in ({"ContextProvider": {"SubjectSourceKey": "sub"}},
               {"IdentityCenterInstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef"}):
        err = error(iam.update_open_id_connect_provider, OpenIDConnectProviderArn=provider, **kw)
        assert (err["Code"], err["HTTPStatus"]) == ("InvalidInput", 400), err
        assert "no IAM Identity Center" in err["Message"]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    assert got["ClientIDList"] == ["app"]
    assert "ContextProvider" not in got


@pytest.mark.parametrize("kw", [
    {"ContextProvider": {"SubjectSourceKey": "sub"}, "RemoveContextProvider": True},
    {"IdentityCenterInstanceArn": "arn:aws:sso:::instance/ssoins-1", "RemoveIdentityCenterInstance": True},
    {"RemoveContextProvider": True, "RemoveIdentityCenterInstance": True},
    {},
    {"RemoveContextProvider": False},
])
def test_a_request_must_change_exactly_one_configuration(iam: Any, provider: str, kw: dict[str, Any]) -> None:
    err = error(iam.update_open_id_connect_provider, OpenIDConnectProviderArn=provider, **kw)
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidInput", 400), err


def test_a_missing_provider_is_not_found_and_another_accounts_is_denied(
    server: IamdServer, iam: Any, provider: str
) -> None:
    arn = provider + "x"
    err = error(iam.update_open_id_connect_provider, OpenIDConnectProviderArn=arn, RemoveContextProvider=True)
    assert err["Code"] == "NoSuchEntity", err
    assert err["Message"] == f"OpenIDConnect Provider not found for arn {arn}"
    other = provider.replace(server.account_id, "210987654321")
    denied(iam.update_open_id_connect_provider, OpenIDConnectProviderArn=other, RemoveContextProvider=True)


def test_update_is_authorized_on_the_provider(server: IamdServer, iam: Any, provider: str) -> None:
    _, key = new_user(iam, "oidc-admin", allow("iam:UpdateOpenIDConnectProvider",
                                                f"arn:aws:iam::{server.account_id}:oidc-provider/other.example.com"))
    low = as_creds(server, "iam", key)
    message = denied(low.update_open_id_connect_provider, OpenIDConnectProviderArn=provider, RemoveContextProvider=True)
    assert f"iam:UpdateOpenIDConnectProvider on resource: {provider}" in message
