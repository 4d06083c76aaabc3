"""Arbitrary parameters never escape as anything but an AwsError (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamd.api.models import ServiceCodec
from iamd.errors import AwsError

IAM = ServiceCodec.load("iam")
STS = ServiceCodec.load("sts")

# Keys drawn from the real wire vocabulary, so the fuzz reaches deep into the parsers.
PARTS = ["UserName", "Tags", "member", "entry", "key", "value", "Key", "Value", "1", "2", "0", "10",
         "01", "-1", "x", "", "MaxItems", "Marker", "PolicyArns", "arn", "ContextEntries",
         "ContextKeyValues", "Properties", "ReplacementValues", "OnlyAttached", "DurationSeconds",
         "PolicyInputList", "ActionNames", "ResourceArns", "Filter", "9" * 12]
keys = st.lists(st.sampled_from(PARTS), min_size=1, max_size=6).map(".".join) | st.text(max_size=20)
values = st.sampled_from(["", "true", "abc", "-1", "0", "1000", "9" * 30, "1e5", "x!", "/", "\x00",
                          "arn:aws:iam::123456789012:policy/p", "2024-01-01T00:00:00Z"]) | st.text()
codecs = st.sampled_from([IAM, STS])


@st.composite
def requests(draw: st.DrawFn) -> tuple[ServiceCodec, dict[str, str]]:
    codec = draw(codecs)
    params = draw(st.dictionaries(keys, values, max_size=12))
    action = draw(st.sampled_from(codec.operation_names) | st.text(max_size=10))
    version = draw(st.sampled_from([codec.api_version] * 6 + ["", "2010-05-08"]))
    if draw(st.integers(0, 9)):
        params.update({"Action": action, "Version": version})
    return codec, params


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_parse_raises_only_aws_errors(request: tuple[ServiceCodec, dict[str, str]]) -> None:
    codec, params = request
    try:
        name, parsed = codec.parse(params)
    except AwsError as err:
        assert err.message
        return
    assert name in codec.operation_names
    assert isinstance(parsed, dict)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), st.text(), max_size=8))
def test_parse_arbitrary_text(params: dict[str, str]) -> None:
    try:
        IAM.parse(params)
    except AwsError:
        pass
