"""The hash chain and its digests on both backends: untouched trails verify, hand edits do not."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers import T0, record, root, user, verify_with_db_keys
from sqlalchemy import select, text, update

from iamd.audit.chain import DigestPolicy, lock_head
from iamd.audit.recorder import Recorder
from iamd.audit.retention import prune
from iamd.audit.signing import DigestVerifier, PublicKey, key_id
from iamd.audit.verify import verify
from iamd.store.audit_schema import audit_signing_keys
from iamd.store.engine import Store

MASTER = os.urandom(32)


def fill(store: Store, n: int = 12, every: int = 5) -> Recorder:
    recorder = Recorder(
        store, MASTER, lambda: T0, digest=DigestPolicy(every=every, interval=3600), background=False
    )
    for i in range(n):
        rec = record(
            "CreateUser", user(), params={"UserName": f"u{i}"}, read_only=False, when=T0 + timedelta(i)
        )
        with store.begin() as conn:
            recorder.record_in_transaction(conn, rec)
    return recorder


def check(store: Store) -> tuple[int, str] | None:
    with store.connect() as conn:
        report = verify_with_db_keys(conn)
    return None if report.ok else (report.problem.position, report.problem.kind)  # type: ignore[union-attr]


def sql(store: Store, *statements: str) -> None:
    with store.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_untouched_trail_verifies(store: Store) -> None:
    fill(store)
    with store.connect() as conn:
        report = verify_with_db_keys(conn)
        seqs = [r.seq for r in conn.execute(text("SELECT seq FROM audit_events ORDER BY seq"))]
    assert report.ok, report.problem
    assert report.events == 12 and report.digests == 2  # digests after events 5 and 10
    assert seqs == list(range(1, 13))


def test_empty_trail_verifies(store: Store) -> None:
    assert check(store) is None


def test_seal_signs_the_tail(store: Store) -> None:
    recorder = fill(store)
    assert recorder.seal() is True
    assert recorder.seal() is False
    with store.connect() as conn:
        assert verify_with_db_keys(conn).digests == 3


def test_modified_record(store: Store) -> None:
    fill(store)
    sql(store, "UPDATE audit_events SET record = REPLACE(record, 'u6', 'u666') WHERE seq = 7")
    assert check(store) == (7, "modified")


def test_modified_lookup_column(store: Store) -> None:
    fill(store)
    sql(store, "UPDATE audit_events SET access_key_id = 'AKIAOTHER' WHERE seq = 4")
    assert check(store) == (4, "modified")


def test_modified_resource_index(store: Store) -> None:
    fill(store)
    sql(store, "UPDATE audit_event_resources SET resource_name = 'x' WHERE seq = 3")
    assert check(store) == (3, "modified")


def test_deleted_event(store: Store) -> None:
    fill(store)
    sql(store, "DELETE FROM audit_events WHERE seq = 6")
    assert check(store) == (6, "deleted")


def test_deleted_last_event(store: Store) -> None:
    fill(store)
    sql(store, "DELETE FROM audit_events WHERE seq = 12")
    assert check(store) == (12, "deleted")


def test_deleted_and_renumbered(store: Store) -> None:
    fill(store)
    sql(store, "DELETE FROM audit_events WHERE seq = 6")
    for seq in range(7, 13):
        sql(store, f"UPDATE audit_events SET seq = {seq - 1} WHERE seq = {seq}")
    assert check(store) == (6, "deleted")


def test_inserted_event(store: Store) -> None:
    fill(store)
    sql(
        store,
        "INSERT INTO audit_events (seq, event_id, account_id, event_time, event_name, event_source, read_only,"
        " record, prev_hash, hash) SELECT 13, event_id, account_id, event_time, event_name, event_source,"
        " read_only, record, hash, hash FROM audit_events WHERE seq = 12",
    )
    assert check(store) == (13, "inserted")


def test_inserted_and_renumbered(store: Store) -> None:
    """A forged event spliced in with a correct link and hash; later events shifted up by one."""
    from iamd.audit.signing import chain_hash

    fill(store, every=100)
    for seq in range(12, 4, -1):
        sql(store, f"UPDATE audit_events SET seq = {seq + 1} WHERE seq = {seq}")
        sql(store, f"UPDATE audit_event_resources SET seq = {seq + 1} WHERE seq = {seq}")
    with store.begin() as conn:
        row = conn.execute(text("SELECT * FROM audit_events WHERE seq = 4")).one()
        forged = chain_hash(row.hash, row.record, 5)
        conn.execute(
            text(
                "INSERT INTO audit_events (seq, event_id, account_id, event_time, event_name, event_source,"
                " read_only, username, access_key_id, record, prev_hash, hash) SELECT 5, event_id, account_id,"
                " event_time, event_name, event_source, read_only, username, access_key_id, record, hash, :h"
                " FROM audit_events WHERE seq = 4"
            ),
            {"h": forged},
        )
        conn.execute(
            text(
                "INSERT INTO audit_event_resources SELECT 5, position, account_id, event_time, resource_type,"
                " resource_name FROM audit_event_resources WHERE seq = 4"
            )
        )
    assert check(store) == (5, "inserted")


@pytest.mark.parametrize(("a", "b"), [(3, 4), (3, 9)])
def test_reordered_events(store: Store, a: int, b: int) -> None:
    fill(store)
    sql(
        store,
        f"UPDATE audit_events SET seq = -1 WHERE seq = {a}",
        f"UPDATE audit_events SET seq = {a} WHERE seq = {b}",
        f"UPDATE audit_events SET seq = {b} WHERE seq = -1",
    )
    assert check(store) == (a, "reordered")


def test_rewritten_chain_fails_the_signed_digest(store: Store) -> None:
    """Someone who edits an event and recomputes every hash cannot re-sign the digests."""
    from iamd.audit.signing import GENESIS_HASH, chain_hash

    fill(store)
    sql(
        store,
        "UPDATE audit_events SET record = REPLACE(record, 'u2', 'u9') WHERE seq = 3",
        "UPDATE audit_event_resources SET resource_name = 'u9' WHERE seq = 3",
    )
    with store.begin() as conn:
        prev = GENESIS_HASH
        rows = conn.execute(text("SELECT seq, record FROM audit_events ORDER BY seq")).all()
        for seq, rec in rows:
            h = chain_hash(prev, rec, seq)
            conn.execute(
                text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": h, "s": seq},
            )
            prev = h
        conn.execute(text("UPDATE audit_trail_head SET last_hash = :h"), {"h": prev})
    assert check(store) == (1, "modified")  # events 1..5 do not match digest 1


def test_bad_digest_signature(store: Store) -> None:
    fill(store)
    sql(store, f"UPDATE audit_digests SET last_hash = '{'1' * 64}' WHERE digest_seq = 2")
    assert check(store) == (6, "bad digest")


def test_digest_from_another_key(store: Store) -> None:
    fill(store)
    other = Ed25519PrivateKey.generate().public_key()
    with store.connect() as conn:
        report = verify(conn, DigestVerifier([PublicKey(key_id(other), other)]))
    assert report.problem is not None and report.problem.kind == "bad digest"
    assert "not a trusted public key" in report.problem.detail


def test_deleted_digest(store: Store) -> None:
    fill(store)
    sql(store, "DELETE FROM audit_digests WHERE digest_seq = 2")
    problem = check(store)
    assert problem is not None and problem[1] == "bad digest"


def test_digests_verify_after_the_signing_key_rotates_and_without_the_master_key(store: Store) -> None:
    recorder = fill(store)
    with store.begin() as conn:
        lock_head(conn)
        recorder.signer.rotate(conn, T0)
    more = Recorder(store, MASTER, lambda: T0, digest=DigestPolicy(every=5), background=False)
    for i in range(5):
        with store.begin() as conn:
            more.record_in_transaction(conn, record("CreateUser", user(), params={"UserName": f"r{i}"}, read_only=False))
    with store.connect() as conn:
        keys = conn.execute(text("SELECT key_id, private_sealed IS NULL FROM audit_signing_keys")).all()
        signers = {r[0] for r in conn.execute(text("SELECT key_id FROM audit_digests"))}
        report = verify_with_db_keys(conn)
    assert report.ok, report.problem
    assert len(keys) == 2 and signers == {k[0] for k in keys}
    # The retired key's private half is gone; the active one's is sealed.
    assert sorted(bool(k[1]) for k in keys) == [False, True]


def test_a_signing_key_that_does_not_open_is_retired_not_a_failed_call(store: Store) -> None:
    """Its sealed half edited in the database: the next digest is signed by a new key (no call
    fails), and the history still verifies with the public keys."""
    fill(store, n=5)
    with store.begin() as conn:
        kid, blob = conn.execute(
            select(audit_signing_keys.c.key_id, audit_signing_keys.c.private_sealed).where(audit_signing_keys.c.valid_until.is_(None))
        ).one()
        edited = bytes(blob[:-1]) + bytes([blob[-1] ^ 1])
        conn.execute(update(audit_signing_keys).where(audit_signing_keys.c.key_id == kid).values(private_sealed=edited))
    fresh = Recorder(store, MASTER, lambda: T0, digest=DigestPolicy(every=5, interval=3600), background=False)
    for i in range(5):
        with store.begin() as conn:
            fresh.record_in_transaction(conn, record("CreateUser", user(), params={"UserName": f"x{i}"}, read_only=False))
    with store.connect() as conn:
        keys = conn.execute(text("SELECT key_id, valid_until IS NULL FROM audit_signing_keys WHERE NOT legacy")).all()
        signers = [r[0] for r in conn.execute(text("SELECT key_id FROM audit_digests ORDER BY digest_seq"))]
        report = verify_with_db_keys(conn)
    assert report.ok, report.problem
    assert len(keys) == 2 and len(set(signers)) == 2 and signers[-1] == next(k for k, active in keys if active)


def test_pruning_keeps_verification(store: Store) -> None:
    recorder = fill(store, n=12, every=5)  # event i at T0 + i days
    with store.begin() as conn:
        gone = prune(conn, recorder.signer, T0 + timedelta(days=20), timedelta(days=13.5))
    assert gone == 7  # events at days 0..6 (positions 1..7)
    with store.connect() as conn:
        report = verify_with_db_keys(conn)
        first = conn.execute(text("SELECT MIN(seq) FROM audit_events")).scalar()
    assert report.ok, report.problem
    assert report.pruned_through == 7 and report.events == 5 and first == 8
    with store.begin() as conn:
        recorder.record_in_transaction(
            conn, record("DeleteUser", root(), params={"UserName": "u1"}, read_only=False)
        )
    assert check(store) is None
    with store.begin() as conn:
        assert prune(conn, recorder.signer, T0 + timedelta(days=20), timedelta(days=13.5)) == 0


def test_deleting_a_prefix_by_hand_is_not_a_prune(store: Store) -> None:
    recorder = fill(store, n=12, every=5)
    with store.begin() as conn:
        prune(conn, recorder.signer, T0 + timedelta(days=20), timedelta(days=17.5))  # positions 1..3
    sql(store, "DELETE FROM audit_events WHERE seq <= 5")
    assert check(store) == (4, "deleted")


def test_concurrent_appenders_get_one_order(store: Store) -> None:
    recorder = Recorder(
        store, MASTER, lambda: T0, digest=DigestPolicy(every=7, interval=3600), background=False
    )
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(15):
                with store.begin() as conn:
                    recorder.record_in_transaction(
                        conn,
                        record("CreateGroup", root(), params={"GroupName": f"g{k}-{i}"}, read_only=False),
                    )
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with store.connect() as conn:
        report = verify_with_db_keys(conn)
    assert report.ok, report.problem
    assert report.events == 60
