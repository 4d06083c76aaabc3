"""The protocol fuzzer: every operation of botocore's models, signed, with hostile input.

For each operation of each service (``SERVICES``: the ones iamd routes; a service the server
answers ``UnknownService`` for gets only a few requests per operation), the fuzzer builds a valid
baseline input (``values.Values.baseline``), then changes one thing:

- ``value``: one member (at any depth) gets a hostile value of its shape (``Values.hostile``);
- ``wire``: after botocore serialized the input, one wire value gets the wrong type, or the
  parameter list gets deep dotted names, duplicates, odd list indexes or a flood of members
  (Query), or the JSON document wrong-typed members, deep nesting, a non-object (JSON);
- ``drop``: a required member is left out;
- ``none``: the baseline as is (most of these succeed and exercise the renderers).

It signs with the root key or the low-privilege user's key and judges every answer (``wire.judge``).
Then ``RAW`` bodies no serializer would produce (bad percent-encoding, invalid UTF-8, wrong
content types, invalid JSON, missing or foreign ``X-Amz-Target``…) go out signed the same way.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape
from botocore.serialize import create_serializer

from iamd.api.operations import load_model

from .servers import Fixtures, root_identity
from .values import Values
from .wire import FORM, Answer, Identity, Sender, Verdict, Wire, judge, sign

SERVICES = ("iam", "sts", "cloudtrail", "organizations")
FEW_PER_OPERATION = 3  # for an operation of a service iamd does not route, or does not implement
REBUILD_EVERY = 400
WRONG_SCALARS = ["abc", "maybe", "", "-", "1.5", "1e5", "0x10", "\uff19", "2026-13-45T99:99:99Z", "\x00",
                 "9" * 400, "-0", " 1", "TRUE", "NaN", "[]"]
WRONG_JSON: list[Any] = [1, -1, 1e308, "x", [], {}, None, True, [[[]]], {"a": {}}, 10**30, "\u0000"]


@dataclass
class Finding:
    service: str
    operation: str
    who: str
    mutation: str
    status: int | None
    code: str | None
    problem: str
    request: str

    def line(self) -> str:
        status = self.status if self.status is not None else "-"
        return (f"  {self.service}:{self.operation} [{self.mutation}, {self.who}] -> HTTP {status} "
                f"{self.code or ''}: {self.problem} | {self.request[:160]!r}")


@dataclass
class Tally:
    requests: int = 0
    per_service: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    five_xx: Counter[str] = field(default_factory=Counter)
    malformed: int = 0
    transport: int = 0
    http_layer: int = 0
    unrouted: set[str] = field(default_factory=set)
    operations: int = 0
    unimplemented: int = 0
    tracebacks: int = 0
    findings: list[Finding] = field(default_factory=list)
    _seen: set[tuple[str, str, str]] = field(default_factory=set)

    @property
    def http_500(self) -> int:
        return self.statuses[500]

    def note(self, finding: Finding, limit: int = 200) -> None:
        key = (finding.service, finding.operation, f"{finding.status}:{finding.code}:{finding.problem[:40]}")
        if key not in self._seen and len(self.findings) < limit:
            self._seen.add(key)
            self.findings.append(finding)

    def summary(self) -> str:
        services = ", ".join(
            f"{s} {n:,}" + (" unrouted" if s in self.unrouted else "") for s, n in self.per_service.items()
        )
        five = ", ".join(f"{k} {v}" for k, v in sorted(self.five_xx.items())) or "none"
        return (f"fuzz: requests {self.requests:,} ({services}; {self.operations} operations, "
                f"{self.unimplemented} of them answering NotImplemented); 5xx {sum(self.five_xx.values())} "
                f"(HTTP 500: {self.http_500}; {five}); malformed bodies {self.malformed}; "
                f"transport failures {self.transport}; refused by the HTTP parser {self.http_layer}; "
                f"server tracebacks {self.tracebacks}")


@dataclass(frozen=True)
class Target:
    service: str
    model: ServiceModel
    protocol: str

    def op(self, name: str) -> OperationModel:
        return self.model.operation_model(name)


def targets(services: tuple[str, ...] = SERVICES) -> list[Target]:
    out = []
    for name in services:
        model = load_model(name)
        out.append(Target(name, model, "query" if model.protocol == "query" else "json"))
    return out


# --- building one request ---------------------------------------------------------------------
def member_paths(shape: Shape | None, depth: int = 0, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Shape]]:
    """Every (path, shape) a hostile value can go to: members of structures, first list items."""
    if shape is None or depth > 3:
        return
    if isinstance(shape, StructureShape):
        for name, sub in shape.members.items():
            yield (*prefix, name), sub
            yield from member_paths(sub, depth + 1, (*prefix, name))
    elif shape.type_name == "list":
        member = shape.member  # type: ignore[attr-defined]
        yield (*prefix, 0), member
        yield from member_paths(member, depth + 1, (*prefix, 0))


def put(values: Values, doc: dict[str, Any], shape: StructureShape, path: tuple[Any, ...], leaf: Any) -> None:
    """Set ``doc`` at ``path`` to ``leaf``, creating the containers on the way from the baseline."""
    node: Any = doc
    cur: Shape = shape
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(step, int):
            cur = cur.member  # type: ignore[attr-defined]
            if not node:
                node.append(values.baseline(cur, "", 2))
            if last:
                node[0] = leaf
            else:
                node = node[0]
            continue
        cur = cur.members[step]  # type: ignore[attr-defined]
        if last:
            node[step] = leaf
        else:
            if not isinstance(node.get(step), (dict, list)):
                node[step] = values.baseline(cur, step, 2)
            node = node[step]


class Builder:
    """Turns (operation, seeded choices) into a ``Wire`` and a description of what was changed."""

    def __init__(self, rng: random.Random, values: Values, endpoint: str) -> None:
        self.rng = rng
        self.values = values
        self.endpoint = endpoint
        self.serializers = {p: create_serializer(p, include_validation=False) for p in ("query", "json")}

    def build(self, target: Target, op: OperationModel, mutate: bool = True) -> tuple[Wire, str]:
        rng = self.rng
        shape = op.input_shape
        doc: dict[str, Any] = self.values.baseline(shape) if shape is not None else {}
        roll = rng.random() if mutate else 1.0
        mutation = "none"
        if shape is not None and roll < 0.55:
            paths = list(member_paths(shape))
            if paths:
                path, sub = rng.choice(paths)
                put(self.values, doc, shape, path, self.values.hostile(sub, str(path[-1])))
                mutation = "value " + ".".join(map(str, path))
        elif shape is not None and roll < 0.6 and shape.required_members:
            dropped = rng.choice(shape.required_members)
            doc.pop(dropped, None)
            mutation = f"drop {dropped}"
        request = self.serializers[target.protocol].serialize_to_request(doc, op)
        if target.protocol == "query":
            pairs = list(request["body"].items())
            if roll >= 0.6 and roll < 0.9:
                mutation = "wire " + self.mutate_query(pairs, op)
            return Wire("POST", "/", urlencode(pairs).encode(), {"Content-Type": FORM}), mutation
        body = request["body"] or b"{}"
        if roll >= 0.6 and roll < 0.9:
            body, what = self.mutate_json(json.loads(body))
            mutation = "wire " + what
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": request["headers"]["X-Amz-Target"]}
        return Wire("POST", "/", body, headers), mutation

    def mutate_query(self, pairs: list[tuple[str, str]], op: OperationModel) -> str:
        rng = self.rng
        members = [i for i, (k, _) in enumerate(pairs) if k not in ("Action", "Version")]
        kind = rng.choice(["type", "type", "dotted", "duplicate", "index", "flood", "unknown", "case"])
        if kind == "type" and members:
            i = rng.choice(members)
            pairs[i] = (pairs[i][0], rng.choice(WRONG_SCALARS))
            return f"type {pairs[i][0]}={pairs[i][1][:20]!r}"
        if kind == "dotted":
            base = pairs[rng.choice(members)][0] if members else "UserName"
            depth = rng.choice([20, 500, 20_000])
            pairs.append((base + ".member.1" * (depth // 9 + 1) if rng.random() < 0.5 else base + ".a" * depth, "v"))
            return f"dotted {base} x{depth}"
        if kind == "duplicate" and members:
            k, _ = pairs[rng.choice(members)]
            pairs.append((k, rng.choice(WRONG_SCALARS)))
            return f"duplicate {k}"
        if kind == "index":
            listed = [i for i in members if ".member." in pairs[i][0] or ".entry." in pairs[i][0]]
            bad = rng.choice(["0", "-1", "99999999999999999999", "01", "x", "", "1.5", "\uff11"])
            if listed:
                i = rng.choice(listed)
                k = pairs[i][0]
                head, sep, tail = k.rpartition(".member.") if ".member." in k else k.rpartition(".entry.")
                rest = tail.split(".", 1)
                pairs[i] = (head + sep + bad + ("." + rest[1] if len(rest) > 1 else ""), pairs[i][1])
                return f"index {pairs[i][0][:40]}"
            pairs.append((f"Tags.member.{bad}.Key", "k"))
            return f"index Tags.member.{bad}"
        if kind == "flood":
            count = rng.choice([500, 5000, 12_000])
            pairs.extend((f"P{i}", "v") for i in range(count))
            return f"flood {count}"
        if kind == "case":
            pairs[:] = [(k.lower() if k == "Action" else k, v) for k, v in pairs]
            return "case action="
        pairs.append(("NoSuchMember", "x"))
        return "unknown NoSuchMember"

    def mutate_json(self, doc: Any) -> tuple[bytes, str]:
        rng = self.rng
        kind = rng.choice(["type", "type", "nested", "unknown", "toplevel", "duplicate", "bignum"])
        if kind == "type" and isinstance(doc, dict) and doc:
            key = rng.choice(sorted(doc))
            doc[key] = rng.choice(WRONG_JSON)
            return json.dumps(doc).encode(), f"type {key}"
        if kind == "nested":
            depth = rng.choice([100, 5000, 100_000])
            key = rng.choice(sorted(doc)) if doc else "Name"
            text = json.dumps(doc)[:-1] + ("," if doc else "") + f'"{key}x":' + "[" * depth + "]" * depth + "}"
            return text.encode(), f"nested {depth}"
        if kind == "toplevel":
            return rng.choice([b"[]", b"1", b'"x"', b"null", b"true"]), "toplevel"
        if kind == "duplicate" and doc:
            key = rng.choice(sorted(doc))
            return (json.dumps(doc)[:-1] + f', "{key}": 1}}').encode(), f"duplicate {key}"
        if kind == "bignum":
            key = rng.choice(sorted(doc)) if doc else "MaxResults"
            return json.dumps({**doc, key: 0}).replace(" 0", " " + "9" * 5000).encode(), f"bignum {key}"
        doc["NoSuchMember"] = {"x": [1, 2]}
        return json.dumps(doc).encode(), "unknown"


# --- raw bodies no serializer writes ------------------------------------------------------------
def raw_cases(endpoint: str) -> list[tuple[str, str, Wire]]:
    """(service, description, wire) for malformed bodies, content types and routing headers."""
    q = "Action=GetUser&Version=2010-05-08"
    form = {"Content-Type": FORM}
    cases: list[tuple[str, str, Wire]] = []

    def iam(desc: str, body: bytes | str, headers: dict[str, str] | None = None, method: str = "POST",
            path: str = "/", query: str = "", service: str = "iam") -> None:
        data = body.encode() if isinstance(body, str) else body
        cases.append((service, desc, Wire(method, path, data, form if headers is None else headers, query)))

    for bad in ["%ZZ", "%", "%%", "%E2%82", "%FF%FE", "%ED%A0%80", "%00", "%C0%AF", "%F4%90%80%80"]:
        iam(f"percent {bad}", f"{q}&UserName={bad}")
        iam(f"percent key {bad}", f"{q}&{bad}=x")
    iam("raw non-UTF-8", q.encode() + b"&UserName=\xff\xfe")
    iam("duplicate Action", "Action=GetUser&Action=ListUsers&Version=2010-05-08")
    iam("duplicate Version", f"{q}&Version=2011-06-15")
    iam("sts action to iam", "Action=GetCallerIdentity&Version=2011-06-15")
    for body in ["Action", "&&&&", "=", "==", "a=b=c", "Action=&Version=", " ", "\x00", "Action=GetUser;Version=2010-05-08",
                 "Action=GetUser%26Version%3D2010-05-08", "Action=Get%55ser&Version=2010-05-08"]:
        iam(f"body {body!r}", body)
    for ctype in ["application/json", "text/plain", "multipart/form-data; boundary=x", "",
                  "application/x-www-form-urlencoded; charset=latin-1", "application/x-www-form-urlencoded; charset=utf-16",
                  "application/x-amz-json-1.1", "APPLICATION/X-WWW-FORM-URLENCODED", "application/x-www-form-urlencoded\x00"]:
        iam(f"content-type {ctype!r}", q, {"Content-Type": ctype} if ctype else {})
    iam("GET with query", b"", {}, method="GET", query=q)
    iam("GET with query and body", q, form, method="GET", query="Action=ListUsers&Version=2010-05-08")
    for method in ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]:
        iam(f"method {method}", q, method=method)
    for path in ["/foo", "/../", "/%2e%2e/", "//", "/?x", "/" + "a" * 5000]:
        iam(f"path {path[:20]}", q, path=path)
    iam("body over 512 KB", q + "&UserName=" + "a" * 600_000)
    iam("name 100,000 dots", q + "&" + "a" + "." * 100_000 + "=1")
    iam("20,000 params", q + "&" + "&".join(f"p{i}=1" for i in range(20_000)))
    iam("Tags index overflow", "Action=TagUser&Version=2010-05-08&UserName=fz-user&Tags.member.99999999999999999999.Key=a")
    iam("Tags index zero", "Action=TagUser&Version=2010-05-08&UserName=fz-user&Tags.member.0.Key=a&Tags.member.0.Value=b")
    iam("list of 5,000 members", "Action=TagUser&Version=2010-05-08&UserName=fz-user&"
        + "&".join(f"Tags.member.{i}.Key=k{i}&Tags.member.{i}.Value=v" for i in range(1, 5001)))
    iam("map-ish scalar", "Action=GetUser&Version=2010-05-08&UserName.member.1=x")
    iam("scalar-ish list", "Action=TagUser&Version=2010-05-08&UserName=fz-user&Tags=x")
    iam("sts garbage", "Action=AssumeRole&Version=2011-06-15&RoleArn=" + quote("arn:aws:iam::999999999999:role/x")
        + "&RoleSessionName=s&DurationSeconds=99999999999999999999", service="sts")
    iam("sts policy arns", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ffz-role"
        + "&RoleSessionName=s&PolicyArns.member.1.arn=" + "x" * 3000, service="sts")
    ct = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
    js = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{ct}.DescribeTrails"}

    def cloudtrail(desc: str, body: bytes | str, headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        cases.append(("cloudtrail", desc, Wire("POST", "/", data, js if headers is None else headers)))

    for body in ["{", "[]", '"x"', "null", "1", '{"a":NaN}', '{"a":Infinity}', '{"a":-Infinity}', "[" * 100_000,
                 '{"trailNameList":"\\ud800"}', '{"trailNameList":["\\udfff"]}', '{"a":1,"a":2}', "\ufeff{}",
                 '{"trailNameList":[' + "9" * 5000 + "]}", "{" + '"a":{' * 10_000 + "}" * 10_001, "\x00", " ",
                 '{"trailNameList":[{}]}', '{"includeShadowTrails":"yes"}', "{}" * 100]:
        cloudtrail(f"json {body[:20]!r}", body)
    cloudtrail("raw non-UTF-8 json", b'{"trailNameList":["\xff"]}')
    lookup = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{ct}.LookupEvents"}
    for body in ['{"LookupAttributes":[{"AttributeKey":"Username","AttributeValue":"\\udfff"}]}',
                 '{"NextToken":"\\ud800"}', '{"\\ud800":1}', '{"MaxResults":"\\u0000"}',
                 '{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"\\u0000%_*"}]}',
                 '{"StartTime":-1e20,"EndTime":1e20}', '{"StartTime":"9999-12-31T23:59:59Z"}']:
        cloudtrail(f"lookup {body[:30]!r}", body, lookup)
    for target in [None, "", ct, f"{ct}.", f"{ct}.NoSuchOp", "AWSOrganizationsV20161128.ListAccounts",
                   f"{ct}.describeTrails", f"{ct}." + "A" * 10_000, f"x.{ct}.DescribeTrails", f"{ct}.DescribeTrails\x00"]:
        headers = {"Content-Type": "application/x-amz-json-1.1"} | ({"X-Amz-Target": target} if target is not None else {})
        cloudtrail(f"target {str(target)[:40]!r}", "{}", headers)
    for ctype in ["application/x-amz-json-1.0", "application/json", "text/plain", "", FORM]:
        cloudtrail(f"content-type {ctype!r}", "{}", {"X-Amz-Target": f"{ct}.DescribeTrails"} | ({"Content-Type": ctype} if ctype else {}))
    cloudtrail("form body to cloudtrail", "Action=DescribeTrails", {"Content-Type": FORM, "X-Amz-Target": f"{ct}.DescribeTrails"})
    cloudtrail("body over 512 KB", '{"trailNameList":["' + "a" * 600_000 + '"]}')
    return cases


# --- the run ------------------------------------------------------------------------------------
Clock = Callable[[], float]


def run(fixtures: Fixtures, *, seed: int, requests: int, time_limit: float,
        services: tuple[str, ...] = SERVICES, raw: bool = True, clock: Clock = time.monotonic) -> Tally:
    """Send about ``requests`` fuzzed requests (spread evenly over the routed operations), then
    the raw cases; stop early at ``time_limit`` seconds. The server's log is read afterwards:
    an exception it logged (a failed audit batch, a request's traceback) counts as a finding even
    when the answer looked right."""
    server = fixtures.server
    log = server.log_path
    log_start = log.stat().st_size if log is not None and log.exists() else 0
    tally = _run(fixtures, seed=seed, requests=requests, time_limit=time_limit, services=services, raw=raw,
                 clock=clock)
    if log is not None and log.exists():
        time.sleep(AUDIT_FLUSH_WAIT)
        with log.open("rb") as f:
            f.seek(log_start)
            text = f.read().decode("utf-8", "replace")
        blocks = text.split(TRACEBACK)[1:]
        tally.tracebacks = len(blocks)
        for block in blocks:
            last = [line for line in block.splitlines() if line and not line.startswith(" ")]
            tally.note(Finding("server", "log", "-", "traceback", None, None, last[0] if last else "?", block[-300:]))
    return tally


TRACEBACK = "Traceback (most recent call last):"
AUDIT_FLUSH_WAIT = 1.5  # the trail writes batches of read-only and failed calls every 0.5 s


def _run(fixtures: Fixtures, *, seed: int, requests: int, time_limit: float,
         services: tuple[str, ...], raw: bool, clock: Clock) -> Tally:
    server = fixtures.server
    rng = random.Random(seed)
    tally = Tally()
    fixtures.rebuild()
    values = Values(rng, fixtures.names)
    builder = Builder(rng, values, server.endpoint)
    sender = Sender(server.endpoint)
    root = root_identity(server)
    deadline = clock() + time_limit
    plan = [(t, name) for t in targets(services) for name in t.model.operation_names]
    routed = {t.service: _routed(sender, server.endpoint, root, t) for t in targets(services)}
    tally.unrouted = {s for s, ok in routed.items() if not ok}
    try:
        # One valid baseline per operation first: those iamd does not implement (501) get only a
        # few more requests, so the budget goes where there is code to break.
        unimplemented = set()
        for target, name in plan:
            if routed[target.service]:
                op = target.op(name)
                wire, _ = builder.build(target, op, mutate=False)
                if _send(tally, sender, sign(wire, server.endpoint, root, target.service), target, op, "root",
                         "none (probe)") == 501:
                    unimplemented.add((target.service, name))
        tally.operations, tally.unimplemented = len(plan), len(unimplemented)
        few = [(t, n) for t, n in plan if not routed[t.service] or (t.service, n) in unimplemented]
        many = [(t, n) for t, n in plan if (t, n) not in few]
        per_op = max(1, (requests - tally.requests - len(few) * FEW_PER_OPERATION) // max(1, len(many)))
        schedule = [(t, n) for t, n in many for _ in range(per_op)] + [
            (t, n) for t, n in few for _ in range(FEW_PER_OPERATION)]
        rng.shuffle(schedule)
        for target, name in schedule:
            if clock() > deadline:
                break
            if tally.requests and tally.requests % REBUILD_EVERY == 0:
                fixtures.rebuild()
                values.names = fixtures.names
            op = target.op(name)
            wire, mutation = builder.build(target, op)
            who = _identity(rng.random(), root, fixtures)
            _send(tally, sender, sign(wire, server.endpoint, who, target.service), target, op, who.name, mutation)
        if raw:
            by_name = {t.service: t for t in targets(services)}
            for service, desc, wire in raw_cases(server.endpoint):
                if service not in by_name:
                    continue
                if clock() > deadline:
                    break
                _send(tally, sender, sign(wire, server.endpoint, root, service), by_name[service], None, "root",
                      "raw " + desc)
    finally:
        sender.close()
    return tally


def _identity(roll: float, root: Identity, fixtures: Fixtures) -> Identity:
    """Root for most requests (it may do anything, so hostile input reaches the actions), the
    low-privilege user and its role session for the rest (authorization, session paths)."""
    if roll < 0.65 or fixtures.low_priv is None or fixtures.role_session is None:
        return root
    return fixtures.low_priv if roll < 0.85 else fixtures.role_session


def _routed(sender: Sender, endpoint: str, root: Identity, target: Target) -> bool:
    """Does the server route this service? (an unknown service is ``UnknownService``)."""
    wire = Wire("POST", "/", b"{}" if target.protocol == "json" else b"", {"Content-Type": "application/x-amz-json-1.1"})
    answer = sender.send(sign(wire, endpoint, root, target.service))
    return not (isinstance(answer, Answer) and b"UnknownService" in answer.body)


def _send(tally: Tally, sender: Sender, wire: Wire, target: Target, op: OperationModel | None,
          who: str, mutation: str) -> int | None:
    """Send, judge and count one request; returns the HTTP status (None: no answer)."""
    tally.requests += 1
    tally.per_service[target.service] += 1
    answer = sender.send(wire)
    name = op.name if op is not None else "-"
    request = wire.body[:300].decode("utf-8", "replace")
    if isinstance(answer, str):
        tally.transport += 1
        tally.note(Finding(target.service, name, who, mutation, None, None, answer, request))
        return None
    tally.statuses[answer.status] += 1
    if is_http_layer_refusal(answer):
        tally.http_layer += 1
        return answer.status
    protocol = target.protocol
    if target.service in tally.unrouted:
        protocol = "query" if answer.body.lstrip().startswith(b"<") else "json"
    named = op if op is not None else _named_op(target, wire)
    verdict = judge(answer, protocol, named) if wire.method != "HEAD" else Verdict(None, None)
    if answer.status >= 500:
        tally.five_xx[f"{answer.status} {verdict.code}"] += 1
    if answer.status >= 500 and answer.status != 501:
        tally.note(Finding(target.service, name, who, mutation, answer.status, verdict.code, "server error", request))
    if verdict.problem is not None:
        tally.malformed += 1
        tally.note(Finding(target.service, name, who, mutation, answer.status, verdict.code, verdict.problem, request))
    return answer.status


def is_http_layer_refusal(answer: Answer) -> bool:
    """uvicorn's own answer to a request that is not valid HTTP (a NUL in a header…): the
    request never reached iamd, as on AWS it would not pass the load balancer."""
    return answer.status == 400 and answer.body == b"Invalid HTTP request received."


def _named_op(target: Target, wire: Wire) -> OperationModel | None:
    """For a raw request that succeeded: the operation it named, so its result can be parsed."""
    if target.protocol == "json":
        name = wire.headers.get("X-Amz-Target", "").rpartition(".")[2]
    else:
        from urllib.parse import parse_qsl

        text = wire.query + "&" + wire.body.decode("utf-8", "replace")
        name = dict(parse_qsl(text)).get("Action", "")
    return target.op(name) if name in target.model.operation_names else None
