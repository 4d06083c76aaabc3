"""AssumeRoot: a short root-user session in a member account, scoped to one privileged task.

From AssumeRoot's API reference and "Perform a privileged task on an AWS Organizations member
account" (IAM User Guide):

- "You must use credentials from an Organizations management account or a delegated
  administrator account for IAM to call AssumeRoot. You cannot use root user credentials";
- centralized root access must be enabled (``root_tasks``: trusted access for IAM and the
  task's feature);
- ``TargetPrincipal`` is "the member account principal ARN or account ID" — a member of the
  caller's organization, never the management account itself nor an account outside it;
- ``TaskPolicyArn`` must be one of the five root-task policies; it becomes the session policy;
- ``DurationSeconds`` ranges up to 900 (the model refuses more), 900 by default.

Whether the caller may call it at all — ``sts:AssumeRoot`` on ``arn:aws:iam::MEMBER:root``, with
``sts:TaskPolicyArn`` — is authorization's, before this runs. Every refusal about the target is
the same AccessDenied, so a caller learns nothing about accounts outside its organization.

The session acts as the member's root user (``arn:aws:iam::MEMBER:root``, unique id the account
id, which GetCallerIdentity answers); its token goes through ``auth/sessions`` like any other.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from iamd.auth.session_claims import ROOT_SESSION
from iamd.errors import AccessDenied, ValidationError
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.services.sts import credentials
from iamd.services.sts.root_tasks import ISSUER_ACCOUNT, TASK_POLICIES, grounds_error

MAX_SECONDS = 900
ROOT_CANNOT_ASSUME_ROOT = "You cannot use root user credentials to call AssumeRoot."
_TARGET = re.compile(r"(?:arn:aws:iam::)?(\d{12})(?::root)?")


def target_account(principal: str) -> str:
    """The account id of ``TargetPrincipal``: an account id or its root user's ARN."""
    found = _TARGET.fullmatch(principal)
    if found is None or (principal.startswith("arn:") != principal.endswith(":root")):
        raise ValidationError(
            f"Invalid TargetPrincipal: {principal}. Specify a member account ID or its root user ARN."
        )
    return found.group(1)


def _task_policy(p: dict[str, Any]) -> str:
    arn = str((p.get("TaskPolicyArn") or {}).get("arn") or "")
    if arn not in TASK_POLICIES:
        raise ValidationError(
            f"Invalid TaskPolicyArn: {arn or 'null'}. Use one of the AWS managed policies under "
            "arn:aws:iam::aws:policy/root-task/."
        )
    return arn


@action("sts", "AssumeRoot")
def assume_root(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    if call.caller.is_root:
        raise AccessDenied(ROOT_CANNOT_ASSUME_ROOT)
    member = target_account(p["TargetPrincipal"])
    task = _task_policy(p)
    seconds = p.get("DurationSeconds")
    seconds = MAX_SECONDS if seconds is None else int(seconds)
    if seconds > MAX_SECONDS:  # the model holds it already; this stays true if the model changes
        raise ValidationError(f"DurationSeconds exceeds the {MAX_SECONDS} second limit of AssumeRoot.")
    why = grounds_error(call.conn, call.account_id, member, task)
    if why is not None:
        raise AccessDenied(
            f"User: {call.caller.arn} is not authorized to perform: sts:AssumeRoot on resource: "
            f"arn:aws:iam::{member}:root because {why}"
        )
    session = credentials.caller_session(call)
    source_identity = session.source_identity if session else None
    _, creds = credentials.new_credentials(
        call,
        timedelta(seconds=seconds),
        kind=ROOT_SESSION,
        account_id=member,
        arn=f"arn:aws:iam::{member}:root",
        principal_id=member,
        source_arn=call.caller.arn,
        source_id=call.caller.user_id,
        policy_arns=(task,),
        source_identity=source_identity,
        extra={ISSUER_ACCOUNT: call.account_id},
    )
    out: dict[str, Any] = {"Credentials": creds}
    if source_identity is not None:
        out["SourceIdentity"] = source_identity
    return out
