"""The SigV4 tamper suite: a valid signed request with one part changed must be refused with AWS's code.

Four valid requests (IAM GetUser signed by root, STS GetCallerIdentity signed with a session's
temporary credentials, CloudTrail LookupEvents in JSON, and a presigned STS GET) are each sent
untampered first (a control: it must succeed), then with one change per case. A case passes when
the answer is 4xx with one of the codes AWS gives for that fault ("Signature Version 4 error
codes"; "Troubleshoot Signature Version 4 errors"): ``SignatureDoesNotMatch`` for anything the
signature covers, ``IncompleteSignature`` for a malformed Authorization, ``InvalidClientTokenId``
for an unknown key or token, ``RequestExpired``/"Signature expired" for a stale date,
``ExpiredToken`` for an expired session, ``MissingAuthenticationToken`` for no signature at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest

from iamd.api.json_output import JSON_CODES
from iamd.testing import IamdServer

from .servers import Fixtures, client, root_identity
from .wire import FORM, Answer, Identity, Sender, Wire, error_code

CT_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
MISMATCH = {"SignatureDoesNotMatch"}
INCOMPLETE = {"IncompleteSignature"}
BAD_TOKEN = {"InvalidClientTokenId"}
DUPLICATE = {"IncompleteSignature", "SignatureDoesNotMatch", "InvalidSignatureException", "InvalidRequest"}


@dataclass(frozen=True)
class Signing:
    """Everything a signature depends on, so a case can re-sign with one thing changed."""

    who: Identity
    service: str
    region: str = "us-east-1"
    when: datetime | None = None
    scope_date: str | None = None
    presign_expires: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class _Timed:
    """SigV4 with a chosen signing time and, optionally, a credential-scope date of its own."""

    when: datetime | None = None
    scope_date: str | None = None

    def _stamp(self, request: AWSRequest) -> None:
        moment = self.when or datetime.now(UTC)
        request.context["timestamp"] = moment.strftime(SIGV4_TIMESTAMP)

    def scope(self, request: AWSRequest) -> str:
        scope: str = super().scope(request)  # type: ignore[misc]
        if self.scope_date is None:
            return scope
        parts = scope.split("/")
        parts[1] = self.scope_date
        return "/".join(parts)


class HeaderSigner(_Timed, SigV4Auth):
    def add_auth(self, request: AWSRequest) -> None:
        self._stamp(request)
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        self._inject_signature_to_request(request, self.signature(self.string_to_sign(request, canonical), request))


class QuerySigner(_Timed, SigV4QueryAuth):
    add_auth = HeaderSigner.add_auth


def signed(wire: Wire, endpoint: str, how: Signing) -> Wire:
    req = AWSRequest(method=wire.method, url=wire.url(endpoint), data=wire.body,
                     headers=dict(wire.headers) | how.headers)
    signer: HeaderSigner | QuerySigner
    if how.presign_expires is not None:
        signer = QuerySigner(how.who.credentials(), how.service, how.region, expires=how.presign_expires)
    else:
        signer = HeaderSigner(how.who.credentials(), how.service, how.region)
    signer.when, signer.scope_date = how.when, how.scope_date
    signer.add_auth(req)
    url = urlsplit(req.url)
    body = req.body if isinstance(req.body, bytes) else (req.body or "").encode()
    return Wire(wire.method, url.path or "/", body, dict(req.headers.items()), url.query)


@dataclass(frozen=True)
class Case:
    base: str
    name: str
    expected: frozenset[str]
    message_has: str = ""


@dataclass
class Outcome:
    case: Case
    status: int | None
    code: str | None
    message: str
    ok: bool

    def line(self) -> str:
        want = "|".join(sorted(self.case.expected)) + (f" ~{self.case.message_has!r}" if self.case.message_has else "")
        return f"  {self.case.base}/{self.case.name}: HTTP {self.status} {self.code} (want {want}) {self.message[:120]}"


@dataclass
class TamperResult:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def summary(self) -> str:
        return (f"tamper: requests {len(self.outcomes)}; rejected with AWS's code "
                f"{len(self.outcomes) - len(self.mismatches)}; mismatches {len(self.mismatches)}")


@dataclass
class Base:
    """One valid request and how it was signed."""

    name: str
    wire: Wire
    how: Signing

    def sign(self, endpoint: str, **changes: Any) -> Wire:
        return signed(self.wire, endpoint, replace(self.how, **changes))


def _set_auth(wire: Wire, fn: Callable[[str], str]) -> Wire:
    headers = dict(wire.headers)
    headers["Authorization"] = fn(headers["Authorization"])
    return replace(wire, headers=headers)


def _drop_auth_part(part: str) -> Callable[[str], str]:
    def drop(value: str) -> str:
        algorithm, _, rest = value.partition(" ")
        kept = [p for p in rest.split(", ") if not p.startswith(part + "=")]
        return algorithm + " " + ", ".join(kept)

    return drop


def _shift(stamp: str, seconds: int) -> str:
    moment = datetime.strptime(stamp, SIGV4_TIMESTAMP).replace(tzinfo=UTC) + timedelta(seconds=seconds)
    return moment.strftime(SIGV4_TIMESTAMP)


def _flip(text: str) -> str:
    return text[:-1] + ("0" if text[-1] != "0" else "1")


def _with_header(wire: Wire, name: str, value: str | None) -> Wire:
    headers = {k: v for k, v in wire.headers.items() if k.lower() != name.lower()}
    if value is not None:
        headers[name] = value
    return replace(wire, headers=headers)


def _query_param(wire: Wire, name: str, fn: Callable[[str], str | None]) -> Wire:
    parts = []
    for part in wire.query.split("&"):
        key, _, value = part.partition("=")
        if key == name:
            new = fn(value)
            if new is None:
                continue
            part = f"{key}={new}"
        parts.append(part)
    return replace(wire, query="&".join(parts))


Tampered = Wire | tuple[Wire, list[tuple[str, str]]]


def header_cases(base: Base, endpoint: str, fx: Fixtures, keys: dict[str, Identity]) -> list[tuple[Case, Tampered]]:
    """Cases for a header-signed request (``base.how.presign_expires`` is None)."""
    now = datetime.now(UTC)
    good = base.sign(endpoint)
    b = base.name
    json_body = base.how.service == "cloudtrail"
    cases: list[tuple[Case, Tampered]] = [
        (Case(b, "signature byte", frozenset(MISMATCH)),
         _set_auth(good, lambda v: _flip(v))),
        (Case(b, "signature truncated", frozenset(MISMATCH)), _set_auth(good, lambda v: v[:-2])),
        (Case(b, "signature empty", frozenset(INCOMPLETE | MISMATCH)),
         _set_auth(good, lambda v: v.rsplit("Signature=", 1)[0] + "Signature=")),
        (Case(b, "signed x-amz-date +2 s", frozenset(MISMATCH)),
         _with_header(good, "X-Amz-Date", _shift(good.headers["X-Amz-Date"], 2))),
        (Case(b, "signed content-type", frozenset(MISMATCH)),
         _with_header(good, "Content-Type", good.headers.get("Content-Type", FORM).split(";")[0] + "; charset=x")),
        (Case(b, "signed host", frozenset(MISMATCH)),
         _with_header(good, "Host", endpoint.split("//", 1)[1].replace("127.0.0.1", "localhost"))),
        (Case(b, "body byte", frozenset(MISMATCH)),
         replace(good, body=good.body[:-2] + (b"X" if good.body[-2:-1] != b"X" else b"Y") + good.body[-1:])),
        (Case(b, "body member added", frozenset(MISMATCH)),
         replace(good, body=good.body[:-1] + b', "MaxResults": 1}') if json_body else
         replace(good, body=good.body + b"&UserName=fz-user")),
        (Case(b, "query param added", frozenset(MISMATCH)), replace(good, query="MaxItems=1")),
        (Case(b, "date -16 min", frozenset({"RequestExpired", "SignatureDoesNotMatch"}), "expired"),
         base.sign(endpoint, when=now - timedelta(minutes=16))),
        (Case(b, "date +16 min", frozenset(MISMATCH), "not yet current"),
         base.sign(endpoint, when=now + timedelta(minutes=16))),
        (Case(b, "scope date of yesterday", frozenset(MISMATCH | INCOMPLETE)),
         base.sign(endpoint, scope_date=(now - timedelta(days=1)).strftime("%Y%m%d"))),
        (Case(b, "scope region edited", frozenset(MISMATCH)),
         _set_auth(good, lambda v: v.replace("/us-east-1/", "/us-west-2/"))),
        (Case(b, "scope region zz-fake-9", frozenset(MISMATCH | INCOMPLETE | BAD_TOKEN)),
         base.sign(endpoint, region="zz-fake-9")),
        (Case(b, "scope service edited", frozenset(MISMATCH)),
         _set_auth(good, lambda v: v.replace(f"/{base.how.service}/", "/sts/" if base.how.service != "sts" else "/iam/"))),
        (Case(b, "scope service s3", frozenset(MISMATCH | INCOMPLETE)), base.sign(endpoint, service="s3")),
        (Case(b, "scope service bogus", frozenset(MISMATCH | INCOMPLETE)), base.sign(endpoint, service="zzzz")),
        (Case(b, "unknown access key", frozenset(BAD_TOKEN)),
         base.sign(endpoint, who=Identity("x", "AKIAZZZZZZZZZZZZZZZZ", "x" * 40))),
        (Case(b, "access key swapped", frozenset(MISMATCH | BAD_TOKEN)),
         _set_auth(good, lambda v: v.replace(base.how.who.access_key_id, keys["other"].access_key_id))),
        (Case(b, "deleted access key", frozenset(BAD_TOKEN)), base.sign(endpoint, who=keys["deleted"])),
        (Case(b, "inactive access key", frozenset(BAD_TOKEN)), base.sign(endpoint, who=keys["inactive"])),
        (Case(b, "no Authorization", frozenset({"MissingAuthenticationToken"})),
         _with_header(good, "Authorization", None)),
        (Case(b, "no X-Amz-Date", frozenset(INCOMPLETE)), _with_header(good, "X-Amz-Date", None)),
        (Case(b, "no Credential", frozenset(INCOMPLETE)), _set_auth(good, _drop_auth_part("Credential"))),
        (Case(b, "no SignedHeaders", frozenset(INCOMPLETE)), _set_auth(good, _drop_auth_part("SignedHeaders"))),
        (Case(b, "no Signature", frozenset(INCOMPLETE)), _set_auth(good, _drop_auth_part("Signature"))),
        (Case(b, "algorithm SHA512", frozenset(INCOMPLETE)),
         _set_auth(good, lambda v: v.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1))),
        (Case(b, "duplicate Authorization, forged second", frozenset(DUPLICATE)),
         (good, [("Authorization", _flip(good.headers["Authorization"]))])),
        (Case(b, "duplicate Authorization, forged first", frozenset(DUPLICATE)),
         (_set_auth(good, _flip), [("Authorization", good.headers["Authorization"])])),
        (Case(b, "duplicate X-Amz-Date", frozenset(DUPLICATE)),
         (good, [("X-Amz-Date", _shift(good.headers["X-Amz-Date"], -60))])),
        (Case(b, "x-amz-content-sha256 of another body", frozenset(MISMATCH)),
         base.sign(endpoint, headers={"X-Amz-Content-SHA256": hashlib.sha256(b"other").hexdigest()})),
        (Case(b, "UNSIGNED-PAYLOAD", frozenset(MISMATCH)),
         base.sign(endpoint, headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})),
    ]
    who = base.how.who
    if who.session_token is not None:
        token = who.session_token
        flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
        cases += [
            (Case(b, "token byte, re-signed", frozenset(BAD_TOKEN)),
             base.sign(endpoint, who=replace(who, session_token=flipped))),
            (Case(b, "token truncated, re-signed", frozenset(BAD_TOKEN)),
             base.sign(endpoint, who=replace(who, session_token=token[: len(token) // 2]))),
            (Case(b, "no token, re-signed", frozenset(BAD_TOKEN)),
             base.sign(endpoint, who=replace(who, session_token=None))),
            (Case(b, "another session's token", frozenset(BAD_TOKEN | MISMATCH)),
             base.sign(endpoint, who=replace(who, session_token=keys["session2"].session_token))),
            (Case(b, "token header edited", frozenset(BAD_TOKEN | MISMATCH)),
             _with_header(good, "X-Amz-Security-Token", flipped)),
            (Case(b, "long-term key with a token", frozenset(BAD_TOKEN)),
             base.sign(endpoint, who=replace(root_identity(fx.server), session_token=token))),
        ]
    return cases


def presigned_cases(base: Base, endpoint: str) -> list[tuple[Case, Tampered]]:
    now = datetime.now(UTC)
    good = base.sign(endpoint)
    b = base.name
    return [
        (Case(b, "X-Amz-Signature byte", frozenset(MISMATCH)), _query_param(good, "X-Amz-Signature", _flip)),
        (Case(b, "X-Amz-Expires edited", frozenset(MISMATCH)), _query_param(good, "X-Amz-Expires", lambda v: "900")),
        (Case(b, "expired", frozenset({"RequestExpired", "SignatureDoesNotMatch"}), "expired"),
         base.sign(endpoint, when=now - timedelta(seconds=120), presign_expires=60)),
        (Case(b, "X-Amz-Expires over a week", frozenset(INCOMPLETE | {"AuthorizationQueryParametersError"})),
         base.sign(endpoint, presign_expires=604801)),
        (Case(b, "X-Amz-Date +16 min", frozenset(MISMATCH), "not yet current"),
         base.sign(endpoint, when=now + timedelta(minutes=16))),
        (Case(b, "query param added", frozenset(MISMATCH)), replace(good, query=good.query + "&DurationSeconds=900")),
        (Case(b, "no X-Amz-Credential", frozenset(INCOMPLETE)),
         _query_param(good, "X-Amz-Credential", lambda v: None)),
        (Case(b, "duplicate X-Amz-Signature, forged first", frozenset(DUPLICATE)),
         replace(good, query="X-Amz-Signature=" + "0" * 64 + "&" + good.query)),
        (Case(b, "duplicate X-Amz-Credential", frozenset(DUPLICATE | {"InvalidClientTokenId"})),
         replace(good, query="X-Amz-Credential=AKIAZZZZZZZZZZZZZZZZ%2F20200101%2Fus-east-1%2Fsts%2Faws4_request&"
                 + good.query)),
    ]


def _judge(sender: Sender, case: Case, tampered: Tampered) -> Outcome:
    wire, extra = tampered if isinstance(tampered, tuple) else (tampered, [])
    answer = sender.send(wire, extra)
    if isinstance(answer, str):
        return Outcome(case, None, None, answer, False)
    code = error_code(answer)
    message = _message(answer)
    # JSON services name the authentication errors their own way (InvalidSignatureException…).
    expected = case.expected | {JSON_CODES[c] for c in case.expected if c in JSON_CODES}
    ok = 400 <= answer.status < 500 and code in expected
    if ok and case.message_has:
        ok = case.message_has.lower() in message.lower()
    return Outcome(case, answer.status, code, message, ok)


def _message(answer: Answer) -> str:
    text = answer.body.decode("utf-8", "replace")
    for start, end in (("<Message>", "</Message>"), ('"message":"', '"')):
        if start in text:
            return text.split(start, 1)[1].split(end, 1)[0]
    return text[:120]


def _bases(fx: Fixtures, session: Identity) -> list[Base]:
    root = root_identity(fx.server)
    return [
        Base("iam-GetUser", Wire("POST", "/", b"Action=GetUser&Version=2010-05-08", {"Content-Type": FORM}),
             Signing(root, "iam")),
        Base("sts-session", Wire("POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15", {"Content-Type": FORM}),
             Signing(session, "sts")),
        Base("cloudtrail-json", Wire("POST", "/", b'{"MaxResults": 5}',
                                     {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": CT_TARGET}),
             Signing(root, "cloudtrail")),
        Base("sts-presigned", Wire("GET", "/", b"", {}, "Action=GetCallerIdentity&Version=2011-06-15"),
             Signing(root, "sts", presign_expires=300)),
    ]


def _keys(fx: Fixtures) -> dict[str, Identity]:
    iam = client(fx.server)
    made = {}
    for name in ("deleted", "inactive"):
        iam.create_user(UserName=f"fz-{name}")
        key = iam.create_access_key(UserName=f"fz-{name}")["AccessKey"]
        made[name] = Identity(name, key["AccessKeyId"], key["SecretAccessKey"])
    iam.delete_access_key(UserName="fz-deleted", AccessKeyId=made["deleted"].access_key_id)
    iam.update_access_key(UserName="fz-inactive", AccessKeyId=made["inactive"].access_key_id, Status="Inactive")
    assert fx.low_priv is not None
    made["other"] = fx.low_priv
    made["session"], made["session2"] = _session(fx.server, fx.low_priv), _session(fx.server, fx.low_priv)
    return made


def _session(server: IamdServer, who: Identity) -> Identity:
    sts = client(server, "sts", aws_access_key_id=who.access_key_id, aws_secret_access_key=who.secret_access_key)
    creds = sts.get_session_token(DurationSeconds=900)["Credentials"]
    return Identity("session", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def run(fx: Fixtures, *, limit: int | None = None) -> TamperResult:
    """Every case (or the first ``limit`` per base), controls first."""
    fx.rebuild()
    endpoint = fx.server.endpoint
    keys = _keys(fx)
    result = TamperResult()
    sender = Sender(endpoint)
    try:
        for base in _bases(fx, keys["session"]):
            control = Case(base.name, "control (untampered)", frozenset())
            answer = sender.send(base.sign(endpoint))
            ok = isinstance(answer, Answer) and answer.status == 200
            status = answer.status if isinstance(answer, Answer) else None
            result.outcomes.append(Outcome(control, status, None if ok else str(answer)[:80], "", ok))
            cases = presigned_cases(base, endpoint) if base.how.presign_expires else header_cases(base, endpoint, fx, keys)
            for case, tampered in cases[:limit]:
                result.outcomes.append(_judge(sender, case, tampered))
        result.outcomes.append(_expired_session(fx, sender, keys["session"]))
    finally:
        sender.close()
    return result


def _expired_session(fx: Fixtures, sender: Sender, session: Identity) -> Outcome:
    """A session past its expiry (the ephemeral server's clock moved a day ahead) is ExpiredToken."""
    case = Case("sts-session", "session expired", frozenset({"ExpiredToken"}))
    wire = Wire("POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15", {"Content-Type": FORM})
    fx.server.set_clock_offset(86_400)
    try:
        return _judge(sender, case, signed(wire, fx.server.endpoint, Signing(session, "sts")))
    finally:
        fx.server.set_clock_offset(0)
