"""Signing, sending and judging one request: the part every suite shares.

A request is signed with botocore's own ``SigV4Auth`` (so a mismatch is iamd's, not ours) and
sent over a kept-alive ``http.client`` connection. ``judge`` says whether the answer is what an
AWS SDK can read: an error document of the service's protocol (Query: ``<ErrorResponse>`` with
``Error/Type``, ``Code``, ``Message`` and a ``RequestId``; JSON 1.1: an object with ``__type`` and
a message) or a success that botocore's response parser accepts for the operation's output shape.
"""

from __future__ import annotations

import http.client
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import OperationModel
from botocore.parsers import create_parser

FORM = "application/x-www-form-urlencoded; charset=utf-8"
TIMEOUT = 30.0


@dataclass(frozen=True)
class Identity:
    """Who signs: a long-term key, or temporary credentials with their session token."""

    name: str
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def credentials(self) -> Credentials:
        return Credentials(self.access_key_id, self.secret_access_key, self.session_token)


@dataclass
class Wire:
    """What goes on the wire; ``sign`` fills in the SigV4 headers."""

    method: str
    path: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    query: str = ""

    def url(self, endpoint: str) -> str:
        return endpoint + self.path + (f"?{self.query}" if self.query else "")


def sign(wire: Wire, endpoint: str, who: Identity, service: str, region: str = "us-east-1") -> Wire:
    req = AWSRequest(method=wire.method, url=wire.url(endpoint), data=wire.body, headers=dict(wire.headers))
    SigV4Auth(who.credentials(), service, region).add_auth(req)
    return Wire(wire.method, wire.path, wire.body, dict(req.headers.items()), wire.query)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class Sender:
    """One kept-alive connection; a broken one is replaced on the next send."""

    def __init__(self, endpoint: str, timeout: float = TIMEOUT) -> None:
        parts = urlsplit(endpoint)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def send(self, wire: Wire, extra_headers: list[tuple[str, str]] | None = None) -> Answer | str:
        """The answer, or a short description of a transport failure (reset, timeout…)."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.putrequest(wire.method, wire.path + (f"?{wire.query}" if wire.query else ""),
                                     skip_host=True, skip_accept_encoding=True)
                headers = [(k, v) for k, v in wire.headers.items()]
                if not any(k.lower() == "host" for k, _ in headers):
                    headers.insert(0, ("Host", f"{self.host}:{self.port}"))
                for k, v in headers + (extra_headers or []):
                    self.conn.putheader(k, v.encode("utf-8", "surrogateescape"))
                self.conn.putheader("Content-Length", str(len(wire.body)))
                self.conn.endheaders(wire.body)
                resp = self.conn.getresponse()
                body = resp.read()
                answer = Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
                if resp.getheader("connection", "").lower() == "close":
                    self.close()
                return answer
            except (http.client.HTTPException, OSError) as err:
                self.close()
                # A kept-alive connection the server closed meanwhile fails on first use: retry once.
                if attempt == 2 or isinstance(err, TimeoutError):
                    return f"{type(err).__name__}: {err}"
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass(frozen=True)
class Verdict:
    """``problem`` is None when the answer is well-formed; ``code`` is the error code, if any."""

    code: str | None
    problem: str | None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(elem: ET.Element, name: str) -> str | None:
    for child in elem:
        if _local(child.tag) == name:
            return child.text or ""
    return None


def _query_error(root: ET.Element) -> Verdict:
    if _local(root.tag) != "ErrorResponse":
        return Verdict(None, f"error root is <{_local(root.tag)}>, not <ErrorResponse>")
    error = next((c for c in root if _local(c.tag) == "Error"), None)
    if error is None:
        return Verdict(None, "ErrorResponse without <Error>")
    code = _child_text(error, "Code")
    if not code:
        return Verdict(None, "Error without a <Code>")
    if _child_text(error, "Type") not in ("Sender", "Receiver"):
        return Verdict(code, "Error <Type> is neither Sender nor Receiver")
    if _child_text(error, "Message") is None:
        return Verdict(code, "Error without a <Message>")
    if not _child_text(root, "RequestId"):
        return Verdict(code, "ErrorResponse without a <RequestId>")
    return Verdict(code, None)


def _json_error(doc: Any) -> Verdict:
    if not isinstance(doc, dict) or not isinstance(doc.get("__type"), str) or not doc["__type"]:
        return Verdict(None, "JSON error without a __type")
    code = doc["__type"].rsplit("#", 1)[-1]
    message = doc.get("message", doc.get("Message"))
    if not isinstance(message, str):
        return Verdict(code, "JSON error without a message")
    return Verdict(code, None)


def judge(answer: Answer, protocol: str, op: OperationModel | None) -> Verdict:
    """Is ``answer`` something an AWS SDK speaking ``protocol`` reads as AWS would send it?"""
    if not answer.headers.get("x-amzn-requestid"):
        return Verdict(None, "no x-amzn-RequestId header")
    if answer.status >= 300:
        return _judge_error(answer, protocol)
    if op is None:
        return Verdict(None, f"HTTP {answer.status} for a request that names no operation")
    try:
        parsed = create_parser(protocol).parse(
            {"status_code": answer.status, "headers": answer.headers, "body": answer.body}, op.output_shape
        )
    except Exception as err:  # noqa: BLE001 - any parser failure is a malformed success
        return Verdict(None, f"botocore cannot parse the {op.name} result: {type(err).__name__}: {err}")
    if protocol == "json" and b'"__type"' in answer.body and isinstance(parsed, dict):
        return Verdict(None, f"HTTP {answer.status} with an error body")
    if protocol == "query":
        try:
            root = ET.fromstring(answer.body)
        except ET.ParseError as err:
            return Verdict(None, f"result is not XML: {err}")
        if _local(root.tag) != f"{op.name}Response":
            return Verdict(None, f"result root is <{_local(root.tag)}>")
    return Verdict(None, None)


def _judge_error(answer: Answer, protocol: str) -> Verdict:
    ctype = answer.headers.get("content-type", "")
    if protocol == "query":
        try:
            root = ET.fromstring(answer.body)
        except ET.ParseError as err:
            return Verdict(None, f"error body is not XML ({ctype}): {err}: {answer.body[:80]!r}")
        return _query_error(root)
    if "json" not in ctype:
        return Verdict(None, f"JSON-protocol error with content-type {ctype!r}: {answer.body[:80]!r}")
    try:
        doc = json.loads(answer.body)
    except ValueError as err:
        return Verdict(None, f"error body is not JSON: {err}: {answer.body[:80]!r}")
    return _json_error(doc)


def error_code(answer: Answer) -> str | None:
    """The error code of either protocol's error document (None when it has none)."""
    verdict = _judge_error(answer, "json" if answer.body.lstrip().startswith(b"{") else "query")
    return verdict.code
