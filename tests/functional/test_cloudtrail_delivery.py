"""Trails deliver iamd's events as CloudTrail log files into the server's trail folder, and
signed digests that ``iamd trail validate`` checks; read back as a user would."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from trail_files import LOG_KEY, digest_files, log_files, names, records, wait_for

from iamd.testing import IamdServer


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("trail-dir")


@pytest.fixture(scope="module")
def srv(folder: Path) -> Iterator[IamdServer]:
    with IamdServer(extra_args=["--ephemeral", "--trail-dir", str(folder), "--trail-delivery-interval", "0.1"]) as s:
        yield s


@pytest.fixture(autouse=True)
def _reset(srv: IamdServer) -> None:
    srv.reset()


def _trail(srv: IamdServer, bucket: str, **kw: Any) -> Any:
    ct = srv.client("cloudtrail")
    ct.create_trail(Name=bucket, S3BucketName=bucket, IsMultiRegionTrail=True, **kw)
    ct.start_logging(Name=bucket)
    return ct


def test_delivers_management_events_at_aws_key_layout(srv: IamdServer, folder: Path) -> None:
    ct = _trail(srv, "logs-one")
    iam = srv.client("iam")
    iam.create_user(UserName="alice")
    iam.list_users()
    bucket = folder / "logs-one"
    wait_for(lambda: "alice" in names(bucket, "CreateUser") and any(r["eventName"] == "ListUsers" for r in records(bucket)))
    for path in log_files(bucket):
        assert LOG_KEY.fullmatch(path.relative_to(bucket).as_posix()), path
    recs = records(bucket)
    create = next(r for r in recs if r["eventName"] == "CreateUser")
    assert create["eventSource"] == "iam.amazonaws.com" and create["recipientAccountId"] == srv.account_id
    assert any(r["eventName"] == "StartLogging" for r in recs)  # recorded after logging started
    assert not any(r["eventName"] == "CreateTrail" for r in recs)  # before it: not delivered
    status = ct.get_trail_status(Name="logs-one")
    assert status["IsLogging"] and "LatestDeliveryTime" in status and "LatestDeliveryError" not in status
    assert names(bucket, "CreateUser") == ["alice"]  # once


def test_selectors_and_stop_logging(srv: IamdServer, folder: Path) -> None:
    ct = _trail(srv, "logs-writes")
    ct.put_event_selectors(TrailName="logs-writes", EventSelectors=[{"ReadWriteType": "WriteOnly"}])
    iam = srv.client("iam")
    iam.list_users()
    iam.create_user(UserName="bob")
    bucket = folder / "logs-writes"
    wait_for(lambda: "bob" in names(bucket, "CreateUser"))
    assert all(r["readOnly"] is False for r in records(bucket))
    ct.stop_logging(Name="logs-writes")
    iam.create_user(UserName="after-stop")
    iam.create_user(UserName="marker")
    other = _trail(srv, "logs-marker")
    iam.create_user(UserName="marker2")
    wait_for(lambda: "marker2" in names(folder / "logs-marker", "CreateUser"))
    assert other is not None
    assert "after-stop" not in names(bucket, "CreateUser")


def test_hostile_prefix_and_other_accounts_events(srv: IamdServer, folder: Path) -> None:
    ct = srv.client("cloudtrail")
    for prefix in ("../escape", "a/../../b", "/root"):
        with pytest.raises(ct.exceptions.InvalidS3PrefixException):
            ct.create_trail(Name="bad", S3BucketName="logs-bad", S3KeyPrefix=prefix)
    _trail(srv, "logs-prefixed", S3KeyPrefix="team/audit")
    srv.client("iam").create_user(UserName="carol")
    bucket = folder / "logs-prefixed"
    wait_for(lambda: "carol" in names(bucket, "CreateUser"))
    assert all(p.relative_to(bucket).as_posix().startswith("team/audit/AWSLogs/") for p in log_files(bucket))
    assert not (folder.parent / "escape").exists()


def _validate(folder: Path, bucket: str, srv: IamdServer) -> subprocess.CompletedProcess[str]:
    env = os.environ | srv.env
    return subprocess.run(
        [sys.executable, "-m", "iamd.cli", "trail", "validate", "--dir", str(folder), "--bucket", bucket,
         "--endpoint-url", srv.endpoint],
        capture_output=True, text=True, timeout=60, env=env,
    )


def test_digests_validate_and_tampering_is_detected(srv: IamdServer, folder: Path) -> None:
    ct = _trail(srv, "logs-signed", EnableLogFileValidation=True)
    srv.client("iam").create_user(UserName="dave")
    bucket = folder / "logs-signed"
    wait_for(lambda: "dave" in names(bucket, "CreateUser"))
    srv.set_clock_offset(3700)  # an hour later: the digest is due
    wait_for(lambda: digest_files(bucket))
    srv.client("iam").create_user(UserName="erin")
    wait_for(lambda: "erin" in names(bucket, "CreateUser"))
    srv.set_clock_offset(7400)
    wait_for(lambda: len(digest_files(bucket)) == 2)
    first, second = (json.loads(gzip.decompress(p.read_bytes())) for p in digest_files(bucket))
    assert second["previousDigestS3Object"] == first["digestS3Object"]
    assert {f["s3Object"] for f in first["logFiles"] + second["logFiles"]} == {
        p.relative_to(bucket).as_posix() for p in log_files(bucket)}
    keys = {k["Fingerprint"] for k in ct.list_public_keys()["PublicKeyList"]}
    assert first["digestPublicKeyFingerprint"] in keys
    assert "LatestDigestDeliveryTime" in ct.get_trail_status(Name="logs-signed")
    ok = _validate(folder, "logs-signed", srv)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "2/2 digest files valid" in ok.stdout
    # Tamper with a log file: change one record and write it back, well-formed.
    victim = next(p for p in log_files(bucket) if b"dave" in gzip.decompress(p.read_bytes()))
    doc = json.loads(gzip.decompress(victim.read_bytes()))
    doc["Records"][0]["sourceIPAddress"] = "203.0.113.9"
    victim.write_bytes(gzip.compress(json.dumps(doc).encode()))
    bad = _validate(folder, "logs-signed", srv)
    assert bad.returncode == 1 and "modified" in bad.stdout, bad.stdout
    # An injected log file is in no digest.
    victim.with_name(victim.name.replace(victim.name[-24:-8], "A" * 16)).write_bytes(victim.read_bytes())
    assert "in no digest" in _validate(folder, "logs-signed", srv).stdout


def test_validation_turned_on_while_logging_starts_digests(srv: IamdServer, folder: Path) -> None:
    ct = _trail(srv, "logs-later")
    srv.client("iam").create_user(UserName="frank")
    bucket = folder / "logs-later"
    wait_for(lambda: "frank" in names(bucket, "CreateUser"))
    assert digest_files(bucket) == []
    ct.update_trail(Name="logs-later", EnableLogFileValidation=True)
    srv.client("iam").create_user(UserName="grace")
    wait_for(lambda: "grace" in names(bucket, "CreateUser"))
    srv.set_clock_offset(3700)
    wait_for(lambda: digest_files(bucket))
    digest = json.loads(gzip.decompress(digest_files(bucket)[0].read_bytes()))
    listed = [f["s3Object"] for f in digest["logFiles"]]
    assert listed and all("frank" not in gzip.decompress((bucket / k).read_bytes()).decode() for k in listed)
