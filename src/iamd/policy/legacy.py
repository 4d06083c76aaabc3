"""IAM's "legacy parsing" of Date condition values.

IAM still runs an older parser over every document; a ``Date…`` condition value it cannot read
makes the whole document fail with "The policy failed legacy parsing". That parser is more
lenient than ISO 8601 in some places (single-digit hours, ``t`` for ``T``, an hour-only zone
``+23``) and stricter in others (at most nine fraction digits, a two-digit zone). The bounds are
Java's ``long`` epoch milliseconds, whose years run from -292275054 to 292278993. The rules
below reproduce the documents moto's IAM tests check against AWS.
"""

from __future__ import annotations

_MAX_EPOCH = 9223372036854775807


def _int_in(text: str, low: int, high: int) -> bool:
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not body.isascii() or len(body) > 30:
        return False
    return low <= int(text) <= high


def _zone_ok(zone: str) -> bool:
    hours, colon, minutes = zone.partition(":")
    if len(hours) != 2 or not _int_in(hours, 0, 23):
        return False
    return not colon or (len(minutes) == 2 and _int_in(minutes, 0, 59))


def _seconds_ok(text: str) -> bool:
    if "z" in text:
        text, _, after = text.partition("z")
        if after:
            return False
    elif "+" in text:
        text, _, zone = text.partition("+")
        if not _zone_ok(zone):
            return False
    seconds, dot, fraction = text.partition(".")
    if not _int_in(seconds, 0, 59):
        return False
    return not dot or _int_in(fraction, 0, 999_999_999)


def _time_ok(text: str) -> bool:
    if not text:
        return True
    parts = text.split(":", 2)
    if parts[0] and not _int_in(parts[0], 0, 23):
        return False
    if len(parts) > 1 and not _int_in(parts[1], 0, 59):
        return False
    return len(parts) < 3 or _seconds_ok(parts[2])


def _iso_ok(text: str) -> bool:
    date, _, time = text.partition("t")
    negative = date.startswith("-")
    fields = (date[1:] if negative else date).split("-")
    if len(fields) > 3:
        return False
    year = ("-" if negative else "") + fields[0]
    if not _int_in(year, -292275054, 292278993):
        return False
    if len(fields) > 1 and not _int_in(fields[1], 1, 12):
        return False
    if len(fields) > 2 and not _int_in(fields[2], 1, 31):
        return False
    return _time_ok(time)


def legacy_date_ok(value: str) -> bool:
    """Whether IAM's legacy parser reads ``value`` as a date (ISO-like) or epoch seconds."""
    lowered = value.lower()
    if "t" in lowered or "-" in lowered:
        return _iso_ok(lowered)
    return _int_in(value, 0, _MAX_EPOCH)
