"""The lock that makes IAM's quotas and uniqueness rules hold across processes.

Every IAM change takes its account's row lock first (``lock_account``), before it reads anything
its rules depend on, and keeps it until it commits; the database, not the process, serializes the
changes of one account, so however many ``iamd serve`` processes share it:

- a count checked against a quota (2 access keys, 10 attached policies, 5 versions, 5000 users…)
  cannot grow between the check and the insert;
- a name checked as free cannot be taken meanwhile (the unique index stays as a backstop, and its
  violation is an ``errors.AlreadyExists``, not a driver error);
- a delete that found nothing attached cannot race a new attachment.

Why the account row, and not the parent row of each rule (the user for its keys, the group for
its policies) or constraint-backed counters: every IAM change already updates this row in its
own transaction (``policy_docs.bump_generation``: compiled policy sets are cached per
generation), so the changes of one account were serialized at their end anyway. Finer locks
would buy no concurrency, and they would add lock-order deadlocks against that update (a
transaction holding a user row waiting for the account row, another the reverse). One lock, taken
first, gives one lock order and covers every rule, including the ones a new operation adds, where
counters would need a column, a trigger or a check constraint per quota and per backend, and
could not express "the new name is free in a case-insensitive namespace" or "nothing is attached".
Reads never take it (GenerateCredentialReport, Read-level but replacing the account's report row,
takes it itself). The one rule that spans accounts, a unique account alias, rests on its unique
index alone: the loser's insert is ``AlreadyExists``, hence EntityAlreadyExists.

PostgreSQL: ``SELECT … FOR NO KEY UPDATE`` — the mode ``UPDATE accounts SET generation`` takes,
so the end-of-call update never upgrades it, and it does not conflict with the ``KEY SHARE`` locks
that inserts referencing the account take. Under READ COMMITTED each later statement sees every
change committed before the lock was granted. SQLite locks no rows: the transaction takes the
database's one write lock instead (``engine.hold_write_lock``, ``BEGIN IMMEDIATE``), which
serializes the changes of every account; the ``FOR`` clause renders as nothing there.

The API takes the lock once the caller is authenticated and authorized: a request that is refused
never holds it, and the lock is held only for the action itself.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from iamd.store.engine import hold_write_lock
from iamd.store.named import forget_lookups
from iamd.store.schema import accounts

_LOCK = (
    select(accounts.c.generation)
    .where(accounts.c.account_id == bindparam("account_id"))
    .with_for_update(key_share=True)
)


def lock_account(conn: Connection, account_id: str) -> int | None:
    """Hold the account's lock until the transaction ends; returns its policy generation, read
    under the lock (None when there is no such account)."""
    hold_write_lock(conn)
    # Lookups memoized before the lock (authorization's) may predate a change committed while
    # it was awaited.
    forget_lookups()
    value = conn.execute(_LOCK, {"account_id": account_id}).scalar()
    return None if value is None else int(value)
