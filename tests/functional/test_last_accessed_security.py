"""Last-accessed reports against attackers: another account's entities and job ids, a
low-privilege user, forged job ids and markers; and the audit trail of the calls."""

from __future__ import annotations

import json
from typing import Any

from functional_helpers import allow, as_creds, error, new_user, poll

from iamd.testing import IamdServer


def test_another_account_cannot_report_on_or_read_this_account_s_entities(
        two_accounts: tuple[IamdServer, dict[str, str]]) -> None:
    srv, other_root = two_accounts
    mine = srv.client("iam")
    arn = mine.create_user(UserName="victim")["User"]["Arn"]
    job = mine.generate_service_last_accessed_details(Arn=arn)["JobId"]
    theirs = as_creds(srv, "iam", other_root)
    for fn, kwargs in [(theirs.generate_service_last_accessed_details, {"Arn": arn}),
                       (theirs.list_policies_granting_service_access, {"Arn": arn, "ServiceNamespaces": ["iam"]})]:
        assert error(fn, **kwargs)["Code"] == "AccessDenied", fn.__name__
    # Their job id space is theirs: this account's job is not found there.
    assert error(theirs.get_service_last_accessed_details, JobId=job)["Code"] == "NoSuchEntity"
    assert error(theirs.get_service_last_accessed_details_with_entities, JobId=job,
                 ServiceNamespace="iam")["Code"] == "NoSuchEntity"
    assert mine.get_service_last_accessed_details(JobId=job)["JobStatus"] == "COMPLETED"


def test_low_privilege_user_is_denied(server: IamdServer, iam: Any) -> None:
    target = iam.create_user(UserName="target")["User"]["Arn"]
    _, key = new_user(iam, "low", allow("iam:GetServiceLastAccessedDetails"))
    low = as_creds(server, "iam", key)
    denied = error(low.generate_service_last_accessed_details, Arn=target)
    assert (denied["Code"], denied["HTTPStatus"]) == ("AccessDenied", 403)
    assert f"iam:GenerateServiceLastAccessedDetails on resource: {target}" in denied["Message"]
    denied = error(low.list_policies_granting_service_access, Arn=target, ServiceNamespaces=["iam"])
    assert denied["Code"] == "AccessDenied"
    # Allowed on its own ARN only: a self-service policy does not reach other users.
    iam.put_user_policy(UserName="low", PolicyName="self", PolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GenerateServiceLastAccessedDetails",
                       "Resource": "arn:aws:iam::*:user/${aws:username}"}]}))
    own = low.generate_service_last_accessed_details(Arn=iam.get_user(UserName="low")["User"]["Arn"])["JobId"]
    assert low.get_service_last_accessed_details(JobId=own)["JobStatus"] == "COMPLETED"
    assert error(low.generate_service_last_accessed_details, Arn=target)["Code"] == "AccessDenied"


def test_forged_job_ids_and_markers(server: IamdServer, iam: Any) -> None:
    arn = iam.create_user(UserName="u")["User"]["Arn"]
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["iam:*", "sts:*", "organizations:*"], "Resource": "*"}]}))
    job = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    for forged in ["00000000-0000-0000-0000-000000000000", job[:-1] + ("0" if job[-1] != "0" else "1"),
                   "' OR 1=1 --                         "[:36].ljust(36, "x")]:
        assert error(iam.get_service_last_accessed_details, JobId=forged)["Code"] == "NoSuchEntity"
    page = iam.get_service_last_accessed_details(JobId=job, MaxItems=1)
    assert page["IsTruncated"] is True
    assert error(iam.get_service_last_accessed_details, JobId=job, Marker="%%%")["Code"] in ("InvalidInput",
                                                                                          "ValidationError")


def test_report_calls_are_in_the_audit_trail(server: IamdServer, iam: Any) -> None:
    arn = iam.create_user(UserName="u")["User"]["Arn"]
    job = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    iam.get_service_last_accessed_details(JobId=job)
    ct = server.client("cloudtrail")

    def written() -> list[Any]:
        events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                     "AttributeValue": "GenerateServiceLastAccessedDetails"}])
        return list(events["Events"])

    found = poll(written)  # read-only calls are written in batches, shortly after
    record = json.loads(found[0]["CloudTrailEvent"])
    assert record["eventSource"] == "iam.amazonaws.com" and record["requestParameters"]["arn"] == arn
