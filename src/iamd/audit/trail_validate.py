"""Validating delivered trail files, as ``aws cloudtrail validate-logs`` does for AWS's: every
digest file's signature (with the public key its fingerprint names), the chain of digests (each
names its predecessor's object, SHA-256 and signature), and every log file a digest lists (its
SHA-256 over the uncompressed content). A log file no digest lists, delivered before the newest
digest's period ended, is reported too: something put it there that iamd did not deliver.

What it reads goes through a ``Destination`` (a folder or an S3 endpoint); the public keys come
from ListPublicKeys, ``iamd trail public-key`` PEM files, or the database.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from iamd.audit.trail_delivery import string_to_sign
from iamd.audit.trail_destinations import Destination

_LOG_TIME = re.compile(r"_CloudTrail_[a-z0-9-]+_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$")


@dataclass
class Report:
    digests_valid: int = 0
    digests: int = 0
    logs_valid: int = 0
    logs: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        return [*self.problems,
                f"{self.digests_valid}/{self.digests} digest files valid",
                f"{self.logs_valid}/{self.logs} log files valid"]


def _open(dest: Destination, bucket: str, key: str) -> tuple[bytes, dict[str, str]]:
    body, meta = dest.get(bucket, key)
    return gzip.decompress(body), meta


def validate(dest: Destination, bucket: str, prefix: str, keys: dict[str, Ed25519PublicKey],
             account: str | None = None) -> Report:
    report = Report()
    base = f"{prefix}/AWSLogs/" if prefix else "AWSLogs/"
    if account:
        base += f"{account}/"
    every = dest.keys(bucket, base)
    digest_keys = [k for k in every if "/CloudTrail-Digest/" in k]
    log_keys = [k for k in every if "/CloudTrail/" in k]
    digests: list[tuple[str, dict[str, Any], str, str]] = []
    for key in digest_keys:
        report.digests += 1
        try:
            raw, meta = _open(dest, bucket, key)
            doc = json.loads(raw)
        except (OSError, ValueError) as err:
            report.problems.append(f"digest {key}: unreadable ({err})")
            continue
        sha = hashlib.sha256(raw).hexdigest()
        problem = _signature_problem(doc, sha, meta, keys, key)
        if problem:
            report.problems.append(f"digest {key}: {problem}")
            continue
        report.digests_valid += 1
        digests.append((key, doc, sha, meta["signature"]))
    digests.sort(key=lambda d: (d[1]["digestEndTime"], d[0]))
    _check_chain(digests, report)
    listed: set[str] = set()
    for _key, doc, _sha, _sig in digests:
        for f in doc.get("logFiles") or []:
            report.logs += 1
            listed.add(f["s3Object"])
            try:
                raw, _meta = _open(dest, f["s3Bucket"], f["s3Object"])
            except (OSError, ValueError, KeyError) as err:
                report.problems.append(f"log file {f['s3Object']}: missing or unreadable ({type(err).__name__})")
                continue
            except Exception as err:  # noqa: BLE001 - e.g. NoSuchKey from S3
                report.problems.append(f"log file {f['s3Object']}: missing ({type(err).__name__})")
                continue
            if hashlib.sha256(raw).hexdigest() != f["hashValue"]:
                report.problems.append(f"log file {f['s3Object']}: modified (its SHA-256 differs from the digest's)")
                continue
            report.logs_valid += 1
    if digests:
        last_end = digests[-1][1]["digestEndTime"]
        cutoff = last_end[:4] + last_end[5:7] + last_end[8:10] + "T" + last_end[11:13] + last_end[14:16] + "Z"
        for key in log_keys:
            m = _LOG_TIME.search(key)
            if key not in listed and (m is None or m.group(1) < cutoff):
                report.problems.append(f"log file {key}: in no digest (not delivered by this trail)")
    return report


def _signature_problem(doc: dict[str, Any], sha: str, meta: dict[str, str], keys: dict[str, Ed25519PublicKey],
                       key: str) -> str | None:
    if doc.get("digestS3Object") != key:
        return f"names itself {str(doc.get('digestS3Object'))[:200]}"
    signature = meta.get("signature")
    if not signature:
        return "has no signature"
    public = keys.get(str(doc.get("digestPublicKeyFingerprint")))
    if public is None:
        return f"is signed by key {str(doc.get('digestPublicKeyFingerprint'))[:64]}, which is not a trusted public key"
    try:
        public.verify(bytes.fromhex(signature), string_to_sign(doc, sha))
    except (InvalidSignature, ValueError):
        return "has a bad signature (the digest was modified)"
    return None


def _check_chain(digests: list[tuple[str, dict[str, Any], str, str]], report: Report) -> None:
    for prev, cur in zip(digests, digests[1:], strict=False):
        pkey, _pdoc, psha, psig = prev
        key, doc = cur[0], cur[1]
        if (doc.get("previousDigestS3Object"), doc.get("previousDigestHashValue"), doc.get("previousDigestSignature")) != (
            pkey, psha, psig
        ):
            report.problems.append(f"digest {key}: does not follow {pkey} (a digest was removed or replaced)")


def public_keys_from(items: Iterable[tuple[str, bytes]]) -> dict[str, Ed25519PublicKey]:
    """Fingerprint → key, from (fingerprint, DER SubjectPublicKeyInfo) pairs (ListPublicKeys)."""
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    out: dict[str, Ed25519PublicKey] = {}
    for fingerprint, der in items:
        key = load_der_public_key(der)
        if isinstance(key, Ed25519PublicKey):
            out[fingerprint] = key
    return out
