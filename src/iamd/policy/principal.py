"""Who is asking, and how a ``Principal``/``NotPrincipal`` element names them.

From "AWS JSON policy elements: Principal" and "Policy evaluation logic": a resource-based policy
can name an account (``123456789012`` or ``arn:aws:iam::123456789012:root``, meaning any
principal of that account *whose own account allows it*), an IAM user, an IAM role (which covers
every session of that role), a role session (``arn:aws:sts::ID:assumed-role/ROLE/SESSION``), a
federated-user session, a service, a web-identity or SAML provider, or ``*``. How the caller was
named matters to the same-account rules, so matching returns a ``Grant`` strength, not a bool:

- ``DIRECT``: the caller's own ARN (user, role session, federated-user session), ``*``, or the
  caller's service/provider; in the same account this allows on its own;
- ``SOURCE``: the role ARN behind a role session, or the IAM user behind a federated-user session;
  the identity policy need not allow, but a permissions boundary and session policy still limit it;
- ``ACCOUNT``: the caller's account; the caller's identity policies must allow as well.

A stored policy names users and roles by unique id (``principal_names``): an ``AIDA…``/``AROA…``
entry matches the caller whose user id, or whose session's role (or user) id, it is — never a
later entity that reuses the name.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .document import Principal as PrincipalElement
from .principal_names import UNIQUE_ID


class PrincipalType(enum.Enum):
    """The kind of caller, as in ``aws:PrincipalType`` plus the non-IAM callers."""

    ROOT = "Account"
    USER = "User"
    ROLE_SESSION = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    WEB_IDENTITY = "WebIdentity"
    SAML = "SAML"
    SERVICE = "Service"
    CANONICAL_USER = "CanonicalUser"
    ANONYMOUS = "Anonymous"


# Callers that are IAM identities of an account, evaluated against identity-based policies.
IAM_IDENTITIES = frozenset(
    {PrincipalType.ROOT, PrincipalType.USER, PrincipalType.ROLE_SESSION, PrincipalType.FEDERATED_USER}
)


class Grant(enum.IntEnum):
    NONE = 0
    ACCOUNT = 1
    SOURCE = 2
    DIRECT = 3


@dataclass(frozen=True, slots=True)
class RequestPrincipal:
    """The authenticated caller.

    ``arn``: the caller's ARN (``arn:aws:iam::ID:user/…``, ``arn:aws:sts::ID:assumed-role/R/S``,
    ``arn:aws:sts::ID:federated-user/N``, ``arn:aws:iam::ID:root``); for a service the service
    name (``ec2.amazonaws.com``), for web identity or SAML the provider (ARN or issuer), for an
    anonymous caller ``*``. ``source_arn``: for a role session the role's ARN (with its path), for
    a federated-user session the IAM user who called GetFederationToken. ``id``: an IAM user's
    unique id (``AIDA…``); ``source_id``: the unique id of ``source_arn``'s role or user. A
    stored policy names users and roles by these ids.
    """

    arn: str
    account: str = ""
    type: PrincipalType = PrincipalType.USER
    source_arn: str | None = None
    id: str | None = None
    source_id: str | None = None

    def identities(self) -> tuple[tuple[str, str, str | None], ...]:
        """The chain AWS checks against ``NotPrincipal``: account, then role or user, then
        session; each as (kind, name, unique id or ``None``)."""
        chain: list[tuple[str, str, str | None]] = []
        if self.type in IAM_IDENTITIES:
            chain.append(("account", self.account, None))
            if self.source_arn and self.type is PrincipalType.ROLE_SESSION:
                chain.append(("arn", self.source_arn, self.source_id))
            if self.type is not PrincipalType.ROOT:
                chain.append(("arn", self.arn, self.id))
        elif self.type is PrincipalType.ANONYMOUS:
            chain.append(("anonymous", "*", None))
        else:
            chain.append((self.type.value, self.arn, None))
        return tuple(chain)


_KIND_OF = {
    PrincipalType.SERVICE: "Service",
    PrincipalType.WEB_IDENTITY: "Federated",
    PrincipalType.SAML: "Federated",
    PrincipalType.CANONICAL_USER: "CanonicalUser",
}


class PrincipalMatcher:
    """A compiled ``Principal``/``NotPrincipal`` element."""

    __slots__ = ("everyone", "aws_everyone", "accounts", "arns", "ids", "others")

    def __init__(self, element: PrincipalElement) -> None:
        entries = element.entries
        self.everyone = "*" in entries
        self.aws_everyone = self.everyone or "*" in entries.get("AWS", ())
        self.accounts: set[str] = set()
        self.arns: set[str] = set()
        self.ids: set[str] = set()
        for ident in entries.get("AWS", ()):
            if ident == "*":
                continue
            if ident.isdigit():
                self.accounts.add(ident)
            elif ident.endswith(":root") and ident.split(":")[2] == "iam":
                self.accounts.add(ident.split(":")[4])
            elif UNIQUE_ID.fullmatch(ident):
                self.ids.add(ident)
            else:
                self.arns.add(ident)
        self.others = {kind: frozenset(entries.get(kind, ())) for kind in ("Service", "Federated", "CanonicalUser")}

    def grant(self, p: RequestPrincipal) -> Grant:
        """How strongly this element names ``p`` (for ``Principal``)."""
        kind = _KIND_OF.get(p.type)
        if kind is not None:
            if self.everyone or p.arn in self.others[kind] or "*" in self.others[kind]:
                return Grant.DIRECT
            return Grant.NONE
        if self.aws_everyone:
            return Grant.DIRECT
        if p.type is PrincipalType.ANONYMOUS:
            return Grant.NONE
        if p.arn in self.arns or (p.id is not None and p.id in self.ids):
            return Grant.DIRECT
        if (p.source_arn is not None and p.source_arn in self.arns) or (
            p.source_id is not None and p.source_id in self.ids
        ):
            return Grant.SOURCE
        if p.account in self.accounts:
            return Grant.DIRECT if p.type is PrincipalType.ROOT else Grant.ACCOUNT
        return Grant.NONE

    def excludes(self, p: RequestPrincipal, *, deny: bool) -> bool:
        """For ``NotPrincipal``: whether the element names ``p``, so the statement skips it.

        In a ``Deny``, only if every identity of the caller's chain is named: AWS "might validate
        the account first, then the role, and then the assumed-role user", so a deny naming only
        a session still denies via its role and account. In an ``Allow``, which grants "all
        principals *except* the one named", any named identity of the chain excludes the caller:
        naming bob keeps bob out, whether or not bob's account is named too.
        """
        if self.everyone or (self.aws_everyone and p.type not in _KIND_OF):
            return True
        for kind, ident, uid in p.identities():
            if kind == "account":
                named = ident in self.accounts
            elif kind == "arn":
                named = ident in self.arns or (uid is not None and uid in self.ids)
            elif kind == "anonymous":
                named = self.aws_everyone
            else:
                named = ident in self.others[_KIND_OF[p.type]]
            if named != deny:
                return named
        return deny
