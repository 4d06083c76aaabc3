"""IAM OIDC providers with boto3 and the aws CLI: create, read, list, change, tag, delete, and
every operation's refusals as AWS words them."""

from __future__ import annotations

from typing import Any

import pytest
from functional_helpers import allow, error, new_user

from iamd.testing import IamdServer

ACCOUNT = "123456789012"
URL = "https://token.actions.githubusercontent.com"
ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
PRINT = "6938fd4d98bab03faadb97b34396831e3780aea1"


def test_lifecycle(iam: Any) -> None:
    made = iam.create_open_id_connect_provider(Url=URL, ClientIDList=["sts.amazonaws.com"],
                                               Tags=[{"Key": "team", "Value": "ci"}])
    assert made["OpenIDConnectProviderArn"] == ARN and made["Tags"] == [{"Key": "team", "Value": "ci"}]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com"] and got["ThumbprintList"] == []
    assert got["Tags"] == [{"Key": "team", "Value": "ci"}] and got["CreateDate"]
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == [{"Arn": ARN}]

    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="other")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="other")  # idempotent
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="sts.amazonaws.com")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="never-there")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=ARN, ThumbprintList=[PRINT])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert got["ClientIDList"] == ["other"] and got["ThumbprintList"] == [PRINT]

    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=ARN, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=ARN, TagKeys=["team"])
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=ARN)
    assert tags["Tags"] == [{"Key": "env", "Value": "prod"}] and tags["IsTruncated"] is False

    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_url_with_path_and_port_names_the_arn(iam: Any) -> None:
    arn = iam.create_open_id_connect_provider(Url="https://idp.example.com:8443/realms/dev/",
                                              ThumbprintList=[PRINT.upper()])["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/idp.example.com:8443/realms/dev"
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == "idp.example.com:8443/realms/dev" and got["ThumbprintList"] == [PRINT]


def test_the_cli_creates_and_reads_one(aws: Any) -> None:
    made = aws("iam", "create-open-id-connect-provider", "--url", URL, "--client-id-list", "sts.amazonaws.com")
    assert made["OpenIDConnectProviderArn"] == ARN
    got = aws("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", ARN)
    assert got["ClientIDList"] == ["sts.amazonaws.com"]


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({"Url": "http://insecure.example.com"}, "ValidationError", "Invalid Open ID Connect Provider URL"),
        ({"Url": "example.org"}, "ValidationError", "Invalid Open ID Connect Provider URL"),
        ({"Url": "https://"}, "ValidationError", "Invalid Open ID Connect Provider URL"),
        ({"Url": "https://idp.example.com/?x=1"}, "ValidationError", "Invalid Open ID Connect Provider URL"),
        ({"Url": "https://idp.example.com/#f"}, "ValidationError", "Invalid Open ID Connect Provider URL"),
        ({"Url": "https://user@idp.example.com"}, "ValidationError", "Invalid Open ID Connect Provider URL"),
        ({"Url": "https://" + "b" * 256}, "ValidationError", "Member must have length less than or equal to 255"),
        ({"Url": URL, "ThumbprintList": [c * 40 for c in "abcdef"]}, "InvalidInput",
         "Thumbprint list must contain fewer than 5 entries."),
        ({"Url": URL, "ThumbprintList": ["z" * 40]}, "InvalidInput", "hexadecimal"),
        ({"Url": URL, "ThumbprintList": ["a" * 41]}, "ValidationError", "Member must have length less than or equal to 40"),
        ({"Url": URL, "ClientIDList": [str(i) for i in range(101)]}, "LimitExceeded",
         "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100"),
        ({"Url": URL, "ClientIDList": ["x" * 256]}, "ValidationError", "Member must have length less than or equal to 255"),
        ({"Url": URL, "Tags": [{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]}, "InvalidInput", "Duplicate tag keys"),
        ({"Url": URL, "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]}, "ValidationError",
         "Member must have length less than or equal to 50"),
        ({"Url": URL, "IdentityCenterInstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef"}, "InvalidInput",
         "trusted identity propagation"),
    ],
)
def test_create_refusals(iam: Any, kwargs: dict[str, Any], code: str, message: str) -> None:
    err = error(iam.create_open_id_connect_provider, **kwargs)
    assert err["Code"] == code and message in err["Message"], err
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_one_provider_per_url_and_quota(iam: Any) -> None:
    iam.create_open_id_connect_provider(Url=URL)
    err = error(iam.create_open_id_connect_provider, Url=URL + "/")
    assert (err["Code"], err["HTTPStatus"]) == ("EntityAlreadyExists", 409)
    for i in range(99):
        iam.create_open_id_connect_provider(Url=f"https://idp{i}.example.com")
    err = error(iam.create_open_id_connect_provider, Url="https://one-too-many.example.com")
    assert err["Code"] == "LimitExceeded" and "OpenIdConnectProvidersPerAccount: 100" in err["Message"]


def test_trusted_identity_propagation_needs_identity_center(iam: Any) -> None:
    """More in test_iam_delegation_requests.py (UpdateOpenIDConnectProvider's request rules)."""
    iam.create_open_id_connect_provider(Url=URL)
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=ARN, RemoveContextProvider=True)
    err = error(iam.update_open_id_connect_provider, OpenIDConnectProviderArn=ARN,
                ContextProvider={"SubjectSourceKey": "sub"})
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidInput", 400)


