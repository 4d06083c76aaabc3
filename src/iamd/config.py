"""Server settings: each from a command-line flag, else an ``IAMD_…`` environment variable, else a default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULTS = {
    "host": "127.0.0.1",
    "port": "8750",
    "data_dir": "./iamd-data",
    "db": "",
    "account_id": "123456789012",
    "log_level": "warning",
    "trusted_proxies": "",
    "audit_trail": "on",
    "trail_retention_days": "",
    "extra_regions": "",
    "lock_timeout": "10",
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
    # The CloudTrail-style audit trail (on by default) and how many days of it to keep.
    audit_trail: bool = True
    trail_retention_days: int | None = None
    # Regions besides AWS's that a SigV4 scope may name (a private cloud's own).
    extra_regions: tuple[str, ...] = ()
    # Seconds a change waits for another's lock (the account's, or SQLite's write lock) before
    # the call answers ServiceUnavailable (503, which SDKs retry).
    lock_timeout: float = 10.0

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{self.data_dir / 'iamd.db'}"

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


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
        audit_trail=str(values.get("audit_trail") or "on").lower() not in ("off", "0", "false", "no"),
        trail_retention_days=int(str(values["trail_retention_days"])) if values.get("trail_retention_days") else None,
        extra_regions=tuple(r.strip() for r in str(values.get("extra_regions") or "").split(",") if r.strip()),
        lock_timeout=float(str(values.get("lock_timeout") or DEFAULTS["lock_timeout"])),
    )
