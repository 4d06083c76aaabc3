"""GetWebIdentityToken's edges, called directly with a controllable clock: rotation when a key
is due, a key that does not open, the payload limit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from sqlalchemy import update

from iamd.services.context import Call, Caller
from iamd.services.outbound import keys, tokens
from iamd.services.outbound.errors import JWTPayloadSizeExceeded
from iamd.services.registry import ACTIONS
from iamd.services.runtime import Runtime
from iamd.store.outbound_schema import outbound_signing_keys as K

T0 = datetime(2026, 3, 1, tzinfo=UTC)
REQUEST = {"Audience": ["x"], "SigningAlgorithm": "RS256"}


def _call(runtime: Runtime, account: str, now: datetime, service: str, name: str, params: dict[str, Any]) -> Any:
    caller = Caller(account, f"arn:aws:iam::{account}:root", account, "root", "AKIAROOT")
    with runtime.store.begin() as conn:
        return ACTIONS[service][name](Call(conn, caller, now, str(uuid.uuid4()), runtime), params)


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def _published(runtime: Runtime, account: str, now: datetime) -> set[str]:
    with runtime.store.begin() as conn:
        return {k["kid"] for k in keys.published(conn, account, now)}


def test_a_due_key_rotates_and_the_old_one_stays_published(runtime: Runtime, account: str) -> None:
    _call(runtime, account, T0, "iam", "EnableOutboundWebIdentityFederation", {})
    first = _kid(_call(runtime, account, T0, "sts", "GetWebIdentityToken", REQUEST)["WebIdentityToken"])
    assert _kid(_call(runtime, account, T0 + timedelta(days=29), "sts", "GetWebIdentityToken", REQUEST)[
        "WebIdentityToken"]) == first
    later = T0 + keys.ROTATE_AFTER
    second = _kid(_call(runtime, account, later, "sts", "GetWebIdentityToken", REQUEST)["WebIdentityToken"])
    assert second != first
    assert {first, second} <= _published(runtime, account, later + timedelta(hours=1))
    assert first not in _published(runtime, account, later + keys.PUBLISHED_AFTER_RETIREMENT)


def test_a_key_that_does_not_open_is_replaced_not_a_500(runtime: Runtime, account: str) -> None:
    _call(runtime, account, T0, "iam", "EnableOutboundWebIdentityFederation", {})
    first = _kid(_call(runtime, account, T0, "sts", "GetWebIdentityToken", REQUEST)["WebIdentityToken"])
    runtime.caches.clear()
    with runtime.store.begin() as conn:
        conn.execute(update(K).where(K.c.key_id == first).values(private_sealed=b"\x02" + b"\0" * 40))
    token = _call(runtime, account, T0, "sts", "GetWebIdentityToken", REQUEST)["WebIdentityToken"]
    assert _kid(token) != first and _kid(token) in _published(runtime, account, T0)


def test_the_payload_limit_is_awss_error(runtime: Runtime, account: str) -> None:
    with runtime.store.begin() as conn:
        keys.ensure(conn, runtime.secretbox, account, T0)
        key = keys.active(conn, runtime.secretbox, account, keys.ES384, T0, {})
    assert key is not None
    payload = {"aud": "x", tokens.NAMESPACE: {"request_tags": {f"k{i}": "v" * 256 for i in range(80)}}}
    with pytest.raises(JWTPayloadSizeExceeded):
        tokens.sign(payload, key)
