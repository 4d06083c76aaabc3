"""A small slice of ``make reliability`` in every ``make test``: a regression that brings back a
500, a malformed error body or an accepted tampered request fails here, not only in the long run.

The slice is a few hundred fuzzed requests (seeded, so every run sends the same ones), the raw
malformed bodies, the first tamper cases of each signed request kind, a tiny slow-client run and
one round of the races (whose quota outcomes the race tests of the store own; here the driver
must run and count).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tools.reliability import __main__ as cli
from tools.reliability import fuzz, slow, tamper
from tools.reliability.servers import Fixtures, fresh_server
from tools.reliability.wire import Answer, judge

from iamd.testing import IamdServer

# Raw cases whose answers are not yet AWS documents (each with its reason); none today.
KNOWN_MALFORMED: set[str] = set()


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fixtures]:
    with fresh_server(log=tmp_path_factory.mktemp("reliability") / "iamd.log") as server:
        yield Fixtures(server)


def test_fuzz_slice_has_no_500_and_no_malformed_body(fixtures: Fixtures) -> None:
    tally = fuzz.run(fixtures, seed=11, requests=400, time_limit=120)
    assert tally.requests >= 400 and {"iam", "sts", "cloudtrail"} <= set(tally.per_service)
    assert tally.http_500 == 0, [f.line() for f in tally.findings]
    assert tally.transport == 0 and tally.tracebacks == 0, [f.line() for f in tally.findings]
    unexpected = [f.line() for f in tally.findings if f.problem != "server error" and f.mutation not in KNOWN_MALFORMED]
    assert not unexpected
    assert "fuzz: requests" in tally.summary()


def test_tamper_slice_is_refused_with_aws_codes(fixtures: Fixtures) -> None:
    result = tamper.run(fixtures, limit=8)
    assert len(result.outcomes) == 4 * 9 + 1
    assert not result.mismatches, [o.line() for o in result.mismatches]
    assert "mismatches 0" in result.summary()


def test_slow_clients_tiny(fixtures: Fixtures) -> None:
    outcome = slow.run(fixtures.server, half_open=20, slowloris=3, observe=1.0)
    assert outcome.during_ok and outcome.after_ok, outcome.summary()
    assert outcome.half_open == 20 and outcome.slowloris == 3


def test_races_part_prints_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The races part of ``make reliability`` (one round on SQLite; the races themselves are
    tested in tests/functional/test_quota_races.py)."""
    code = cli.main(["--parts", "races", "--rounds", "1", "--no-postgres", "--log-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert "races (sqlite, 2 processes): requests " in out and ", 5xx 0, malformed error bodies 0," in out
    assert code == 0, out


def test_cli_rejects_unknown_parts(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--parts", "fuzz,nope"]) == 2
    assert "unknown parts: nope" in capsys.readouterr().err


def test_cli_runs_a_part_and_reports_a_missed_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Too few requests for ``--min-requests`` is a missed target: exit 1 and say so."""
    code = cli.main(["--parts", "tamper,fuzz", "--services", "sts", "--requests", "20", "--min-requests", "100000",
                     "--time-limit", "30", "--log-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1 and "fuzz: requests" in out and "tamper: requests" in out
    assert "MISSED: fuzz:" in out


XML_ERROR = (b'<ErrorResponse xmlns="x"><Error><Type>Sender</Type><Code>C</Code><Message>m</Message></Error>'
             b"<RequestId>r</RequestId></ErrorResponse>")


@pytest.mark.parametrize(("status", "headers", "body", "protocol", "problem"), [
    (400, {"x-amzn-requestid": "r"}, XML_ERROR, "query", None),
    (400, {}, XML_ERROR, "query", "no x-amzn-RequestId header"),
    (400, {"x-amzn-requestid": "r"}, b"<oops", "query", "error body is not XML"),
    (400, {"x-amzn-requestid": "r"}, b"<Other/>", "query", "error root is <Other>"),
    (400, {"x-amzn-requestid": "r"}, b"<ErrorResponse/>", "query", "ErrorResponse without <Error>"),
    (400, {"x-amzn-requestid": "r"}, XML_ERROR.replace(b"<Code>C</Code>", b""), "query", "Error without a <Code>"),
    (400, {"x-amzn-requestid": "r"}, XML_ERROR.replace(b"Sender", b"Nobody"), "query", "Error <Type>"),
    (400, {"x-amzn-requestid": "r"}, XML_ERROR.replace(b"<Message>m</Message>", b""), "query", "without a <Message>"),
    (400, {"x-amzn-requestid": "r"}, XML_ERROR.replace(b"<RequestId>r</RequestId>", b""), "query", "without a <RequestId>"),
    (400, {"x-amzn-requestid": "r", "content-type": "application/x-amz-json-1.1"}, b'{"__type":"X","message":"m"}', "json", None),
    (400, {"x-amzn-requestid": "r", "content-type": "text/xml"}, XML_ERROR, "json", "content-type"),
    (400, {"x-amzn-requestid": "r", "content-type": "application/json"}, b"{", "json", "not JSON"),
    (400, {"x-amzn-requestid": "r", "content-type": "application/json"}, b"{}", "json", "without a __type"),
    (400, {"x-amzn-requestid": "r", "content-type": "application/json"}, b'{"__type":"X"}', "json", "without a message"),
    (200, {"x-amzn-requestid": "r"}, b"", "query", "names no operation"),
])
def test_judge(status: int, headers: dict[str, str], body: bytes, protocol: str, problem: str | None) -> None:
    verdict = judge(Answer(status, headers, body), protocol, None)
    assert (verdict.problem is None) if problem is None else (problem in (verdict.problem or "")), verdict


def test_judge_success_bodies(fixtures: Fixtures) -> None:
    op = fuzz.targets(("iam",))[0].op("GetUser")
    ok = b"<GetUserResponse><GetUserResult><User><UserName>u</UserName></User></GetUserResult></GetUserResponse>"
    assert judge(Answer(200, {"x-amzn-requestid": "r"}, ok), "query", op).problem is None
    wrong_root = judge(Answer(200, {"x-amzn-requestid": "r"}, ok.replace(b"GetUserResponse", b"Other")), "query", op)
    assert "result root is <Other>" in (wrong_root.problem or "")
    assert "cannot parse" in (judge(Answer(200, {"x-amzn-requestid": "r"}, b"<x"), "query", op).problem or "")
    assert "cannot parse" in (judge(Answer(200, {"x-amzn-requestid": "r"}, XML_ERROR), "query", op).problem or "")
    lookup = fuzz.targets(("cloudtrail",))[0].op("LookupEvents")
    error_as_success = judge(Answer(200, {"x-amzn-requestid": "r"}, b'{"__type":"X","message":"m"}'), "json", lookup)
    assert "error body" in (error_as_success.problem or "")
    assert judge(Answer(200, {"x-amzn-requestid": "r"}, b'{"Events":[]}'), "json", lookup).problem is None


def test_server_fixture_is_an_ephemeral_iamd(fixtures: Fixtures) -> None:
    assert isinstance(fixtures.server, IamdServer) and fixtures.server.process is not None
