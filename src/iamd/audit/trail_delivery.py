"""Delivering trails: iamd's events as CloudTrail log files, and hourly signed digest files.

A background thread (``TrailDelivery.start``; never a request) looks every ``interval`` seconds
at each trail with something to deliver and, for each, in the trail row's lock:

1. claims the next range of events (``pending_first..pending_last``, at most ``BATCH``), and
   commits the claim;
2. writes the range's selected events (its account's, its regions', by its event selectors) as
   ``{"Records": [...]}`` gzip files, one per event region, at AWS's key layout
   ``[PREFIX/]AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz``,
   the time and the 16-character unique part both derived from the claim, then moves the cursor.

The claim is what makes delivery exactly-once: a server killed after writing a file and before
committing leaves its claim, and the next delivery (by any server) writes the same range to the
same keys again, replacing the file with identical content. Files are written with no lock held
(a slow or hanging destination must not hold up the database's writers); the cursor then moves
in a short transaction under the row's lock (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's
write lock) only if the claim is still the one written. Two servers that wrote one claim at once
wrote the same bytes to the same keys, and one of them commits: servers sharing a database
deliver each event once.

Digests (``EnableLogFileValidation``): when the digest period (an hour, as AWS) has passed since
the last one, the same claim-then-write writes a digest file naming every log file delivered in
the period (its SHA-256 over the uncompressed content, event times) and the previous digest (its
object, hash and signature), signed with the trail's Ed25519 signing key (``audit/keys.py``,
published by ListPublicKeys; the fingerprint is the key's id). AWS's string to sign is kept:
``digestEndTime\\nBUCKET/KEY\\nhex(sha256(uncompressed digest))\\npreviousDigestSignature``; the
signature goes into the object's metadata (``signature``, ``signature-algorithm``), as AWS puts
it, and is checked by ``iamd trail validate`` (``trail_validate.py``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, not_, select, update

from iamd.audit.chain import ensure_signing_key
from iamd.audit.keys import KeyRing
from iamd.audit.trail_destinations import Destination, make_destination
from iamd.audit.trail_selectors import EventFacts, Selection
from iamd.store.audit_schema import audit_events, audit_trail_head
from iamd.store.cloudtrail_schema import ct_log_files, ct_trails
from iamd.store.engine import Store, hold_write_lock

log = logging.getLogger("iamd.audit.trails")
BATCH = 1000
GLOBAL_SOURCES = {"iam.amazonaws.com", "organizations.amazonaws.com"}
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def destination_of(runtime: Any) -> Destination | None:
    """The runtime's delivery destination, made once (an S3 client is not free)."""
    cache = runtime.caches
    if "trail-destination" not in cache:
        cache["trail-destination"] = _Held(make_destination(runtime.trail_dir, runtime.trail_s3_endpoint))
    held: _Held = cache["trail-destination"]
    return held.destination


class _Held:
    """Keeps the destination in ``runtime.caches`` (which reset clears only if it can)."""

    def __init__(self, destination: Destination | None) -> None:
        self.destination = destination


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def unique_part(*parts: object) -> str:
    digest = int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:12], "big")
    out = []
    for _ in range(16):
        digest, r = divmod(digest, 62)
        out.append(_ALNUM[r])
    return "".join(out)


def log_key(row: Any, region: str, when: datetime, unique: str) -> str:
    acct = row.account_id
    base = f"AWSLogs/{acct}/CloudTrail/{region}/{when:%Y/%m/%d}/{acct}_CloudTrail_{region}_{when:%Y%m%dT%H%MZ}_{unique}.json.gz"
    return f"{row.s3_prefix}/{base}" if row.s3_prefix else base


def digest_key(row: Any, when: datetime) -> str:
    acct, region = row.account_id, row.home_region
    base = (f"AWSLogs/{acct}/CloudTrail-Digest/{region}/{when:%Y/%m/%d}/"
            f"{acct}_CloudTrail-Digest_{region}_{row.name}_{region}_{when:%Y%m%dT%H%M%SZ}.json.gz")
    return f"{row.s3_prefix}/{base}" if row.s3_prefix else base


def compress(doc: dict[str, Any]) -> tuple[bytes, str]:
    """(gzip bytes, hex SHA-256 of the uncompressed JSON); mtime 0, so a rewrite is identical."""
    raw = json.dumps(doc, separators=(",", ":")).encode()
    return gzip.compress(raw, mtime=0), hashlib.sha256(raw).hexdigest()


