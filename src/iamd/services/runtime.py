"""Long-lived things actions need besides the transaction: the store, the secret box, settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iamd.auth.key_usage import KeyUsage
from iamd.auth.secretbox import SecretBox
from iamd.store.engine import Store

if TYPE_CHECKING:
    from iamd.services.accounts import RootCredentials


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    store: Store
    secretbox: SecretBox
    default_account_id: str
    ephemeral: bool = False
    # The wall clock verifies SigV4 timestamps (clients sign with real time); everything else —
    # session expiry, aws:CurrentTime, timestamps written — uses ``clock()``, which an ephemeral
    # server can shift for time-travel tests (``clock_offset``).
    wall_clock: Callable[[], datetime] = utcnow
    clock_offset: timedelta = timedelta(0)
    # 32 bytes; keys for session tokens and authorization messages are derived from it.
    master_key: bytes = b""
    # Master keys that open but do not seal (IAMD_NEXT_MASTER_KEYS, IAMD_PREVIOUS_MASTER_KEYS).
    previous_master_keys: tuple[bytes, ...] = ()
    # Proxies whose X-Forwarded-For is believed for aws:SourceIp.
    trusted_proxies: frozenset[str] = frozenset()
    # Regions besides AWS's that a SigV4 credential scope may name (``--extra-regions``).
    extra_regions: frozenset[str] = frozenset()
    # Accounts an organization may hold (AWS's default quota: 10).
    org_max_accounts: int = 10
    # Encodes/decodes AccessDenied authorization messages (set by the API layer).
    message_sealer: Any = None
    # Seals and opens session tokens (iamd.auth.sessions.SessionKeyring).
    session_keyring: Any = None
    # This server's master keys as the shared database sees them (services.master_keys.KeyState):
    # heartbeats, and the retirement times the session keyring enforces.
    key_state: Any = None
    # The audit trail's recorder (iamd.audit.recorder.Recorder), set by the API layer; None when
    # the trail is off.
    audit: Any = None
    audit_enabled: bool = True
    trail_retention_days: int | None = None
    # The trail's digest cadence (seconds) and where copies of the digests go.
    trail_digest_interval: float = 60.0
    trail_digest_dir: Path | None = None
    trail_digest_url: str = ""
    trail_digest_syslog: str = ""
    # CloudTrail trails' delivery (audit/trail_delivery.py): the folder trails' buckets are
    # sub-folders of, or an S3-compatible endpoint; how often delivery looks; the digest period.
    trail_dir: Path | None = None
    trail_s3_endpoint: str = ""
    trail_delivery_interval: float = 30.0
    trail_digest_period: float = 3600.0
    # Last-used times of access keys, written in batches.
    key_usage: KeyUsage = field(default_factory=KeyUsage)
    # The just-started state an ephemeral server's reset restores.
    seed: RootCredentials | None = None
    # OIDC federation: a PEM CA bundle for issuers' TLS (else the system's), and JWKS files
    # registered per issuer (``HOST/PATH`` → path) for issuers iamd cannot reach.
    oidc_ca_bundle: str = ""
    oidc_jwks: dict[str, str] = field(default_factory=dict)
    # The base of outbound web identity federation's issuer URLs (``--public-url``).
    public_url: str = "http://127.0.0.1:8750"
    # Caches that a change must invalidate; keyed by subsystem.
    caches: dict[str, Any] = field(default_factory=dict)

    def clock(self) -> datetime:
        return self.wall_clock() + self.clock_offset

    def reset(self) -> None:
        """Empty the store and recreate the first account with the same root key (ephemeral only)."""
        from iamd.services.accounts import create_account
        from iamd.store.wipe import wipe

        if not self.ephemeral or self.seed is None:
            raise RuntimeError("reset is only for ephemeral servers")
        if self.audit is not None:
            self.audit.flush()  # events of calls made before the reset belong to the old state
        with self.store.begin() as conn:
            wipe(conn)
            create_account(
                conn,
                self.secretbox,
                self.seed.account_id,
                self.clock(),
                is_default=True,
                access_key_id=self.seed.access_key_id,
                secret_access_key=self.seed.secret_access_key,
            )
        self.clock_offset = timedelta(0)
        self.key_usage.clear()
        for cache in self.caches.values():
            if hasattr(cache, "clear"):
                cache.clear()
