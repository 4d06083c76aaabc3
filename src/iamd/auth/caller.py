"""The authenticated principal of a request: what ``auth`` hands to the layers after it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from iamd.auth.session_claims import SessionClaims

if TYPE_CHECKING:
    from iamd.auth.federated import FederatedIdentity


@dataclass(frozen=True, slots=True)
class Caller:
    """``kind`` is ``root``, ``user``, ``assumed-role``, ``federated-user`` or, for the unsigned
    AssumeRoleWithWebIdentity / AssumeRoleWithSAML calls, ``web-identity`` / ``saml`` (then
    ``federation`` says who the identity provider vouched for, and no access key exists).

    ``user_id`` is what AWS calls the principal's unique id: the account id for root, AIDA… for
    a user, ``AROA…:session`` for a role session.
    """

    account_id: str
    arn: str
    user_id: str
    kind: str
    access_key_id: str
    user_name: str | None = None
    session_token: str | None = None
    # Set for temporary credentials (STS); None for long-term access keys.
    session: SessionClaims | None = None
    federation: FederatedIdentity | None = None

    @property
    def is_root(self) -> bool:
        return self.kind == "root"
