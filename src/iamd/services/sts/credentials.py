"""What every credential-issuing STS action shares: keys, durations, MFA, the Credentials shape.

Authorization (trust policies, identity policies, ``sts:ExternalId`` and the other condition keys)
happens before an action runs; these helpers only apply the rules AWS applies besides it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from iamd.auth.session_claims import ASSUMED_ROLE, FEDERATED_USER, SessionClaims
from iamd.auth.sessions import SessionKeyring, issue
from iamd.errors import AccessDenied, InternalFailure
from iamd.services.context import Call


def keyring(call: Call) -> SessionKeyring:
    """The runtime's session keyring (``Runtime.session_keyring``, set at start-up)."""
    ring = getattr(call.runtime, "session_keyring", None)
    if not isinstance(ring, SessionKeyring):
        raise InternalFailure("This server has no session-token key configured.")
    return ring


def caller_session(call: Call) -> SessionClaims | None:
    """The claims of the calling temporary credentials; None for long-term access keys."""
    return call.caller.session


def is_role_session(call: Call) -> bool:
    """Role chaining: the caller is itself an assumed-role session."""
    session = caller_session(call)
    return (session.kind if session else call.caller.kind) == ASSUMED_ROLE


def is_federated_user(call: Call) -> bool:
    session = caller_session(call)
    return (session.kind if session else call.caller.kind) == FEDERATED_USER


def require_long_term_credentials(call: Call, operation: str) -> None:
    """GetSessionToken and GetFederationToken refuse every kind of temporary credentials."""
    if caller_session(call) is not None or call.caller.kind in (ASSUMED_ROLE, FEDERATED_USER):
        raise AccessDenied(f"Cannot call {operation} with session credentials")


def verify_mfa(call: Call, serial_number: str | None, token_code: str | None) -> bool:
    """Whether the request proves MFA (``SerialNumber`` + ``TokenCode``).

    False when neither is given. Otherwise the serial must name an enabled device of the calling
    IAM user (or root) and the code must be a fresh one of it (``iam/mfa.verify_session_code``:
    ±1 step, the device's drift, replay refused); anything else is AccessDenied, as on AWS, never
    a session silently without MFA.
    """
    if serial_number is None and token_code is None:
        return False
    from iamd.services.iam.mfa import verify_session_code

    return verify_session_code(call, serial_number, token_code)


def duration(requested: int | None, default: int, maximum: int) -> timedelta:
    """``requested`` (the model already holds it to its range) or the default, capped at ``maximum``.

    Used where AWS quietly shortens a session (root's one-hour limit); where AWS refuses instead,
    the action checks before calling this.
    """
    return timedelta(seconds=min(requested or default, maximum))


def new_credentials(call: Call, lifetime: timedelta, **claims: Any) -> tuple[SessionClaims, dict[str, Any]]:
    """Issue credentials valid from now for ``lifetime``; returns the claims and ``Credentials``."""
    issued, token = issue(keyring(call), issued_at=call.now, expires_at=call.now + lifetime, **claims)
    shape = {
        "AccessKeyId": issued.access_key_id,
        "SecretAccessKey": issued.secret_access_key,
        "SessionToken": token,
        "Expiration": issued.expires_at,
    }
    return issued, shape
