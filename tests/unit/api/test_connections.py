"""The HTTP connection limits (``iamd.api.connections``), driven through uvicorn's protocol with
a recording transport: head deadline, head size cap, connection cap, descriptor limit."""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState

from iamd.api import connections
from iamd.api.connections import (
    ConnectionLimits,
    OncePerInterval,
    connection_cap,
    limited_protocol,
    raise_open_file_limit,
)


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("192.0.2.1", 5000), "sockname": ("127.0.0.1", 8750)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def _factory(loop: asyncio.AbstractEventLoop, limits: ConnectionLimits) -> Any:
    config = uvicorn.Config(_app, http=limited_protocol(limits), ws="none", lifespan="off", log_level="error")
    config.load()
    state = ServerState()
    cls = config.http_protocol_class

    def connect() -> tuple[Any, Transport]:
        proto = cls(config=config, server_state=state, app_state={}, _loop=loop)  # type: ignore[call-arg]
        transport = Transport()
        proto.connection_made(transport)
        return proto, transport

    return connect


def _lose(proto: Any, transport: Transport) -> None:
    if transport.closed:
        proto.connection_lost(None)


def test_a_head_larger_than_the_cap_is_refused_before_it_is_buffered(loop: asyncio.AbstractEventLoop) -> None:
    connect = _factory(loop, ConnectionLimits(max_header_bytes=1000, header_timeout=60, max_connections=10))
    proto, transport = connect()
    proto.data_received(b"GET / HTTP/1.1\r\nUser-Agent: " + b"u" * 600)
    assert not transport.closed
    proto.data_received(b"u" * 600)  # still no end of head: counted before parsing
    assert transport.written.startswith(b"HTTP/1.1 431 ") and transport.closed


def test_a_complete_head_over_the_cap_is_refused_by_the_parser_count(loop: asyncio.AbstractEventLoop) -> None:
    """The end of the head arrives in the same chunk: the parser's callbacks count it."""
    connect = _factory(loop, ConnectionLimits(max_header_bytes=1000, header_timeout=60, max_connections=10))
    proto, transport = connect()
    proto.data_received(b"GET / HTTP/1.1\r\nUser-Agent: " + b"u" * 2000 + b"\r\n\r\n")
    assert transport.written.startswith(b"HTTP/1.1 431 ") and transport.closed


def test_other_parse_errors_keep_uvicorns_answer(loop: asyncio.AbstractEventLoop) -> None:
    connect = _factory(loop, ConnectionLimits(max_header_bytes=1000, header_timeout=60, max_connections=10))
    proto, transport = connect()
    proto.data_received(b"\x00\x01 not http\r\n\r\n")
    assert transport.written.startswith(b"HTTP/1.1 400 ") and transport.closed


def test_the_head_deadline_restarts_with_each_request_and_stops_at_its_end(loop: asyncio.AbstractEventLoop) -> None:
    connect = _factory(loop, ConnectionLimits(max_header_bytes=10_000, header_timeout=0.05, max_connections=10))
    proto, transport = connect()

    async def scenario() -> None:
        proto.data_received(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        await asyncio.sleep(0.1)  # the response was written; a finished head is not timed
        assert transport.written.startswith(b"HTTP/1.1 200 ") and not transport.closed
        proto.data_received(b"GET / HTTP/1.1\r\nHost")  # a second, unfinished request
        await asyncio.sleep(0.2)

    loop.run_until_complete(scenario())
    assert transport.closed
    proto.connection_lost(None)


def test_past_the_cap_the_longest_idle_connection_is_closed(loop: asyncio.AbstractEventLoop) -> None:
    connect = _factory(loop, ConnectionLimits(max_header_bytes=10_000, header_timeout=60, max_connections=3))
    oldest, t_oldest = connect()
    busy, t_busy = connect()
    busy.data_received(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n")  # request in progress
    newer, t_newer = connect()
    assert not any(t.closed for t in (t_oldest, t_busy, t_newer))
    _fourth, t_fourth = connect()
    assert t_oldest.closed and not t_busy.closed and not t_newer.closed and not t_fourth.closed
    _lose(oldest, t_oldest)
    loop.run_until_complete(asyncio.sleep(0))


def test_when_every_connection_has_a_request_in_progress_the_newcomer_is_refused(
    loop: asyncio.AbstractEventLoop, caplog: pytest.LogCaptureFixture
) -> None:
    connect = _factory(loop, ConnectionLimits(max_header_bytes=10_000, header_timeout=60, max_connections=1))
    busy, t_busy = connect()
    busy.data_received(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n")
    with caplog.at_level(logging.WARNING, logger="iamd.http"):
        refused, t_refused = connect()
    assert t_refused.closed and not t_busy.closed
    assert "connection refused" in caplog.text
    refused.connection_lost(None)
    loop.run_until_complete(asyncio.sleep(0))


def test_the_cap_is_lowered_to_what_the_descriptor_limit_holds(caplog: pytest.LogCaptureFixture) -> None:
    limits = ConnectionLimits(max_connections=1000)
    assert connection_cap(limits, 100_000) is limits
    with caplog.at_level(logging.WARNING, logger="iamd.api"):
        assert connection_cap(limits, 1024).max_connections == 1024 - connections.RESERVED_DESCRIPTORS
    assert "lowered from 1000 to 824" in caplog.text
    assert connection_cap(limits, 100).max_connections == connections.MIN_CONNECTIONS


def test_the_soft_descriptor_limit_is_raised_to_the_hard_one(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "getrlimit", lambda _: (1024, 4096))
    monkeypatch.setattr(resource, "setrlimit", lambda _, limits: calls.append(limits))
    assert raise_open_file_limit() == 4096 and calls == [(4096, 4096)]
    monkeypatch.setattr(resource, "getrlimit", lambda _: (4096, 4096))
    assert raise_open_file_limit() == 4096 and len(calls) == 1
    monkeypatch.setattr(resource, "getrlimit", lambda _: (1024, resource.RLIM_INFINITY))
    assert raise_open_file_limit() == 1 << 20


def test_client_triggered_warnings_are_logged_once_per_interval() -> None:
    flt = OncePerInterval(interval=3600)

    def rec(level: int, msg: str) -> logging.LogRecord:
        return logging.LogRecord("iamd.http", level, __file__, 1, msg, None, None)

    assert flt.filter(rec(logging.WARNING, "Invalid HTTP request received."))
    assert not flt.filter(rec(logging.WARNING, "Invalid HTTP request received."))
    assert flt.filter(rec(logging.WARNING, "connection refused"))
    assert flt.filter(rec(logging.ERROR, "Exception in ASGI application")) and flt.filter(
        rec(logging.ERROR, "Exception in ASGI application")
    )
