"""Copies of the signed digests outside the database: a folder, and optionally an HTTP endpoint.

Why: digests kept only in the database prove nothing to someone who can edit it — delete the
newest digest and the events it covers, set the head back, and what remains is a shorter trail
that verifies (a rollback); delete everything and it is an empty trail that verifies (a wipe).
A copy the database's editor cannot reach pins what the trail already held, as CloudTrail's digest
files in S3 do: ``iamd trail verify --digests DIR`` fails when the database is behind the copy
(rollback, truncation), differs from it (rewrite), or is another trail (wipe).

The folder (``--trail-digest-dir``, default ``DATA_DIR/trail-digests``) holds, per trail id,
``NNNNNNNNNNNN.json`` per digest and ``public-keys/KEYID.pem``. Files are written once and never
replaced: a digest that disagrees with the copy is logged and left out, so the copy keeps the
history it saw first. The default sits next to the database: that only protects against someone
who can edit the database but not the data folder (a PostgreSQL user); point it at another
machine's mount, an append-only volume, or use ``--trail-digest-url`` (each digest PUT as JSON).

Publishing runs on the recorder's timer thread after the digest's transaction committed (a copy
of a digest that rolled back would look like a rollback); it never blocks or fails a request, and
an unreachable sink is retried at the next tick.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

from iamd.audit.signing import PublicKey, key_id

log = logging.getLogger("iamd.audit")

FIELDS = (
    "trail_id",
    "digest_seq",
    "kind",
    "first_seq",
    "last_seq",
    "last_hash",
    "created_at",
    "cadence",
    "prev_signature",
    "key_id",
    "signature",
)
_CAMEL = {f: f.split("_")[0] + "".join(w.title() for w in f.split("_")[1:]) for f in FIELDS}


def to_json(d: Any) -> str:
    body = {_CAMEL[f]: getattr(d, f) for f in FIELDS}
    body["createdAt"] = d.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body["cadence"] = float(d.cadence or 0)
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def from_json(text: str) -> SimpleNamespace:
    body = json.loads(text)
    values = {f: body[_CAMEL[f]] for f in FIELDS}
    values["created_at"] = datetime.fromisoformat(values["created_at"].replace("Z", "+00:00"))
    return SimpleNamespace(**values)


def pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def load_pem(text: bytes, legacy: bool = False) -> PublicKey:
    public = load_pem_public_key(text)
    if not isinstance(public, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return PublicKey(key_id(public), public, legacy)


class DigestFolder:
    """One folder of write-once copies; ``latest`` is this process's cursor per trail."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.latest: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"DigestFolder({self.root})"

    def cursor(self, trail_id: str, newest: int = 0) -> int:
        """The newest digest number copied here (``newest``, the database's, is for sinks that
        cannot list what they hold)."""
        if trail_id not in self.latest:
            folder = self.root / trail_id
            numbers = [int(p.stem) for p in folder.glob("*.json") if p.stem.isdigit()] if folder.is_dir() else []
            self.latest[trail_id] = max(numbers, default=0)
        return self.latest[trail_id]

    def signature_of(self, trail_id: str, number: int) -> str | None:
        path = self.root / trail_id / f"{number:012d}.json"
        try:
            return str(json.loads(path.read_text())["signature"])
        except (OSError, ValueError, KeyError):
            return None

    def put(self, trail_id: str, d: Any, key: PublicKey | None) -> bool:
        folder = self.root / trail_id
        before = self.signature_of(trail_id, d.digest_seq - 1) if d.digest_seq > 1 else ""
        if before is not None and before != d.prev_signature:
            log.error(
                "audit: digest %d of trail %s does not follow digest %d of its copy in %s: "
                "the database's trail was rolled back or rewritten (run `iamd trail verify`)",
                d.digest_seq, trail_id, d.digest_seq - 1, self.root,
            )
            return False
        if key is not None:
            _write_once(folder / "public-keys" / f"{key.key_id}.pem", pem(key.public))
        written = _write_once(folder / f"{d.digest_seq:012d}.json", to_json(d))
        if not written and self.signature_of(trail_id, d.digest_seq) != d.signature:
            log.error(
                "audit: digest %d of trail %s in the database differs from its copy in %s: "
                "the database's trail was rolled back or rewritten (run `iamd trail verify`)",
                d.digest_seq, trail_id, self.root,
            )
            return False
        self.latest[trail_id] = max(self.cursor(trail_id), d.digest_seq)
        return True


def _write_once(path: Path, text: str) -> bool:
    """Write ``path`` atomically unless it exists; False when it did."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


class HttpSink:
    """PUT each digest to ``URL/TRAILID/NNNNNNNNNNNN.json`` and each key to
    ``URL/TRAILID/public-keys/KEYID.pem`` (an S3-compatible bucket with a presigned-less PUT,
    a log collector, another machine's web server). Starts from the database's newest digest."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.latest: dict[str, int] = {}
        self.sent_keys: set[str] = set()

    def __repr__(self) -> str:
        return "HttpSink(<url hidden>)"

    def cursor(self, trail_id: str, newest: int = 0) -> int:
        return self.latest.setdefault(trail_id, max(newest - 1, 0))

    def put(self, trail_id: str, d: Any, key: PublicKey | None) -> bool:
        if key is not None and key.key_id not in self.sent_keys:
            self._put(f"{trail_id}/public-keys/{key.key_id}.pem", pem(key.public), "application/x-pem-file")
            self.sent_keys.add(key.key_id)
        self._put(f"{trail_id}/{d.digest_seq:012d}.json", to_json(d), "application/json")
        self.latest[trail_id] = d.digest_seq
        return True

    def _put(self, name: str, body: str, content_type: str) -> None:
        req = urllib.request.Request(
            f"{self.url}/{name}", data=body.encode(), method="PUT", headers={"Content-Type": content_type}
        )
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - the operator's URL
            if resp.status >= 300:
                raise OSError(f"HTTP {resp.status}")


class SyslogSink:
    """Each digest as one syslog message (``iamd-trail-digest TRAILID {json}``, facility
    ``auth``), to ``HOST:PORT`` over UDP or a local socket path such as ``/dev/log``: a log
    collector the database's users cannot write keeps the copy. Starts from the database's newest
    digest; the message is sent once (UDP gives no receipt)."""

    def __init__(self, address: str) -> None:
        import logging.handlers

        target: str | tuple[str, int]
        if address.startswith("/"):
            target = address
        else:
            host, _, port = address.rpartition(":")
            target = (host or "127.0.0.1", int(port or 514))
        self._handler = logging.handlers.SysLogHandler(
            address=target, facility=logging.handlers.SysLogHandler.LOG_AUTH
        )
        self.latest: dict[str, int] = {}

    def __repr__(self) -> str:
        return "SyslogSink()"

    def cursor(self, trail_id: str, newest: int = 0) -> int:
        return self.latest.setdefault(trail_id, max(newest - 1, 0))

    def put(self, trail_id: str, d: Any, key: PublicKey | None) -> bool:
        text = f"iamd-trail-digest {trail_id} {to_json(d)}"
        self._handler.emit(logging.LogRecord("iamd.trail", logging.INFO, __file__, 0, text, None, None))
        self.latest[trail_id] = d.digest_seq
        return True
