"""Signing keys: made per algorithm, rotated with the old public half still published for a day,
sealed to their account, re-sealed by a master-key rotation. Times come from the test, never the
wall clock."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import select, update

from iamd.auth.secretbox import SecretBox, SecretBoxError
from iamd.services.accounts import create_account
from iamd.services.outbound import keys
from iamd.services.rotation import reseal_all
from iamd.store.engine import Store
from iamd.store.outbound_schema import outbound_signing_keys as K

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _account() -> str:
    return f"{int.from_bytes(os.urandom(5), 'big') % 10**12:012d}"


MASTER = os.urandom(32)


@pytest.fixture
def setup(store_url: str) -> tuple[Store, SecretBox, str]:
    store = Store(store_url)
    store.migrate()
    box = SecretBox(MASTER)
    account = _account()
    with store.begin() as conn:
        create_account(conn, box, account, T0)
        keys.ensure(conn, box, account, T0)
    return store, box, account


def _verify(token: str, jwks: list[dict[str, str]]) -> dict[str, object]:
    kid = jwt.get_unverified_header(token)["kid"]
    found = [k for k in jwks if k["kid"] == kid]
    assert found, "the token's key is not published"
    return jwt.decode(token, jwt.PyJWK(found[0]).key, algorithms=[found[0]["alg"]], audience="x")


def test_one_active_key_per_algorithm_with_rfc7638_kids(setup: tuple[Store, SecretBox, str]) -> None:
    store, box, account = setup
    with store.begin() as conn:
        keys.ensure(conn, box, account, T0)  # idempotent
        jwks = keys.published(conn, account, T0)
    assert sorted(k["alg"] for k in jwks) == ["ES384", "RS256"]
    for jwk in jwks:
        assert jwk["kid"] == keys.thumbprint(jwk) and jwk["use"] == "sig"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)


def test_rotation_keeps_the_old_public_key_for_a_day(setup: tuple[Store, SecretBox, str]) -> None:
    store, box, account = setup
    cache: dict[str, object] = {}
    with store.begin() as conn:
        old = keys.active(conn, box, account, keys.RS256, T0, cache)
        assert old is not None
        token = jwt.encode({"aud": "x"}, old.private, algorithm="RS256", headers={"kid": old.key_id})  # type: ignore[arg-type]
        # Due after ROTATE_AFTER: active() says so, the caller rotates.
        assert keys.active(conn, box, account, keys.RS256, T0 + keys.ROTATE_AFTER, cache) is None
        new_ids = keys.rotate(conn, box, account, T0 + keys.ROTATE_AFTER, keys.RS256)
        later = T0 + keys.ROTATE_AFTER + timedelta(hours=1)
        assert _verify(token, keys.published(conn, account, later))["aud"] == "x"
        new = keys.active(conn, box, account, keys.RS256, later, cache)
        assert new is not None and new.key_id == new_ids[0] != old.key_id
        retired = conn.execute(select(K.c.private_sealed).where(K.c.key_id == old.key_id)).scalar_one()
        assert retired is None  # the private half is gone
        gone = T0 + keys.ROTATE_AFTER + keys.PUBLISHED_AFTER_RETIREMENT
        assert old.key_id not in {k["kid"] for k in keys.published(conn, account, gone)}
        assert keys.prune(conn, account, gone) == 1
        with pytest.raises(AssertionError):
            _verify(token, keys.published(conn, account, gone))


def test_a_key_moved_to_another_account_does_not_open(setup: tuple[Store, SecretBox, str]) -> None:
    store, box, account = setup
    other = _account()
    with store.begin() as conn:
        create_account(conn, box, other, T0)
        conn.execute(update(K).where(K.c.account_id == account).values(account_id=other))
        with pytest.raises(SecretBoxError):
            keys.active(conn, box, other, keys.ES384, T0, {})


def test_master_key_rotation_reseals_the_signing_keys(setup: tuple[Store, SecretBox, str]) -> None:
    store, box, account = setup
    new_master = os.urandom(32)
    with store.begin() as conn:
        before = keys.active(conn, box, account, keys.ES384, T0, {})
        assert before is not None
        assert reseal_all(conn, SecretBox(new_master, previous=[MASTER])) >= 2
        after = keys.active(conn, SecretBox(new_master), account, keys.ES384, T0, {})
        assert after is not None and after.key_id == before.key_id
        with pytest.raises(SecretBoxError):
            keys.active(conn, box, account, keys.RS256, T0, {})  # the old master alone opens it no more
        row = conn.execute(select(K.c.public_jwk).where(K.c.key_id == before.key_id)).scalar_one()
        assert json.loads(row)["kid"] == before.key_id
