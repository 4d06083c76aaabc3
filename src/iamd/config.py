"""Server settings: each from a command-line flag, else an ``IAMD_…`` environment variable, else a default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

Number = TypeVar("Number", int, float)

DEFAULTS = {
    "host": "127.0.0.1",
    "port": "8750",
    "data_dir": "./iamd-data",
    "db": "",
    "account_id": "123456789012",
    "log_level": "warning",
    "trusted_proxies": "",
    "tls_cert": "",
    "tls_key": "",
    "audit_trail": "on",
    "trail_retention_days": "",
    "trail_digest_interval": "60",
    "trail_digest_dir": "",
    "trail_digest_url": "",
    "trail_digest_syslog": "",
    "trail_dir": "",
    "trail_s3_endpoint": "",
    "trail_delivery_interval": "30",
    "trail_digest_period": "3600",
    "extra_regions": "",
    "oidc_ca_bundle": "",
    "oidc_jwks": "",
    "public_url": "",
    "org_max_accounts": "10",
    "lock_timeout": "10",
    "worker_threads": "16",
    "max_connections": "1000",
    "max_header_bytes": "65536",
    "header_timeout": "10",
    "body_timeout": "20",
    "keep_alive_timeout": "5",
    "failed_call_events_rate": "5",
    "failed_call_events_burst": "100",
}


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    data_dir: Path
    db: str
    account_id: str
    ephemeral: bool = False
    log_level: str = "warning"
    root_access_key_id: str | None = None
    root_secret_access_key: str | None = None
    # Addresses of reverse proxies whose X-Forwarded-For header sets aws:SourceIp.
    trusted_proxies: tuple[str, ...] = ()
    # PEM files of the server's certificate (chain) and private key: iamd serves HTTPS itself
    # (docs/operations.md), and aws:SecureTransport is true on its requests.
    tls_cert: str = ""
    tls_key: str = ""
    # The CloudTrail-style audit trail (on by default) and how many days of it to keep.
    audit_trail: bool = True
    trail_retention_days: int | None = None
    # The trail's digests: seconds between two (written even when idle), the folder their copies
    # go to (default DATA_DIR/trail-digests), and an optional URL each is also PUT to.
    trail_digest_interval: float = 60.0
    trail_digest_dir: Path | None = None
    trail_digest_url: str = ""
    trail_digest_syslog: str = ""
    # CloudTrail trails deliver log files into this folder (default DATA_DIR/trail-logs), or to
    # an S3-compatible endpoint; every this many seconds; digests every trail_digest_period.
    trail_dir: Path | None = None
    trail_s3_endpoint: str = ""
    trail_delivery_interval: float = 30.0
    trail_digest_period: float = 3600.0
    # Regions besides AWS's that a SigV4 scope may name (a private cloud's own).
    extra_regions: tuple[str, ...] = ()
    # OIDC federation (docs/federation.md): the CA bundle for issuers' TLS, and JWKS files
    # registered per issuer (HOST/PATH → file) for issuers this server cannot reach.
    oidc_ca_bundle: str = ""
    oidc_jwks: tuple[tuple[str, str], ...] = ()
    # The URL clients reach this server at (behind a proxy, the proxy's): outbound web identity
    # federation's issuer URLs are built on it (docs/federation.md). Default: ``endpoint``.
    public_url: str = ""
    # Organizations' "maximum number of accounts" per organization: AWS's default quota is 10,
    # raised on request; here a setting.
    org_max_accounts: int = 10
    # Seconds a change waits for another's lock (the account's, or SQLite's write lock) before
    # the call answers ServiceUnavailable (503, which SDKs retry).
    lock_timeout: float = 10.0
    # Availability limits (docs/configuration.md): threads that run calls, open connections, the
    # request head's size and deadline, the body's deadline, idle keep-alive connections.
    worker_threads: int = 16
    max_connections: int = 1000
    max_header_bytes: int = 65536
    header_timeout: float = 10.0
    body_timeout: float = 20.0
    keep_alive_timeout: int = 5
    # Failed and unauthenticated calls recorded per source address: a token bucket's refill per
    # second and its size; calls past it are counted into the next recorded event.
    failed_call_events_rate: float = 5.0
    failed_call_events_burst: int = 100

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{self.data_dir / 'iamd.db'}"

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls_cert else 'http'}://{host}:{self.port}"


def env_default(name: str) -> str:
    return os.environ.get(f"IAMD_{name.upper()}", DEFAULTS[name])


def from_values(values: dict[str, object]) -> Settings:
    """Build settings from parsed flags (already defaulted from the environment)."""
    return Settings(
        host=str(values["host"]),
        port=int(str(values["port"])),
        data_dir=Path(str(values["data_dir"])),
        db=str(values.get("db") or ""),
        account_id=str(values["account_id"]),
        ephemeral=bool(values.get("ephemeral")),
        log_level=str(values.get("log_level") or "warning"),
        root_access_key_id=os.environ.get("IAMD_ROOT_ACCESS_KEY_ID") or None,
        root_secret_access_key=os.environ.get("IAMD_ROOT_SECRET_ACCESS_KEY") or None,
        trusted_proxies=tuple(p.strip() for p in str(values.get("trusted_proxies") or "").split(",") if p.strip()),
        tls_cert=str(values.get("tls_cert") or ""),
        tls_key=str(values.get("tls_key") or ""),
        audit_trail=str(values.get("audit_trail") or "on").lower() not in ("off", "0", "false", "no"),
        trail_retention_days=int(str(values["trail_retention_days"])) if values.get("trail_retention_days") else None,
        trail_digest_interval=_positive(values, "trail_digest_interval", float),
        trail_digest_dir=Path(str(values["trail_digest_dir"])) if values.get("trail_digest_dir") else None,
        trail_digest_url=str(values.get("trail_digest_url") or ""),
        trail_digest_syslog=str(values.get("trail_digest_syslog") or ""),
        trail_dir=Path(str(values["trail_dir"])) if values.get("trail_dir") else None,
        trail_s3_endpoint=str(values.get("trail_s3_endpoint") or ""),
        trail_delivery_interval=_positive(values, "trail_delivery_interval", float),
        trail_digest_period=_positive(values, "trail_digest_period", float),
        extra_regions=tuple(r.strip() for r in str(values.get("extra_regions") or "").split(",") if r.strip()),
        oidc_ca_bundle=str(values.get("oidc_ca_bundle") or ""),
        oidc_jwks=_pairs(str(values.get("oidc_jwks") or "")),
        public_url=_public_url(str(values.get("public_url") or "")),
        org_max_accounts=_positive(values, "org_max_accounts", int),
        lock_timeout=float(str(values.get("lock_timeout") or DEFAULTS["lock_timeout"])),
        worker_threads=_positive(values, "worker_threads", int),
        max_connections=_positive(values, "max_connections", int),
        max_header_bytes=_positive(values, "max_header_bytes", int),
        header_timeout=_positive(values, "header_timeout", float),
        body_timeout=_positive(values, "body_timeout", float),
        keep_alive_timeout=_positive(values, "keep_alive_timeout", int),
        failed_call_events_rate=_positive(values, "failed_call_events_rate", float, allow_zero=True),
        failed_call_events_burst=_positive(values, "failed_call_events_burst", int),
    )


def _pairs(raw: str) -> tuple[tuple[str, str], ...]:
    """``A=x,B=y`` → ``(("A", "x"), ("B", "y"))``; the issuer is kept without its scheme."""
    out = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ValueError(f"oidc-jwks wants ISSUER=FILE pairs, not {item!r}")
        out.append((key.removeprefix("https://").rstrip("/"), value))
    return tuple(out)


def _public_url(raw: str) -> str:
    """``http(s)://host[:port][/path]`` without a trailing slash, query or fragment; "" if unset."""
    from urllib.parse import urlsplit

    url = raw.strip().rstrip("/")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"public-url must be an http(s) URL without query or fragment, not {raw!r}")
    return url


def _positive(
    values: dict[str, object], name: str, kind: type[Number], *, allow_zero: bool = False
) -> Number:
    """A numeric setting from its flag (else its environment variable, else the default)."""
    raw = values.get(name)
    value = kind(str(raw if raw is not None else env_default(name)))
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name.replace('_', '-')} must be {'non-negative' if allow_zero else 'positive'}")
    return value
