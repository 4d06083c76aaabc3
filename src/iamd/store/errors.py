"""What the store raises when the database refuses a statement, in the store's own words.

    StoreError
    ├── AlreadyExists     a unique or primary key already holds the value (another writer won)
    ├── MissingReference  a foreign key names a row that is gone (deleted by another writer)
    └── Busy              the database could not give the lock in time, or broke a deadlock

The driver's exceptions differ per backend (psycopg's ``UniqueViolation``, sqlite3's
``IntegrityError`` with ``SQLITE_CONSTRAINT_UNIQUE``, …); ``engine.py`` turns them into these, so
services translate one set of errors into their AWS codes (``services/registry.py``) and a
constraint that a concurrent writer hit is an AWS error, never an InternalFailure.
"""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """A statement the database refused; ``detail`` is the driver's message, for the log only."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


class AlreadyExists(StoreError):
    pass


class MissingReference(StoreError):
    pass


class Busy(StoreError):
    pass


# PostgreSQL SQLSTATEs (Appendix A of its manual).
_PG = {
    "23505": AlreadyExists,  # unique_violation
    "23503": MissingReference,  # foreign_key_violation
    "40P01": Busy,  # deadlock_detected
    "40001": Busy,  # serialization_failure
    "55P03": Busy,  # lock_not_available (lock_timeout)
}
# sqlite3's extended result-code names (``sqlite_errorname``).
_SQLITE = {
    "SQLITE_CONSTRAINT_UNIQUE": AlreadyExists,
    "SQLITE_CONSTRAINT_PRIMARYKEY": AlreadyExists,
    "SQLITE_CONSTRAINT_FOREIGNKEY": MissingReference,
    "SQLITE_BUSY": Busy,
    "SQLITE_BUSY_SNAPSHOT": Busy,
    "SQLITE_BUSY_RECOVERY": Busy,
    "SQLITE_LOCKED": Busy,
}


def classify(dbapi_error: BaseException | None) -> StoreError | None:
    """The store error a driver exception means, or None when it is none of these."""
    if dbapi_error is None:
        return None
    sqlstate: Any = getattr(dbapi_error, "sqlstate", None)
    kind = _PG.get(sqlstate) if sqlstate else _SQLITE.get(getattr(dbapi_error, "sqlite_errorname", ""))
    if kind is None:
        return None
    text = str(dbapi_error)
    return kind(text.splitlines()[0] if text else type(dbapi_error).__name__)
