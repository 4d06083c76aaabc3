"""The races ``races.py`` runs: one function per quota or uniqueness rule of iamd's IAM.

A scenario takes (a setup client, a unique name prefix, shared ``Fixtures``), creates what its
rule needs, and returns a ``Round``: the calls to release at once and the check that the rule
held exactly afterwards (a list of violations, empty when it held). Rules, AWS's quotas:
access keys (2), signing certificates (2), SSH keys (5), service-specific credentials (2 per
service), MFA devices (8) per user; groups per user (10); managed policies attached per user,
group and role (10); versions per policy (5); roles per instance profile (1); tags (50); inline
policy characters per user (2,048); server certificates per account (20); one login profile per
user; unique names of users, groups, roles, policies, instance profiles, MFA devices, server
certificates (on create and rename); one holder per MFA device; idempotent attaches; the
account's one password policy and credential report; a delete racing an addition.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

Call = tuple[str, dict[str, Any]]
# (HTTP status, "" for success or the AWS error code)
Outcome = tuple[int, str]
Check = Callable[[Any, list[Outcome]], list[str]]

THREADS = 6
PASSWORD = "Str0ng-Passw0rd!x"
TRUST = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                              "Action": "sts:AssumeRole"}]}
)
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                             "Resource": "*"}]})


@dataclass
class Round:
    """One race: the calls released together, and what must hold afterwards."""

    calls: list[Call]
    check: Check


# --- outcome helpers --------------------------------------------------------------------


def counts(outcomes: list[Outcome]) -> Counter[str]:
    return Counter(code for _, code in outcomes)


def exactly(wins: int, loser_code: str) -> Callable[[list[Outcome]], list[str]]:
    """``wins`` successes, every other call ``loser_code``."""

    def check(outcomes: list[Outcome]) -> list[str]:
        c = counts(outcomes)
        want = Counter({"": wins, loser_code: len(outcomes) - wins})
        return [] if c == +want else [f"expected {dict(+want)}, got {dict(c)}"]

    return check


def _expect(got: int, want: int, what: str) -> list[str]:
    return [] if got == want else [f"{what}: {got}, expected {want}"]


def invoke(client: Any, call: Call) -> Outcome:
    """Run one call; an error response becomes (status, code), a malformed one (status, '?')."""
    from botocore.exceptions import ClientError

    op, kwargs = call
    try:
        resp = getattr(client, op)(**kwargs)
        return resp["ResponseMetadata"]["HTTPStatusCode"], ""
    except ClientError as err:
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return status, err.response.get("Error", {}).get("Code") or "?"


# --- scenarios --------------------------------------------------------------------------
# Each takes (setup client, unique prefix, shared fixtures) and returns a Round.


@dataclass
class Fixtures:
    aws_policies: list[str]
    ssh_keys: list[str]


def access_keys_per_user(iam: Any, tag: str, fx: Fixtures) -> Round:
    iam.create_user(UserName=tag)
    calls = [("create_access_key", {"UserName": tag})] * THREADS

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        n = len(iam.list_access_keys(UserName=tag)["AccessKeyMetadata"])
        return exactly(2, "LimitExceeded")(out) + _expect(n, 2, "access keys")

    return Round(calls, check)


def _same_name(op: str, extra: dict[str, Any], name_key: str, get: Callable[[Any, str], Any]) -> Callable[..., Round]:
    def scenario(iam: Any, tag: str, fx: Fixtures) -> Round:
        calls = [(op, {name_key: tag, **extra})] * THREADS

        def check(iam: Any, out: list[Outcome]) -> list[str]:
            get(iam, tag)
            return exactly(1, "EntityAlreadyExists")(out)

        return Round(calls, check)

    scenario.__name__ = f"{op}_same_name"
    return scenario


create_user_same_name = _same_name("create_user", {}, "UserName", lambda iam, n: iam.get_user(UserName=n))
create_group_same_name = _same_name("create_group", {}, "GroupName", lambda iam, n: iam.get_group(GroupName=n))
create_role_same_name = _same_name(
    "create_role", {"AssumeRolePolicyDocument": TRUST}, "RoleName", lambda iam, n: iam.get_role(RoleName=n)
)
create_policy_same_name = _same_name("create_policy", {"PolicyDocument": POLICY}, "PolicyName", lambda iam, n: None)
create_instance_profile_same_name = _same_name(
    "create_instance_profile", {}, "InstanceProfileName",
    lambda iam, n: iam.get_instance_profile(InstanceProfileName=n),
)
create_virtual_mfa_same_name = _same_name("create_virtual_mfa_device", {}, "VirtualMFADeviceName", lambda iam, n: None)


def rename_users_to_one_name(iam: Any, tag: str, fx: Fixtures) -> Round:
    for i in range(THREADS):
        iam.create_user(UserName=f"{tag}-{i}")
    calls = [("update_user", {"UserName": f"{tag}-{i}", "NewUserName": tag}) for i in range(THREADS)]

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        iam.get_user(UserName=tag)
        return exactly(1, "EntityAlreadyExists")(out)

    return Round(calls, check)


def _attached(kind: str) -> Callable[..., Round]:
    """10 managed policies per user/group/role: 8 attached, 6 more raced → exactly 2 more."""

    def scenario(iam: Any, tag: str, fx: Fixtures) -> Round:
        name_key = f"{kind}Name"
        if kind == "Role":
            iam.create_role(RoleName=tag, AssumeRolePolicyDocument=TRUST)
        else:
            getattr(iam, f"create_{kind.lower()}")(**{name_key: tag})
        attach = getattr(iam, f"attach_{kind.lower()}_policy")
        for arn in fx.aws_policies[:8]:
            attach(**{name_key: tag, "PolicyArn": arn})
        calls = [(f"attach_{kind.lower()}_policy", {name_key: tag, "PolicyArn": arn})
                 for arn in fx.aws_policies[8:8 + THREADS]]

        def check(iam: Any, out: list[Outcome]) -> list[str]:
            listed = getattr(iam, f"list_attached_{kind.lower()}_policies")(**{name_key: tag})["AttachedPolicies"]
            return exactly(2, "LimitExceeded")(out) + _expect(len(listed), 10, f"policies attached to the {kind}")

        return Round(calls, check)

    scenario.__name__ = f"attached_policies_per_{kind.lower()}"
    return scenario


def same_policy_attached_twice(iam: Any, tag: str, fx: Fixtures) -> Round:
    """Attaching an attached policy again succeeds and changes nothing, however many do it at once."""
    iam.create_group(GroupName=tag)
    calls = [("attach_group_policy", {"GroupName": tag, "PolicyArn": fx.aws_policies[0]})] * THREADS

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        listed = iam.list_attached_group_policies(GroupName=tag)["AttachedPolicies"]
        return exactly(THREADS, "-")(out) + _expect(len(listed), 1, "attachments")

    return Round(calls, check)


def groups_per_user(iam: Any, tag: str, fx: Fixtures) -> Round:
    iam.create_user(UserName=tag)
    for i in range(8 + THREADS):
        iam.create_group(GroupName=f"{tag}-{i}")
    for i in range(8):
        iam.add_user_to_group(GroupName=f"{tag}-{i}", UserName=tag)
    calls = [("add_user_to_group", {"GroupName": f"{tag}-{i}", "UserName": tag}) for i in range(8, 8 + THREADS)]

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        n = len(iam.list_groups_for_user(UserName=tag)["Groups"])
        return exactly(2, "LimitExceeded")(out) + _expect(n, 10, "groups of the user")

    return Round(calls, check)


def policy_versions(iam: Any, tag: str, fx: Fixtures) -> Round:
    arn = iam.create_policy(PolicyName=tag, PolicyDocument=POLICY)["Policy"]["Arn"]
    calls = [("create_policy_version", {"PolicyArn": arn, "PolicyDocument": POLICY})] * THREADS

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        ids = sorted(v["VersionId"] for v in versions)
        return (exactly(4, "LimitExceeded")(out) + _expect(len(versions), 5, "policy versions")
                + _expect(len(set(ids)), 5, "distinct version ids"))

    return Round(calls, check)


def login_profile(iam: Any, tag: str, fx: Fixtures) -> Round:
    iam.create_user(UserName=tag)
    calls = [("create_login_profile", {"UserName": tag, "Password": PASSWORD})] * THREADS

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        iam.get_login_profile(UserName=tag)
        return exactly(1, "EntityAlreadyExists")(out)

    return Round(calls, check)


def service_specific_credentials(iam: Any, tag: str, fx: Fixtures) -> Round:
    iam.create_user(UserName=tag)
    calls = [("create_service_specific_credential",
              {"UserName": tag, "ServiceName": "codecommit.amazonaws.com"})] * THREADS

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        n = len(iam.list_service_specific_credentials(UserName=tag)["ServiceSpecificCredentials"])
        return exactly(2, "LimitExceeded")(out) + _expect(n, 2, "service-specific credentials")

    return Round(calls, check)


def one_role_per_instance_profile(iam: Any, tag: str, fx: Fixtures) -> Round:
    iam.create_instance_profile(InstanceProfileName=tag)
    for i in range(THREADS):
        iam.create_role(RoleName=f"{tag}-{i}", AssumeRolePolicyDocument=TRUST)
    calls = [("add_role_to_instance_profile", {"InstanceProfileName": tag, "RoleName": f"{tag}-{i}"})
             for i in range(THREADS)]

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        n = len(iam.get_instance_profile(InstanceProfileName=tag)["InstanceProfile"]["Roles"])
        return exactly(1, "LimitExceeded")(out) + _expect(n, 1, "roles in the instance profile")

    return Round(calls, check)


def tags_per_user(iam: Any, tag: str, fx: Fixtures) -> Round:
    iam.create_user(UserName=tag, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(46)])
    calls = [("tag_user", {"UserName": tag, "Tags": [{"Key": f"t{i}a", "Value": "v"}, {"Key": f"t{i}b", "Value": "v"}]})
             for i in range(THREADS)]

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        n = len(iam.list_user_tags(UserName=tag)["Tags"])
        return exactly(2, "LimitExceeded")(out) + _expect(n, 50, "tags")

    return Round(calls, check)


def ssh_keys_per_user(iam: Any, tag: str, fx: Fixtures) -> Round:
    iam.create_user(UserName=tag)
    for body in fx.ssh_keys[:3]:
        iam.upload_ssh_public_key(UserName=tag, SSHPublicKeyBody=body)
    calls = [("upload_ssh_public_key", {"UserName": tag, "SSHPublicKeyBody": body}) for body in fx.ssh_keys[3:]]

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        n = len(iam.list_ssh_public_keys(UserName=tag)["SSHPublicKeys"])
        return exactly(2, "LimitExceeded")(out) + _expect(n, 5, "SSH keys")

    return Round(calls, check)


def signing_certificates_per_user(iam: Any, tag: str, fx: Fixtures) -> Round:
    iam.create_user(UserName=tag)
    calls = [("upload_signing_certificate", {"UserName": tag, "CertificateBody": certificate(tag, i)[0]})
             for i in range(THREADS)]

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        n = len(iam.list_signing_certificates(UserName=tag)["Certificates"])
        return exactly(2, "LimitExceeded")(out) + _expect(n, 2, "signing certificates")

    return Round(calls, check)


def server_certificate_same_name(iam: Any, tag: str, fx: Fixtures) -> Round:
    body, key = certificate(tag, 0)
    calls = [("upload_server_certificate",
              {"ServerCertificateName": tag, "CertificateBody": body, "PrivateKey": key})] * THREADS

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        iam.get_server_certificate(ServerCertificateName=tag)
        return exactly(1, "EntityAlreadyExists")(out)

    return Round(calls, check)


def _sized_policy(non_space: int) -> str:
    """A valid identity policy of exactly ``non_space`` characters that are not white space."""
    head = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::'
    tail = '"}]}'
    return head + "b" * (non_space - len(head) - len(tail)) + tail


def inline_policy_size_per_user(iam: Any, tag: str, fx: Fixtures) -> Round:
    """A user's inline policies share 2,048 characters: three of 700 do not fit, two do."""
    iam.create_user(UserName=tag)
    calls = [("put_user_policy", {"UserName": tag, "PolicyName": f"p{i}", "PolicyDocument": _sized_policy(700)})
             for i in range(THREADS)]

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        n = len(iam.list_user_policies(UserName=tag)["PolicyNames"])
        return exactly(2, "LimitExceeded")(out) + _expect(n, 2, "inline policies")

    return Round(calls, check)


