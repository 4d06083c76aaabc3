"""What a temporary credential carries: everything needed to authenticate and authorize its calls.

Session tokens are self-contained (``auth/sessions.py`` seals these claims with a key derived from
the master key), so any node verifies a session without a database read. Authorization still reads
the issuing role or user from the store, so deleting a role ends its sessions at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

# kind: which STS call issued the credentials.
ASSUMED_ROLE = "assumed-role"  # AssumeRole (and later AssumeRoleWithWebIdentity/SAML)
FEDERATED_USER = "federated-user"  # GetFederationToken
SESSION_TOKEN = "session-token"  # GetSessionToken: the IAM user (or root) itself, possibly with MFA
ROOT_SESSION = "root-session"  # AssumeRoot: a member account's root, scoped by a root-task policy
# ``extra`` key of GetScopedCredentials' scope-down policies: a JSON array of policy documents,
# oldest first, each a layer every request must also be allowed by.
SCOPED_POLICIES = "scoped"


@dataclass(frozen=True, slots=True)
class SessionClaims:
    kind: str
    account_id: str
    access_key_id: str  # ASIA…
    secret_access_key: str
    issued_at: datetime
    expires_at: datetime
    # The principal the session acts as, as AWS names it:
    #   assumed-role   arn:aws:sts::ACCT:assumed-role/ROLE/SESSION, principal_id "AROA…:SESSION"
    #   federated-user arn:aws:sts::ACCT:federated-user/NAME,       principal_id "ACCT:NAME"
    #   session-token  the IAM user's (or root's) own ARN and id
    #   root-session   arn:aws:iam::MEMBER:root,                    principal_id "MEMBER"
    arn: str
    principal_id: str
    # Who issued it: the role (assumed-role) or the IAM user / root (federated-user, session-token);
    # for root-session the management-account principal that called AssumeRoot (its ARN and id).
    source_arn: str
    source_id: str  # role id (AROA…), user id (AIDA…) or the account id for root
    session_name: str | None = None
    # Session policies: the effective permissions are the intersection with these.
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
    mfa_authenticated: bool = False
    mfa_auth_time: datetime | None = None
    # True when these credentials were obtained with role-session credentials (role chaining).
    chained: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def scoped_policies(claims: SessionClaims) -> list[str]:
    """The scope-down policy documents GetScopedCredentials added to the session, oldest first."""
    raw = claims.extra.get(SCOPED_POLICIES)
    if not raw:
        return []
    layers = json.loads(raw)
    if not isinstance(layers, list) or not all(isinstance(layer, str) for layer in layers):
        raise ValueError("scoped policies")
    return layers
