"""The custom policy checks over the wire: boto3 and the aws CLI against ``iamd serve``.

AWS's response shape (result, message, reasons), iamd's counter-example as one more reason, the
errors (invalid document, bad arguments), authorization (a low-privilege user), and the audit
trail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from functional_helpers import allow, as_creds, doc, new_user
from tests.functional.test_audit_trail import wait_for

from iamd.testing import IamdServer

OLD = doc(allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"]))
NEW = doc(
    allow(["s3:GetObject", "s3:GetObjectAcl", "s3:ListBucket"], ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"])
)
PUBLIC = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
)
PREFIX = "iamd counter-example: "


@pytest.fixture
def aa(server: IamdServer) -> Any:
    return server.client("accessanalyzer")


def counter_example(response: dict[str, Any]) -> dict[str, Any]:
    (last,) = [r for r in response["reasons"] if r["description"].startswith(PREFIX)]
    return dict(json.loads(last["description"][len(PREFIX) :]))


def test_check_no_new_access_with_boto3(aa: Any) -> None:
    failed = aa.check_no_new_access(newPolicyDocument=NEW, existingPolicyDocument=OLD, policyType="IDENTITY_POLICY")
    assert failed["result"] == "FAIL"
    assert failed["message"] == "The modified permissions grant new access compared to your existing policy."
    assert failed["reasons"][0] == {"description": "New access in the statement with index: 0.", "statementIndex": 0}
    example = counter_example(failed)
    assert example["action"] == "s3:GetObjectAcl" and example["verifiedByEngine"] is True
    passed = aa.check_no_new_access(newPolicyDocument=OLD, existingPolicyDocument=NEW, policyType="IDENTITY_POLICY")
    assert (passed["result"], passed.get("reasons", [])) == ("PASS", [])


def test_check_access_not_granted_and_no_public_access_with_boto3(aa: Any) -> None:
    passed = aa.check_access_not_granted(
        policyDocument=OLD, access=[{"actions": ["s3:DeleteBucket", "s3:GetBucketLocation"]}], policyType="IDENTITY_POLICY"
    )
    assert passed["result"] == "PASS"
    assert passed["message"] == "The policy document does not grant access to perform the listed actions."
    failed = aa.check_access_not_granted(policyDocument=OLD, access=[{"actions": ["s3:Get*"]}], policyType="IDENTITY_POLICY")
    assert failed["result"] == "FAIL" and counter_example(failed)["action"] == "s3:GetObject"
    public = aa.check_no_public_access(policyDocument=PUBLIC, resourceType="AWS::S3::Bucket")
    assert public["result"] == "FAIL"
    assert counter_example(public)["principal"] == {"arn": "*", "type": "Anonymous"}
    private = aa.check_no_public_access(policyDocument=PUBLIC, resourceType="AWS::SQS::Queue")
    assert private["result"] == "PASS"


def test_the_aws_cli(aws: Any, tmp_path: Path) -> None:
    (tmp_path / "existing-policy.json").write_text(OLD)
    (tmp_path / "new-policy.json").write_text(NEW)
    out = aws(
        "accessanalyzer",
        "check-no-new-access",
        "--existing-policy-document",
        "file://existing-policy.json",
        "--new-policy-document",
        "file://new-policy.json",
        "--policy-type",
        "IDENTITY_POLICY",
    )
    assert out["result"] == "FAIL" and out["reasons"][0]["statementIndex"] == 0
    out = aws(
        "accessanalyzer",
        "check-access-not-granted",
        "--policy-document",
        "file://existing-policy.json",
        "--access",
        "actions=s3:DeleteBucket,s3:GetBucketLocation",
        "--policy-type",
        "IDENTITY_POLICY",
    )
    assert out == {"result": "PASS", "message": "The policy document does not grant access to perform the listed actions."}


def test_bad_input_is_an_aws_error(aa: Any, error_of: Any) -> None:
    broken = error_of(aa.check_no_new_access, newPolicyDocument="{", existingPolicyDocument=OLD, policyType="IDENTITY_POLICY")
    assert (broken["Code"], broken["HTTPStatus"]) == ("InvalidParameterException", 400)
    assert "newPolicyDocument is not a valid IDENTITY_POLICY" in broken["Message"]
    empty = error_of(aa.check_access_not_granted, policyDocument=OLD, access=[{}], policyType="IDENTITY_POLICY")
    assert (empty["Code"], empty["HTTPStatus"]) == ("ValidationException", 400)
    huge = doc(*[allow(f"s3:GetObject{i}", f"arn:aws:s3:::bucket-{i}/*") for i in range(400)])
    too_big = error_of(aa.check_no_new_access, newPolicyDocument=huge, existingPolicyDocument=OLD, policyType="IDENTITY_POLICY")
    assert too_big["Code"] == "InvalidParameterException" and "maximum size" in too_big["Message"]
    mixed = doc(allow("s3:GetObject", NumericLessThan={"k:x": "3"}, DateLessThan={"k:x": "2020-01-01"}))
    undecided = error_of(aa.check_no_new_access, newPolicyDocument=mixed, existingPolicyDocument=OLD, policyType="IDENTITY_POLICY")
    assert (undecided["Code"], undecided["HTTPStatus"]) == ("UnprocessableEntityException", 422)


def test_low_privilege_user_is_denied_and_allowed_user_is_not(server: IamdServer, iam: Any, error_of: Any) -> None:
    _, key = new_user(iam, "reader", allow("access-analyzer:ValidatePolicy"))
    low = as_creds(server, "accessanalyzer", key)
    denied = error_of(low.check_no_new_access, newPolicyDocument=NEW, existingPolicyDocument=OLD, policyType="IDENTITY_POLICY")
    assert (denied["Code"], denied["HTTPStatus"]) == ("AccessDeniedException", 403)
    _, key = new_user(iam, "checker", allow("access-analyzer:CheckNoNewAccess"))
    ok = as_creds(server, "accessanalyzer", key)
    assert ok.check_no_new_access(newPolicyDocument=OLD, existingPolicyDocument=OLD, policyType="IDENTITY_POLICY")["result"] == "PASS"


def test_checks_are_in_the_audit_trail(server: IamdServer, aa: Any) -> None:
    aa.check_no_new_access(newPolicyDocument=NEW, existingPolicyDocument=OLD, policyType="IDENTITY_POLICY")
    trail = server.client("cloudtrail")
    # Read-only calls are written to the trail in batches, shortly after the answer.
    (event,) = wait_for(trail, ("EventName", "CheckNoNewAccess"), lambda found: len(found) >= 1)
    detail = json.loads(event["CloudTrailEvent"])
    assert detail["eventSource"] == "access-analyzer.amazonaws.com"
    assert detail["readOnly"] is True
    assert detail["requestParameters"]["policyType"] == "IDENTITY_POLICY"
    assert "DOC-EXAMPLE-BUCKET" not in event["CloudTrailEvent"], "policy documents are sensitive in the model"
