"""Where trails deliver: a folder on the server (a trail's ``S3BucketName`` is a sub-folder of
it), or an S3-compatible endpoint (boto3's S3 client; ``pip install boto3``).

Objects are written whole or not at all: a folder's file goes to a temporary name and is renamed
(a reader never sees half a log file, and a rewrite of the same key replaces it). Keys come from
the trail's validated bucket and prefix and iamd's own layout, and the folder resolves every
path and refuses one outside its root, so no trail setting can write elsewhere. Metadata (the
digest's signature, as AWS keeps it in S3 object metadata) goes into a sidecar
``KEY.metadata.json`` in a folder.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class Destination(Protocol):
    def bucket_exists(self, bucket: str) -> bool: ...

    def put(self, bucket: str, key: str, body: bytes, metadata: dict[str, str] | None = None) -> None: ...

    def get(self, bucket: str, key: str) -> tuple[bytes, dict[str, str]]: ...

    def keys(self, bucket: str, prefix: str) -> list[str]: ...


class FolderDestination:
    """``ROOT/BUCKET/KEY``; a bucket's folder is made on first delivery."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def __repr__(self) -> str:
        return f"FolderDestination({str(self.root)!r})"

    def _path(self, bucket: str, key: str) -> Path:
        path = (self.root / bucket / key).resolve()
        if not path.is_relative_to(self.root / bucket) or bucket in ("", ".", ".."):
            raise ValueError(f"refusing a key outside the trail folder: {bucket}/{key}")
        return path

    def bucket_exists(self, bucket: str) -> bool:
        return True

    def put(self, bucket: str, key: str, body: bytes, metadata: dict[str, str] | None = None) -> None:
        path = self._path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        if metadata is not None:
            _write(path.with_name(path.name + ".metadata.json"), json.dumps(metadata).encode())
        _write(path, body)

    def get(self, bucket: str, key: str) -> tuple[bytes, dict[str, str]]:
        path = self._path(bucket, key)
        meta = path.with_name(path.name + ".metadata.json")
        metadata = json.loads(meta.read_bytes()) if meta.exists() else {}
        return path.read_bytes(), metadata

    def keys(self, bucket: str, prefix: str) -> list[str]:
        base = self.root / bucket
        if not base.is_dir():
            return []
        out = []
        for path in base.rglob("*"):
            key = path.relative_to(base).as_posix()
            if path.is_file() and key.startswith(prefix) and key.endswith(".json.gz"):
                out.append(key)
        return sorted(out)


def _write(path: Path, body: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class S3Destination:
    """An S3-compatible endpoint. Credentials: ``IAMD_TRAIL_S3_ACCESS_KEY_ID`` and
    ``IAMD_TRAIL_S3_SECRET_ACCESS_KEY``, else boto3's usual chain."""

    endpoint: str
    region: str = "us-east-1"

    def __post_init__(self) -> None:
        import boto3  # only a server delivering to S3 needs it
        from botocore.config import Config

        self._client: Any = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=os.environ.get("IAMD_TRAIL_S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=os.environ.get("IAMD_TRAIL_S3_SECRET_ACCESS_KEY") or None,
            config=Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 2}),
        )

    def __repr__(self) -> str:
        return f"S3Destination({self.endpoint!r})"

    def bucket_exists(self, bucket: str) -> bool:
        try:
            self._client.head_bucket(Bucket=bucket)
            return True
        except Exception:  # noqa: BLE001 - missing, forbidden or unreachable: not deliverable
            return False

    def put(self, bucket: str, key: str, body: bytes, metadata: dict[str, str] | None = None) -> None:
        extra: dict[str, Any] = {"Metadata": metadata} if metadata else {}
        self._client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json",
                                ContentEncoding="gzip", **extra)

    def get(self, bucket: str, key: str) -> tuple[bytes, dict[str, str]]:
        obj = self._client.get_object(Bucket=bucket, Key=key)
        return obj["Body"].read(), dict(obj.get("Metadata") or {})

    def keys(self, bucket: str, prefix: str) -> list[str]:
        out: list[str] = []
        for page in self._client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            out.extend(o["Key"] for o in page.get("Contents", []) if o["Key"].endswith(".json.gz"))
        return sorted(out)


def make_destination(folder: Path | None, s3_endpoint: str) -> Destination | None:
    if s3_endpoint:
        return S3Destination(s3_endpoint)
    if folder is not None:
        return FolderDestination(folder)
    return None
