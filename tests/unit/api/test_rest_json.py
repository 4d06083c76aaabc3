"""The REST-JSON codec (api/rest_json.py) on Access Analyzer's botocore model."""

from __future__ import annotations

import json

import pytest

from iamd.api.rest_json import (
    RestJsonServiceCodec,
    RestRequest,
    RestValidationException,
    UnknownRoute,
    render_error,
)
from iamd.errors import AccessDenied

CODEC = RestJsonServiceCodec.load("accessanalyzer")


def req(method: str, path: str, query: tuple[tuple[str, str], ...] = (), body: bytes = b"") -> RestRequest:
    return RestRequest(method, path, query, (), body)


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("GET", "/analyzer", "ListAnalyzers"),
        ("PUT", "/analyzer", "CreateAnalyzer"),
        ("GET", "/analyzer/a1", "GetAnalyzer"),
        ("PUT", "/analyzer/a1", "UpdateAnalyzer"),
        ("DELETE", "/analyzer/a1", "DeleteAnalyzer"),
        ("POST", "/analyzer/findings/statistics", "GetFindingsStatistics"),
        ("GET", "/analyzer/a1/archive-rule", "ListArchiveRules"),
        ("DELETE", "/analyzer/a1/archive-rule/r1", "DeleteArchiveRule"),
        ("GET", "/access-preview/p1", "GetAccessPreview"),
        ("POST", "/access-preview/p1", "ListAccessPreviewFindings"),
        ("GET", "/tags/arn%3Aaws%3Aaccess-analyzer%3Aus-east-1%3A111122223333%3Aanalyzer%2Fa1", "ListTagsForResource"),
    ],
)
def test_routes_by_method_and_template(method: str, path: str, operation: str) -> None:
    assert CODEC.operation_for(req(method, path)) == operation


@pytest.mark.parametrize(("method", "path"), [("GET", "/nothing"), ("PATCH", "/analyzer"), ("GET", "/analyzer/a/b/c/d"),
                                              ("GET", "/analyzer//archive-rule")])
def test_unknown_route(method: str, path: str) -> None:
    assert CODEC.operation_for(req(method, path)) is None
    with pytest.raises(UnknownRoute):
        CODEC.parse(req(method, path))


def test_labels_are_decoded_after_splitting() -> None:
    arn = "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/a1"
    name, params = CODEC.parse(req("GET", "/tags/arn%3Aaws%3Aaccess-analyzer%3Aus-east-1%3A111122223333%3Aanalyzer%2Fa1"))
    assert (name, params) == ("ListTagsForResource", {"resourceArn": arn})


def test_query_members_typed_and_lists() -> None:
    _, params = CODEC.parse(req("GET", "/analyzer", (("type", "ACCOUNT"), ("maxResults", "5"))))
    assert params == {"type": "ACCOUNT", "maxResults": 5}
    _, params = CODEC.parse(req("DELETE", "/tags/x", (("tagKeys", "a"), ("tagKeys", "b"))))
    assert params == {"resourceArn": "x", "tagKeys": ["a", "b"]}


def test_body_cannot_stand_in_for_located_members() -> None:
    body = json.dumps({"analyzerName": "other", "clientToken": "t", "filter": {}}).encode()
    _, params = CODEC.parse(req("GET", "/analyzer/mine", body=body))
    assert params == {"analyzerName": "mine"}


def test_constraints_give_field_list() -> None:
    with pytest.raises(RestValidationException) as caught:
        CODEC.parse(req("PUT", "/analyzer", body=b'{"analyzerName": "bad name", "type": "NOPE"}'))
    fields = caught.value.extra_fields
    assert fields["reason"] == "fieldValidationFailed"
    assert [f["name"] for f in fields["fieldList"]] == ["analyzerName", "type"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (req("GET", "/analyzer", (("maxResults", "many"),)), "cannotParse"),
        (req("PUT", "/analyzer", body=b"[1]"), "cannotParse"),
        (req("PUT", "/analyzer", body=b'{"analyzerName": 5, "type": "ACCOUNT"}'), "cannotParse"),
    ],
)
def test_unparseable_values_are_validation_exceptions(request_: RestRequest, reason: str) -> None:
    with pytest.raises(RestValidationException) as caught:
        CODEC.parse(request_)
    assert caught.value.extra_fields["reason"] == reason


def test_errors_name_their_code_in_a_header() -> None:
    body, headers = render_error(AccessDenied("no"))
    assert headers == {"x-amzn-ErrorType": "AccessDeniedException"}
    assert json.loads(body) == {"message": "no"}


def test_success_status_is_the_models() -> None:
    assert CODEC.response_meta("ListAnalyzers", {}) == (200, {})


def test_greedy_labels_take_the_rest_of_the_path() -> None:
    from iamd.api.rest_json import Route

    route = Route("GetObject", "GET", (("lit", "bucket"), ("label", "Bucket"), ("greedy", "Key")), ())
    assert route.match("bucket/b/a/b%2Fc".split("/")) == {"Bucket": "b", "Key": "a/b/c"}
    assert route.match(["bucket", "b"]) is None
    assert route.match(["bucket", "b", ""]) is None
