"""Recording events: in the call's own transaction for changes, in bounded batches otherwise.

``record_in_transaction(conn, record)`` appends the call's events inside the caller's transaction:
the change and its event commit together or not at all, and an error here fails the call (an
event that cannot be written means the change must not happen either).

``record_later(record)`` queues read-only successes and every failed, denied or unauthenticated
call; the queue is written as one transaction when it holds ``batch_size`` records (by the
caller's thread, synchronously — a full batch is never dropped), when its oldest record is
``max_age`` seconds old (a background thread), and by ``flush()``/``close()`` at shutdown. Errors
here are logged and never reach the request: if the database refuses a batch, it is kept and
retried with the next one, up to ``max_pending`` records, beyond which the oldest are dropped
with an error log.

What a crash can lose: nothing that changed state (its event is in the same commit). Only
read-only and failed-call events queued in memory and not yet written: at most the last
``max_age`` (500 ms by default) of them, plus the batch being written at that instant; a batch is
one transaction, so it is written whole or not at all and the chain never has a hole.

Digests: a timer thread (``start``) writes the cadence's digest (``chain.digest_if_due``; empty
when idle) and copies committed digests to the sinks (``publish.py``) every ``tick`` seconds, so an
idle server leaves nothing unsigned for longer than one cadence, and a killed one at most its last
cadence. ``close`` seals the rest and copies it.

Failed calls are queued only as far as the ``throttle`` (``throttle.py``) admits them: anyone can
make them, and without a bound they would fill the disk.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from iamd.audit.chain import DigestPolicy, append, digest_due, digest_if_due, ensure_signing_key, seal
from iamd.audit.events import AuditEvent, build_events
from iamd.audit.keys import KeyRing
from iamd.audit.publish import Publisher, Sink
from iamd.audit.record import ApiCallRecord
from iamd.audit.throttle import FailureThrottle
from iamd.store.engine import Store

log = logging.getLogger("iamd.audit")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Recorder:
    def __init__(
        self,
        store: Store,
        master_key: bytes,
        clock: Callable[[], datetime] = _utcnow,
        *,
        batch_size: int = 200,
        max_age: float = 0.5,
        max_pending: int = 20_000,
        digest: DigestPolicy | None = None,
        background: bool = True,
        throttle: FailureThrottle | None = None,
        previous_master_keys: tuple[bytes, ...] = (),
        sinks: tuple[Sink, ...] = (),
    ) -> None:
        self.store = store
        self.clock = clock
        self.signer = KeyRing(master_key, previous_master_keys)
        self.publisher = Publisher(sinks, self.signer)
        self.batch_size = batch_size
        self.max_age = max_age
        self.max_pending = max_pending
        self.digest = digest or DigestPolicy()
        self._background = background
        self.throttle = throttle
        self._pending: list[ApiCallRecord] = []
        self._oldest = 0.0  # monotonic time the oldest pending record was queued
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()  # one batch write at a time per process
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._timer: threading.Thread | None = None
        self._copier: threading.Thread | None = None
        self._copier_running = False
        self._timer_stop = threading.Event()

    # --- in the call's transaction ----------------------------------------------------------

    def record_in_transaction(self, conn: Connection, record: ApiCallRecord) -> list[int]:
        """Append the call's events in ``conn``'s transaction; raises if that fails."""
        return append(conn, build_events(record), self.signer, self.digest, self.clock())

    # --- batched ----------------------------------------------------------------------------

    def record_later(self, record: ApiCallRecord) -> None:
        """Queue the event (a failed call's only if the throttle admits it); never raises."""
        try:
            if record.error_code is not None and self.throttle is not None:
                suppressed = self.throttle.admit(record.source_ip)
                if suppressed is None:
                    return
                if suppressed:
                    record = replace(record, suppressed_events=suppressed)
            with self._lock:
                if not self._pending:
                    self._oldest = time.monotonic()
                self._pending.append(record)
                full = len(self._pending) >= self.batch_size
            if full:
                self.flush()
            elif self._background:
                self._ensure_thread()
        except Exception:  # noqa: BLE001 - the audit trail must not fail a read-only call
            log.exception("audit: could not queue an event")

    def pending(self) -> int:
        return len(self._pending)

    def queued(self) -> list[ApiCallRecord]:
        """A copy of the records queued and not yet written (analysis/activity reads them with the
        stored trail, so a job sees the read-only calls of the last ``max_age`` seconds too)."""
        with self._lock:
            return list(self._pending)

    def due(self) -> bool:
        return bool(self._pending) and time.monotonic() - self._oldest >= self.max_age

    def flush(self) -> int:
        """Write every queued record now (one transaction); returns how many. Never raises."""
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                events: list[AuditEvent] = []
                for record in batch:
                    events.extend(self._build(record))
                with self.store.begin() as conn:
                    append(conn, events, self.signer, self.digest, self.clock())
                return len(batch)
            except Exception:  # noqa: BLE001 - keep the batch for the next attempt
                log.exception("audit: writing %d queued events failed; will retry", len(batch))
                self._requeue(batch)
                return 0

    def flush_if_due(self) -> int:
        return self.flush() if self.due() else 0

    def seal(self) -> bool:
        """Sign a digest over every event not yet covered by one."""
        with self.store.begin() as conn:
            return seal(conn, self.signer, self.clock(), self.digest.interval)

    # --- the cadence ------------------------------------------------------------------------

    @property
    def tick_seconds(self) -> float:
        """How often the timer looks: a quarter of the cadence, at most a second."""
        return min(max(self.digest.interval / 4, 0.05), 1.0)

    def tick(self) -> bool:
        """The cadence's digest if it is due, then copies of what the sinks miss; True if a
        digest was written. Never raises (logged: the next tick retries)."""
        wrote = False
        try:
            now = self.clock()
            with self.store.connect() as conn:
                due = digest_due(conn, self.digest.interval, now)
            if due:
                with self.store.begin() as conn:
                    wrote = digest_if_due(conn, self.signer, self.digest.interval, now)
        except Exception:  # noqa: BLE001 - a busy database delays the digest by a tick
            log.exception("audit: writing the cadence's digest failed; will retry")
        if not self._copier_running:
            self.publish()
        return wrote

    def publish(self) -> int:
        try:
            with self.store.snapshot() as conn:
                return self.publisher.publish(conn)
        except Exception:  # noqa: BLE001
            log.exception("audit: copying digests failed; will retry")
            return 0

    def start(self) -> None:
        """Start the cadence's timer thread and the copier (the server does; tests call ``tick``).
        Copies run on a thread of their own: a sink that hangs for its timeout must not delay
        the next digest."""
        if self._timer is None:
            try:
                with self.store.begin() as conn:
                    ensure_signing_key(conn, self.signer, self.clock())
            except Exception:  # noqa: BLE001 - the first digest makes it then
                log.exception("audit: making the trail's signing key failed; the first digest will")
            self._copier_running = bool(self.publisher.sinks)
            self._timer = threading.Thread(target=self._tick_loop, name="iamd-audit-digests", daemon=True)
            self._timer.start()
            if self._copier_running:
                self._copier = threading.Thread(target=self._copy_loop, name="iamd-audit-copies", daemon=True)
                self._copier.start()

    def _tick_loop(self) -> None:
        while not self._timer_stop.wait(self.tick_seconds):
            self.tick()

    def _copy_loop(self) -> None:
        while not self._timer_stop.wait(self.tick_seconds):
            self.publish()

    def close(self) -> None:
        """Shutdown: stop the background threads, write what is queued, sign the tail, copy it."""
        self._stop = True
        self._wake.set()
        self._timer_stop.set()
        for thread in (self._thread, self._timer, self._copier):
            if thread is not None:
                thread.join(timeout=5)
        self._thread = self._timer = self._copier = None
        self._copier_running = False
        self.flush()
        try:
            self.seal()
        except Exception:  # noqa: BLE001
            log.exception("audit: sealing the trail at shutdown failed")
        self.publish()

    # --- internals --------------------------------------------------------------------------

    def _build(self, record: ApiCallRecord) -> list[AuditEvent]:
        try:
            return build_events(record)
        except Exception:  # noqa: BLE001 - one malformed record must not lose its batch
            log.exception("audit: could not build the event of request %s", record.request_id)
            return []

    def _requeue(self, batch: list[ApiCallRecord]) -> None:
        with self._lock:
            merged = batch + self._pending
            if len(merged) > self.max_pending:
                dropped = len(merged) - self.max_pending
                log.error(
                    "audit: dropping %d queued read-only/failed-call events (database unavailable)", dropped
                )
                merged = merged[dropped:]
            self._pending = merged
            self._oldest = time.monotonic()

    def _ensure_thread(self) -> None:
        if self._thread is None and not self._stop:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="iamd-audit", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(self.max_age / 2)
            if self._stop:
                return
            self.flush_if_due()
