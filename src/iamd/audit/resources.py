"""The ``Resources`` LookupEvents shows for an event: the IAM/STS entities the call named.

CloudTrail fills them from the request (and, for creations, the response): the user, group,
role, policy, instance profile, access key or MFA device the call is about, as
``{ResourceType: "AWS::IAM::User", ResourceName: "bob"}``; roles and policies given by ARN keep
their ARN. They are read from the stored record itself (its lowerCamelCase members), so
``iamd trail verify`` can recompute the lookup index from the hashed bytes.
"""

from __future__ import annotations

from typing import Any

# Member (as CloudTrail writes it) → resource type.
_MEMBERS = (
    ("userName", "AWS::IAM::User"),
    ("groupName", "AWS::IAM::Group"),
    ("roleName", "AWS::IAM::Role"),
    ("roleArn", "AWS::IAM::Role"),
    ("policyArn", "AWS::IAM::Policy"),
    ("instanceProfileName", "AWS::IAM::InstanceProfile"),
    ("accessKeyId", "AWS::IAM::AccessKey"),
    ("serialNumber", "AWS::IAM::MFADevice"),
    ("virtualMFADeviceName", "AWS::IAM::MFADevice"),
    ("serverCertificateName", "AWS::IAM::ServerCertificate"),
    ("sAMLProviderArn", "AWS::IAM::SAMLProvider"),
    ("openIDConnectProviderArn", "AWS::IAM::OIDCProvider"),
)
# Response structures whose members name what the call created.
_CREATED = ("user", "group", "role", "policy", "instanceProfile", "accessKey", "virtualMFADevice")
_MAX_NAME = 1024


def resources(event: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def add(kind: str, value: Any) -> None:
        if isinstance(value, str) and value and (kind, value) not in found:
            found.append((kind, value[:_MAX_NAME]))

    def scan(source: Any) -> None:
        if isinstance(source, dict):
            for member, kind in _MEMBERS:
                add(kind, source.get(member))

    params, response = event.get("requestParameters"), event.get("responseElements")
    scan(params)
    if isinstance(response, dict):
        for key in _CREATED:
            scan(response.get(key))
        user = response.get("assumedRoleUser")
        if isinstance(user, dict):
            add("AWS::STS::AssumedRole", user.get("arn"))
        creds = response.get("credentials")
        if isinstance(creds, dict):
            add("AWS::IAM::AccessKey", creds.get("accessKeyId"))
    return found
