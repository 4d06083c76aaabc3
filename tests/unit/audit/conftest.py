from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from iamd.store.audit_schema import (
    audit_digests,
    audit_event_resources,
    audit_events,
    audit_signing_keys,
    audit_trail_head,
)
from iamd.store.engine import Store

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """The session's store with an empty trail (the trail is one chain per database)."""
    store = Store(store_url)
    store.migrate()
    with store.begin() as conn:
        for table in (audit_event_resources, audit_events, audit_digests, audit_trail_head, audit_signing_keys):
            conn.execute(delete(table))
    yield store
    store.close()