def selects(row: Any, selection: Selection, record: dict[str, Any]) -> bool:
    """Whether the trail delivers this event: its regions (a single-region trail: its home region
    and, with IncludeGlobalServiceEvents, the global services'), then its event selectors."""
    region = record.get("awsRegion", "")
    is_global = record.get("eventSource") in GLOBAL_SOURCES
    if is_global and not row.include_global:
        return False
    if not row.multi_region and region != row.home_region and not is_global:
        return False
    return selection.selects(EventFacts.of_record(record))


class TrailDelivery:
    def __init__(
        self, store: Store, destination: Destination | None, signer: KeyRing, clock: Callable[[], datetime], *,
        interval: float = 30.0, digest_period: float = 3600.0,
    ) -> None:
        self.store = store
        self.destination = destination
        self.signer = signer
        self.clock = clock
        self.interval = interval
        self.digest_period = timedelta(seconds=digest_period)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the loop ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="iamd-trail-delivery", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()

    def tick(self) -> int:
        """Deliver what is due for every trail; returns how many files were written. Never raises."""
        written = 0
        try:
            with self.store.connect() as conn:
                rows = conn.execute(select(ct_trails)).all()
        except Exception:  # noqa: BLE001 - the database is down: the next tick retries
            log.exception("trail delivery: reading the trails failed; will retry")
            return 0
        now = self.clock()
        for row in rows:
            try:
                while self._has_events(row):
                    n = self.deliver(row.trail_id)
                    if n < 0:
                        break
                    written += n
                    row = self._reload(row.trail_id)
                    if row is None:
                        break
                if row is not None and self._digest_due(row, now):
                    written += self.digest(row.trail_id)
            except Exception:  # noqa: BLE001 - one trail's failure must not stop the others
                log.exception("trail delivery: trail %s failed; will retry", row.trail_id)
        return written

    def _reload(self, trail_id: str) -> Any:
        with self.store.connect() as conn:
            return conn.execute(select(ct_trails).where(ct_trails.c.trail_id == trail_id)).first()

    def _has_events(self, row: Any) -> bool:
        if row.pending_first is not None:
            return True
        if not row.is_logging and (row.stop_seq is None or row.delivered_seq >= row.stop_seq - 1):
            return False
        with self.store.connect() as conn:
            head = int(conn.execute(select(audit_trail_head.c.last_seq)).scalar() or 0)
        return bool(self._end(row, head) > row.delivered_seq)

    @staticmethod
    def _end(row: Any, head: int) -> int:
        end = head if row.stop_seq is None else min(head, int(row.stop_seq) - 1)
        return min(end, int(row.delivered_seq) + BATCH)

    def _digest_due(self, row: Any, now: datetime) -> bool:
        if not row.validation or row.digest_start is None:
            return False
        if row.digest_pending_end is not None:
            return True
        return bool(row.is_logging) and now - row.digest_start >= self.digest_period

    # --- one trail --------------------------------------------------------------------------

    def _lock(self, conn: Connection, trail_id: str) -> Any:
        hold_write_lock(conn)
        return conn.execute(
            select(ct_trails).where(ct_trails.c.trail_id == trail_id).with_for_update(skip_locked=True)
        ).first()

    def deliver(self, trail_id: str) -> int:
        """Claim and write the trail's next range; files written, or -1 when another server holds
        the trail or the destination failed (the claim stays for the next attempt)."""
        with self.store.begin() as conn:
            row = self._lock(conn, trail_id)
            if row is None:
                return -1
            if row.pending_first is None:
                head = int(conn.execute(select(audit_trail_head.c.last_seq)).scalar() or 0)
                end = self._end(row, head)
                if end <= row.delivered_seq:
                    return -1
                conn.execute(update(ct_trails).where(ct_trails.c.trail_id == trail_id).values(
                    pending_first=row.delivered_seq + 1, pending_last=end, pending_at=self.clock()))
        try:
            return self._write_range(trail_id)
        except Exception as err:  # noqa: BLE001 - recorded for GetTrailStatus, retried next tick
            log.warning("trail delivery: trail %s: %s", trail_id, err)
            self._note(trail_id, latest_delivery_attempt=self.clock(), latest_delivery_error=_error_text(err))
            return -1

    def _write_range(self, trail_id: str) -> int:
        """Write the claimed range with no lock held (a slow destination must not hold up the
        database's writers), then commit the cursor if the claim is still the one written: a
        server that wrote the same claim at the same time wrote the same bytes to the same keys."""
        if self.destination is None:
            raise RuntimeError("NoDestination: the server has no --trail-dir or --trail-s3-endpoint")
        with self.store.connect() as conn:
            row = conn.execute(select(ct_trails).where(ct_trails.c.trail_id == trail_id)).first()
            if row is None or row.pending_first is None:
                return -1
            q = select(audit_events.c.record).where(
                audit_events.c.seq >= row.pending_first, audit_events.c.seq <= row.pending_last,
                audit_events.c.account_id == row.account_id,
            )
            if row.skip_from is not None and row.skip_to is not None:
                q = q.where(not_(audit_events.c.seq.between(row.skip_from, row.skip_to)))
            texts = list(conn.execute(q.order_by(audit_events.c.seq)).scalars())
        selection = Selection(row.event_selectors, row.advanced_selectors)
        by_region: dict[str, list[dict[str, Any]]] = {}
        for text in texts:
            record = json.loads(text)
            if selects(row, selection, record):
                region = (record.get("awsRegion") or row.home_region) if row.multi_region else row.home_region
                by_region.setdefault(region, []).append(record)
        files = []
        for region, records in sorted(by_region.items()):
            key = log_key(row, region, row.pending_at, unique_part(row.trail_id, row.pending_first, row.pending_last, region))
            body, sha = compress({"Records": records})
            self.destination.put(row.s3_bucket, key, body)
            times = [r.get("eventTime", "") for r in records]
            files.append((key, sha, _parse_time(min(times)), _parse_time(max(times))))
        with self.store.begin() as conn:
            now_row = self._lock(conn, trail_id)
            if now_row is None or (now_row.pending_first, now_row.pending_last) != (row.pending_first, row.pending_last):
                return -1  # another server committed this claim first
            now = self.clock()
            if now_row.validation:
                for key, sha, oldest, newest in files:
                    conn.execute(delete(ct_log_files).where(ct_log_files.c.trail_id == trail_id, ct_log_files.c.object_key == key))
                    conn.execute(insert(ct_log_files).values(
                        trail_id=trail_id, object_key=key, bucket=row.s3_bucket, sha256=sha,
                        oldest_event=oldest, newest_event=newest, delivered_at=now))
            values: dict[str, Any] = {"delivered_seq": row.pending_last, "pending_first": None, "pending_last": None,
                                      "pending_at": None, "latest_delivery_attempt": now, "latest_delivery_error": None}
            if files:
                values["latest_delivery_time"] = now
            conn.execute(update(ct_trails).where(ct_trails.c.trail_id == trail_id).values(**values))
        return len(files)

    def _note(self, trail_id: str, **values: Any) -> None:
        try:
            with self.store.begin() as conn:
                conn.execute(update(ct_trails).where(ct_trails.c.trail_id == trail_id).values(**values))
        except Exception:  # noqa: BLE001
            log.exception("trail delivery: could not record the failure of trail %s", trail_id)

    # --- digests ----------------------------------------------------------------------------

    def digest(self, trail_id: str) -> int:
        """Claim and write the trail's digest of the period that ended; 1 if written."""
        with self.store.begin() as conn:
            row = self._lock(conn, trail_id)
            if row is None or row.digest_start is None:
                return 0
            if row.digest_pending_end is None:
                conn.execute(update(ct_trails).where(ct_trails.c.trail_id == trail_id).values(digest_pending_end=self.clock()))
        try:
            with self.store.begin() as conn:  # a short transaction: it holds the trail head's lock
                ensure_signing_key(conn, self.signer, self.clock())
            return self._write_digest(trail_id)
        except Exception as err:  # noqa: BLE001
            log.warning("trail delivery: digest of trail %s: %s", trail_id, err)
            self._note(trail_id, latest_digest_attempt=self.clock(), latest_digest_error=_error_text(err))
            return 0

    def _write_digest(self, trail_id: str) -> int:
        """Like log files: built and written with no lock held, committed if still claimed. The
        files it lists are stable once claimed: a log file's ``delivered_at`` is set in the
        locked commit, so one committed after the claim is later than its end."""
        if self.destination is None:
            raise RuntimeError("NoDestination: the server has no --trail-dir or --trail-s3-endpoint")
        with self.store.connect() as conn:
            row = conn.execute(select(ct_trails).where(ct_trails.c.trail_id == trail_id)).first()
            if row is None or row.digest_pending_end is None:
                return 0
            key, body, sha, signature = self._build_digest(conn, row)
        end = row.digest_pending_end
        self.destination.put(row.s3_bucket, key, body, {"signature": signature, "signature-algorithm": "Ed25519"})
        with self.store.begin() as conn:
            now_row = self._lock(conn, trail_id)
            if now_row is None or (now_row.digest_pending_end, now_row.digest_prev_object) != (end, row.digest_prev_object):
                return 0  # another server committed this digest first
            conn.execute(delete(ct_log_files).where(ct_log_files.c.trail_id == trail_id, ct_log_files.c.delivered_at <= end))
            conn.execute(update(ct_trails).where(ct_trails.c.trail_id == trail_id).values(
                digest_start=end, digest_pending_end=None, digest_prev_bucket=row.s3_bucket, digest_prev_object=key,
                digest_prev_hash=sha, digest_prev_signature=signature, latest_digest_delivery_time=self.clock(),
                latest_digest_attempt=self.clock(), latest_digest_error=None))
        return 1

    def _build_digest(self, conn: Connection, row: Any) -> tuple[str, bytes, str, str]:
        """(key, gzip body, SHA-256 of the uncompressed digest, hex signature)."""
        end = row.digest_pending_end
        files = conn.execute(
            select(ct_log_files).where(ct_log_files.c.trail_id == row.trail_id, ct_log_files.c.delivered_at <= end)
            .order_by(ct_log_files.c.delivered_at, ct_log_files.c.object_key)
        ).all()
        kid = self.signer.active(conn, self.clock())[0]
        key = digest_key(row, end)
        doc: dict[str, Any] = {
            "awsAccountId": row.account_id,
            "digestStartTime": stamp(row.digest_start),
            "digestEndTime": stamp(end),
            "digestS3Bucket": row.s3_bucket,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": kid,
            "digestSignatureAlgorithm": "Ed25519",
            "newestEventTime": stamp(max(f.newest_event for f in files)) if files else None,
            "oldestEventTime": stamp(min(f.oldest_event for f in files)) if files else None,
            "previousDigestS3Bucket": row.digest_prev_bucket,
            "previousDigestS3Object": row.digest_prev_object,
            "previousDigestHashValue": row.digest_prev_hash,
            "previousDigestHashAlgorithm": "SHA-256" if row.digest_prev_hash else None,
            "previousDigestSignature": row.digest_prev_signature,
            "logFiles": [
                {"s3Bucket": f.bucket, "s3Object": f.object_key, "hashValue": f.sha256, "hashAlgorithm": "SHA-256",
                 "newestEventTime": stamp(f.newest_event), "oldestEventTime": stamp(f.oldest_event)}
                for f in files
            ],
        }
        body, sha = compress(doc)
        message = string_to_sign(doc, sha)
        signed_kid, signature = self.signer.sign(conn, message, self.clock())
        if signed_kid != kid:
            raise RuntimeError("the signing key changed while the digest was written; will retry")
        return key, body, sha, signature


def string_to_sign(doc: dict[str, Any], sha_hex: str) -> bytes:
    """AWS's: digestEndTime, bucket/object, hex SHA-256 of the uncompressed digest, previous signature."""
    return (f"{doc['digestEndTime']}\n{doc['digestS3Bucket']}/{doc['digestS3Object']}\n{sha_hex}\n"
            f"{doc.get('previousDigestSignature') or 'null'}").encode()


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _error_text(err: Exception) -> str:
    code = getattr(err, "response", {}).get("Error", {}).get("Code") if hasattr(err, "response") else None
    return str(code or str(err).split(":", 1)[0] or type(err).__name__)[:256]


def delivery_for(runtime: Any) -> TrailDelivery | None:
    """The runtime's delivery worker (None when the audit trail is off: there are no events)."""
    recorder = runtime.audit
    if recorder is None:
        return None
    return TrailDelivery(
        runtime.store, destination_of(runtime), recorder.signer, runtime.clock,
        interval=runtime.trail_delivery_interval, digest_period=runtime.trail_digest_period,
    )
