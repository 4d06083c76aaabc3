"""Long-lived things actions need besides the transaction: the store, the secret box, settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from iamd.auth.secretbox import SecretBox
from iamd.store.engine import Store


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    store: Store
    secretbox: SecretBox
    default_account_id: str
    ephemeral: bool = False
    clock: Callable[[], datetime] = utcnow
    # Caches that a change must invalidate; keyed by subsystem.
    caches: dict[str, Any] = field(default_factory=dict)
