"""The credential report through boto3 and the aws CLI, and the seed's awk audit on its output.

One server with a data folder of its own, so the test can plant login profiles and MFA devices
as rows next to what the API created; the shared ephemeral server covers the report's life cycle.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from iamd.store import schema
from iamd.store.engine import Store
from iamd.testing import IamdServer

AWS_CLI = str(Path(sys.executable).with_name("aws"))

AWK_AUDIT = "aws iam get-credential-report --query Content --output text | base64 -d | awk -F, '$8 == \"false\" {print $1}'"


def iso(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%dT%H:%M:%S}+00:00"


class Account:
    """A server on its own data folder and a handle on its database."""

    def __init__(self, data_dir: Path) -> None:
        self.server = IamdServer(extra_args=["--data-dir", str(data_dir)])
        self.db = Store(f"sqlite:///{data_dir / 'iamd.db'}")
        self.iam: Any = None

    def user_id(self, name: str) -> str:
        return str(self.iam.get_user(UserName=name)["User"]["UserId"])

    def login_profile(self, name: str) -> datetime:
        changed = datetime.now(UTC).replace(microsecond=0)
        with self.db.begin() as conn:
            conn.execute(insert(schema.login_profiles).values(
                user_id=self.user_id(name), password_hash="$argon2id$planted", password_reset_required=False,
                created_at=changed, password_last_changed=changed,
            ))
        return changed

    def mfa(self, name: str) -> None:
        now = datetime.now(UTC)
        with self.db.begin() as conn:
            conn.execute(insert(schema.mfa_devices).values(
                device_id="DEV" + name.upper(), account_id=self.server.account_id,
                serial_number=f"arn:aws:iam::{self.server.account_id}:mfa/{name}", name=name, name_lower=name,
                path="/", seed_sealed=b"planted", user_id=self.user_id(name), created_at=now, enabled_at=now,
            ))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """alice: password + MFA, one used and one inactive key; bob: a key, no MFA; carol: password only;
    dave: MFA only. Without MFA: the root user, bob and carol."""
    acct = Account(tmp_path_factory.mktemp("report-data"))
    with acct.server:
        iam = acct.iam = acct.server.client("iam")
        for name in ("alice", "bob", "carol", "dave"):
            iam.create_user(UserName=name)
        alice_keys = [iam.create_access_key(UserName="alice")["AccessKey"] for _ in range(2)]
        iam.update_access_key(UserName="alice", AccessKeyId=alice_keys[1]["AccessKeyId"], Status="Inactive")
        bob_key = iam.create_access_key(UserName="bob")["AccessKey"]
        acct.server.client("sts", aws_access_key_id=alice_keys[0]["AccessKeyId"],
                           aws_secret_access_key=alice_keys[0]["SecretAccessKey"]).get_caller_identity()
        changed = {"alice": acct.login_profile("alice"), "carol": acct.login_profile("carol")}
        acct.mfa("alice")
        acct.mfa("dave")
        yield {"acct": acct, "iam": iam, "alice_keys": alice_keys, "bob_key": bob_key, "changed": changed}
        acct.db.close()


def test_report_field_by_field(planted: dict[str, Any]) -> None:
    iam = planted["iam"]
    first = iam.generate_credential_report()
    assert first["State"] in ("STARTED", "COMPLETE")
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    got = iam.get_credential_report()
    assert got["ReportFormat"] == "text/csv"
    assert isinstance(got["Content"], bytes)
    rows = {r["user"]: r for r in csv.DictReader(io.StringIO(got["Content"].decode()))}
    assert list(rows) == ["<root_account>", "alice", "bob", "carol", "dave"]

    alice, k1, k2 = rows["alice"], *planted["alice_keys"]
    used = iam.get_access_key_last_used(AccessKeyId=k1["AccessKeyId"])["AccessKeyLastUsed"]
    assert {k: alice[k] for k in list(alice)[3:18]} == {
        "password_enabled": "true",
        "password_last_used": "no_information",
        "password_last_changed": iso(planted["changed"]["alice"]),
        "password_next_rotation": "N/A",
        "mfa_active": "true",
        "access_key_1_active": "true",
        "access_key_1_last_rotated": iso(k1["CreateDate"]),
        "access_key_1_last_used_date": iso(used["LastUsedDate"]),
        "access_key_1_last_used_region": used["Region"],
        "access_key_1_last_used_service": used["ServiceName"],
        "access_key_2_active": "false",
        "access_key_2_last_rotated": iso(k2["CreateDate"]),
        "access_key_2_last_used_date": "N/A",
        "access_key_2_last_used_region": "N/A",
        "access_key_2_last_used_service": "N/A",
    }
    assert used["ServiceName"] == "sts" and used["Region"] == "us-east-1"
    bob = rows["bob"]
    assert (bob["password_enabled"], bob["password_last_used"], bob["mfa_active"]) == ("false", "N/A", "false")
    assert (bob["access_key_1_active"], bob["access_key_1_last_rotated"], bob["access_key_1_last_used_date"]) == (
        "true", iso(planted["bob_key"]["CreateDate"]), "N/A")
    root = rows["<root_account>"]
    assert root["arn"] == f"arn:aws:iam::{planted['acct'].server.account_id}:root"
    assert (root["password_enabled"], root["password_last_changed"], root["password_next_rotation"]) == (
        "not_supported", "not_supported", "not_supported")
    assert root["access_key_1_active"] == "true" and root["access_key_1_last_used_date"] != "N/A"


def test_seed_awk_audit_finds_users_without_mfa(planted: dict[str, Any], tmp_path: Path) -> None:
    server = planted["acct"].server
    server.client("iam").generate_credential_report()
    env = os.environ | server.env | {"AWS_PAGER": "", "PATH": f"{Path(AWS_CLI).parent}:{os.environ['PATH']}"}
    env.pop("AWS_PROFILE", None)
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", AWK_AUDIT], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["<root_account>", "bob", "carol"]


def test_cli_text_output_is_base64_csv(planted: dict[str, Any], aws_for: Any) -> None:
    import base64

    out = aws_for(planted["acct"].server, "iam", "get-credential-report")
    assert out["ReportFormat"] == "text/csv" and out["GeneratedTime"].endswith("Z")
    assert base64.b64decode(out["Content"]).decode().startswith("user,arn,user_creation_time,password_enabled,")


@pytest.fixture
def aws_for(tmp_path: Path) -> Any:
    import json

    def run(server: IamdServer, *args: str) -> Any:
        env = os.environ | server.env | {"AWS_PAGER": ""}
        proc = subprocess.run([AWS_CLI, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    return run


# --- life cycle on the shared ephemeral server -----------------------------------------------


def test_not_present_then_started_then_complete(iam: Any, error_of: Any) -> None:
    err = error_of(iam.get_credential_report)
    assert (err["Code"], err["HTTPStatus"], err["Type"]) == ("ReportNotPresent", 410, "Sender")
    first = iam.generate_credential_report()
    assert (first["State"], first["Description"]) == (
        "STARTED", "No report exists. Starting a new report generation task")
    second = iam.generate_credential_report()
    assert second["State"] == "COMPLETE" and "Description" not in second
    assert iam.get_credential_report()["GeneratedTime"].tzinfo is not None


def test_reused_for_four_hours_then_expired(server: IamdServer, iam: Any, error_of: Any) -> None:
    iam.generate_credential_report()
    iam.create_user(UserName="late")
    try:
        server.set_clock_offset(4 * 3600 - 60)
        assert iam.generate_credential_report()["State"] == "COMPLETE"
        assert b"\nlate," not in iam.get_credential_report()["Content"]
        server.set_clock_offset(4 * 3600 + 1)
        err = error_of(iam.get_credential_report)
        assert (err["Code"], err["HTTPStatus"]) == ("ReportExpired", 410)
        assert iam.generate_credential_report()["State"] == "STARTED"
        assert b"\nlate," in iam.get_credential_report()["Content"]
    finally:
        server.set_clock_offset(0)


def test_user_without_permission_is_denied(iam: Any, client_for: Any, error_of: Any) -> None:
    iam.create_user(UserName="nobody")
    key = iam.create_access_key(UserName="nobody")["AccessKey"]
    other = client_for("iam", key)
    assert error_of(other.generate_credential_report)["Code"] == "AccessDenied"
    iam.put_user_policy(UserName="nobody", PolicyName="report", PolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":'
        '["iam:GenerateCredentialReport","iam:GetCredentialReport"],"Resource":"*"}]}'))
    assert other.generate_credential_report()["State"] == "STARTED"
    assert other.get_credential_report()["Content"].startswith(b"user,arn,")


# --- end to end through the other credential actions -----------------------------------------


def _self_signed_pem() -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_end_to_end_with_real_actions(server: IamdServer, iam: Any, tmp_path: Path) -> None:
    import time

    import pyotp

    iam.update_account_password_policy(MinimumPasswordLength=12, MaxPasswordAge=30)
    for name in ("erin", "frank"):
        iam.create_user(UserName=name)
        iam.create_login_profile(UserName=name, Password="Correct-Horse-9-Battery")
    profile = iam.get_login_profile(UserName="erin")["LoginProfile"]
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="erin")["VirtualMFADevice"]
    seed = device["Base32StringSeed"].decode()
    now = time.time()
    iam.enable_mfa_device(UserName="erin", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=pyotp.TOTP(seed).at(now - 30),
                          AuthenticationCode2=pyotp.TOTP(seed).at(now))
    cert = iam.upload_signing_certificate(UserName="frank", CertificateBody=_self_signed_pem())["Certificate"]
    iam.update_signing_certificate(UserName="frank", CertificateId=cert["CertificateId"], Status="Inactive")

    iam.generate_credential_report()
    rows = {r["user"]: r for r in csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode()))}
    erin, frank = rows["erin"], rows["frank"]
    assert (erin["password_enabled"], erin["mfa_active"], frank["mfa_active"]) == ("true", "true", "false")
    assert erin["password_last_changed"] == iso(profile["CreateDate"])
    assert erin["password_next_rotation"] == iso(profile["CreateDate"] + timedelta(days=30))
    assert (frank["cert_1_active"], frank["cert_1_last_rotated"]) == ("false", iso(cert["UploadDate"]))
    assert (frank["cert_2_active"], frank["cert_2_last_rotated"]) == ("false", "N/A")

    full_env = os.environ | server.env | {"AWS_PAGER": "", "PATH": f"{Path(AWS_CLI).parent}:{os.environ['PATH']}"}
    full_env.pop("AWS_PROFILE", None)
    out = subprocess.run(["bash", "-o", "pipefail", "-c", AWK_AUDIT], env=full_env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["<root_account>", "frank"]