def password_policy_upserts(iam: Any, tag: str, fx: Fixtures) -> Round:
    """The account's one password policy row, created by whichever update comes first."""
    invoke(iam, ("delete_account_password_policy", {}))
    calls = [("update_account_password_policy", {"MinimumPasswordLength": 8 + i}) for i in range(THREADS)]

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        length = iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"]
        return exactly(THREADS, "-")(out) + ([] if 8 <= length < 8 + THREADS else [f"length {length}"])

    return Round(calls, check)


def _virtual_device(iam: Any, name: str) -> tuple[str, str]:
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    return device["SerialNumber"], device["Base32StringSeed"].decode()


def _codes(seed: str) -> dict[str, str]:
    import pyotp

    step = int(datetime.now(UTC).timestamp()) // 30
    totp = pyotp.TOTP(seed)
    return {"AuthenticationCode1": totp.generate_otp(step - 1), "AuthenticationCode2": totp.generate_otp(step)}


def mfa_device_enabled_once(iam: Any, tag: str, fx: Fixtures) -> Round:
    """One virtual device, enabled for six users at once: one user gets it."""
    serial, seed = _virtual_device(iam, tag)
    for i in range(THREADS):
        iam.create_user(UserName=f"{tag}-{i}")
    codes = _codes(seed)
    calls = [("enable_mfa_device", {"UserName": f"{tag}-{i}", "SerialNumber": serial, **codes})
             for i in range(THREADS)]

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        holders = sum(len(iam.list_mfa_devices(UserName=f"{tag}-{i}")["MFADevices"]) for i in range(THREADS))
        bad = [code for _, code in out if code not in ("", "EntityAlreadyExists", "InvalidAuthenticationCode")]
        return _expect(sum(1 for _, c in out if c == ""), 1, "enables") + _expect(holders, 1, "holders") + (
            [f"unexpected {bad}"] if bad else [])

    return Round(calls, check)


