"""What the Organizations policy tests share: documents, an error reader that keeps ``Reason``.

``conftest.py`` puts this folder on ``sys.path`` like ``functional_helpers``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
FULL = "p-FullAWSAccess"
RCP_FULL = "p-RCPFullAWSAccess"
MALFORMED = "The provided policy document does not meet the requirements of the specified policy type."


def scp(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements) or [
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]})


def rcp(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements) or [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aaaaaaaaaa"}}}]})


def fails(fn: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The ClientError as Code, Message, Reason (Organizations' modeled member) and HTTP status."""
    try:
        fn(**kwargs)
    except ClientError as err:
        return {**err.response["Error"], "Reason": err.response.get("Reason"),
                "HTTPStatus": err.response["ResponseMetadata"]["HTTPStatusCode"]}
    raise AssertionError(f"{fn.__name__} succeeded, an error was expected")


def code(fn: Callable[..., Any], **kwargs: Any) -> tuple[str, str | None]:
    err = fails(fn, **kwargs)
    assert err["HTTPStatus"] == 400, err
    return err["Code"], err["Reason"]


def new_org(org: Any, *types: str) -> str:
    """Create the organization, enable ``types`` on its root; returns the root id."""
    org.create_organization(FeatureSet="ALL")
    root_id: str = org.list_roots()["Roots"][0]["Id"]
    for t in types:
        org.enable_policy_type(RootId=root_id, PolicyType=t)
    return root_id


def create(org: Any, name: str, content: str | None = None, policy_type: str = SCP, **kw: Any) -> str:
    body = content if content is not None else (scp() if policy_type == SCP else rcp())
    out = org.create_policy(Name=name, Description=kw.pop("Description", ""), Type=policy_type, Content=body, **kw)
    return str(out["Policy"]["PolicySummary"]["Id"])


def attached(org: Any, target_id: str, policy_type: str = SCP) -> set[str]:
    return {p["Id"] for p in org.list_policies_for_target(TargetId=target_id, Filter=policy_type)["Policies"]}
