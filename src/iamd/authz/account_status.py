"""Whether the caller's account is closed: a member account closed with CloseAccount
(``SUSPENDED``, or ``PENDING_CLOSURE``) can no longer use AWS services, whatever its policies
allow ("Closing a member account in your organization": "you can't use AWS services" in a closed
account; the management account can still reach it until AWS deletes it, iamd never does).

Read on a cache miss of (account, policy generation): CloseAccount bumps the account's generation
in its transaction, so the next request of any of its principals, on any node, sees the closure;
a request never pays a query for it otherwise.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from iamd.authz.policy_sets import LruCache
from iamd.store.org_schema import org_accounts

CLOSED = frozenset({"SUSPENDED", "PENDING_CLOSURE"})


class AccountStatus:
    def __init__(self, maxsize: int = 10_000) -> None:
        self._cache = LruCache(maxsize)

    def closed(self, conn: Connection, account_id: str, generation: int) -> bool:
        key = (account_id, generation)
        cached = self._cache.get(key)
        if cached is not None:
            return bool(cached)
        status = conn.execute(select(org_accounts.c.status).where(org_accounts.c.account_id == account_id)).scalar()
        closed = status in CLOSED
        self._cache.put(key, closed)
        return closed

    def clear(self) -> None:
        self._cache.clear()
