"""The root-task policies of ``sts:AssumeRoot`` and when a root session still stands.

``AssumeRoot``'s API reference: "You must use one of following AWS managed policies to scope root
session actions" — the five documents under ``arn:aws:iam::aws:policy/root-task/``, which ship in
iamd's AWS-managed catalogue (``iamd/data/aws_managed_policies.json.gz``) with AWS's text. Each
is deny-only: it denies every action but the task's, and the task's actions on anything but a
root user (or for any caller but a root user). A root session is therefore the member's root user
— all access in its account, as the engine grants root — minus what the task policy denies.

Which feature each task needs ("Centralize root access for member accounts"): the credential
tasks are *root credentials management*, the unlock tasks *privileged root actions* (root
sessions).

A session stands only while its grounds do. AWS does not document whether disabling a feature,
trusted access, or removing the account from the organization ends sessions already issued; iamd
is strongly consistent and ends them on their next request (``still_stands``), which is never
less safe than letting them run out their 15 minutes.
"""

from __future__ import annotations

from sqlalchemy import Connection

from iamd.auth.session_claims import SessionClaims
from iamd.store import org_root_access as store
from iamd.store.org_root_access import ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS

PREFIX = "arn:aws:iam::aws:policy/root-task/"
TASK_POLICIES: dict[str, str] = {
    PREFIX + "IAMAuditRootUserCredentials": ROOT_CREDENTIALS_MANAGEMENT,
    PREFIX + "IAMCreateRootUserPassword": ROOT_CREDENTIALS_MANAGEMENT,
    PREFIX + "IAMDeleteRootUserCredentials": ROOT_CREDENTIALS_MANAGEMENT,
    PREFIX + "S3UnlockBucketPolicy": ROOT_SESSIONS,
    PREFIX + "SQSUnlockQueuePolicy": ROOT_SESSIONS,
}
# The claim naming the account that called AssumeRoot (the session's own account is the member's).
ISSUER_ACCOUNT = "issuer_account"


def grounds_error(conn: Connection, issuer_account: str, member_account: str, task_policy: str) -> str | None:
    """Why ``issuer_account`` may not hold a root session of ``member_account`` for this task, in
    one line; None when it may. Shared by AssumeRoot and every request of the session."""
    feature = TASK_POLICIES.get(task_policy)
    if feature is None:
        return "the task policy is not a root-task policy"
    org = store.membership(conn, issuer_account)
    if org is None or not org.all_features:
        return "the caller's account is not in an organization with all features"
    if issuer_account != org.management_account_id and not store.is_delegated_admin(
        conn, org.org_id, issuer_account
    ):
        return "the caller's account is not the management account or IAM's delegated administrator"
    if not store.trusted_access_enabled(conn, org.org_id):
        return "trusted access for IAM is not enabled in the organization"
    if not store.is_enabled(conn, org.org_id, feature):
        return f"{feature} is not enabled for the organization"
    member = store.membership(conn, member_account)
    if member is None or member.org_id != org.org_id or member_account == org.management_account_id:
        return "the target is not a member account of the caller's organization"
    if member.status != "ACTIVE":
        return "the target account is not active"
    return None


def still_stands(conn: Connection, claims: SessionClaims) -> bool:
    """Whether a root session's grounds hold now (authorization asks on every request)."""
    issuer = claims.extra.get(ISSUER_ACCOUNT)
    if issuer is None or len(claims.policy_arns) != 1:
        return False
    return grounds_error(conn, issuer, claims.account_id, claims.policy_arns[0]) is None
