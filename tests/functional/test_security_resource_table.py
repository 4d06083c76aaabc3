"""Security: every implemented operation is authorized on the resources AWS names for it.

One row per operation (more where a member changes the resource: ``UserName`` omitted, a rename,
session tags…) gives the request and the ARNs it must be authorized on. The expected side is the
Service Authorization Reference: each ARN must fit a resource type the action catalogue lists
for the action (``*`` when it lists none). The actual side is read black-box from a real
``iamd serve``, with a user ``prober`` (at path ``/probe/``) whose only policy changes per probe:

1. no permission: the AccessDenied names the first action and resource;
2. everything allowed but the action denied on exactly one expected ARN: refused, for each ARN;
3. the action allowed on exactly the expected ARNs and nothing else: not refused.

(2) fails when a resource is not authorized at all (a Deny on it is ignored); (3) fails when the
call is authorized on anything else, ``*`` included. A new operation without a row fails
``test_every_operation_has_a_row``.

The rows' notation is resource_table.py's; the Organizations rows, probed in an organization
whose management account is prober's, are resource_table_orgs.py's.
"""

from __future__ import annotations

import json
import re
from functools import cache, cached_property
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from functional_helpers import allow, as_creds, doc, self_signed_certificate
from resource_table import Row, full_arn, row
from resource_table_aa import AA_ROWS, LAST_ACCESSED_ROWS, NOT_IN_SAR, AaWorld
from resource_table_cloudtrail import CT_ROWS
from resource_table_ops import OPS_ROWS
from resource_table_orgs import ORG_ROWS, OrgWorld
from saml_idp import SamlIdp

from iamd.authz import catalogue
from iamd.services.registry import load_all
from iamd.testing import IamdServer

POLICY = doc(allow("s3:GetObject"))
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
            }
        ],
    }
)
PASSWORD = "Correct-Horse-9-Battery"
CODES = {"AuthenticationCode1": "123456", "AuthenticationCode2": "654321"}
BEANSTALK = "elasticbeanstalk.amazonaws.com"
SLR = "role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk"
DELETED_SLR = "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_old"
PROBER = "user/probe/prober"
TARGET = "user/team/target"
MANAGED = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@cache
def ssh_public_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


@cache
def saml_metadata() -> str:
    return SamlIdp().metadata()


class World:
    """The entities a row's request names, made by root on first use (at path ``/team/``)."""

    def __init__(self, iam: Any, server: IamdServer) -> None:
        self.iam = iam
        self.server = server

    @cached_property
    def org(self) -> OrgWorld:
        return OrgWorld(self.server)

    @cached_property
    def aa(self) -> AaWorld:
        return AaWorld(self.server)

    @cached_property
    def user(self) -> str:
        self.iam.create_user(UserName="target", Path="/team/")
        return "target"

    @cached_property
    def group(self) -> str:
        self.iam.create_group(GroupName="devs", Path="/team/")
        return "devs"

    @cached_property
    def role(self) -> str:
        self.iam.create_role(RoleName="app", Path="/team/", AssumeRolePolicyDocument=TRUST)
        return "app"

    @cached_property
    def role_arn(self) -> str:
        return str(self.iam.get_role(RoleName=self.role)["Role"]["Arn"])

    @cached_property
    def policy(self) -> str:
        return str(self.iam.create_policy(PolicyName="pol", Path="/team/", PolicyDocument=POLICY)["Policy"]["Arn"])

    @cached_property
    def profile(self) -> str:
        self.iam.create_instance_profile(InstanceProfileName="prof", Path="/team/")
        return "prof"

    @cached_property
    def mfa(self) -> str:
        device = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="tok", Path="/team/")
        return str(device["VirtualMFADevice"]["SerialNumber"])

    @cached_property
    def server_certificate(self) -> str:
        body, key = self_signed_certificate()
        self.iam.upload_server_certificate(ServerCertificateName="web", Path="/team/", CertificateBody=body, PrivateKey=key)
        return "web"

    @cached_property
    def oidc_provider(self) -> str:
        made = self.iam.create_open_id_connect_provider(Url="https://idp.example.com/team", ClientIDList=["app"])
        return str(made["OpenIDConnectProviderArn"])

    @cached_property
    def saml_provider(self) -> str:
        made = self.iam.create_saml_provider(Name="corp", SAMLMetadataDocument=saml_metadata())
        return str(made["SAMLProviderArn"])

    @cached_property
    def service_linked_role(self) -> str:
        return str(self.iam.create_service_linked_role(AWSServiceName=BEANSTALK)["Role"]["RoleName"])

    @cached_property
    def deletion_task(self) -> str:
        name = self.iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="old")
        return str(self.iam.delete_service_linked_role(RoleName=name["Role"]["RoleName"])["DeletionTaskId"])

    def key(self, user: str) -> str:
        return str(self.iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"])

    def login(self, user: str) -> str:
        self.iam.create_login_profile(UserName=user, Password=PASSWORD)
        return user

    def ssh_key(self, user: str) -> str:
        key = self.iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=ssh_public_key())
        return str(key["SSHPublicKey"]["SSHPublicKeyId"])

    def signing_certificate(self, user: str) -> str:
        body, _ = self_signed_certificate()
        cert = self.iam.upload_signing_certificate(UserName=user, CertificateBody=body)
        return str(cert["Certificate"]["CertificateId"])

    def service_credential(self, user: str) -> str:
        cred = self.iam.create_service_specific_credential(UserName=user, ServiceName="codecommit.amazonaws.com")
        return str(cred["ServiceSpecificCredential"]["ServiceSpecificCredentialId"])


