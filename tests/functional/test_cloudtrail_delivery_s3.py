"""Delivery to an S3-compatible endpoint (moto's server stands in for it): log files and signed
digests land in the trail's bucket at AWS's keys, with the signature in the object metadata, and
``iamd trail validate --s3-endpoint`` checks them."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from trail_files import LOG_KEY, wait_for

from iamd.testing import IamdServer, free_port

MOTO = Path(sys.executable).with_name("moto_server")
S3_ENV = {"IAMD_TRAIL_S3_ACCESS_KEY_ID": "testing", "IAMD_TRAIL_S3_SECRET_ACCESS_KEY": "testing"}

pytestmark = pytest.mark.skipif(not MOTO.exists(), reason="moto[server] (the benchmarks' extra) is not installed")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([str(MOTO), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _reachable(endpoint), timeout=60)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _reachable(endpoint: str) -> bool:
    try:
        _s3(endpoint).list_buckets()
        return True
    except Exception:  # noqa: BLE001 - not up yet
        return False


def _s3(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def srv(s3_endpoint: str) -> Iterator[IamdServer]:
    args = ["--ephemeral", "--trail-s3-endpoint", s3_endpoint, "--trail-delivery-interval", "0.1"]
    with IamdServer(extra_args=args, env=S3_ENV) as s:
        yield s


def _keys(s3: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_delivers_to_s3_and_validates(srv: IamdServer, s3_endpoint: str) -> None:
    s3 = _s3(s3_endpoint)
    s3.create_bucket(Bucket="org-trail")
    ct = srv.client("cloudtrail")
    with pytest.raises(ct.exceptions.S3BucketDoesNotExistException):
        ct.create_trail(Name="s3trail", S3BucketName="no-such-bucket")
    ct.create_trail(Name="s3trail", S3BucketName="org-trail", IsMultiRegionTrail=True, EnableLogFileValidation=True)
    ct.start_logging(Name="s3trail")
    srv.client("iam").create_user(UserName="s3user")

    def delivered() -> list[dict[str, Any]]:
        out = []
        for key in _keys(s3, "org-trail"):
            if "/CloudTrail/" in key:
                out += json.loads(gzip.decompress(s3.get_object(Bucket="org-trail", Key=key)["Body"].read()))["Records"]
        return [r for r in out if r["eventName"] == "CreateUser"]

    assert wait_for(delivered)[0]["requestParameters"]["userName"] == "s3user"
    assert all(LOG_KEY.fullmatch(k) for k in _keys(s3, "org-trail") if "/CloudTrail/" in k)
    srv.set_clock_offset(3700)
    digest = wait_for(lambda: [k for k in _keys(s3, "org-trail") if "/CloudTrail-Digest/" in k])[0]
    meta = s3.head_object(Bucket="org-trail", Key=digest)["Metadata"]
    assert meta["signature-algorithm"] == "Ed25519" and len(meta["signature"]) == 128
    env = os.environ | srv.env | S3_ENV
    cmd = [sys.executable, "-m", "iamd.cli", "trail", "validate", "--s3-endpoint", s3_endpoint, "--bucket", "org-trail",
           "--endpoint-url", srv.endpoint]
    ok = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "1/1 digest files valid" in ok.stdout
    # A forged digest (its content changed, the signature kept) is refused.
    body = json.loads(gzip.decompress(s3.get_object(Bucket="org-trail", Key=digest)["Body"].read()))
    body["logFiles"] = []
    s3.put_object(Bucket="org-trail", Key=digest, Body=gzip.compress(json.dumps(body).encode()), Metadata=meta)
    bad = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    assert bad.returncode == 1 and "bad signature" in bad.stdout, bad.stdout


def test_a_missing_bucket_is_reported_and_delivery_resumes(srv: IamdServer, s3_endpoint: str) -> None:
    s3 = _s3(s3_endpoint)
    s3.create_bucket(Bucket="fragile")
    ct = srv.client("cloudtrail")
    ct.create_trail(Name="fragile", S3BucketName="fragile")
    ct.start_logging(Name="fragile")
    s3.delete_bucket(Bucket="fragile")
    srv.client("iam").create_user(UserName="lost-then-found")
    status = wait_for(lambda: (s := ct.get_trail_status(Name="fragile")).get("LatestDeliveryError") and s)
    assert status["LatestDeliveryError"] == "NoSuchBucket" and "LatestDeliveryTime" not in status
    s3.create_bucket(Bucket="fragile")
    wait_for(lambda: "LatestDeliveryError" not in ct.get_trail_status(Name="fragile"))
    keys = _keys(s3, "fragile")
    body = b"".join(gzip.decompress(s3.get_object(Bucket="fragile", Key=k)["Body"].read()) for k in keys)
    assert b"lost-then-found" in body  # nothing was skipped while the bucket was gone
