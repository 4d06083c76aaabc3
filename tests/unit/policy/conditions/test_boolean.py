"""Bool and BinaryEquals."""

import base64

import pytest

CASES = [
    ("Bool", ["true"], "true", True),
    ("Bool", ["true"], "TRUE", True),
    ("Bool", ["True"], True, True),
    ("Bool", ["true"], "false", False),
    ("Bool", ["false"], False, True),
    ("Bool", ["true"], "yes", False),
    ("BinaryEquals", [base64.b64encode(b"\x00\x01").decode()], b"\x00\x01", True),
    ("BinaryEquals", [base64.b64encode(b"\x00\x01").decode()], b"\x00\x02", False),
    ("BinaryEquals", ["QmluYXJ5VmFsdWVJbkJhc2U2NA=="], "QmluYXJ5VmFsdWVJbkJhc2U2NA==", True),
    ("BinaryEquals", ["not base64!"], "bm90", False),
]


@pytest.mark.parametrize(("operator", "values", "value", "expected"), CASES)
def test_bool_and_binary(condition, operator, values, value, expected):
    assert condition(operator, "k:v", values, {"k:v": value}) is expected


def test_mfa_bool_if_exists(condition):
    """AWS's MFA example: BoolIfExists false is true when the key is absent (long-term keys)."""
    key = "aws:MultiFactorAuthPresent"
    assert condition("BoolIfExists", key, ["false"], {})
    assert condition("BoolIfExists", key, ["false"], {key: "false"})
    assert not condition("BoolIfExists", key, ["false"], {key: "true"})
    assert not condition("Bool", key, ["false"], {})