def test_client_id_quota_on_add(iam: Any) -> None:
    iam.create_open_id_connect_provider(Url=URL, ClientIDList=[str(i) for i in range(100)])
    err = error(iam.add_client_id_to_open_id_connect_provider, OpenIDConnectProviderArn=ARN, ClientID="x")
    assert err["Code"] == "LimitExceeded" and "ClientIdsPerOpenIdConnectProvider" in err["Message"]
    assert len(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)["ClientIDList"]) == 100


MISSING = f"arn:aws:iam::{ACCOUNT}:oidc-provider/nowhere.example.com"
OTHERS = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"


@pytest.mark.parametrize("arn", [MISSING, f"arn:aws:iam::{ACCOUNT}:oidc-provider/", OTHERS])
@pytest.mark.parametrize(
    ("method", "extra"),
    [
        ("get_open_id_connect_provider", {}),
        ("delete_open_id_connect_provider", {}),
        ("add_client_id_to_open_id_connect_provider", {"ClientID": "x"}),
        ("remove_client_id_from_open_id_connect_provider", {"ClientID": "x"}),
        ("update_open_id_connect_provider_thumbprint", {"ThumbprintList": [PRINT]}),
        ("tag_open_id_connect_provider", {"Tags": [{"Key": "k", "Value": "v"}]}),
        ("untag_open_id_connect_provider", {"TagKeys": ["k"]}),
        ("list_open_id_connect_provider_tags", {}),
    ],
)
def test_every_operation_on_a_missing_provider(iam: Any, method: str, extra: dict[str, Any], arn: str) -> None:
    iam.create_open_id_connect_provider(Url=URL)  # same URL in this account: another account's ARN stays out
    err = error(getattr(iam, method), OpenIDConnectProviderArn=arn, **extra)
    if arn == OTHERS:
        # Another account's provider: not this account's to act on, whatever its name.
        assert (err["Code"], err["HTTPStatus"]) == ("AccessDenied", 403), err
        return
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404), err
    assert err["Message"] == f"OpenIDConnect Provider not found for arn {arn}"


@pytest.mark.parametrize(
    ("method", "extra", "code"),
    [
        ("update_open_id_connect_provider_thumbprint", {"ThumbprintList": [c * 40 for c in "abcdef"]}, "InvalidInput"),
        ("update_open_id_connect_provider_thumbprint", {"ThumbprintList": ["g" * 40]}, "InvalidInput"),
        ("add_client_id_to_open_id_connect_provider", {"ClientID": "x" * 256}, "ValidationError"),
        ("tag_open_id_connect_provider", {"Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]}, "ValidationError"),
    ],
)
def test_refusals_on_an_existing_provider(iam: Any, method: str, extra: dict[str, Any], code: str) -> None:
    iam.create_open_id_connect_provider(Url=URL, ThumbprintList=[PRINT])
    err = error(getattr(iam, method), OpenIDConnectProviderArn=ARN, **extra)
    assert err["Code"] == code, err
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert got["ThumbprintList"] == [PRINT] and got["ClientIDList"] == [] and "Tags" not in got


def test_permissions_are_per_provider(server: IamdServer, iam: Any, client_for: Any) -> None:
    """Authorization names the provider's ARN (CreateOpenIDConnectProvider's too, from its Url),
    and its tags reach aws:ResourceTag."""
    _, key = new_user(
        iam, "ci-admin",
        allow("iam:CreateOpenIDConnectProvider", "arn:aws:iam::*:oidc-provider/idp.example.com"),
        allow("iam:GetOpenIDConnectProvider", "*", StringEquals={"aws:ResourceTag/team": "ci"}),
    )
    mine = client_for("iam", key)
    arn = mine.create_open_id_connect_provider(Url="https://idp.example.com",
                                               Tags=[{"Key": "team", "Value": "ci"}])["OpenIDConnectProviderArn"]
    assert error(mine.create_open_id_connect_provider, Url=URL)["Code"] == "AccessDenied"
    assert mine.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["Url"] == "idp.example.com"
    iam.create_open_id_connect_provider(Url=URL)
    assert error(mine.get_open_id_connect_provider, OpenIDConnectProviderArn=ARN)["Code"] == "AccessDenied"
