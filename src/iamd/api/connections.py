"""HTTP connection limits that uvicorn lacks: a deadline and a size cap for the request head, and
a cap on open connections that sheds the idlest first.

uvicorn closes a keep-alive connection idle between requests (``timeout_keep_alive``), but a
connection that never completes its request head is kept forever, and the head is buffered
however large it grows: 1,100 half-open sockets exhausted a 1,024-descriptor process, and a
16 MB ``User-Agent`` reached the audit trail. ``limited_protocol`` subclasses uvicorn's httptools
protocol (passed as ``uvicorn.Config(http=…)``) with:

- a head deadline: from the moment a connection is opened, and from the first byte of each
  further request on it, the client has ``header_timeout`` seconds to complete the request line
  and headers, or the connection is closed (slowloris);
- a head size cap: a head of more than ``max_header_bytes`` is answered ``431 Request Header
  Fields Too Large`` and the connection closed. Chunks without the end of the head are counted
  before they reach the parser, so an oversized head is never buffered whole;
- a connection cap: past ``max_connections`` open connections, a new connection closes the one
  that has waited longest without a complete request head (or idles between requests), so
  clients that send their requests promptly keep being served however many sockets an attacker
  leaves half-open. Only when every connection has a request in progress is the newcomer refused.

The request body has its own deadline in the application (``request_facts.read_body``), where the body
is read.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("iamd.api")


class OncePerInterval(logging.Filter):
    """Warnings a client can cause at will (a malformed request, a refused connection) are logged
    at most once per ``interval`` seconds per message, so an attacker cannot fill the log instead
    of the trail. Errors always pass."""

    def __init__(self, interval: float = 60.0) -> None:
        super().__init__()
        self.interval = interval
        self._last: dict[str, float] = {}  # keyed by message template: a handful of entries

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        now, key = time.monotonic(), str(record.msg)
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            return False
        self._last[key] = now
        return True


# The protocol's own logger (uvicorn logs to "uvicorn.error"): client-triggered warnings throttled.
http_log = logging.getLogger("iamd.http")
http_log.addFilter(OncePerInterval())

HEAD_END = b"\r\n\r\n"
# Descriptors kept for everything but client connections: the listening socket, database
# connections (SQLite keeps three files each), log files, the interpreter's own.
RESERVED_DESCRIPTORS = 200
MIN_CONNECTIONS = 16


@dataclass(frozen=True)
class ConnectionLimits:
    max_header_bytes: int = 64 * 1024
    header_timeout: float = 10.0
    max_connections: int = 1000


class HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing an oversized request head."""


def raise_open_file_limit() -> int:
    """Raise the soft descriptor limit to the hard one (as servers do at start); the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # pragma: no cover - a kernel refusing what it advertised
            log.warning("could not raise the open-file limit from %d to %d", soft, target)
    return soft


def connection_cap(limits: ConnectionLimits, open_file_limit: int) -> ConnectionLimits:
    """``limits`` with ``max_connections`` lowered to what the descriptor limit can hold."""
    room = max(MIN_CONNECTIONS, open_file_limit - RESERVED_DESCRIPTORS)
    if limits.max_connections <= room:
        return limits
    log.warning(
        "max connections lowered from %d to %d: the open-file limit is %d",
        limits.max_connections, room, open_file_limit,
    )
    return ConnectionLimits(limits.max_header_bytes, limits.header_timeout, room)


class _Connections:
    """The open connections of one server; those without a request in progress, oldest first."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self.open: set[Any] = set()
        self.idle: dict[Any, None] = {}  # insertion order = how long each has waited

    def opened(self, conn: Any) -> bool:
        """Admit ``conn`` (idle), closing the longest-waiting idle one when full; False if refused."""
        if len(self.open) >= self.limits.max_connections:
            victim = next(iter(self.idle), None)
            if victim is None:
                return False
            self.closed(victim)
            victim.transport.close()
        self.open.add(conn)
        self.idle[conn] = None
        return True

    def busy(self, conn: Any) -> None:
        self.idle.pop(conn, None)

    def waiting(self, conn: Any) -> None:
        if conn in self.open:
            self.idle.pop(conn, None)
            self.idle[conn] = None

    def closed(self, conn: Any) -> None:
        self.open.discard(conn)
        self.idle.pop(conn, None)


TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 40\r\n"
    b"connection: close\r\n"
    b"\r\n"
    b"The request header fields are too large."
)


def limited_protocol(limits: ConnectionLimits) -> type[asyncio.Protocol]:
    """An httptools protocol class enforcing ``limits`` (one registry per server)."""
    connections = _Connections(limits)

    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        _in_head = True  # reading a request head (not its body, not idle after a response)
        _raw_head = 0  # bytes of head chunks not yet holding the head's end, counted before parsing
        _parsed_head = 0  # bytes of request line and headers the parser reported
        _tail = b""
        _head_timer: asyncio.TimerHandle | None = None
        _too_large = False

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.logger = http_log

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if not connections.opened(self):
                http_log.warning("connection refused: %d connections, each with a request in progress",
                            len(connections.open))
                transport.close()
                return
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            connections.closed(self)
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._in_head:
                if HEAD_END not in self._tail + data:
                    self._raw_head += len(data)
                    if self._raw_head > limits.max_header_bytes:
                        self._refuse_head()
                        return
                self._tail = data[-3:]
            super().data_received(data)

        def send_400_response(self, msg: str) -> None:
            if self._too_large:
                self._refuse_head()
                return
            super().send_400_response(msg)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if not self._in_head:
                self._in_head = True
                self._arm()

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4)
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._in_head = False
            self._disarm()
            connections.busy(self)
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            connections.waiting(self)

        def _count(self, size: int) -> None:
            self._parsed_head += size
            if self._parsed_head > limits.max_header_bytes:
                self._too_large = True
                raise HeadTooLarge()

        def _refuse_head(self) -> None:
            if not self.transport.is_closing():
                self.transport.write(TOO_LARGE)
                self.transport.close()

        def _arm(self) -> None:
            self._disarm()
            self._raw_head = self._parsed_head = 0
            self._tail = b""
            self._head_timer = self.loop.call_later(limits.header_timeout, self._head_timeout)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timeout(self) -> None:
            self._head_timer = None
            if not self.transport.is_closing():
                self.transport.close()

    return LimitedHttpToolsProtocol
