"""Session tokens: round trip, expiry, every kind of forgery, rotation, size, and a fuzz."""

from __future__ import annotations

import base64
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamd.auth.secretbox import SecretBoxError
from iamd.auth.session_claims import ASSUMED_ROLE, FEDERATED_USER, SESSION_TOKEN, SessionClaims
from iamd.auth.sessions import (
    MAX_TOKEN_CHARS,
    PREVIOUS_MASTER_KEYS_ENV,
    SessionKeyring,
    account_of_access_key_id,
    caller_from_claims,
    issue,
    keyring_from_env,
    new_session_access_key_id,
    open_session,
    seal,
)
from iamd.errors import ExpiredToken, InvalidClientTokenId

ACCOUNT = "123456789012"
NOW = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
MASTER = os.urandom(32)
KEYRING = SessionKeyring(MASTER)


def _issue(keyring: SessionKeyring = KEYRING, **overrides: object) -> tuple[SessionClaims, str]:
    args: dict[str, object] = {
        "kind": ASSUMED_ROLE,
        "account_id": ACCOUNT,
        "issued_at": NOW,
        "expires_at": NOW + timedelta(hours=1),
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/alice",
        "principal_id": "AROAEXAMPLEEXAMPLE123:alice",
        "source_arn": f"arn:aws:iam::{ACCOUNT}:role/ci/deploy",
        "source_id": "AROAEXAMPLEEXAMPLE123",
        "session_name": "alice",
    }
    args.update(overrides)
    return issue(keyring, **args)  # type: ignore[arg-type]


def test_round_trip_keeps_every_claim() -> None:
    claims, token = _issue(
        policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
        policy_arns=("arn:aws:iam::aws:policy/ReadOnlyAccess",),
        tags=(("Project", "Blue"), ("CostCenter", "")),
        transitive_tag_keys=("Project",),
        source_identity="alice@example.com",
        mfa_authenticated=True,
        mfa_auth_time=NOW - timedelta(minutes=5),
        chained=True,
        extra={"role_path": "/ci/"},
    )
    opened = open_session(token, claims.access_key_id, KEYRING, NOW)
    assert opened == claims
    assert opened.issued_at == NOW.replace(microsecond=0)
    assert claims.access_key_id.startswith("ASIA") and len(claims.access_key_id) == 20
    assert len(claims.secret_access_key) == 40


@pytest.mark.parametrize("kind", [ASSUMED_ROLE, FEDERATED_USER, SESSION_TOKEN])
def test_minimal_claims_of_each_kind_round_trip(kind: str) -> None:
    claims, token = _issue(kind=kind, session_name=None)
    assert open_session(token, claims.access_key_id, KEYRING, NOW) == claims


def test_unknown_kind_is_refused_at_issue() -> None:
    with pytest.raises(ValueError):
        _issue(kind="robot")


def test_token_is_standard_base64() -> None:
    _, token = _issue()
    assert base64.b64encode(base64.b64decode(token, validate=True)).decode() == token


def test_each_issue_has_fresh_keys_and_token() -> None:
    (a, ta), (b, tb) = _issue(), _issue()
    assert a.access_key_id != b.access_key_id and a.secret_access_key != b.secret_access_key
    assert ta != tb


# --- expiry -------------------------------------------------------------------------------


def test_valid_until_the_expiry_second() -> None:
    claims, token = _issue()
    open_session(token, claims.access_key_id, KEYRING, claims.expires_at - timedelta(microseconds=1))
    with pytest.raises(ExpiredToken) as err:
        open_session(token, claims.access_key_id, KEYRING, claims.expires_at)
    assert err.value.message == "The security token included in the request is expired"


def test_forgery_is_reported_before_expiry() -> None:
    claims, token = _issue()
    with pytest.raises(InvalidClientTokenId):
        open_session(token[:-8] + "AAAAAAA=", claims.access_key_id, KEYRING, NOW + timedelta(days=9))


# --- forgery ------------------------------------------------------------------------------


def _invalid(token: str, access_key_id: str, keyring: SessionKeyring = KEYRING) -> None:
    with pytest.raises(InvalidClientTokenId) as err:
        open_session(token, access_key_id, keyring, NOW)
    assert err.value.message == "The security token included in the request is invalid."


def test_every_byte_of_the_token_is_authenticated() -> None:
    """Version, key id, nonce, ciphertext and tag: flipping a bit anywhere breaks the token."""
    claims, token = _issue(policy='{"Version":"2012-10-17","Statement":[]}')
    blob = base64.b64decode(token)
    for i in range(len(blob)):
        for bit in (0x01, 0x80):
            forged = bytearray(blob)
            forged[i] ^= bit
            _invalid(base64.b64encode(bytes(forged)).decode(), claims.access_key_id)


