"""An old master key cannot forge: caps on lifetime, no future issue, nothing after retirement.

Each forgery is made the way an attacker holding a (previous) master key would: ``issue`` with
a keyring of that key and any claims it likes. The token opens — the key is right — and must
still be refused with InvalidClientTokenId.
"""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta

import pytest

from iamd.auth.secretbox import NEXT_MASTER_KEYS_ENV, fingerprint
from iamd.auth.session_claims import ASSUMED_ROLE, FEDERATED_USER, SESSION_TOKEN, SessionClaims
from iamd.auth.session_keyring import CLOCK_SKEW, max_lifetime
from iamd.auth.sessions import SessionKeyring, issue, keyring_from_env, open_session
from iamd.errors import ExpiredToken, InvalidClientTokenId

ACCOUNT = "123456789012"
NOW = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)
OLD, NEW = os.urandom(32), os.urandom(32)


def _forge(keyring: SessionKeyring, kind: str = ASSUMED_ROLE, *, issued_at: datetime = NOW,
           lifetime: timedelta = timedelta(hours=1), root: bool = False, chained: bool = False,
           ) -> tuple[SessionClaims, str]:
    source = ACCOUNT if root else ("AROAEXAMPLEEXAMPLE123" if kind == ASSUMED_ROLE else "AIDAEXAMPLEEXAMPLE123")
    return issue(
        keyring, kind=kind, account_id=ACCOUNT, issued_at=issued_at, expires_at=issued_at + lifetime,
        arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/x", principal_id=f"{source}:x",
        source_arn=f"arn:aws:iam::{ACCOUNT}:role/admin", source_id=source, chained=chained,
    )


def _refused(keyring: SessionKeyring, claims: SessionClaims, token: str, now: datetime = NOW) -> None:
    with pytest.raises(InvalidClientTokenId) as err:
        open_session(token, claims.access_key_id, keyring, now)
    assert err.value.message == "The security token included in the request is invalid."


@pytest.mark.parametrize(
    ("kind", "root", "chained", "longest"),
    [
        (SESSION_TOKEN, False, False, timedelta(hours=36)),
        (FEDERATED_USER, False, False, timedelta(hours=36)),
        (SESSION_TOKEN, True, False, timedelta(hours=1)),
        (FEDERATED_USER, True, False, timedelta(hours=1)),
        (ASSUMED_ROLE, False, False, timedelta(hours=12)),
        (ASSUMED_ROLE, False, True, timedelta(hours=1)),
    ],
)
def test_a_token_longer_than_aws_allows_is_a_forgery(kind: str, root: bool, chained: bool, longest: timedelta) -> None:
    ring = SessionKeyring(NEW, [OLD])
    claims, token = _forge(ring, kind, lifetime=longest, root=root, chained=chained)
    assert max_lifetime(claims) == longest
    assert open_session(token, claims.access_key_id, ring, NOW) == claims  # AWS's longest: fine
    claims, token = _forge(ring, kind, lifetime=longest + timedelta(seconds=1), root=root, chained=chained)
    _refused(ring, claims, token)


def test_a_ten_year_token_from_a_previous_key_is_refused() -> None:
    claims, token = _forge(SessionKeyring(OLD), SESSION_TOKEN, lifetime=timedelta(days=3650))
    _refused(SessionKeyring(NEW, [OLD]), claims, token, NOW + timedelta(days=400))


def test_a_token_that_ends_before_it_starts_is_refused() -> None:
    ring = SessionKeyring(NEW)
    claims, token = _forge(ring, lifetime=timedelta(seconds=-5))
    _refused(ring, claims, token, NOW - timedelta(seconds=10))


def test_a_token_issued_in_the_future_is_refused_beyond_the_clock_skew() -> None:
    ring = SessionKeyring(NEW, [OLD])
    # Another server's clock a little ahead: accepted.
    claims, token = _forge(SessionKeyring(OLD), issued_at=NOW + CLOCK_SKEW)
    assert open_session(token, claims.access_key_id, ring, NOW) == claims
    # A forger post-dating the token to outlive the key: refused, with the current key too.
    for signer in (SessionKeyring(OLD), ring):
        claims, token = _forge(signer, issued_at=NOW + CLOCK_SKEW + timedelta(seconds=1))
        _refused(ring, claims, token)
    claims, token = _forge(SessionKeyring(OLD), SESSION_TOKEN, issued_at=NOW + timedelta(days=3650))
    _refused(ring, claims, token, NOW)


def test_a_retired_key_opens_only_tokens_issued_before_its_retirement() -> None:
    retired_at = NOW - timedelta(hours=2)
    ring = SessionKeyring(NEW, [OLD])
    ring.set_retirements({fingerprint(OLD): retired_at})
    before, token_before = _forge(SessionKeyring(OLD), SESSION_TOKEN, issued_at=retired_at - timedelta(hours=1),
                                  lifetime=timedelta(hours=36))
    assert open_session(token_before, before.access_key_id, ring, NOW) == before
    # Within the skew of the retirement (a server whose clock ran a little ahead): accepted.
    edge, token_edge = _forge(SessionKeyring(OLD), issued_at=retired_at + CLOCK_SKEW)
    with pytest.raises(ExpiredToken):  # opened and checked, but its hour is over
        open_session(token_edge, edge.access_key_id, ring, NOW + timedelta(hours=2))
    after, token_after = _forge(SessionKeyring(OLD), issued_at=retired_at + CLOCK_SKEW + timedelta(seconds=1))
    _refused(ring, after, token_after)
    # The current key is not retired: its tokens are unaffected.
    fresh, token_fresh = _forge(ring)
    assert open_session(token_fresh, fresh.access_key_id, ring, NOW) == fresh


def test_retirements_are_replaced_not_merged() -> None:
    ring = SessionKeyring(NEW, [OLD])
    ring.set_retirements({fingerprint(OLD): NOW - timedelta(days=1)})
    claims, token = _forge(SessionKeyring(OLD))
    _refused(ring, claims, token)
    ring.set_retirements({})  # e.g. a reset ephemeral store
    assert open_session(token, claims.access_key_id, ring, NOW) == claims


def test_an_expired_forgery_within_the_limits_is_expired_not_invalid() -> None:
    ring = SessionKeyring(NEW)
    claims, token = _forge(ring)
    with pytest.raises(ExpiredToken):
        open_session(token, claims.access_key_id, ring, NOW + timedelta(hours=2))


def test_next_keys_open_tokens_but_never_seal() -> None:
    env = {NEXT_MASTER_KEYS_ENV: base64.b64encode(NEW).decode()}
    ring = keyring_from_env(OLD, env)
    promoted = SessionKeyring(NEW, [OLD])
    claims, token = _forge(promoted)
    assert open_session(token, claims.access_key_id, ring, NOW) == claims
    assert ring.current_key_id == SessionKeyring(OLD).current_key_id