def _nothing(w: World) -> dict[str, Any]:
    return {}


LISTED = "AWS authorizes path listings on the listed path's ARN prefix (its AccessDenied messages)"
ALL_USERS = "AllUsers lists the credentials of every user: authorized as listing the users under /"

U = "iam:"
OIDC = "oidc-provider/idp.example.com/team"
SAML = "saml-provider/corp"
# The unsigned operations have no signer whose policies could be probed: the role's trust policy
# alone authorizes them (tests/functional/test_web_identity_conditions.py, test_unsigned_calls.py).
UNSIGNED = frozenset({"sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"})
ROWS: list[Row] = [
    # Users and groups
    row(U + "CreateUser", lambda w: {"UserName": "newbie", "Path": "/team/"}, "user/team/newbie"),
    row(U + "GetUser", lambda w: {"UserName": w.user}, TARGET),
    row(U + "GetUser", _nothing, PROBER, case="self"),
    row(U + "UpdateUser", lambda w: {"UserName": w.user, "NewPath": "/moved/"}, TARGET, "user/moved/target"),
    row(U + "DeleteUser", lambda w: {"UserName": w.user}, TARGET),
    row(U + "ListUsers", _nothing, "user/", beyond_sar=LISTED),
    # The policy simulator: on the source entity (a role session as its role), custom on *.
    row(U + "SimulatePrincipalPolicy", lambda w: {"PolicySourceArn": f"arn:aws:iam::123456789012:user/team/{w.user}",
                                                  "ActionNames": ["s3:GetObject"]}, TARGET),
    row(U + "SimulatePrincipalPolicy", lambda w: {"PolicySourceArn": w.role_arn, "ActionNames": ["s3:GetObject"]},
        "role/team/app", case="role"),
    row(U + "SimulatePrincipalPolicy", lambda w: {"PolicySourceArn": f"arn:aws:sts::123456789012:assumed-role/{w.role}/s",
                                                  "ActionNames": ["s3:GetObject"]}, "role/team/app", case="session"),
    row(U + "SimulatePrincipalPolicy", lambda w: {"PolicySourceArn": f"arn:aws:iam::123456789012:group/team/{w.group}",
                                                  "ActionNames": ["s3:GetObject"]}, "group/team/devs", case="group"),
    row(U + "SimulateCustomPolicy", lambda w: {"PolicyInputList": [POLICY], "ActionNames": ["s3:GetObject"]}, "*"),
    row(U + "ListUsers", lambda w: {"PathPrefix": "/team/"}, "user/team/", case="path", beyond_sar=LISTED),
    row(U + "TagUser", lambda w: {"UserName": w.user, "Tags": [{"Key": "k", "Value": "v"}]}, TARGET),
    row(U + "UntagUser", lambda w: {"UserName": w.user, "TagKeys": ["k"]}, TARGET),
    row(U + "ListUserTags", lambda w: {"UserName": w.user}, TARGET),
    row(U + "PutUserPermissionsBoundary", lambda w: {"UserName": w.user, "PermissionsBoundary": w.policy}, TARGET),
    row(U + "DeleteUserPermissionsBoundary", lambda w: {"UserName": w.user}, TARGET),
    row(U + "CreateGroup", lambda w: {"GroupName": "newgroup", "Path": "/team/"}, "group/team/newgroup"),
    row(U + "GetGroup", lambda w: {"GroupName": w.group}, "group/team/devs"),
    row(U + "UpdateGroup", lambda w: {"GroupName": w.group, "NewGroupName": "ops"}, "group/team/devs", "group/team/ops"),
    row(U + "DeleteGroup", lambda w: {"GroupName": w.group}, "group/team/devs"),
    row(U + "ListGroups", _nothing, "group/", beyond_sar=LISTED),
    row(U + "AddUserToGroup", lambda w: {"GroupName": w.group, "UserName": w.user}, "group/team/devs"),
    row(U + "RemoveUserFromGroup", lambda w: {"GroupName": w.group, "UserName": w.user}, "group/team/devs"),
    row(U + "ListGroupsForUser", lambda w: {"UserName": w.user}, TARGET),
    # Inline and attached policies
    row(U + "PutUserPolicy", lambda w: {"UserName": w.user, "PolicyName": "i", "PolicyDocument": POLICY}, TARGET),
    row(U + "GetUserPolicy", lambda w: {"UserName": w.user, "PolicyName": "i"}, TARGET),
    row(U + "DeleteUserPolicy", lambda w: {"UserName": w.user, "PolicyName": "i"}, TARGET),
    row(U + "ListUserPolicies", lambda w: {"UserName": w.user}, TARGET),
    row(U + "PutGroupPolicy", lambda w: {"GroupName": w.group, "PolicyName": "i", "PolicyDocument": POLICY}, "group/team/devs"),
    row(U + "GetGroupPolicy", lambda w: {"GroupName": w.group, "PolicyName": "i"}, "group/team/devs"),
    row(U + "DeleteGroupPolicy", lambda w: {"GroupName": w.group, "PolicyName": "i"}, "group/team/devs"),
    row(U + "ListGroupPolicies", lambda w: {"GroupName": w.group}, "group/team/devs"),
    row(U + "PutRolePolicy", lambda w: {"RoleName": w.role, "PolicyName": "i", "PolicyDocument": POLICY}, "role/team/app"),
    row(U + "GetRolePolicy", lambda w: {"RoleName": w.role, "PolicyName": "i"}, "role/team/app"),
    row(U + "DeleteRolePolicy", lambda w: {"RoleName": w.role, "PolicyName": "i"}, "role/team/app"),
    row(U + "ListRolePolicies", lambda w: {"RoleName": w.role}, "role/team/app"),
    row(U + "AttachUserPolicy", lambda w: {"UserName": w.user, "PolicyArn": w.policy}, TARGET),
    row(U + "DetachUserPolicy", lambda w: {"UserName": w.user, "PolicyArn": w.policy}, TARGET),
    row(U + "ListAttachedUserPolicies", lambda w: {"UserName": w.user}, TARGET),
    row(U + "AttachGroupPolicy", lambda w: {"GroupName": w.group, "PolicyArn": w.policy}, "group/team/devs"),
    row(U + "DetachGroupPolicy", lambda w: {"GroupName": w.group, "PolicyArn": w.policy}, "group/team/devs"),
    row(U + "ListAttachedGroupPolicies", lambda w: {"GroupName": w.group}, "group/team/devs"),
    row(U + "AttachRolePolicy", lambda w: {"RoleName": w.role, "PolicyArn": w.policy}, "role/team/app"),
    row(U + "DetachRolePolicy", lambda w: {"RoleName": w.role, "PolicyArn": w.policy}, "role/team/app"),
    row(U + "ListAttachedRolePolicies", lambda w: {"RoleName": w.role}, "role/team/app"),
    # Roles
    row(U + "CreateRole", lambda w: {"RoleName": "r2", "Path": "/team/", "AssumeRolePolicyDocument": TRUST}, "role/team/r2"),
    row(U + "GetRole", lambda w: {"RoleName": w.role}, "role/team/app"),
    row(U + "UpdateRole", lambda w: {"RoleName": w.role, "Description": "d"}, "role/team/app"),
    row(U + "UpdateRoleDescription", lambda w: {"RoleName": w.role, "Description": "d"}, "role/team/app"),
    row(U + "UpdateAssumeRolePolicy", lambda w: {"RoleName": w.role, "PolicyDocument": TRUST}, "role/team/app"),
    row(U + "DeleteRole", lambda w: {"RoleName": w.role}, "role/team/app"),
    row(U + "ListRoles", _nothing, "role/", beyond_sar=LISTED),
    row(U + "TagRole", lambda w: {"RoleName": w.role, "Tags": [{"Key": "k", "Value": "v"}]}, "role/team/app"),
    row(U + "UntagRole", lambda w: {"RoleName": w.role, "TagKeys": ["k"]}, "role/team/app"),
    row(U + "ListRoleTags", lambda w: {"RoleName": w.role}, "role/team/app"),
    row(U + "PutRolePermissionsBoundary", lambda w: {"RoleName": w.role, "PermissionsBoundary": w.policy}, "role/team/app"),
    row(U + "DeleteRolePermissionsBoundary", lambda w: {"RoleName": w.role}, "role/team/app"),
    row(U + "ListInstanceProfilesForRole", lambda w: {"RoleName": w.role}, "role/team/app"),
    # Service-linked roles: the ARN the role will have, has, or had.
    row(U + "CreateServiceLinkedRole", lambda w: {"AWSServiceName": BEANSTALK}, SLR),
    row(
        U + "CreateServiceLinkedRole",
        lambda w: {"AWSServiceName": "autoscaling.amazonaws.com", "CustomSuffix": "web"},
        "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web",
        case="suffix",
    ),
    row(U + "DeleteServiceLinkedRole", lambda w: {"RoleName": w.service_linked_role}, SLR),
    row(U + "GetServiceLinkedRoleDeletionStatus", lambda w: {"DeletionTaskId": w.deletion_task}, DELETED_SLR),
    # Managed policies and their versions
    row(U + "CreatePolicy", lambda w: {"PolicyName": "p2", "Path": "/team/", "PolicyDocument": POLICY}, "policy/team/p2"),
    row(U + "GetPolicy", lambda w: {"PolicyArn": w.policy}, "policy/team/pol"),
    row(U + "GetPolicy", lambda w: {"PolicyArn": MANAGED}, MANAGED, case="aws-managed"),
    row(U + "DeletePolicy", lambda w: {"PolicyArn": w.policy}, "policy/team/pol"),
    row(U + "ListPolicies", _nothing, "*"),
    row(U + "CreatePolicyVersion", lambda w: {"PolicyArn": w.policy, "PolicyDocument": POLICY}, "policy/team/pol"),
    row(U + "GetPolicyVersion", lambda w: {"PolicyArn": w.policy, "VersionId": "v1"}, "policy/team/pol"),
    row(U + "DeletePolicyVersion", lambda w: {"PolicyArn": w.policy, "VersionId": "v1"}, "policy/team/pol"),
    row(U + "ListPolicyVersions", lambda w: {"PolicyArn": w.policy}, "policy/team/pol"),
    row(U + "SetDefaultPolicyVersion", lambda w: {"PolicyArn": w.policy, "VersionId": "v1"}, "policy/team/pol"),
    row(U + "ListEntitiesForPolicy", lambda w: {"PolicyArn": w.policy}, "policy/team/pol"),
    row(U + "TagPolicy", lambda w: {"PolicyArn": w.policy, "Tags": [{"Key": "k", "Value": "v"}]}, "policy/team/pol"),
    row(U + "UntagPolicy", lambda w: {"PolicyArn": w.policy, "TagKeys": ["k"]}, "policy/team/pol"),
    row(U + "ListPolicyTags", lambda w: {"PolicyArn": w.policy}, "policy/team/pol"),
    # Instance profiles: adding a role passes it to EC2.
    row(U + "CreateInstanceProfile", lambda w: {"InstanceProfileName": "p2", "Path": "/team/"}, "instance-profile/team/p2"),
    row(U + "GetInstanceProfile", lambda w: {"InstanceProfileName": w.profile}, "instance-profile/team/prof"),
    row(U + "DeleteInstanceProfile", lambda w: {"InstanceProfileName": w.profile}, "instance-profile/team/prof"),
    row(U + "ListInstanceProfiles", _nothing, "instance-profile/", beyond_sar=LISTED),
    row(
        U + "AddRoleToInstanceProfile",
        lambda w: {"InstanceProfileName": w.profile, "RoleName": w.role},
        "instance-profile/team/prof",
        also=((U + "PassRole", "role/team/app"),),
    ),
    row(
        U + "RemoveRoleFromInstanceProfile",
        lambda w: {"InstanceProfileName": w.profile, "RoleName": w.role},
        "instance-profile/team/prof",
    ),
    row(
        U + "TagInstanceProfile",
        lambda w: {"InstanceProfileName": w.profile, "Tags": [{"Key": "k", "Value": "v"}]},
        "instance-profile/team/prof",
    ),
    row(U + "UntagInstanceProfile", lambda w: {"InstanceProfileName": w.profile, "TagKeys": ["k"]}, "instance-profile/team/prof"),
    row(U + "ListInstanceProfileTags", lambda w: {"InstanceProfileName": w.profile}, "instance-profile/team/prof"),
    # MFA devices
    row(U + "CreateVirtualMFADevice", lambda w: {"VirtualMFADeviceName": "t2", "Path": "/team/"}, "mfa/team/t2"),
    row(U + "DeleteVirtualMFADevice", lambda w: {"SerialNumber": w.mfa}, "mfa/team/tok"),
    row(U + "ListVirtualMFADevices", _nothing, "*"),
    row(U + "EnableMFADevice", lambda w: {"UserName": w.user, "SerialNumber": w.mfa, **CODES}, TARGET),
    row(U + "ResyncMFADevice", lambda w: {"UserName": w.user, "SerialNumber": w.mfa, **CODES}, TARGET),
    row(U + "DeactivateMFADevice", lambda w: {"UserName": w.user, "SerialNumber": w.mfa}, TARGET),
    row(U + "DeactivateMFADevice", lambda w: {"SerialNumber": w.mfa}, PROBER, case="self"),
    row(U + "GetMFADevice", lambda w: {"UserName": w.user, "SerialNumber": w.mfa}, TARGET),
    row(U + "GetMFADevice", lambda w: {"SerialNumber": w.mfa}, PROBER, case="self"),
    row(U + "ListMFADevices", lambda w: {"UserName": w.user}, TARGET),
    row(U + "ListMFADevices", _nothing, PROBER, case="self"),
    row(U + "TagMFADevice", lambda w: {"SerialNumber": w.mfa, "Tags": [{"Key": "k", "Value": "v"}]}, "mfa/team/tok"),
    row(U + "UntagMFADevice", lambda w: {"SerialNumber": w.mfa, "TagKeys": ["k"]}, "mfa/team/tok"),
    row(U + "ListMFADeviceTags", lambda w: {"SerialNumber": w.mfa}, "mfa/team/tok"),
    # Access keys
    row(U + "CreateAccessKey", lambda w: {"UserName": w.user}, TARGET),
    row(U + "CreateAccessKey", _nothing, PROBER, case="self"),
    row(U + "ListAccessKeys", lambda w: {"UserName": w.user}, TARGET),
    row(U + "ListAccessKeys", _nothing, PROBER, case="self"),
    row(U + "UpdateAccessKey", lambda w: {"UserName": w.user, "AccessKeyId": w.key(w.user), "Status": "Inactive"}, TARGET),
    row(U + "UpdateAccessKey", lambda w: {"AccessKeyId": w.key("prober"), "Status": "Inactive"}, PROBER, case="self"),
    row(U + "DeleteAccessKey", lambda w: {"UserName": w.user, "AccessKeyId": w.key(w.user)}, TARGET),
    row(U + "DeleteAccessKey", lambda w: {"AccessKeyId": w.key("prober")}, PROBER, case="self"),
    row(U + "GetAccessKeyLastUsed", lambda w: {"AccessKeyId": w.key(w.user)}, TARGET),
    # Passwords
    row(U + "CreateLoginProfile", lambda w: {"UserName": w.user, "Password": PASSWORD}, TARGET),
    row(U + "CreateLoginProfile", lambda w: {"Password": PASSWORD}, PROBER, case="self"),
    row(U + "GetLoginProfile", lambda w: {"UserName": w.login(w.user)}, TARGET),
    row(U + "GetLoginProfile", lambda w: {} if w.login("prober") else {}, PROBER, case="self"),
    row(U + "UpdateLoginProfile", lambda w: {"UserName": w.login(w.user), "PasswordResetRequired": True}, TARGET),
    row(U + "DeleteLoginProfile", lambda w: {"UserName": w.login(w.user)}, TARGET),
    row(U + "DeleteLoginProfile", lambda w: {} if w.login("prober") else {}, PROBER, case="self"),
    row(
        U + "ChangePassword",
        lambda w: {"OldPassword": PASSWORD, "NewPassword": PASSWORD + "!"} if w.login("prober") else {},
        PROBER,
    ),
    # SSH public keys, signing certificates, service-specific credentials
    row(U + "UploadSSHPublicKey", lambda w: {"UserName": w.user, "SSHPublicKeyBody": ssh_public_key()}, TARGET),
    row(U + "GetSSHPublicKey", lambda w: {"UserName": w.user, "SSHPublicKeyId": w.ssh_key(w.user), "Encoding": "SSH"}, TARGET),
    row(
        U + "UpdateSSHPublicKey",
        lambda w: {"UserName": w.user, "SSHPublicKeyId": w.ssh_key(w.user), "Status": "Inactive"},
        TARGET,
    ),
    row(U + "DeleteSSHPublicKey", lambda w: {"UserName": w.user, "SSHPublicKeyId": w.ssh_key(w.user)}, TARGET),
    row(U + "ListSSHPublicKeys", lambda w: {"UserName": w.user}, TARGET),
    row(U + "ListSSHPublicKeys", _nothing, PROBER, case="self"),
    row(U + "UploadSigningCertificate", lambda w: {"UserName": w.user, "CertificateBody": self_signed_certificate()[0]}, TARGET),
    row(U + "UploadSigningCertificate", lambda w: {"CertificateBody": self_signed_certificate()[0]}, PROBER, case="self"),
    row(
        U + "UpdateSigningCertificate",
        lambda w: {"UserName": w.user, "CertificateId": w.signing_certificate(w.user), "Status": "Inactive"},
        TARGET,
    ),
    row(
        U + "UpdateSigningCertificate",
        lambda w: {"CertificateId": w.signing_certificate("prober"), "Status": "Inactive"},
        PROBER,
        case="self",
    ),
    row(U + "DeleteSigningCertificate", lambda w: {"UserName": w.user, "CertificateId": w.signing_certificate(w.user)}, TARGET),
    row(U + "DeleteSigningCertificate", lambda w: {"CertificateId": w.signing_certificate("prober")}, PROBER, case="self"),
    row(U + "ListSigningCertificates", lambda w: {"UserName": w.user}, TARGET),
    row(U + "ListSigningCertificates", _nothing, PROBER, case="self"),
    row(
        U + "CreateServiceSpecificCredential",
        lambda w: {"UserName": w.user, "ServiceName": "codecommit.amazonaws.com"},
        TARGET,
    ),
    row(U + "ListServiceSpecificCredentials", lambda w: {"UserName": w.user}, TARGET),
    row(U + "ListServiceSpecificCredentials", _nothing, PROBER, case="self"),
    row(U + "ListServiceSpecificCredentials", lambda w: {"AllUsers": True}, "user/", case="all", beyond_sar=ALL_USERS),
    row(
        U + "ResetServiceSpecificCredential",
        lambda w: {"UserName": w.user, "ServiceSpecificCredentialId": w.service_credential(w.user)},
        TARGET,
    ),
    row(
        U + "ResetServiceSpecificCredential",
        lambda w: {"ServiceSpecificCredentialId": w.service_credential("prober")},
        PROBER,
        case="self",
    ),
    row(
        U + "UpdateServiceSpecificCredential",
        lambda w: {"UserName": w.user, "ServiceSpecificCredentialId": w.service_credential(w.user), "Status": "Inactive"},
        TARGET,
    ),
    row(
        U + "UpdateServiceSpecificCredential",
        lambda w: {"ServiceSpecificCredentialId": w.service_credential("prober"), "Status": "Inactive"},
        PROBER,
        case="self",
    ),
    row(
        U + "DeleteServiceSpecificCredential",
        lambda w: {"UserName": w.user, "ServiceSpecificCredentialId": w.service_credential(w.user)},
        TARGET,
    ),
    row(
        U + "DeleteServiceSpecificCredential",
        lambda w: {"ServiceSpecificCredentialId": w.service_credential("prober")},
        PROBER,
        case="self",
    ),
    # Server certificates
    row(
        U + "UploadServerCertificate",
        lambda w: dict(
            zip(("CertificateBody", "PrivateKey"), self_signed_certificate(), strict=True),
            ServerCertificateName="c2",
            Path="/team/",
        ),
        "server-certificate/team/c2",
    ),
    row(U + "GetServerCertificate", lambda w: {"ServerCertificateName": w.server_certificate}, "server-certificate/team/web"),
    row(U + "DeleteServerCertificate", lambda w: {"ServerCertificateName": w.server_certificate}, "server-certificate/team/web"),
    row(
        U + "UpdateServerCertificate",
        lambda w: {"ServerCertificateName": w.server_certificate, "NewPath": "/prod/"},
        "server-certificate/team/web",
        "server-certificate/prod/web",
    ),
    row(U + "ListServerCertificates", _nothing, "*"),
    row(
        U + "TagServerCertificate",
        lambda w: {"ServerCertificateName": w.server_certificate, "Tags": [{"Key": "k", "Value": "v"}]},
        "server-certificate/team/web",
    ),
    row(
        U + "UntagServerCertificate",
        lambda w: {"ServerCertificateName": w.server_certificate, "TagKeys": ["k"]},
        "server-certificate/team/web",
    ),
    row(U + "ListServerCertificateTags", lambda w: {"ServerCertificateName": w.server_certificate}, "server-certificate/team/web"),
    # OIDC providers
    row(U + "CreateOpenIDConnectProvider", lambda w: {"Url": "https://new.example.com/"}, "oidc-provider/new.example.com"),
    row(U + "GetOpenIDConnectProvider", lambda w: {"OpenIDConnectProviderArn": w.oidc_provider}, OIDC),
    row(U + "DeleteOpenIDConnectProvider", lambda w: {"OpenIDConnectProviderArn": w.oidc_provider}, OIDC),
    row(U + "ListOpenIDConnectProviders", _nothing, "*"),
    row(U + "AddClientIDToOpenIDConnectProvider",
        lambda w: {"OpenIDConnectProviderArn": w.oidc_provider, "ClientID": "other"}, OIDC),
    row(U + "RemoveClientIDFromOpenIDConnectProvider",
        lambda w: {"OpenIDConnectProviderArn": w.oidc_provider, "ClientID": "app"}, OIDC),
    row(U + "UpdateOpenIDConnectProviderThumbprint",
        lambda w: {"OpenIDConnectProviderArn": w.oidc_provider, "ThumbprintList": ["a" * 40]}, OIDC),
    row(U + "TagOpenIDConnectProvider",
        lambda w: {"OpenIDConnectProviderArn": w.oidc_provider, "Tags": [{"Key": "k", "Value": "v"}]}, OIDC),
    row(U + "UntagOpenIDConnectProvider", lambda w: {"OpenIDConnectProviderArn": w.oidc_provider, "TagKeys": ["k"]},
        OIDC),
    row(U + "ListOpenIDConnectProviderTags", lambda w: {"OpenIDConnectProviderArn": w.oidc_provider}, OIDC),
    # SAML providers
    row(U + "CreateSAMLProvider", lambda w: {"Name": "new", "SAMLMetadataDocument": saml_metadata()},
        "saml-provider/new"),
    row(U + "GetSAMLProvider", lambda w: {"SAMLProviderArn": w.saml_provider}, SAML),
    row(U + "UpdateSAMLProvider", lambda w: {"SAMLProviderArn": w.saml_provider, "SAMLMetadataDocument": saml_metadata()},
        SAML),
    row(U + "DeleteSAMLProvider", lambda w: {"SAMLProviderArn": w.saml_provider}, SAML),
    row(U + "ListSAMLProviders", _nothing, "*"),
    row(U + "TagSAMLProvider", lambda w: {"SAMLProviderArn": w.saml_provider, "Tags": [{"Key": "k", "Value": "v"}]},
        SAML),
    row(U + "UntagSAMLProvider", lambda w: {"SAMLProviderArn": w.saml_provider, "TagKeys": ["k"]}, SAML),
    row(U + "ListSAMLProviderTags", lambda w: {"SAMLProviderArn": w.saml_provider}, SAML),
    # The account
    row(U + "CreateAccountAlias", lambda w: {"AccountAlias": "my-alias"}, "*"),
    row(U + "DeleteAccountAlias", lambda w: {"AccountAlias": "my-alias"}, "*"),
    row(U + "ListAccountAliases", _nothing, "*"),
    row(U + "GetAccountSummary", _nothing, "*"),
    row(U + "GetAccountAuthorizationDetails", _nothing, "*"),
    row(U + "GetContextKeysForCustomPolicy", lambda w: {"PolicyInputList": [POLICY]}, "*"),
    row(U + "GetContextKeysForPrincipalPolicy",
        lambda w: {"PolicySourceArn": w.iam.get_user(UserName=w.user)["User"]["Arn"]}, TARGET),
    row(U + "GetContextKeysForPrincipalPolicy",
        lambda w: {"PolicySourceArn": w.iam.get_group(GroupName=w.group)["Group"]["Arn"]}, "group/team/devs",
        case="group"),
    row(U + "GetContextKeysForPrincipalPolicy", lambda w: {"PolicySourceArn": w.role_arn}, "role/team/app", case="role"),
    row(U + "GetContextKeysForPrincipalPolicy",
        lambda w: {"PolicySourceArn": w.role_arn.replace(":iam::", ":sts::").replace(":role/team/", ":assumed-role/") + "/s"},
        "role/team/app", case="session"),
    row(U + "UpdateAccountPasswordPolicy", lambda w: {"MinimumPasswordLength": 12}, "*"),
    row(U + "GetAccountPasswordPolicy", _nothing, "*"),
    row(U + "DeleteAccountPasswordPolicy", _nothing, "*"),
    # Centralized root access (outside an organization: authorized, then OrganizationNotFound).
    row(U + "EnableOrganizationsRootCredentialsManagement", _nothing, "*"),
    row(U + "DisableOrganizationsRootCredentialsManagement", _nothing, "*"),
    row(U + "EnableOrganizationsRootSessions", _nothing, "*"),
    row(U + "DisableOrganizationsRootSessions", _nothing, "*"),
    row(U + "ListOrganizationsFeatures", _nothing, "*"),
    # Outbound web identity federation (account-level: the SAR lists no resource type).
    row(U + "EnableOutboundWebIdentityFederation", _nothing, "*"),
    row(U + "DisableOutboundWebIdentityFederation", _nothing, "*"),
    row(U + "GetOutboundWebIdentityFederationInfo", _nothing, "*"),
    row(U + "GenerateCredentialReport", _nothing, "*"),
    row(U + "GetCredentialReport", _nothing, "*"),
    # STS
    row("sts:AssumeRole", lambda w: {"RoleArn": w.role_arn, "RoleSessionName": "probe"}, "role/team/app"),
    row(
        "sts:AssumeRole",
        lambda w: {"RoleArn": w.role_arn, "RoleSessionName": "probe", "Tags": [{"Key": "k", "Value": "v"}]},
        "role/team/app",
        also=(("sts:TagSession", "role/team/app"),),
        case="tags",
    ),
    row(
        "sts:AssumeRole",
        lambda w: {"RoleArn": w.role_arn, "RoleSessionName": "probe", "SourceIdentity": "me"},
        "role/team/app",
        also=(("sts:SetSourceIdentity", "role/team/app"),),
        case="source-identity",
    ),
    # On the target's root user; once authorized, the task policy (not a root-task one) is refused.
    row("sts:AssumeRoot", lambda w: {"TargetPrincipal": "111122223333", "TaskPolicyArn": {"arn": MANAGED}},
        "arn:aws:iam::111122223333:root"),
    row("sts:GetFederationToken", lambda w: {"Name": "fed"}, "sts:federated-user/fed"),
    row("sts:DecodeAuthorizationMessage", lambda w: {"EncodedMessage": "not-a-message"}, "*"),
    row("sts:GetAccessKeyInfo", lambda w: {"AccessKeyId": w.key(w.user)}, "*"),
    row("sts:GetCallerIdentity", _nothing),
    row("sts:GetSessionToken", _nothing),
    # Authorized first; then the prober's long-term key is refused (InvalidSubjectCredentials).
    row("sts:GetScopedCredentials", lambda w: {"DurationSeconds": 900}, "*"),
    # Authorized first; then no trade-in token is exchangeable (ExpiredTradeInTokenException).
    row("sts:GetDelegatedAccessToken", lambda w: {"TradeInToken": "token"}, "*"),
    # Authorized before the feature's state is looked at (disabled here: then its own error).
    row("sts:GetWebIdentityToken", lambda w: {"Audience": ["x"], "SigningAlgorithm": "RS256"}, "*"),
    row("sts:GetWebIdentityToken",
        lambda w: {"Audience": ["x"], "SigningAlgorithm": "RS256", "Tags": [{"Key": "k", "Value": "v"}]}, "*",
        also=(("sts:TagGetWebIdentityToken", "*"),), case="tags"),
    # CloudTrail
    row("cloudtrail:LookupEvents", _nothing, "*"),
    row("cloudtrail:ListPublicKeys", _nothing, "*"),
    # Access Analyzer
    row("access-analyzer:ValidatePolicy", lambda w: {"policyDocument": "{}", "policyType": "IDENTITY_POLICY"}, "*"),
    *CT_ROWS,
    # iamd's own operations
    row("iamd:ListEscalationPaths", lambda w: {"PrincipalArn": f"arn:aws:iam::123456789012:user/team/{w.user}"},
        TARGET),
    *ORG_ROWS,
    *AA_ROWS,
    *OPS_ROWS,
    *LAST_ACCESSED_ROWS,
]


