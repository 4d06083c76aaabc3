"""IpAddress and NotIpAddress: IPv4 and IPv6 addresses and CIDR blocks (RFC 4632).

A policy value is a CIDR block or a single address (a /32 or /128). Blocks are reduced once to
integer ranges, so a request costs one cached address parse and a few integer comparisons. An
IPv4-mapped IPv6 address (``::ffff:a.b.c.d``) is the IPv4 address, in a request and in a block
inside ``::ffff:0:0/96`` alike; otherwise an IPv4 address never falls in an IPv6 block and vice
versa.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from .family import Family

Range = tuple[int, int, int]


_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


def _to_range(text: str) -> Range | None:
    try:
        net = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    if isinstance(net, ipaddress.IPv6Network) and net.subnet_of(_MAPPED):
        # Request addresses in ::ffff:0:0/96 are read as IPv4 (``to_address``), so a block inside
        # it is the IPv4 block it maps; kept as IPv6 it could never match.
        low = int(net.network_address) - int(_MAPPED.network_address)
        return 4, low, low + net.num_addresses - 1
    return net.version, int(net.network_address), int(net.broadcast_address)


@lru_cache(maxsize=4096)
def to_address(text: str) -> tuple[int, int] | None:
    try:
        addr = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if addr.version == 6 and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.version, int(addr)


def _prepare(values: list[str]) -> tuple[Range, ...]:
    return tuple(r for r in map(_to_range, values) if r is not None)


def _test(prepared: tuple[Range, ...], value: str) -> bool:
    addr = to_address(value)
    if addr is None:
        return False
    version, number = addr
    for v, lo, hi in prepared:
        if v == version and lo <= number <= hi:
            return True
    return False


FAMILIES = (Family({"IpAddress": False, "NotIpAddress": True}, _prepare, _test),)
