"""Security: the resource authorized is the entity the action touches."""

from __future__ import annotations

import time
from typing import Any

import pyotp
from functional_helpers import allow, as_creds, denied, error, new_user, self_signed_certificate

from iamd.testing import IamdServer

OWN = "arn:aws:iam::*:user/${aws:username}"


def test_get_access_key_last_used_is_authorized_on_the_keys_owner(server: IamdServer, iam: Any) -> None:
    """AWS authorizes GetAccessKeyLastUsed against the user who owns the key: a self-service
    policy on ``user/${aws:username}`` reads the caller's own keys only."""
    _, bob_key = new_user(iam, "bob")
    _, alice_key = new_user(iam, "alice", allow("iam:GetAccessKeyLastUsed", OWN))
    alice = as_creds(server, "iam", alice_key)
    assert alice.get_access_key_last_used(AccessKeyId=alice_key["AccessKeyId"])["UserName"] == "alice"
    message = denied(alice.get_access_key_last_used, AccessKeyId=bob_key["AccessKeyId"])
    assert "user/bob" in message
    message = denied(alice.get_access_key_last_used, AccessKeyId=server.access_key_id)
    assert ":root" in message


def test_get_access_key_last_used_of_an_unknown_key_is_no_such_entity_when_allowed(iam: Any) -> None:
    err = iam.exceptions.NoSuchEntityException
    try:
        iam.get_access_key_last_used(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
    except err:
        return
    raise AssertionError("expected NoSuchEntity")


def test_moving_a_user_needs_permission_on_the_new_path(server: IamdServer, iam: Any) -> None:
    """UpdateUser: "the requester must have appropriate permissions on both the source object and
    the target object" (IAM API Reference). Otherwise a sandbox admin could move a user under a
    path that trust policies and conditions on aws:PrincipalArn single out."""
    iam.create_user(UserName="carol", Path="/sandbox/")
    _, key = new_user(iam, "dave", allow("iam:UpdateUser", "arn:aws:iam::*:user/sandbox/*"))
    dave = as_creds(server, "iam", key)
    message = denied(dave.update_user, UserName="carol", NewPath="/admins/")
    assert "user/admins/carol" in message
    message = denied(dave.update_user, UserName="carol", NewUserName="root-admin", NewPath="/admins/")
    assert "user/admins/root-admin" in message
    assert iam.get_user(UserName="carol")["User"]["Arn"].endswith(":user/sandbox/carol")
    dave.update_user(UserName="carol", NewUserName="carol2")
    assert iam.get_user(UserName="carol2")["User"]["Path"] == "/sandbox/"


def test_moving_a_group_needs_permission_on_the_new_path(server: IamdServer, iam: Any) -> None:
    iam.create_group(GroupName="devs", Path="/sandbox/")
    _, key = new_user(iam, "dave", allow("iam:UpdateGroup", "arn:aws:iam::*:group/sandbox/*"))
    dave = as_creds(server, "iam", key)
    message = denied(dave.update_group, GroupName="devs", NewPath="/admins/")
    assert "group/admins/devs" in message
    dave.update_group(GroupName="devs", NewGroupName="developers")
    assert iam.get_group(GroupName="developers")["Group"]["Path"] == "/sandbox/"


def test_server_certificates_are_authorized_with_their_path(server: IamdServer, iam: Any) -> None:
    """A server certificate's ARN carries its path; a Deny on ``server-certificate/prod/*`` holds."""
    body, private_key = self_signed_certificate()
    iam.upload_server_certificate(
        ServerCertificateName="web", Path="/prod/", CertificateBody=body, PrivateKey=private_key
    )
    deny = {"Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::*:server-certificate/prod/*"}
    _, key = new_user(iam, "erin", allow("iam:*ServerCertificate*"), deny)
    erin = as_creds(server, "iam", key)
    message = denied(erin.get_server_certificate, ServerCertificateName="web")
    assert "server-certificate/prod/web" in message
    denied(erin.delete_server_certificate, ServerCertificateName="web")
    denied(erin.update_server_certificate, ServerCertificateName="web", NewPath="/dev/")
    assert iam.get_server_certificate(ServerCertificateName="web")["ServerCertificate"]


def test_renaming_a_server_certificate_needs_permission_on_the_target(server: IamdServer, iam: Any) -> None:
    body, private_key = self_signed_certificate()
    iam.upload_server_certificate(
        ServerCertificateName="web", Path="/dev/", CertificateBody=body, PrivateKey=private_key
    )
    _, key = new_user(iam, "erin", allow("iam:UpdateServerCertificate", "arn:aws:iam::*:server-certificate/dev/*"))
    erin = as_creds(server, "iam", key)
    message = denied(erin.update_server_certificate, ServerCertificateName="web", NewPath="/prod/")
    assert "server-certificate/prod/web" in message
    erin.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="web2")


