"""ListEscalationPaths through boto3 with the model iamd ships (``AWS_DATA_PATH``), against a real
``iamd serve``: paths found, paged, authorized as ``iamd:ListEscalationPaths``, audited."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from iamd.data import models_path
from iamd.testing import IamdServer

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def iamd_client(server: IamdServer, monkeypatch: pytest.MonkeyPatch, creds: dict[str, Any] | None = None) -> Any:
    """As a user runs it: ``AWS_DATA_PATH`` set before boto3's session is made."""
    monkeypatch.setenv("AWS_DATA_PATH", str(models_path()))
    session = boto3.session.Session()
    key = creds or {"AccessKeyId": server.access_key_id, "SecretAccessKey": server.secret_access_key}
    return session.client("iamd", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def user_with(iam: Any, name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(*statements))
    return iam.create_access_key(UserName=name)["AccessKey"]


@pytest.fixture
def account(iam: Any, server: IamdServer) -> str:
    iam.create_role(RoleName="admin", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.attach_role_policy(RoleName="admin", PolicyArn=ADMIN)
    user_with(iam, "passer", allow(["iam:PassRole", "ec2:RunInstances"]))
    user_with(iam, "writer", allow("iam:PutUserPolicy", f"arn:aws:iam::{server.account_id}:user/writer"))
    user_with(iam, "reader", allow("s3:GetObject"))
    return server.account_id


def test_paths_of_the_account_paged_and_audited(server: IamdServer, account: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    client = iamd_client(server, monkeypatch)
    found = client.list_escalation_paths()
    by_principal = {p["PrincipalArn"].rsplit("/", 1)[1] for p in found["EscalationPaths"]}
    assert {"passer", "writer"} <= by_principal and "reader" not in by_principal
    first = next(p for p in found["EscalationPaths"] if p["PrincipalArn"].endswith("user/passer"))
    edge = first["Edges"][0]
    assert edge["Method"] == "iam:PassRole to ec2.amazonaws.com"
    assert edge["Result"] == f"arn:aws:iam::{account}:role/admin"
    assert {"Action": "iam:PassRole", "Resource": f"arn:aws:iam::{account}:role/admin",
            "Context": {"iam:PassedToService": "ec2.amazonaws.com"}} in edge["AllowedRequests"]
    assert first["Gains"]
    one = client.list_escalation_paths(PrincipalArn=f"arn:aws:iam::{account}:user/writer")
    assert {p["PrincipalArn"] for p in one["EscalationPaths"]} == {f"arn:aws:iam::{account}:user/writer"}
    pages: list[dict[str, Any]] = []
    token: dict[str, str] = {}
    while True:
        page = client.list_escalation_paths(MaxResults=1, **token)
        pages += page["EscalationPaths"]
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert pages == found["EscalationPaths"]
    with pytest.raises(ClientError) as bad:
        client.list_escalation_paths(NextToken=page.get("NextToken", "forged-token-value"))
    assert bad.value.response["Error"]["Code"] == "InvalidNextTokenException"
    # A read-only call is written to the trail just after its answer (as every List call is).
    trail = server.client("cloudtrail")
    for _ in range(100):
        events = trail.lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ListEscalationPaths"}])["Events"]
        if events:
            break
        time.sleep(0.05)
    assert events and events[0]["EventSource"] == "iamd.amazonaws.com"
    record = json.loads(events[0]["CloudTrailEvent"])
    assert record["readOnly"] is True and record["requestParameters"] is not None
    with pytest.raises(ClientError) as too_many:
        client.list_escalation_paths(MaxResults=101)
    assert too_many.value.response["Error"]["Code"] == "ValidationException"


def test_a_low_privilege_user_cannot_list_another_principals_paths(
        iam: Any, server: IamdServer, account: str, monkeypatch: pytest.MonkeyPatch) -> None:
    own = f"arn:aws:iam::{account}:user/" + "${aws:username}"
    key = user_with(iam, "self-only", allow("iamd:ListEscalationPaths", own))
    client = iamd_client(server, monkeypatch, key)
    mine = client.list_escalation_paths(PrincipalArn=f"arn:aws:iam::{account}:user/self-only")
    assert mine["EscalationPaths"] == []
    for params in ({"PrincipalArn": f"arn:aws:iam::{account}:user/passer"}, {}):
        with pytest.raises(ClientError) as denied:
            client.list_escalation_paths(**params)
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    nobody = iamd_client(server, monkeypatch, user_with(iam, "nobody"))
    with pytest.raises(ClientError) as denied:
        nobody.list_escalation_paths(PrincipalArn=f"arn:aws:iam::{account}:user/nobody")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"


def test_another_accounts_principal_is_not_analysed(server: IamdServer, account: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    client = iamd_client(server, monkeypatch)
    with pytest.raises(ClientError) as refused:
        client.list_escalation_paths(PrincipalArn="arn:aws:iam::999999999999:user/passer")
    assert refused.value.response["Error"]["Code"] in ("AccessDeniedException", "ValidationException")


def test_the_aws_cli_calls_it_with_the_shipped_model(server: IamdServer, account: str, aws: Any) -> None:
    out = aws("iamd", "list-escalation-paths", "--principal-arn", f"arn:aws:iam::{account}:user/passer",
              env={"AWS_DATA_PATH": str(models_path())})
    assert out["EscalationPaths"] and all(p["PrincipalArn"].endswith("user/passer") for p in out["EscalationPaths"])