def mfa_devices_per_user(iam: Any, tag: str, fx: Fixtures) -> Round:
    """Eight MFA devices per user: seven enabled, six raced, one more fits."""
    iam.create_user(UserName=tag)
    for i in range(7):
        serial, seed = _virtual_device(iam, f"{tag}-{i}")
        iam.enable_mfa_device(UserName=tag, SerialNumber=serial, **_codes(seed))
    devices = [_virtual_device(iam, f"{tag}-r{i}") for i in range(THREADS)]
    calls = [("enable_mfa_device", {"UserName": tag, "SerialNumber": serial, **_codes(seed)})
             for serial, seed in devices]

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        n = len(iam.list_mfa_devices(UserName=tag)["MFADevices"])
        return exactly(1, "LimitExceeded")(out) + _expect(n, 8, "MFA devices of the user")

    return Round(calls, check)


def credential_report(iam: Any, tag: str, fx: Fixtures) -> Round:
    """A Read-level action that writes (the account's one report row): every call succeeds."""
    calls = [("generate_credential_report", {})] * THREADS

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        iam.get_credential_report()
        return exactly(THREADS, "-")(out)

    return Round(calls, check)


def _delete_server_certificates(iam: Any) -> None:
    for cert in iam.list_server_certificates()["ServerCertificateMetadataList"]:
        iam.delete_server_certificate(ServerCertificateName=cert["ServerCertificateName"])


