"""GetRoleTemplateVersion and AcquireRole: roles made from a role template.

IAM API Reference: "Role templates define a reusable configuration ... that you use to create IAM
roles with AcquireRole"; a template version says ``ManagedByType`` ``Service`` — "the role
template is managed by an AWS service" — and ``ManagedByValue``, that service. No API creates a
template: they are published by AWS services, and AWS has not published any template's ARN,
content or ARN format. iamd ships none, so every template ARN is, truthfully, one that cannot be
found: NoSuchEntity, after the request is checked (an ARN that is not an IAM ARN, a negative
minor version: InvalidInput; the model's bounds on ``ReplacementValues`` are api/'s). No role is created. Listed in
docs/aws-fidelity.md.
"""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.iam.errors import InvalidInput, NoSuchEntity
from iamd.services.registry import action


def _template(p: dict[str, Any], minor_member: str) -> str:
    arn = str(p["TemplateArn"])
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5]:
        raise InvalidInput(f"The role template ARN {arn} is not a valid IAM ARN.")
    minor = p.get(minor_member)
    if minor is not None and minor < 0:
        raise InvalidInput(f"{minor_member} must be 0 or greater.")
    return arn


def _not_found(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"The role template with ARN {arn} cannot be found.")


@action("iam", "GetRoleTemplateVersion")
def get_role_template_version(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    raise _not_found(_template(p, "MinorVersion"))


@action("iam", "AcquireRole")
def acquire_role(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    raise _not_found(_template(p, "TemplateMinorVersion"))