def _template(arn_template: str, name: str = ".+") -> re.Pattern[str]:
    """A SAR ARN template as a pattern: ``${Account}`` is an account id (or ``aws`` for
    AWS-owned resources), every other placeholder ``name``."""
    parts = re.split(r"(\$\{[^}]+\})", arn_template)
    body = "".join(
        "aws" if p == "${Partition}" else r"(\d{12}|aws)" if p == "${Account}" else name if p.startswith("${") else re.escape(p)
        for p in parts
    )
    return re.compile(body)


def test_every_operation_has_a_row() -> None:
    implemented = {f"{svc}:{op}" for svc, ops in load_all().items() for op in ops}
    tabled = {r.op for r in ROWS}
    assert sorted(implemented - tabled - UNSIGNED - NOT_IN_SAR) == [], "operations without a row in the resource table"
    assert sorted(tabled - implemented) == [], "rows for operations that are not implemented"
    ids = [r.id for r in ROWS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("entry", ROWS, ids=lambda r: r.id)
def test_the_table_follows_the_service_authorization_reference(entry: Row) -> None:
    """The expected side: each resource fits a resource type the SAR lists for the action."""
    for action, resource in entry.checks:
        info = catalogue.action(action)
        if info is None and entry.beyond_sar and resource == "*":
            continue  # an operation the SAR does not list (its reason is in the row)
        assert info is not None, action
        arn = full_arn("123456789012", resource)
        if arn == "*":
            assert info.resource_types == (), f"the SAR gives {action} resource types"
        elif entry.beyond_sar:
            # A prefix of one of the service's resource types (``user/`` for the users under /).
            service = catalogue.service(info.service)
            assert service is not None
            assert any(_template(t.arn_template, ".*").fullmatch(arn) for t in service.resource_types.values()), arn
        else:
            fits = [r.name for r in info.resource_types if _template(r.arn_template).fullmatch(arn)]
            assert fits, f"{arn} fits none of {action}'s resource types {[r.name for r in info.resource_types]}"


DENIED = re.compile(r"is not authorized to perform: (\S+) on resource: (\S+)")


class Probe:
    """Calls ``entry`` as ``prober`` after root gives prober exactly ``statements``."""

    def __init__(self, server: IamdServer, iam: Any) -> None:
        self.iam = iam
        iam.create_user(UserName="prober", Path="/probe/")
        key = iam.create_access_key(UserName="prober")["AccessKey"]
        self.clients = {svc: as_creds(server, svc, key) for svc in ("iam", "sts", "cloudtrail", "organizations", "iamd")}
        self.clients["access-analyzer"] = as_creds(server, "accessanalyzer", key)

    def call(self, entry: Row, params: dict[str, Any], *statements: dict[str, Any]) -> dict[str, Any] | None:
        """The error (code and message) of the call, None when it succeeded."""
        self.iam.put_user_policy(UserName="prober", PolicyName="probe", PolicyDocument=doc(*statements))
        service, _, op = entry.op.partition(":")
        try:
            getattr(self.clients[service], xform_name(op))(**params)
        except ClientError as err:
            return {"Code": err.response["Error"]["Code"], "Message": err.response["Error"].get("Message", "")}
        return None


def _denied_on(error: dict[str, Any] | None) -> tuple[str, str] | None:
    """The action and resource a policy denial names. JSON-protocol services (CloudTrail,
    Organizations) call it ``AccessDeniedException``, a code Organizations also uses for its own
    management-account rule, whose message names no policy decision."""
    if error is None or error["Code"] not in ("AccessDenied", "AccessDeniedException"):
        return None
    found = DENIED.search(error["Message"])
    if error["Code"] == "AccessDeniedException" and found is None:
        return None
    assert found, error
    return found.group(1), found.group(2)


@pytest.mark.parametrize("entry", ROWS, ids=lambda r: r.id)
def test_each_operation_is_authorized_on_the_resources_aws_names(server: IamdServer, iam: Any, entry: Row) -> None:
    probe = Probe(server, iam)
    world = World(iam, server)
    params = entry.params(world)
    ids = world.org.ids if "org" in world.__dict__ else {}
    checks = [(action, full_arn(server.account_id, resource, ids)) for action, resource in entry.checks]
    if not checks:
        assert probe.call(entry, params, allow("s3:GetObject")) is None
        return
    assert _denied_on(probe.call(entry, params, allow("s3:GetObject"))) == checks[0]
    for action, arn in checks:
        deny = {"Effect": "Deny", "Action": action, "Resource": arn}
        assert _denied_on(probe.call(entry, params, allow("*"), deny)) == (action, arn)
    outcome = probe.call(entry, params, *(allow(action, arn) for action, arn in checks))
    assert _denied_on(outcome) is None, outcome