def server_certificates_per_account(iam: Any, tag: str, fx: Fixtures) -> Round:
    """A per-account quota (20 server certificates; users, roles, groups, policies and instance
    profiles count the same way, with quotas too large to fill here): 18 there, 6 raced, 2 fit."""
    _delete_server_certificates(iam)
    for i in range(18):
        body, key = certificate(tag, i)
        iam.upload_server_certificate(ServerCertificateName=f"{tag}-{i}", CertificateBody=body, PrivateKey=key)
    calls = []
    for i in range(18, 18 + THREADS):
        body, key = certificate(tag, i)
        calls.append(("upload_server_certificate",
                      {"ServerCertificateName": f"{tag}-{i}", "CertificateBody": body, "PrivateKey": key}))

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        n = len(iam.list_server_certificates()["ServerCertificateMetadataList"])
        _delete_server_certificates(iam)  # the account's quota is shared with the other scenarios
        return exactly(2, "LimitExceeded")(out) + _expect(n, 20, "server certificates in the account")

    return Round(calls, check)


def delete_user_while_adding_keys(iam: Any, tag: str, fx: Fixtures) -> Round:
    """DeleteUser against CreateAccessKey: either the user goes (and no key was reported created)
    or a key is made (and the delete is refused), never a key reported for a vanished user."""
    iam.create_user(UserName=tag)
    calls = [("delete_user", {"UserName": tag})] + [("create_access_key", {"UserName": tag})] * 2

    def check(iam: Any, out: list[Outcome]) -> list[str]:
        deleted = out[0][1] == ""
        created = sum(1 for _, code in out[1:] if code == "")
        allowed_codes = {"": True, "NoSuchEntity": True, "DeleteConflict": True}
        bad = [code for _, code in out if code not in allowed_codes]
        if bad:
            return [f"unexpected codes {bad}"]
        if deleted and created:
            return [f"DeleteUser succeeded and {created} access key(s) were reported created for it"]
        if not deleted and out[0][1] != "DeleteConflict":
            return [f"DeleteUser answered {out[0][1]}"]
        return []

    return Round(calls, check)


