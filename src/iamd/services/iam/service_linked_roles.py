"""Service-linked roles: roles an AWS service owns, created and deleted through their own actions.

AWS names them ``AWSServiceRoleFor<Service>`` (``_<CustomSuffix>`` appended when given), puts
them at ``/aws-service-role/<service principal>/`` and lets only the service change them: the
trust policy, permissions boundary and policies of such a role are refused with UnmodifiableEntity
(``ensure_modifiable_role``), and DeleteRole refuses them too — DeleteServiceLinkedRole deletes
them, returning a deletion task whose status GetServiceLinkedRoleDeletionStatus reports. iamd has
no linked service to ask whether the role is in use, so a task always succeeds at once.

The role carries its service's AWS-managed policy, as on AWS, so a session of the role may do what
the service may do; a principal the catalogue does not know (a private cloud's own service) gets
a guessed name, accepts a suffix and has no policy until its service attaches one — which, as on
AWS, no API call can (the role is unmodifiable).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import Row, delete, insert, select

from iamd.services.context import Call

# A module object, not names: roles imports this module too (see roles.py).
from iamd.services.iam import aws_managed, roles
from iamd.services.iam import service_linked_names as names
from iamd.services.iam.errors import InvalidInput, NoSuchEntity, UnmodifiableEntity
from iamd.services.registry import action
from iamd.store import schema
from iamd.store.repos import roles as role_repo


def ensure_modifiable_role(row: Row[Any]) -> None:
    """Refuse, as AWS does, a change to a role only its service may change."""
    if row.service_linked:
        raise UnmodifiableEntity(
            f"Cannot perform the operation on the protected role '{row.name}' - this role is only modifiable by AWS"
        )


def _trust_policy(service: str) -> str:
    """The trust policy AWS writes (as GetRole shows it on AWS today; the aws CLI's 2019 example
    shows lists)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}],
        }
    )


@action("iam", "CreateServiceLinkedRole")
def create_service_linked_role(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """The role the service would make: AWS's name and path, a trust policy for the service, and
    the service's AWS-managed policy attached (``service_linked_catalogue``)."""
    service = p["AWSServiceName"]
    if not service.endswith(".amazonaws.com") or service == ".amazonaws.com":
        raise InvalidInput(f"Invalid service name: {service}")
    suffix = p.get("CustomSuffix")
    known = names.linked_role(service)
    if suffix is not None and known is not None and not known.suffix:
        raise InvalidInput(f"Custom suffix is not allowed for {service}")
    name = names.service_role_name(service, suffix)
    if len(name) > names.MAX_ROLE_NAME:
        raise InvalidInput(f"Service role name {name} is longer than {names.MAX_ROLE_NAME} characters.")
    if role_repo.get_by_name(call.conn, call.account_id, name) is not None:
        raise InvalidInput(
            f"Service role name {name} has been taken in this account, please try a different suffix."
        )
    row = roles.insert_role(
        call,
        name=name,
        path=names.role_path(service),
        trust_policy=_trust_policy(service),
        description=p.get("Description"),
        max_session_duration=roles.DEFAULT_MAX_SESSION_DURATION,
        service_linked=True,
    )
    for policy in known.policies if known is not None else ():
        call.conn.execute(
            insert(schema.policy_attachments).values(
                account_id=call.account_id,
                principal_type="role",
                principal_id=row.role_id,
                policy_arn=f"{aws_managed.PREFIX}{names.PATH_PREFIX}{policy}",
                attached_at=call.now,
            )
        )
    # The trust policy names only the service: nothing bound to show. AWS answers the role's
    # summary, without Description and MaxSessionDuration (the aws CLI's example passes a
    # description and shows none); GetRole has them.
    return {"Role": roles.role_summary(row, {})}


@action("iam", "DeleteServiceLinkedRole")
def delete_service_linked_role(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Delete at once, policies included (they are the service's), and record a finished task."""
    row = roles.get_role_row(call, p["RoleName"])
    if not row.service_linked:
        raise NoSuchEntity(f"The role with name {row.name} is not a service-linked role.")
    service = row.path.removeprefix(names.PATH_PREFIX).rstrip("/")
    task_uuid = str(uuid.uuid4())
    s = schema
    for table in (s.inline_policies, s.policy_attachments):
        call.conn.execute(
            delete(table).where(table.c.principal_type == "role", table.c.principal_id == row.role_id)
        )
    roles.remove_role(call, row)
    # INVARIANT: the store keys a task by its UUID; the full id (up to ~300 characters with a
    # long principal and suffix) does not fit the task_id column, and is rebuilt on lookup.
    call.conn.execute(
        insert(s.service_linked_role_deletions).values(
            task_id=task_uuid,
            account_id=call.account_id,
            role_name=row.name,
            status="SUCCEEDED",
            created_at=call.now,
        )
    )
    return {"DeletionTaskId": names.task_id(service, row.name, task_uuid)}


@action("iam", "GetServiceLinkedRoleDeletionStatus")
def get_service_linked_role_deletion_status(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    task = p["DeletionTaskId"]
    parsed = names.parse_task_id(task)
    if parsed is None:
        raise InvalidInput(f"Invalid deletion task id: {task}")
    service, role_name, task_uuid = parsed
    if not names.is_role_of(service, role_name):
        raise NoSuchEntity(f"Deletion task {task} cannot be found.")
    t = schema.service_linked_role_deletions
    row = call.conn.execute(
        select(t).where(
            t.c.task_id == task_uuid, t.c.account_id == call.account_id, t.c.role_name == role_name
        )
    ).first()
    if row is None:
        raise NoSuchEntity(f"Deletion task {task} cannot be found.")
    out: dict[str, Any] = {"Status": row.status}
    if row.reason:
        out["Reason"] = {"Reason": row.reason}
    return out
