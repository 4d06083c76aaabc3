"""IAM's last-accessed reports over the wire (boto3 and the aws CLI): after a role calls two
services, its report lists exactly the services it is granted, with the times and entity of the
two it used; groups and policies report their members' use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from functional_helpers import as_creds, error, new_user

from iamd.testing import IamdServer

GRANT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:*", "sts:GetCallerIdentity", "organizations:Describe*"], "Resource": "*"}]}


@pytest.fixture
def clock(server: IamdServer) -> Iterator[Any]:
    yield server.set_clock_offset
    server.set_clock_offset(0)


def used_role(server: IamdServer, iam: Any, clock: Any) -> tuple[str, dict[str, Any]]:
    """Role ``worker`` granted iam, sts and organizations; it calls iam now and sts 10 minutes later."""
    account = server.account_id
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="worker", PolicyName="grant", PolicyDocument=json.dumps(GRANT))
    _, key = new_user(iam, "assumer", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    creds = as_creds(server, "sts", key).assume_role(RoleArn=arn, RoleSessionName="sess")["Credentials"]
    as_creds(server, "iam", creds).list_users()
    clock(600)
    as_creds(server, "sts", creds).get_caller_identity()
    return arn, creds


def report(iam: Any, arn: str, granularity: str = "SERVICE_LEVEL") -> dict[str, Any]:
    job = iam.generate_service_last_accessed_details(Arn=arn, Granularity=granularity)["JobId"]
    assert len(job) == 36
    return dict(iam.get_service_last_accessed_details(JobId=job)) | {"JobId": job}


def test_the_report_lists_the_granted_services_and_when_and_by_whom_two_were_used(
        server: IamdServer, iam: Any, clock: Any) -> None:
    arn, _ = used_role(server, iam, clock)
    out = report(iam, arn)
    assert out["JobStatus"] == "COMPLETED" and out["JobType"] == "SERVICE_LEVEL" and out["IsTruncated"] is False
    services = {s["ServiceNamespace"]: s for s in out["ServicesLastAccessed"]}
    assert sorted(services) == ["iam", "organizations", "sts"]
    iam_use, sts_use, orgs = services["iam"], services["sts"], services["organizations"]
    assert iam_use["LastAuthenticatedEntity"] == sts_use["LastAuthenticatedEntity"] == arn
    assert iam_use["TotalAuthenticatedEntities"] == sts_use["TotalAuthenticatedEntities"] == 1
    gap = sts_use["LastAuthenticated"] - iam_use["LastAuthenticated"]
    assert timedelta(seconds=590) <= gap <= timedelta(seconds=660)
    assert "LastAuthenticated" not in orgs and orgs["TotalAuthenticatedEntities"] == 0
    assert iam_use["ServiceName"] == "AWS Identity and Access Management (IAM)"
    assert iam_use["LastAuthenticatedRegion"] == "us-east-1"


def test_action_level_tracks_each_granted_action_of_the_services_iamd_serves(server: IamdServer, iam: Any,
                                                                            clock: Any) -> None:
    arn, _ = used_role(server, iam, clock)
    out = report(iam, arn, "ACTION_LEVEL")
    assert out["JobType"] == "ACTION_LEVEL"
    services = {s["ServiceNamespace"]: s for s in out["ServicesLastAccessed"]}
    tracked = {t["ActionName"]: t for t in services["iam"]["TrackedActionsLastAccessed"]}
    assert "CreateUser" in tracked and "LastAccessedTime" not in tracked["CreateUser"]
    assert tracked["ListUsers"]["LastAccessedEntity"] == arn
    (sts_action,) = services["sts"]["TrackedActionsLastAccessed"]
    assert sts_action["ActionName"] == "GetCallerIdentity" and sts_action["LastAccessedEntity"] == arn


def test_with_entities_names_who_used_a_service(server: IamdServer, iam: Any, clock: Any) -> None:
    arn, _ = used_role(server, iam, clock)
    job = report(iam, arn)["JobId"]
    out = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="iam")
    (entity,) = out["EntityDetailsList"]
    assert entity["EntityInfo"] == {"Arn": arn, "Name": "worker", "Type": "ROLE", "Path": "/",
                                    "Id": iam.get_role(RoleName="worker")["Role"]["RoleId"]}
    assert "LastAuthenticated" in entity
    unused = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="organizations")
    assert [("LastAuthenticated" in e) for e in unused["EntityDetailsList"]] == [False]
    never = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="s3")
    assert never["EntityDetailsList"] == []


def test_a_group_and_a_policy_report_their_members_use(server: IamdServer, iam: Any) -> None:
    policy = iam.create_policy(PolicyName="shared", PolicyDocument=json.dumps(GRANT))["Policy"]["Arn"]
    iam.create_group(GroupName="team")
    iam.attach_group_policy(GroupName="team", PolicyArn=policy)
    users = {}
    for name in ("ann", "bob"):
        users[name], key = new_user(iam, name)
        iam.add_user_to_group(GroupName="team", UserName=name)
        if name == "ann":
            as_creds(server, "iam", key).list_roles()
    for arn in (iam.get_group(GroupName="team")["Group"]["Arn"], policy):
        services = {s["ServiceNamespace"]: s for s in report(iam, arn)["ServicesLastAccessed"]}
        assert services["iam"]["LastAuthenticatedEntity"] == users["ann"]
        assert services["iam"]["TotalAuthenticatedEntities"] == 1 and "LastAuthenticated" not in services["sts"]
    job = report(iam, policy)["JobId"]
    entities = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="iam", MaxItems=1)
    assert entities["IsTruncated"] is True and len(entities["EntityDetailsList"]) == 1
    rest = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="iam",
                                                               Marker=entities["Marker"])
    names = [e["EntityInfo"]["Name"] for e in entities["EntityDetailsList"] + rest["EntityDetailsList"]]
    assert names == ["ann", "bob"]


def test_paging_the_services(server: IamdServer, iam: Any, clock: Any) -> None:
    arn, _ = used_role(server, iam, clock)
    job = report(iam, arn)["JobId"]
    first = iam.get_service_last_accessed_details(JobId=job, MaxItems=2)
    assert first["IsTruncated"] is True
    rest = iam.get_service_last_accessed_details(JobId=job, Marker=first["Marker"])
    assert [s["ServiceNamespace"] for s in first["ServicesLastAccessed"] + rest["ServicesLastAccessed"]] == [
        "iam", "organizations", "sts"]


def test_list_policies_granting_service_access(iam: Any) -> None:
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="inline", PolicyDocument=json.dumps(GRANT))
    managed = iam.create_policy(PolicyName="readsts", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="u", PolicyArn=managed)
    arn = iam.get_user(UserName="u")["User"]["Arn"]
    out = iam.list_policies_granting_service_access(Arn=arn, ServiceNamespaces=["sts", "iam", "s3"])
    by = {e["ServiceNamespace"]: e["Policies"] for e in out["PoliciesGrantingServiceAccess"]}
    inline = {"PolicyName": "inline", "PolicyType": "INLINE", "EntityType": "USER", "EntityName": "u"}
    assert by["iam"] == [inline] and by["s3"] == []
    assert by["sts"] == [inline, {"PolicyName": "readsts", "PolicyType": "MANAGED", "PolicyArn": managed}]
    # A Deny elsewhere takes the grant away: the engine decides.
    iam.put_user_policy(UserName="u", PolicyName="deny", PolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "sts:*", "Resource": "*"}]}))
    out = iam.list_policies_granting_service_access(Arn=arn, ServiceNamespaces=["sts"])
    assert out["PoliciesGrantingServiceAccess"] == [{"ServiceNamespace": "sts", "Policies": []}]


def test_errors(server: IamdServer, iam: Any) -> None:
    account = server.account_id
    assert error(iam.get_service_last_accessed_details, JobId="0" * 36)["Code"] == "NoSuchEntity"
    assert error(iam.generate_service_last_accessed_details, Arn=f"arn:aws:iam::{account}:user/ghost")["Code"] == \
        "NoSuchEntity"
    assert error(iam.generate_service_last_accessed_details, Arn="arn:aws:s3:::some-bucket")["Code"] == "InvalidInput"
    iam.create_user(UserName="u")
    arn = iam.get_user(UserName="u")["User"]["Arn"]
    assert error(iam.list_policies_granting_service_access, Arn=arn, ServiceNamespaces=["bad space"])["Code"] == \
        "ValidationError"  # the model's pattern, checked before the action
    job = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    assert error(iam.get_service_last_accessed_details, JobId=job, Marker="not*base64")["Code"] in (
        "InvalidInput", "ValidationError")


def test_the_aws_cli_reads_a_report(aws: Any, server: IamdServer, iam: Any, clock: Any) -> None:
    arn, _ = used_role(server, iam, clock)
    job = aws("iam", "generate-service-last-accessed-details", "--arn", arn)["JobId"]
    out = aws("iam", "get-service-last-accessed-details", "--job-id", job)
    used = sorted(s["ServiceNamespace"] for s in out["ServicesLastAccessed"] if "LastAuthenticated" in s)
    assert used == ["iam", "sts"]