SCENARIOS: tuple[Callable[[Any, str, Fixtures], Round], ...] = (
    access_keys_per_user,
    create_user_same_name,
    create_group_same_name,
    create_role_same_name,
    create_policy_same_name,
    create_instance_profile_same_name,
    create_virtual_mfa_same_name,
    rename_users_to_one_name,
    _attached("User"),
    _attached("Group"),
    _attached("Role"),
    same_policy_attached_twice,
    groups_per_user,
    policy_versions,
    login_profile,
    service_specific_credentials,
    one_role_per_instance_profile,
    tags_per_user,
    ssh_keys_per_user,
    signing_certificates_per_user,
    server_certificate_same_name,
    server_certificates_per_account,
    inline_policy_size_per_user,
    password_policy_upserts,
    mfa_device_enabled_once,
    mfa_devices_per_user,
    credential_report,
    delete_user_while_adding_keys,
)


# --- fixtures ---------------------------------------------------------------------------


@cache
def _rsa_openssh(index: int) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def certificate(cn: str, index: int) -> tuple[str, str]:
    """A self-signed certificate (PEM) and its private key (PEM), distinct per (cn, index)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{cn}-{index}.example.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem_key.decode()


def fixtures(iam: Any) -> Fixtures:
    page = iam.list_policies(Scope="AWS", MaxItems=100)["Policies"]
    arns = [p["Arn"] for p in page if "/aws-service-role/" not in p["Arn"] and "/service-role/" not in p["Arn"]]
    if len(arns) < 8 + THREADS:
        raise RuntimeError("not enough AWS-managed policies to race on")
    return Fixtures(aws_policies=arns[: 8 + THREADS], ssh_keys=[_rsa_openssh(i) for i in range(3 + THREADS)])