SLR_PATH = "arn:aws:iam::*:role/aws-service-role/"
BEANSTALK = "elasticbeanstalk.amazonaws.com"


def test_create_service_linked_role_takes_the_documented_scoped_allow(server: IamdServer, iam: Any) -> None:
    """The IAM User Guide's policy "to allow an IAM entity to create a specific service-linked
    role": a resource under ``aws-service-role/SERVICE/PREFIX*`` and ``iam:AWSServiceName``."""
    scoped = allow(
        "iam:CreateServiceLinkedRole",
        f"{SLR_PATH}{BEANSTALK}/AWSServiceRoleForElasticBeanstalk*",
        StringLike={"iam:AWSServiceName": BEANSTALK},
    )
    _, key = new_user(iam, "ops", scoped)
    ops = as_creds(server, "iam", key)
    role = ops.create_service_linked_role(AWSServiceName=BEANSTALK)["Role"]
    assert role["Arn"].endswith(f":role/aws-service-role/{BEANSTALK}/AWSServiceRoleForElasticBeanstalk")
    message = denied(ops.create_service_linked_role, AWSServiceName="autoscaling.amazonaws.com")
    assert "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling " in message


def test_a_deny_on_service_linked_roles_holds(server: IamdServer, iam: Any) -> None:
    """A Deny on ``role/aws-service-role/*`` covers creating, deleting and reading the deletion
    status of service-linked roles, whose ARNs no request member names."""
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]
    gone = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]["RoleName"]
    task = iam.delete_service_linked_role(RoleName=gone)["DeletionTaskId"]
    deny = {"Effect": "Deny", "Action": "iam:*", "Resource": f"{SLR_PATH}*"}
    _, key = new_user(iam, "ops", allow("iam:*"), deny)
    ops = as_creds(server, "iam", key)
    assert "role/aws-service-role/" in denied(ops.create_service_linked_role, AWSServiceName=BEANSTALK)
    denied(ops.delete_service_linked_role, RoleName=role["RoleName"])
    message = denied(ops.get_service_linked_role_deletion_status, DeletionTaskId=task)
    assert "role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS " in message
    assert iam.get_role(RoleName=role["RoleName"])["Role"]


def test_deleting_a_service_linked_role_takes_the_documented_scoped_allow(server: IamdServer, iam: Any) -> None:
    role = iam.create_service_linked_role(AWSServiceName=BEANSTALK)["Role"]["RoleName"]
    scoped = allow(
        ["iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"],
        f"{SLR_PATH}{BEANSTALK}/AWSServiceRoleForElasticBeanstalk*",
    )
    _, key = new_user(iam, "ops", scoped)
    ops = as_creds(server, "iam", key)
    task = ops.delete_service_linked_role(RoleName=role)["DeletionTaskId"]
    assert ops.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"


def _codes(seed: str) -> dict[str, str]:
    totp = pyotp.TOTP(seed)
    return {"AuthenticationCode1": totp.at(time.time() - 30), "AuthenticationCode2": totp.now()}


def test_get_mfa_device_without_user_name_reads_the_callers_own(server: IamdServer, iam: Any) -> None:
    """Omitting UserName authorizes the call on the caller's own ARN; it must then not read
    another user's device (a self-service policy on ``user/${aws:username}`` would)."""
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="bobs")["VirtualMFADevice"]
    iam.create_user(UserName="bob")
    iam.enable_mfa_device(UserName="bob", SerialNumber=device["SerialNumber"], **_codes(device["Base32StringSeed"]))
    _, key = new_user(iam, "alice", allow("iam:GetMFADevice", OWN))
    alice = as_creds(server, "iam", key)
    err = error(alice.get_mfa_device, SerialNumber=device["SerialNumber"])
    assert err["Code"] == "NoSuchEntity", err
    denied(alice.get_mfa_device, SerialNumber=device["SerialNumber"], UserName="bob")


def test_listing_every_users_service_credentials_is_not_self_service(server: IamdServer, iam: Any) -> None:
    iam.create_user(UserName="bob")
    iam.create_service_specific_credential(UserName="bob", ServiceName="codecommit.amazonaws.com")
    _, key = new_user(iam, "alice", allow("iam:ListServiceSpecificCredentials", OWN))
    alice = as_creds(server, "iam", key)
    assert alice.list_service_specific_credentials()["ServiceSpecificCredentials"] == []
    assert denied(alice.list_service_specific_credentials, AllUsers=True).split(" because")[0].endswith(":user/")
