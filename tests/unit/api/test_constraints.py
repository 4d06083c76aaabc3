"""AWS's validation-error wording, one row per constraint kind."""

from __future__ import annotations

import pytest

from iamd.api.constraints import MAX_CLAUSES, raise_if_any
from iamd.api.models import ServiceCodec
from iamd.errors import ValidationError

IAM = ServiceCodec.load("iam")
STS = ServiceCodec.load("sts")
NAME_RE = r"[\w+=,.@-]+"
TAG_KEY_RE = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"


def clause(value: str | None, path: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


def one(c: str) -> str:
    return f"1 validation error detected: {c}"


CASES = [
    ("pattern", "CreateUser", {"UserName": "x!"},
     one(clause("x!", "userName", f"Member must satisfy regular expression pattern: {NAME_RE}"))),
    ("required", "CreateUser", {},
     one(clause(None, "userName", "Member must not be null"))),
    ("max length", "CreateUser", {"UserName": "a" * 65},
     one(clause("a" * 65, "userName", "Member must have length less than or equal to 64"))),
    ("min length and pattern", "GetUser", {"UserName": ""},
     "2 validation errors detected: "
     + clause("", "userName", "Member must have length greater than or equal to 1") + "; "
     + clause("", "userName", f"Member must satisfy regular expression pattern: {NAME_RE}")),
    ("integer range", "ListUsers", {"MaxItems": "1001"},
     one(clause("1001", "maxItems", "Member must have value less than or equal to 1000"))),
    ("integer lower bound", "ListUsers", {"MaxItems": "0"},
     one(clause("0", "maxItems", "Member must have value greater than or equal to 1"))),
    ("not an integer", "ListUsers", {"MaxItems": "abc"},
     one(clause("abc", "maxItems", "Member must be an integer"))),
    ("integer overflow", "ListUsers", {"MaxItems": "99999999999"},
     one(clause("99999999999", "maxItems", "Member must be an integer"))),
    ("not a boolean", "ListPolicies", {"OnlyAttached": "yes"},
     one(clause("yes", "onlyAttached", "Member must be true or false"))),
    ("enum", "UpdateAccessKey", {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "On"},
     one(clause("On", "status", "Member must satisfy enum value set: [Active, Inactive, Expired]"))),
    ("list member path", "TagUser",
     {"UserName": "bob", "Tags.member.1.Key": "ok", "Tags.member.1.Value": "v",
      "Tags.member.2.Key": "bad!", "Tags.member.2.Value": "v"},
     one(clause("bad!", "tags.2.member.key", f"Member must satisfy regular expression pattern: {TAG_KEY_RE}"))),
    ("list member null", "TagUser", {"UserName": "bob", "Tags.member.1.Key": "k"},
     one(clause(None, "tags.1.member.value", "Member must not be null"))),
    ("list length", "TagUser",
     {"UserName": "bob", **{f"Tags.member.{i}.{f}": f"k{i}" for i in range(1, 52) for f in ("Key", "Value")}},
     None),
    ("several, in model order", "CreateUser", {"Path": "no-slash", "UserName": "x!"},
     "2 validation errors detected: "
     + clause("no-slash", "path", r"Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)")
     + "; " + clause("x!", "userName", f"Member must satisfy regular expression pattern: {NAME_RE}")),
]


@pytest.mark.parametrize(("operation", "params", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_message(operation: str, params: dict, message: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        IAM.parse({"Action": operation, "Version": "2010-05-08", **params})
    if message is None:
        assert info.value.message.startswith("1 validation error detected: Value '[{Key: k1,Value: k1}, ")
        assert info.value.message.endswith(
            "' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
    else:
        assert info.value.message == message


def test_sensitive_values_are_not_echoed() -> None:
    with pytest.raises(ValidationError) as info:
        IAM.parse({"Action": "CreateLoginProfile", "Version": "2010-05-08", "UserName": "bob",
                   "Password": "\x01secret"})
    assert "secret" not in info.value.message
    assert info.value.message.startswith("1 validation error detected: Value at 'password' failed")


def test_unicode_tag_values_pass_p_classes() -> None:
    params = {"Action": "TagUser", "Version": "2010-05-08", "UserName": "bob",
              "Tags.member.1.Key": "Équipe 漢字 ٣", "Tags.member.1.Value": "naïve\u00a0value"}
    assert IAM.parse(params)[1]["Tags"] == [{"Key": "Équipe 漢字 ٣", "Value": "naïve\u00a0value"}]


def test_sts_arn_pattern_reads_u10000_as_supplementary_range() -> None:
    """arnType writes ``\\u10000-\\u10FFFF``; see iamd.api.patterns."""
    base = {"Action": "AssumeRole", "Version": "2011-06-15", "RoleSessionName": "sess"}
    arn = "arn:aws:iam::123456789012:role/\U0001f600"
    assert STS.parse({**base, "RoleArn": arn})[1]["RoleArn"] == arn
    with pytest.raises(ValidationError, match="at 'roleArn'"):
        STS.parse({**base, "RoleArn": "arn:aws:iam::123456789012:role/\x01"})


def test_a_message_lists_at_most_ten_clauses_but_counts_them_all() -> None:
    with pytest.raises(ValidationError) as info:
        raise_if_any([f"clause {i}" for i in range(1000)])
    message = info.value.message
    assert message.startswith("1000 validation errors detected: clause 0; ")
    assert message.count("clause") == MAX_CLAUSES
