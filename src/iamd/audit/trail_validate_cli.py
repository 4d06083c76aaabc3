"""``iamd trail validate``: check a trail's delivered log and digest files (``trail_validate.py``).

Where the files are: ``--dir`` (the server's ``--trail-dir``) or ``--s3-endpoint``; which
bucket (the trail's ``S3BucketName``) and prefix. The trusted public keys: ``--endpoint-url``
(CloudTrail ListPublicKeys on a running iamd, with the usual AWS credentials), ``--public-key``
PEM files (``iamd trail public-key``), or else the database (``--data-dir``/``--db``).
Exit 0 when everything is valid, 1 when something is not, 2 when it could not look.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from iamd.config import env_default


def add_parser(trail_sub: Any) -> None:
    p = trail_sub.add_parser("validate", help="validate a trail's delivered log files and digests; exit 0 OK, 1 not")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--dir", help="the server's trail folder (--trail-dir)")
    where.add_argument("--s3-endpoint", help="the S3-compatible endpoint the trail delivers to")
    p.add_argument("--bucket", required=True, help="the trail's S3BucketName")
    p.add_argument("--prefix", default="", help="the trail's S3KeyPrefix")
    p.add_argument("--account", help="only this account's files")
    p.add_argument("--endpoint-url", help="read the public keys with ListPublicKeys from this iamd")
    p.add_argument("--public-key", action="append", default=[], metavar="FILE", help="a trusted key (PEM); repeatable")
    p.add_argument("--data-dir", default=env_default("data_dir"), help="else the keys from this data folder's store")
    p.add_argument("--db", default=env_default("db"), help="or this database URL")


def run(args: argparse.Namespace) -> int:
    from iamd.audit.trail_destinations import FolderDestination, S3Destination
    from iamd.audit.trail_validate import validate

    try:
        keys = _keys(args)
        dest: Any = FolderDestination(Path(args.dir)) if args.dir else S3Destination(args.s3_endpoint)
        report = validate(dest, args.bucket, args.prefix, keys, args.account)
    except Exception as err:  # noqa: BLE001 - any failure to look is exit 2, said plainly
        print(f"iamd trail validate: {err}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def _keys(args: argparse.Namespace) -> dict[str, Ed25519PublicKey]:
    from iamd.audit.signing import key_id
    from iamd.audit.trail_validate import public_keys_from

    if args.endpoint_url:
        import boto3

        ct: Any = boto3.client("cloudtrail", endpoint_url=args.endpoint_url)
        return public_keys_from((k["Fingerprint"], k["Value"]) for k in ct.list_public_keys()["PublicKeyList"])
    if args.public_key:
        out = {}
        for path in args.public_key:
            key = load_pem_public_key(Path(path).read_bytes())
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError(f"{path} is not an Ed25519 public key")
            out[key_id(key)] = key
        return out
    from iamd.audit.keys import public_keys, trusted
    from iamd.audit.trail_cli import _open_store

    store = _open_store(args)
    try:
        with store.connect() as conn:
            return {k.key_id: k.public for k in trusted(public_keys(conn)) if not k.legacy}
    finally:
        store.close()