def test_truncated_and_extended_tokens_are_invalid() -> None:
    claims, token = _issue()
    blob = base64.b64decode(token)
    for n in range(len(blob)):
        _invalid(base64.b64encode(blob[:n]).decode(), claims.access_key_id)
    _invalid(base64.b64encode(blob + b"\0").decode(), claims.access_key_id)
    _invalid(token[:-1], claims.access_key_id)


def test_token_is_bound_to_its_access_key_id() -> None:
    (a, ta), (b, _) = _issue(), _issue()
    _invalid(ta, b.access_key_id)
    _invalid(ta, a.access_key_id.lower())
    _invalid(ta, a.access_key_id + "A")
    _invalid(ta, "")


def test_claims_cannot_be_resealed_under_another_key_id() -> None:
    claims, _ = _issue()
    moved = seal(KEYRING, replace(claims, access_key_id="ASIAAAAAAAAAAAAAAAAA"))
    _invalid(moved, claims.access_key_id)


@pytest.mark.parametrize(
    "token",
    ["", "=", "not base64!", "AAAA", "A" * 64, "\u00e9t\u00e9", " " + "A" * 60, "A" * (MAX_TOKEN_CHARS + 4)],
)
def test_garbage_is_invalid(token: str) -> None:
    _invalid(token, "ASIAAAAAAAAAAAAAAAAA")


def test_non_string_input_is_invalid() -> None:
    _invalid(None, "ASIAAAAAAAAAAAAAAAAA")  # type: ignore[arg-type]
    _invalid(b"AAAA", "ASIAAAAAAAAAAAAAAAAA")  # type: ignore[arg-type]
    claims, token = _issue()
    _invalid(token, None)  # type: ignore[arg-type]
    _invalid(token, "\ud800")


# --- master keys --------------------------------------------------------------------------


def test_wrong_master_key_is_invalid() -> None:
    claims, token = _issue()
    _invalid(token, claims.access_key_id, SessionKeyring(os.urandom(32)))


def test_unknown_key_id_is_invalid_even_with_a_valid_tag_shape() -> None:
    claims, token = _issue()
    blob = bytearray(base64.b64decode(token))
    blob[1:5] = b"\0\0\0\0"
    _invalid(base64.b64encode(bytes(blob)).decode(), claims.access_key_id)


def test_rotation_keeps_old_tokens_open_until_the_old_key_is_dropped() -> None:
    old, new = os.urandom(32), os.urandom(32)
    before = SessionKeyring(old)
    claims, token = _issue(before)
    rotated = SessionKeyring(new, [old])
    assert open_session(token, claims.access_key_id, rotated, NOW) == claims
    fresh, fresh_token = _issue(rotated)
    assert base64.b64decode(fresh_token)[1:5] == rotated.current_key_id != before.current_key_id
    _invalid(fresh_token, fresh.access_key_id, before)
    _invalid(token, claims.access_key_id, SessionKeyring(new))


def test_keyring_from_env_reads_previous_keys() -> None:
    old1, old2, new = os.urandom(32), os.urandom(32), os.urandom(32)
    c1, t1 = _issue(SessionKeyring(old1))
    c2, t2 = _issue(SessionKeyring(old2))
    env = {PREVIOUS_MASTER_KEYS_ENV: f"{base64.b64encode(old1).decode()}, {base64.b64encode(old2).decode()},"}
    keyring = keyring_from_env(new, env)
    assert open_session(t1, c1.access_key_id, keyring, NOW) == c1
    assert open_session(t2, c2.access_key_id, keyring, NOW) == c2
    assert keyring.current_key_id == SessionKeyring(new).current_key_id
    assert keyring_from_env(new, {}).current_key_id == keyring.current_key_id


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_keyring_from_env_refuses_bad_keys_without_echoing_them(value: str) -> None:
    with pytest.raises(SecretBoxError) as err:
        keyring_from_env(MASTER, {PREVIOUS_MASTER_KEYS_ENV: value})
    assert value not in str(err.value)


def test_keyring_hides_its_keys() -> None:
    assert MASTER.hex() not in repr(KEYRING) and "hidden" in repr(KEYRING)


# --- size ---------------------------------------------------------------------------------


def test_token_stays_small_with_the_largest_session_policy_and_50_tags() -> None:
    statement = '{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::bucket-%04d/*"},'
    body = "".join(statement % i for i in range(40))[:-1]
    policy = ('{"Version":"2012-10-17","Statement":[' + body + "]}")[:2048]
    tags = tuple((f"k{i:03d}" + "K" * 124, os.urandom(96).hex()[:256]) for i in range(50))
    arns = tuple(f"arn:aws:iam::{ACCOUNT}:policy/some/long/path/policy-{i:02d}" for i in range(10))
    claims, token = _issue(
        policy=policy, tags=tags, policy_arns=arns, transitive_tag_keys=[k for k, _ in tags]
    )
    assert len(token) < 24000
    small_claims, small = _issue()
    assert len(small) < 400
    assert open_session(token, claims.access_key_id, KEYRING, NOW) == claims


