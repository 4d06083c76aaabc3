"""AWS-format identifiers."""

from __future__ import annotations

import re

import pytest

from iamd.auth.ids import (
    ID_ALPHABET,
    UNIQUE_ID_PREFIXES,
    new_access_key_id,
    new_secret_access_key,
    new_unique_id,
)


@pytest.mark.parametrize("prefix", ["AIDA", "AGPA", "AROA", "ANPA", "AIPA", "ASCA", "ANVA", "APKA"])
def test_unique_ids_look_like_aws(prefix):
    value = new_unique_id(prefix)
    assert re.fullmatch(f"{prefix}[A-Z2-7]{{17}}", value)
    assert len(value) == 21


def test_access_key_ids_look_like_aws():
    assert re.fullmatch("AKIA[A-Z2-7]{16}", new_access_key_id())
    assert re.fullmatch("ASIA[A-Z2-7]{16}", new_access_key_id("ASIA"))


def test_secret_access_keys_look_like_aws():
    secret = new_secret_access_key()
    assert re.fullmatch("[A-Za-z0-9/+]{40}", secret)


def test_values_are_random():
    assert len({new_unique_id("AIDA") for _ in range(1000)}) == 1000
    assert len({new_secret_access_key() for _ in range(1000)}) == 1000
    seen = set("".join(new_access_key_id()[4:] for _ in range(200)))
    assert seen == set(ID_ALPHABET)


@pytest.mark.parametrize("prefix", ["", "aida", "AID", "AIDAX", "ÄIDA"])
def test_bad_prefixes(prefix):
    with pytest.raises(ValueError):
        new_unique_id(prefix)


def test_documented_prefixes_are_four_letters():
    assert all(re.fullmatch("A[A-Z]{3}", p) for p in UNIQUE_ID_PREFIXES)
