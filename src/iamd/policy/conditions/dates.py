"""Date operators: DateEquals, DateLessThan(Equals), DateGreaterThan(Equals), DateNotEquals.

AWS accepts "one of the W3C implementations of the ISO 8601 date formats" or epoch (UNIX) time,
e.g. ``2020-04-01T00:00:00Z`` or ``1585699200``. Both sides are turned into seconds since the
epoch; a date without a time zone is UTC. ``aws:CurrentTime`` arrives in the request context: the
engine has no clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from .family import comparison_families

_EPOCH = re.compile(r"-?\d{1,12}(?:\.\d+)?")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[Tt ][0-9:.,]+(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(?:\.\d+)?)?Z?")


@lru_cache(maxsize=4096)
def to_epoch(text: str) -> float | None:
    text = text.strip()
    if _EPOCH.fullmatch(text):
        return float(text)
    try:
        if _ISO.fullmatch(text):
            moment = datetime.fromisoformat(text.replace(",", "."))
        else:
            m = _COMPACT.fullmatch(text)
            if not m:
                return None
            parts = [int(g) if g else 0 for g in m.groups()]
            moment = datetime(*parts)  # type: ignore[arg-type]
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


FAMILIES = comparison_families("Date", to_epoch)
