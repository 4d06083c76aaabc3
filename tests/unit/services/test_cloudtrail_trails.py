"""Edges of CloudTrail's trail rules: name rules, bucket and prefix rules, and the error classes
against botocore's model."""

from __future__ import annotations

import botocore.session
import pytest

from iamd.services import cloudtrail_errors
from iamd.services.trails import common, trails

MODEL = botocore.session.get_session().get_service_model("cloudtrail")


@pytest.mark.parametrize("name", sorted(cloudtrail_errors.BY_SHAPE))
def test_every_error_class_is_an_error_shape_of_the_model(name: str) -> None:
    shape = MODEL.shape_for(name)
    assert shape.metadata.get("exception"), name
    assert cloudtrail_errors.BY_SHAPE[name].code == name


@pytest.mark.parametrize("name", ["abc", "My.Trail_1-x", "a" * 128, "1abc", "a.b_c-d"])
def test_trail_names_accepted(name: str) -> None:
    common.check_name(name)


@pytest.mark.parametrize(
    ("name", "reason"),
    [("ab", "too short"), ("a" * 129, "too long"), ("a b", "ASCII"), ("ab_", "starts"), (".ab", "starts"),
     ("a..b", "adjacent"), ("a-_b", "adjacent"), ("192.168.5.4", "IP address"), ("tr\u00e4il", "ASCII")],
)
def test_trail_names_refused(name: str, reason: str) -> None:
    with pytest.raises(cloudtrail_errors.InvalidTrailNameException) as err:
        common.check_name(name)
    assert reason in err.value.message


@pytest.mark.parametrize("bucket", ["Bad", "a", "bad_bucket", "a..b", "1.2.3.4", "-ab", "ab-", "a.-b"])
def test_bucket_names_refused(bucket: str) -> None:
    with pytest.raises(cloudtrail_errors.InvalidS3BucketNameException):
        trails.check_bucket(bucket)


@pytest.mark.parametrize("prefix", ["..", "a/../b", "/a", "a//b", "a/", "a\\b", "a\x00b", "x" * 201])
def test_prefixes_refused(prefix: str) -> None:
    with pytest.raises(cloudtrail_errors.InvalidS3PrefixException):
        trails.check_prefix(prefix)


def test_prefixes_accepted() -> None:
    for prefix in ("team", "team/audit", "a.b-c_d/e"):
        trails.check_prefix(prefix)
