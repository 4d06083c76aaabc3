"""The slow-client test: stalled sockets must not keep an authenticated caller out.

Against a server limited to 1,024 descriptors (a common default), it opens ``half_open``
connections that send the start of a request head and then nothing, and ``slowloris``
connections that send one more header line every second and never finish. Then an
authenticated GetCallerIdentity must succeed within ``CALL_TIMEOUT``; it watches how many stalled
sockets the server closes by itself (header read timeouts, connection limits) within ``observe``
seconds, and calls once more. It reports what it saw either way: a server without read timeouts
simply closes none.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

from iamd.testing import IamdServer

from .servers import client

CALL_TIMEOUT = 10.0
PARTIAL_HEAD = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"


@dataclass
class SlowResult:
    half_open: int = 0
    slowloris: int = 0
    refused: int = 0
    closed_by_server: int = 0
    observed: float = 0.0
    during: str = "not run"
    after: str = "not run"
    during_ok: bool = False
    after_ok: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.during_ok and self.after_ok

    def summary(self) -> str:
        stalled = self.half_open + self.slowloris
        return (f"slow: half-open {self.half_open:,}, slowloris {self.slowloris} (refused {self.refused}); "
                f"authenticated call during: {self.during}; server closed {self.closed_by_server}/{stalled} "
                f"stalled sockets within {self.observed:.0f} s; authenticated call after: {self.after}")


def _call(server: IamdServer) -> tuple[bool, str]:
    from botocore.config import Config

    sts = client(server, "sts", config=Config(retries={"max_attempts": 1}, connect_timeout=CALL_TIMEOUT,
                                               read_timeout=CALL_TIMEOUT))
    start = time.monotonic()
    try:
        sts.get_caller_identity()
    except Exception as err:  # noqa: BLE001 - any failure is the finding
        return False, f"FAILED after {time.monotonic() - start:.1f} s ({type(err).__name__})"
    return True, f"ok in {time.monotonic() - start:.2f} s"


def _open(port: int, first: bytes) -> socket.socket | None:
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        sock.sendall(first)
        sock.setblocking(False)
        return sock
    except OSError:
        return None


def _closed(sock: socket.socket) -> bool:
    """Has the server closed (or reset) this connection?"""
    try:
        data = sock.recv(4096)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return data == b"" or data.startswith(b"HTTP/")


def run(server: IamdServer, *, half_open: int = 1100, slowloris: int = 50, observe: float = 20.0) -> SlowResult:
    result = SlowResult()
    port = server.port
    stalled: list[socket.socket] = []
    loris: list[socket.socket] = []
    stop = threading.Event()
    try:
        for _ in range(half_open):
            sock = _open(port, PARTIAL_HEAD)
            if sock is None:
                result.refused += 1
            else:
                stalled.append(sock)
        for _ in range(slowloris):
            sock = _open(port, PARTIAL_HEAD[:20])
            if sock is None:
                result.refused += 1
            else:
                loris.append(sock)
        result.half_open, result.slowloris = len(stalled), len(loris)

        def drip() -> None:
            i = 0
            while not stop.wait(1.0):
                i += 1
                for sock in loris:
                    try:
                        sock.send(f"X-Slow-{i}: {'a' * 8}\r\n".encode())
                    except OSError:
                        pass

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        time.sleep(1.0)
        result.during_ok, result.during = _call(server)
        start = time.monotonic()
        everyone = stalled + loris
        closed: set[int] = set()
        while time.monotonic() - start < observe and len(closed) < len(everyone):
            for i, sock in enumerate(everyone):
                if i not in closed and _closed(sock):
                    closed.add(i)
            time.sleep(0.5)
        result.observed = time.monotonic() - start
        result.closed_by_server = len(closed)
        result.after_ok, result.after = _call(server)
    finally:
        stop.set()
        for sock in stalled + loris:
            sock.close()
    return result
