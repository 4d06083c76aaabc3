"""Access Analyzer against attackers: another account, a low-privilege user, hostile input,
unsigned calls, forged page tokens; and the audit trail of its calls."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from functional_helpers import allow, as_creds, error, new_user

from iamd.testing import IamdServer

OUTSIDER = "444455556666"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": OUTSIDER}, "Action": "sts:AssumeRole"}]})


def test_another_account_cannot_see_or_alter_the_analyzer(two_accounts: tuple[IamdServer, dict[str, str]]) -> None:
    srv, other_root = two_accounts
    mine = srv.client("accessanalyzer")
    arn = mine.create_analyzer(analyzerName="xacct", type="ACCOUNT")["arn"]
    srv.client("iam").create_role(RoleName="xacct-role", AssumeRolePolicyDocument=TRUST)
    (finding,) = mine.list_findings(analyzerArn=arn)["findings"]
    theirs = as_creds(srv, "accessanalyzer", other_root)
    attempts = [
        (theirs.list_findings, {"analyzerArn": arn}),
        (theirs.get_finding, {"analyzerArn": arn, "id": finding["id"]}),
        (theirs.update_findings, {"analyzerArn": arn, "ids": [finding["id"]], "status": "ARCHIVED"}),
        (theirs.tag_resource, {"resourceArn": arn, "tags": {"owned": "yes"}}),
        (theirs.list_tags_for_resource, {"resourceArn": arn}),
        (theirs.apply_archive_rule, {"analyzerArn": arn, "ruleName": "r"}),
        (theirs.create_access_preview, {"analyzerArn": arn, "configurations": {finding["resource"]: {"iamRole": {}}}}),
    ]
    for fn, kwargs in attempts:
        assert error(fn, **kwargs)["Code"] == "AccessDeniedException", fn.__name__
    # Their own names are theirs: the same name in their account is another analyzer.
    assert theirs.list_analyzers()["analyzers"] == []
    assert error(theirs.get_analyzer, analyzerName="xacct")["Code"] == "ResourceNotFoundException"
    assert mine.get_finding(analyzerArn=arn, id=finding["id"])["finding"]["status"] == "ACTIVE"
    assert mine.list_tags_for_resource(resourceArn=arn)["tags"] == {}


def test_low_privilege_user_is_denied(server: IamdServer, iam: Any) -> None:
    aa = server.client("accessanalyzer")
    arn = aa.create_analyzer(analyzerName="main", type="ACCOUNT")["arn"]
    _, key = new_user(iam, "reader", allow("access-analyzer:ListAnalyzers"))
    low = as_creds(server, "accessanalyzer", key)
    assert [a["arn"] for a in low.list_analyzers()["analyzers"]] == [arn]
    for fn, kwargs in [(low.list_findings, {"analyzerArn": arn}), (low.delete_analyzer, {"analyzerName": "main"}),
                       (low.create_analyzer, {"analyzerName": "mine", "type": "ACCOUNT"})]:
        denied = error(fn, **kwargs)
        assert (denied["Code"], denied["HTTPStatus"]) == ("AccessDeniedException", 403)
        assert "access-analyzer:" in denied["Message"]
    assert aa.get_analyzer(analyzerName="main")["analyzer"]["arn"] == arn


def test_a_tag_condition_scopes_analyzers(server: IamdServer, iam: Any) -> None:
    aa = server.client("accessanalyzer")
    tagged = aa.create_analyzer(analyzerName="team", type="ACCOUNT", tags={"team": "blue"})["arn"]
    other = aa.create_analyzer(analyzerName="other", type="ACCOUNT_UNUSED_ACCESS")["arn"]
    statement = allow("access-analyzer:ListFindings", "*")
    statement["Condition"] = {"StringEquals": {"aws:ResourceTag/team": "blue"}}
    _, key = new_user(iam, "blue", statement)
    blue = as_creds(server, "accessanalyzer", key)
    assert blue.list_findings(analyzerArn=tagged)["findings"] == []
    assert error(blue.list_findings, analyzerArn=other)["Code"] == "AccessDeniedException"


def test_recommendations_need_an_unused_permission_finding(server: IamdServer, iam: Any) -> None:
    aa = server.client("accessanalyzer")
    arn = aa.create_analyzer(analyzerName="main", type="ACCOUNT")["arn"]
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    (finding,) = aa.list_findings(analyzerArn=arn)["findings"]
    assert error(aa.generate_finding_recommendation, analyzerArn=arn, id=finding["id"])["Code"] == "ValidationException"
    assert error(aa.generate_finding_recommendation, analyzerArn=arn, id="nope")["Code"] == "ValidationException"
    assert error(aa.get_finding_recommendation, analyzerArn=arn, id=finding["id"])["Code"] == "ResourceNotFoundException"


def test_service_linked_analyzers_are_not_for_customers(server: IamdServer) -> None:
    aa = server.client("accessanalyzer")
    assert error(aa.create_service_linked_analyzer, type="ACCOUNT")["Code"] == "AccessDeniedException"
    aa.create_analyzer(analyzerName="main", type="ACCOUNT")
    assert error(aa.delete_service_linked_analyzer, analyzerName="main")["Code"] == "ResourceNotFoundException"
    assert aa.get_analyzer(analyzerName="main")["analyzer"]["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        ({"filter": {f"condition.k{i}": {"eq": ["x"]} for i in range(21)}}, "filter"),
        ({"filter": {"status": {"eq": [f"v{i}" for i in range(21)]}}}, "filter.status.eq"),
        ({"filter": {"nosuchkey": {"eq": ["x"]}}}, "filter.nosuchkey"),
        ({"filter": {"status": {}}}, "filter.status"),
        ({"nextToken": "forged.token"}, "nextToken"),
        ({"maxResults": 0}, "maxResults"),
        ({"sort": {"attributeName": "secret"}}, "sort.attributeName"),
    ],
)
def test_hostile_list_requests_are_validation_exceptions(server: IamdServer, call: dict[str, Any], field: str) -> None:
    aa = server.client("accessanalyzer")
    arn = aa.create_analyzer(analyzerName="main", type="ACCOUNT")["arn"]
    try:
        aa.list_findings(analyzerArn=arn, **call)
    except ClientError as err:
        assert err.response["Error"]["Code"] == "ValidationException"
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        names = [f["name"] for f in err.response.get("fieldList", [])]
        assert any(n.startswith(field.split(".")[0]) for n in names), names
    else:
        raise AssertionError("accepted")


def test_a_token_of_another_query_is_refused(server: IamdServer, iam: Any) -> None:
    aa = server.client("accessanalyzer")
    arn = aa.create_analyzer(analyzerName="main", type="ACCOUNT")["arn"]
    for i in range(3):
        iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument=TRUST)
    token = aa.list_findings(analyzerArn=arn, maxResults=1)["nextToken"]
    assert aa.list_findings(analyzerArn=arn, maxResults=1, nextToken=token)["findings"]
    refused = error(aa.list_findings, analyzerArn=arn, nextToken=token, filter={"status": {"eq": ["ACTIVE"]}})
    assert refused["Code"] == "ValidationException"
    assert error(aa.list_analyzers, nextToken=token)["Code"] == "ValidationException"


def test_malformed_bodies_and_unknown_paths(server: IamdServer) -> None:
    aa = server.client("accessanalyzer")
    invalid = error(aa.create_analyzer, analyzerName="x" * 256, type="ACCOUNT")
    assert invalid["Code"] == "ValidationException"
    assert error(aa.create_analyzer, analyzerName="ok", type="ACCOUNT_INTERNAL_ACCESS")["Code"] == "ValidationException"
    assert error(aa.create_access_preview, analyzerArn="arn:aws:access-analyzer:us-east-1:123456789012:analyzer/none",
                 configurations={"x": {"iamRole": {}}})["Code"] == "ResourceNotFoundException"
    assert aa.list_analyzers()["analyzers"] == []


def _raw(server: IamdServer, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path)
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def test_unsigned_calls_get_a_rest_json_error(server: IamdServer) -> None:
    status, headers, body = _raw(server, "PUT", "/analyzer")
    assert status == 403 and headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert "message" in json.loads(body)
    status, _, _ = _raw(server, "DELETE", "/no/such/path")
    assert status == 405


def _signed(server: IamdServer, method: str, path: str, service: str, body: bytes = b"",
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials

    creds = botocore.credentials.Credentials(server.access_key_id, server.secret_access_key)
    request = botocore.awsrequest.AWSRequest(method, server.endpoint + path, data=body, headers=headers or {})
    botocore.auth.SigV4Auth(creds, service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=prepared.body, headers=dict(prepared.headers))
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def test_a_signed_call_of_no_operation_is_an_unknown_operation(server: IamdServer) -> None:
    status, headers, body = _signed(server, "GET", "/no/such/operation", "access-analyzer")
    assert status == 404 and headers["x-amzn-errortype"] == "UnknownOperationException"
    assert json.loads(body)["message"]
    status, headers, _ = _signed(server, "POST", "/analyzer", "access-analyzer", b"{}")  # GET and PUT only
    assert status == 404


def test_put_is_only_for_rest_operations(server: IamdServer) -> None:
    """A signed IAM (Query) call sent with PUT is refused, not run."""
    status, _, _ = _signed(server, "PUT", "/", "iam", b"Action=CreateUser&UserName=put&Version=2010-05-08",
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 405
    assert not [u for u in server.client("iam").list_users()["Users"] if u["UserName"] == "put"]


def test_calls_are_in_the_audit_trail(server: IamdServer) -> None:
    aa = server.client("accessanalyzer")
    aa.create_analyzer(analyzerName="audited", type="ACCOUNT")
    trail = server.client("cloudtrail")
    events = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateAnalyzer"}])
    (event,) = events["Events"]
    detail = json.loads(event["CloudTrailEvent"])
    assert detail["eventSource"] == "access-analyzer.amazonaws.com"
    assert detail["requestParameters"]["analyzerName"] == "audited"
