"""Root's GetFederationToken sessions, and resource tags of MFA devices in authorization."""

from __future__ import annotations

import json
from typing import Any


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_root_federation_token_is_root_intersected_with_the_session_policy(server, sts, error_of) -> None:
    """Federated users call no IAM (see test_security_federation.py): CloudTrail shows the rule."""
    session_policy = _policy({"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"})

    def client(policy: str, service: str = "cloudtrail"):
        creds = sts.get_federation_token(Name="ops", Policy=policy, DurationSeconds=900)["Credentials"]
        return server.client(
            service,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    client(session_policy).lookup_events(MaxResults=1)
    other = _policy({"Effect": "Allow", "Action": "iam:*", "Resource": "*"})
    err = error_of(client(other).lookup_events, MaxResults=1)
    assert err["Code"] == "AccessDeniedException" and "no session policy allows" in err["Message"]


def test_mfa_device_tags_reach_authorization(server, iam, client_for, error_of) -> None:
    iam.create_virtual_mfa_device(VirtualMFADeviceName="locked", Tags=[{"Key": "locked", "Value": "yes"}])
    iam.create_virtual_mfa_device(VirtualMFADeviceName="free")
    iam.create_user(UserName="admin")
    iam.put_user_policy(
        UserName="admin",
        PolicyName="p",
        PolicyDocument=_policy(
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "iam:DeleteVirtualMFADevice",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/locked": "yes"}},
            },
        ),
    )
    admin = client_for("iam", iam.create_access_key(UserName="admin")["AccessKey"])
    account = server.account_id
    err = error_of(admin.delete_virtual_mfa_device, SerialNumber=f"arn:aws:iam::{account}:mfa/locked")
    assert err["Code"] == "AccessDenied" and "explicit deny" in err["Message"]
    admin.delete_virtual_mfa_device(SerialNumber=f"arn:aws:iam::{account}:mfa/free")
