"""The simulator's request members, checked as AWS checks them before simulating anything.

Shared by the IAM actions and ``iamd policy simulate``. Each refusal is a
``SimulationInputError`` carrying the sentence (AWS's where it is known: "Invalid Entity Arn: …
does not clearly define entity type and name.", "'…' is not a valid as a Resource Owner.").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from iamd.analysis.sim_context import SimulationInputError
from iamd.policy import PrincipalType, RequestPrincipal

_ENTITY = re.compile(r"arn:aws:iam::(\d{12}):(user|group|role)(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]{1,128})")
_SESSION = re.compile(r"arn:aws:sts::(\d{12}):assumed-role/([\w+=,.@-]{1,64})/[\w+=,.@-]{2,64}")
_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9*?_-]+")
_RESOURCE = re.compile(r"arn:[^:]+:[^:]*:[^:]*:[^:]*:.+")
_OWNER = re.compile(r"(?:arn:aws:iam::)?(\d{12})(?::root)?")
MAX_ACTIONS = 1000
MAX_RESOURCES = 1000

# ResourceHandlingOption scenarios → the EC2 resource types each requires (IAM User Guide,
# "Actions that require different groups of resource types"; the API reference lists the VPC ones).
SCENARIOS: dict[str, tuple[str, ...]] = {
    "EC2-Classic-InstanceStore": ("instance", "image", "security-group"),
    "EC2-Classic-EBS": ("instance", "image", "security-group", "volume"),
    "EC2-VPC-InstanceStore": ("instance", "image", "security-group", "network-interface"),
    "EC2-VPC-InstanceStore-Subnet": ("instance", "image", "security-group", "network-interface", "subnet"),
    "EC2-VPC-EBS": ("instance", "image", "security-group", "network-interface", "volume"),
    "EC2-VPC-EBS-Subnet": ("instance", "image", "security-group", "network-interface", "subnet", "volume"),
}


def invalid_entity(arn: str) -> SimulationInputError:
    return SimulationInputError(f"Invalid Entity Arn: {arn} does not clearly define entity type and name.")


def parse_entity_arn(arn: str, sessions: bool = True) -> tuple[str, str, str | None, str]:
    """(kind, account, path or None, name) of a user, group or role ARN. With ``sessions``, a
    role session's ARN names its role (path unknown: the role's own is used)."""
    m = _ENTITY.fullmatch(arn)
    if m:
        return m.group(2), m.group(1), m.group(3), m.group(4)
    s = _SESSION.fullmatch(arn) if sessions else None
    if s:
        return "role", s.group(1), None, s.group(2)
    raise invalid_entity(arn)


def caller_principal(arn: str, user_required: str | None, user_id: str | None = None) -> RequestPrincipal:
    """The simulated caller. A user ARN is an IAM user; a role ARN a session of that role (the
    role's policies apply to its sessions); a group ARN a user of the group. ``user_required``:
    the sentence to refuse anything but a user with (a resource-based policy is simulated)."""
    kind, account, _, _ = parse_entity_arn(arn, sessions=False)
    if user_required and kind != "user":
        raise SimulationInputError(user_required)
    if kind == "role":
        return RequestPrincipal(arn, account, PrincipalType.ROLE_SESSION, source_arn=arn)
    return RequestPrincipal(arn, account, PrincipalType.USER, id=user_id)


def unnamed_caller(account: str) -> RequestPrincipal:
    """SimulateCustomPolicy without ``CallerArn``: a user of the account nobody names. Only a
    resource-based policy reads the caller's ARN, and one requires ``CallerArn``."""
    return RequestPrincipal(f"arn:aws:iam::{account}:user/", account, PrincipalType.USER)


def resource_owner(value: str | None) -> str | None:
    """``ResourceOwner``: an account ID or its ``arn:aws:iam::ID:root``."""
    if value is None:
        return None
    m = _OWNER.fullmatch(value)
    if m is None:
        raise SimulationInputError(f"'{value}' is not a valid as a Resource Owner.")
    return m.group(1)


def check_actions(actions: Sequence[str]) -> None:
    if not actions:
        raise SimulationInputError("ActionNames must contain at least one action.")
    if len(actions) > MAX_ACTIONS:
        raise SimulationInputError(f"The number of ActionNames cannot exceed {MAX_ACTIONS}.")
    for name in actions:
        if not _ACTION.fullmatch(name):
            raise SimulationInputError(
                f"Invalid action name {name}: actions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
            )


def check_resources(resources: Sequence[str]) -> None:
    if len(resources) > MAX_RESOURCES:
        raise SimulationInputError(f"The number of ResourceArns cannot exceed {MAX_RESOURCES}.")
    for arn in resources:
        if arn != "*" and not _RESOURCE.fullmatch(arn):
            raise SimulationInputError(f'Resource {arn} must be in ARN format or "*".')


def _ec2_type(arn: str) -> str | None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "ec2":
        return None
    return parts[5].split("/", 1)[0]


def check_resource_handling(option: str | None, resources: Sequence[str]) -> None:
    """"By specifying the type of simulation to run, you enable the policy simulator to enforce
    the presence of the required resources to ensure reliable simulation results.\""""
    if option is None:
        return
    required = SCENARIOS.get(option)
    if required is None:
        raise SimulationInputError(
            f"Invalid ResourceHandlingOption {option}; valid options: {', '.join(SCENARIOS)}."
        )
    present = {_ec2_type(arn) for arn in resources}
    missing = [t for t in required if t not in present]
    if missing:
        raise SimulationInputError(
            f"ResourceHandlingOption {option} requires ResourceArns of the resource types "
            f"{', '.join(required)}; missing: {', '.join(missing)}."
        )
