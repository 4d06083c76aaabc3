"""Service-linked role names: the role, path and deletion task id AWS gives a service's role.

Pure naming, shared by the actions (``service_linked_roles.py``) and authorization
(``authz/resources.py``), which must authorize CreateServiceLinkedRole on the ARN the role will
have and GetServiceLinkedRoleDeletionStatus on the role its task deleted: one function names the
role for both, so what is authorized is what is created.
"""

from __future__ import annotations

from iamd.services.iam.service_linked_catalogue import LINKED_ROLES, LinkedRole

PATH_PREFIX = "/aws-service-role/"
ROLE_PREFIX = "AWSServiceRoleFor"
MAX_ROLE_NAME = 64
TASK_PREFIX = "task" + PATH_PREFIX


def _camel(label: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in label.split("-") if part)


def linked_role(service: str) -> LinkedRole | None:
    """What AWS's service makes for this principal (``service_linked_catalogue``), if iamd knows."""
    return LINKED_ROLES.get(service)


def service_role_name(service: str, suffix: str | None = None) -> str:
    """``AWSServiceRoleFor…``: AWS's name where known, else a CamelCase of the principal, with
    ``_<suffix>`` appended when one is given.

    For a principal the catalogue does not know (a private cloud's own service), the name is
    guessed in the shape AWS uses: ``sub.service.amazonaws.com`` becomes ``Service_Sub``.
    """
    known = LINKED_ROLES.get(service)
    if known is not None:
        name = known.role_name
    else:
        labels = service.removesuffix(".amazonaws.com").split(".")
        name = ROLE_PREFIX + _camel(labels[-1]) + "".join("_" + _camel(label) for label in reversed(labels[:-1]))
    return f"{name}_{suffix}" if suffix else name


def role_path(service: str) -> str:
    """``/aws-service-role/<service principal>/``."""
    return f"{PATH_PREFIX}{service}/"


def role_arn(account_id: str, service: str, suffix: str | None = None) -> str:
    """The ARN CreateServiceLinkedRole gives the role."""
    return f"arn:aws:iam::{account_id}:role{role_path(service)}{service_role_name(service, suffix)}"


def task_id(service: str, role_name: str, task_uuid: str) -> str:
    return f"{TASK_PREFIX}{service}/{role_name}/{task_uuid}"


def parse_task_id(task: str) -> tuple[str, str, str] | None:
    """(service, role name, task UUID) of ``task/aws-service-role/<service>/<role>/<uuid>``, or
    None when it does not have that shape."""
    parts = task.removeprefix(TASK_PREFIX).split("/")
    if not task.startswith(TASK_PREFIX) or len(parts) != 3 or not all(parts):
        return None
    service, role_name, task_uuid = parts
    return service, role_name, task_uuid


def is_role_of(service: str, role_name: str) -> bool:
    """Whether ``role_name`` is a name the service's roles get (with or without a suffix): a task
    id must not name one service and another service's role, since the service part is what
    the status call is authorized on."""
    base = service_role_name(service)
    return role_name == base or role_name.startswith(base + "_")