# --- access key ids -----------------------------------------------------------------------


@pytest.mark.parametrize("account", ["000000000000", ACCOUNT, "999999999999", "000000000001"])
def test_session_key_ids_carry_their_account(account: str) -> None:
    key_id = new_session_access_key_id(account)
    assert key_id.startswith("ASIA") and len(key_id) == 20
    assert account_of_access_key_id(key_id) == account


def test_account_of_aws_documentation_key() -> None:
    # AWS's documentation key decodes to the account its layout yields.
    assert account_of_access_key_id("AKIAIOSFODNN7EXAMPLE") == "581039954779"


@pytest.mark.parametrize(
    "key_id", ["", "ASIA", "ASIA0000000000000000", "asiaAAAAAAAAAAAAAAAA", "ASIAAAAAAAAAAAAAAAAAA"]
)
def test_account_of_malformed_key_ids_is_none(key_id: str) -> None:
    assert account_of_access_key_id(key_id) is None


# --- caller -------------------------------------------------------------------------------


def test_caller_of_an_assumed_role_session() -> None:
    claims, token = _issue()
    caller = caller_from_claims(claims, token)
    assert (caller.kind, caller.arn, caller.user_id) == (
        ASSUMED_ROLE,
        claims.arn,
        "AROAEXAMPLEEXAMPLE123:alice",
    )
    assert caller.session is claims and caller.session_token == token and caller.user_name is None


def test_caller_of_a_session_token_acts_as_the_user_or_root() -> None:
    user, token = _issue(
        kind=SESSION_TOKEN,
        arn=f"arn:aws:iam::{ACCOUNT}:user/dev/bob",
        principal_id="AIDAEXAMPLEEXAMPLE123",
        source_arn=f"arn:aws:iam::{ACCOUNT}:user/dev/bob",
        source_id="AIDAEXAMPLEEXAMPLE123",
        session_name=None,
    )
    caller = caller_from_claims(user, token)
    assert (caller.kind, caller.user_name, caller.user_id) == ("user", "bob", "AIDAEXAMPLEEXAMPLE123")
    root, token = _issue(
        kind=SESSION_TOKEN,
        arn=f"arn:aws:iam::{ACCOUNT}:root",
        principal_id=ACCOUNT,
        source_arn=f"arn:aws:iam::{ACCOUNT}:root",
        source_id=ACCOUNT,
    )
    assert caller_from_claims(root, token).is_root


# --- fuzz ---------------------------------------------------------------------------------


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(token=st.text(max_size=600), access_key_id=st.text(max_size=30))
def test_arbitrary_text_only_ever_gives_invalid_client_token_id(token: str, access_key_id: str) -> None:
    with pytest.raises(InvalidClientTokenId):
        open_session(token, access_key_id, KEYRING, NOW)


@settings(max_examples=400)
@given(data=st.binary(max_size=600))
def test_arbitrary_base64_only_ever_gives_invalid_client_token_id(data: bytes) -> None:
    with pytest.raises(InvalidClientTokenId):
        open_session(base64.b64encode(data).decode(), "ASIAAAAAAAAAAAAAAAAA", KEYRING, NOW)


@settings(max_examples=300)
@given(
    position=st.integers(min_value=0),
    value=st.integers(min_value=1, max_value=255),
    cut=st.none() | st.integers(min_value=0, max_value=400),
)
def test_any_mutation_of_a_real_token_is_invalid(position: int, value: int, cut: int | None) -> None:
    claims, token = _issue(tags=(("a", "b"),))
    blob = bytearray(base64.b64decode(token))
    position %= len(blob)
    blob[position] ^= value
    with pytest.raises(InvalidClientTokenId):
        open_session(base64.b64encode(bytes(blob[:cut])).decode(), claims.access_key_id, KEYRING, NOW)


_names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150)
@given(
    session_name=st.none() | _names,
    policy=st.none() | st.text(max_size=300),
    tags=st.lists(st.tuples(_names, _names), max_size=5),
    keys=st.lists(_names, max_size=3),
    source_identity=st.none() | _names,
    mfa=st.booleans(),
    seconds=st.integers(min_value=1, max_value=43200),  # a role session's longest
)
def test_round_trip_of_arbitrary_claims(
    session_name: str | None,
    policy: str | None,
    tags: list[tuple[str, str]],
    keys: list[str],
    source_identity: str | None,
    mfa: bool,
    seconds: int,
) -> None:
    claims, token = _issue(
        session_name=session_name,
        policy=policy,
        tags=tags,
        transitive_tag_keys=keys,
        source_identity=source_identity,
        mfa_authenticated=mfa,
        mfa_auth_time=NOW if mfa else None,
        expires_at=NOW + timedelta(seconds=seconds),
    )
    assert open_session(token, claims.access_key_id, KEYRING, NOW.replace(microsecond=0)) == claims
