"""What the database records about master keys (never a key): promotions, retirements, servers.

Master keys live in each server's environment or key file; the database shared by the servers
records only their public ``fingerprint`` (``auth/secretbox.fingerprint``):

- ``master_keys``: when a key first sealed (a server started with it current) and when it was
  retired (``iamd keys reseal`` moved every stored secret to its successor). Session tokens sealed
  under a retired key and claiming a later issue time are forgeries (``auth/session_keyring``).
- ``key_servers``: each running server's current key and the keys it opens with, refreshed every
  heartbeat and deleted on shutdown. A server refuses to start sealing with a key that a running
  server cannot open, and ``iamd keys reseal`` refuses while a running server still seals with an
  older key: the two guards that make a rolling rotation safe (``services/master_keys``).
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table, Text

from iamd.store.schema import metadata
from iamd.store.types import UtcDateTime

master_keys = Table(
    "master_keys",
    metadata,
    Column("fingerprint", String(32), primary_key=True),
    Column("promoted_at", UtcDateTime(), nullable=False),
    Column("retired_at", UtcDateTime(), nullable=True),
)

key_servers = Table(
    "key_servers",
    metadata,
    Column("server_id", String(32), primary_key=True),
    Column("current_key", String(32), nullable=False),
    # Comma-separated fingerprints of every key the server opens with (current, next, previous).
    Column("known_keys", Text, nullable=False),
    Column("seen_at", UtcDateTime(), nullable=False),
)
