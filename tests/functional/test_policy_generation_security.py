"""Policy generation against attackers: another account, a low-privilege user, forged job ids
and page tokens, hostile input; and the audit trail of its calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from functional_helpers import allow, as_creds, error, new_user

from iamd.testing import IamdServer


def details(account: str, **kw: Any) -> dict[str, Any]:
    return {"trails": [{"cloudTrailArn": f"arn:aws:cloudtrail:us-east-1:{account}:trail/t"}],
            "accessRole": f"arn:aws:iam::{account}:role/reader",
            "startTime": datetime.now(UTC) - timedelta(hours=1), **kw}


def test_another_account_cannot_generate_for_or_read_this_account_s_principals(
        two_accounts: tuple[IamdServer, dict[str, str]]) -> None:
    srv, other_root = two_accounts
    mine = srv.client("accessanalyzer")
    account = srv.account_id
    srv.client("iam").create_user(UserName="victim")
    victim = f"arn:aws:iam::{account}:user/victim"
    job = mine.start_policy_generation(policyGenerationDetails={"principalArn": victim},
                                       cloudTrailDetails=details(account))["jobId"]
    theirs = as_creds(srv, "accessanalyzer", other_root)
    refused = error(theirs.start_policy_generation, policyGenerationDetails={"principalArn": victim},
                    cloudTrailDetails=details(account))
    assert refused["Code"] == "ValidationException" and "your account" in refused["Message"]
    for fn, kwargs in [(theirs.get_generated_policy, {"jobId": job}), (theirs.cancel_policy_generation, {"jobId": job})]:
        assert error(fn, **kwargs)["Code"] == "ValidationException", fn.__name__
    assert theirs.list_policy_generations()["policyGenerations"] == []
    assert [j["jobId"] for j in mine.list_policy_generations()["policyGenerations"]] == [job]


def test_low_privilege_user_is_denied(server: IamdServer, iam: Any) -> None:
    aa = server.client("accessanalyzer")
    account = server.account_id
    _, key = new_user(iam, "low", allow("access-analyzer:ListPolicyGenerations"))
    low = as_creds(server, "accessanalyzer", key)
    assert low.list_policy_generations()["policyGenerations"] == []
    denied = error(low.start_policy_generation, policyGenerationDetails={"principalArn": f"arn:aws:iam::{account}:user/low"},
                   cloudTrailDetails=details(account))
    assert (denied["Code"], denied["HTTPStatus"]) == ("AccessDeniedException", 403)
    assert "access-analyzer:StartPolicyGeneration" in denied["Message"]
    assert aa.list_policy_generations()["policyGenerations"] == []


def test_forged_job_ids_and_tokens_are_aws_s_validation_errors(server: IamdServer, iam: Any) -> None:
    aa = server.client("accessanalyzer")
    account = server.account_id
    iam.create_user(UserName="u")
    arn = f"arn:aws:iam::{account}:user/u"
    for _ in range(2):
        aa.start_policy_generation(policyGenerationDetails={"principalArn": arn}, cloudTrailDetails=details(account))
    for forged in ["00000000-0000-0000-0000-000000000000", "../../etc", "x" * 300]:
        assert error(aa.get_generated_policy, jobId=forged)["Code"] == "ValidationException"
    token = aa.list_policy_generations(maxResults=1)["nextToken"]
    for bad in [token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], "garbage"]:
        assert error(aa.list_policy_generations, maxResults=1, nextToken=bad)["Code"] == "ValidationException"
    # A token of one query is not a page of another.
    assert error(aa.list_policy_generations, principalArn=arn, maxResults=1, nextToken=token)["Code"] == \
        "ValidationException"


def test_hostile_input_changes_nothing(server: IamdServer, iam: Any) -> None:
    aa = server.client("accessanalyzer")
    account = server.account_id
    iam.create_user(UserName="u")
    arn = f"arn:aws:iam::{account}:user/u"
    now = datetime.now(UTC)
    cases = [
        {"cloudTrailDetails": details(account, trails=[{"cloudTrailArn": "arn:aws:s3:::bucket"}])},
        {"cloudTrailDetails": details(account, accessRole=f"arn:aws:iam::{account}:user/u")},
        {"cloudTrailDetails": details(account, startTime=now, endTime=now - timedelta(hours=1))},
        {"cloudTrailDetails": details(account, startTime=now - timedelta(days=120))},
        {"cloudTrailDetails": details(account, startTime=now + timedelta(days=1), endTime=now + timedelta(days=2))},
        {},
    ]
    for extra in cases:
        refused = error(aa.start_policy_generation, policyGenerationDetails={"principalArn": arn}, **extra)
        assert refused["Code"] == "ValidationException", extra
    assert aa.list_policy_generations()["policyGenerations"] == []


def test_generation_calls_are_in_the_audit_trail(server: IamdServer, iam: Any) -> None:
    aa = server.client("accessanalyzer")
    account = server.account_id
    iam.create_user(UserName="u")
    job = aa.start_policy_generation(policyGenerationDetails={"principalArn": f"arn:aws:iam::{account}:user/u"},
                                     cloudTrailDetails=details(account))["jobId"]
    ct = server.client("cloudtrail")
    events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "StartPolicyGeneration"}])
    (event,) = events["Events"]
    record = json.loads(event["CloudTrailEvent"])
    assert record["eventSource"] == "access-analyzer.amazonaws.com"
    assert record["responseElements"] == {"jobId": job}
