"""The Organizations policy rules hold when two ``iamd serve`` processes race on one database.

Two boto3 clients, one per process, start each round at one barrier: AttachPolicy for the last
(tenth) SCP slot of the root (exactly one wins, the other is MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED),
DetachPolicy of the root's last two SCPs (exactly one wins: MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED),
DeletePolicy against AttachPolicy of the same policy (never both: an attachment to a deleted
policy), and two CreatePolicy of one name (exactly one: DuplicatePolicyException). Every answer is a 200 or the AWS error; neither server logs a 500. On PostgreSQL and on
one SQLite file (``races.serve_pair``, as tests/functional/test_quota_races.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from org_policy_helpers import FULL, SCP, attached, create, new_org
from tools.reliability import races

from iamd.testing import IamdServer

ROUNDS = 4


@pytest.fixture(autouse=True)
def _clean() -> None:
    """These tests run their own servers, not the session's ephemeral one."""


@pytest.fixture(params=["postgresql", "sqlite"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[IamdServer, IamdServer]]:
    db = request.getfixturevalue("empty_pg_url") if request.param == "postgresql" else ""
    with races.serve_pair(tmp_path / "data", db, log_dir=tmp_path) as servers:
        yield servers
    for log in ("first.log", "second.log"):
        text = (tmp_path / log).read_text()
        assert not re.search(r"iamd\.api request \S+ failed", text), text[-4000:]


def _race(*calls: Callable[[], Any]) -> list[str]:
    """Run the calls at once; each outcome is "ok" or the error code (and Reason)."""
    barrier = threading.Barrier(len(calls))
    out: list[str] = [""] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            call()
            out[i] = "ok"
        except ClientError as err:
            out[i] = " ".join(filter(None, [err.response["Error"]["Code"], err.response.get("Reason")]))

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _clients(pair: tuple[IamdServer, IamdServer]) -> tuple[Any, Any]:
    first, second = pair
    return first.client("organizations"), second.client("organizations")


def test_two_attach_policy_race_for_the_last_slot(pair: tuple[IamdServer, IamdServer]) -> None:
    a, b = _clients(pair)
    root_id = new_org(a, SCP)
    ids = [create(a, f"p{i}") for i in range(10)]
    for pid in ids[:8]:
        a.attach_policy(PolicyId=pid, TargetId=root_id)  # with FullAWSAccess: nine of ten
    for _ in range(ROUNDS):
        outcomes = _race(lambda: a.attach_policy(PolicyId=ids[8], TargetId=root_id),
                         lambda: b.attach_policy(PolicyId=ids[9], TargetId=root_id))
        assert sorted(outcomes) == ["ConstraintViolationException MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "ok"]
        now = attached(b, root_id)
        assert len(now) == 10
        winner = ids[8] if ids[8] in now else ids[9]
        a.detach_policy(PolicyId=winner, TargetId=root_id)


def test_two_detach_policy_race_for_the_last_scp(pair: tuple[IamdServer, IamdServer]) -> None:
    a, b = _clients(pair)
    root_id = new_org(a, SCP)
    pid = create(a, "other")
    for _ in range(ROUNDS):
        a.attach_policy(PolicyId=pid, TargetId=root_id)
        outcomes = _race(lambda: a.detach_policy(PolicyId=FULL, TargetId=root_id),
                         lambda: b.detach_policy(PolicyId=pid, TargetId=root_id))
        assert sorted(outcomes) == ["ConstraintViolationException MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "ok"]
        left = attached(b, root_id)
        assert len(left) == 1
        if left == {pid}:
            a.attach_policy(PolicyId=FULL, TargetId=root_id)
            a.detach_policy(PolicyId=pid, TargetId=root_id)


def test_delete_policy_races_attach_policy(pair: tuple[IamdServer, IamdServer]) -> None:
    a, b = _clients(pair)
    root_id = new_org(a, SCP)
    for n in range(ROUNDS):
        pid = create(a, f"contested{n}")
        outcomes = _race(lambda pid=pid: a.delete_policy(PolicyId=pid),
                         lambda pid=pid: b.attach_policy(PolicyId=pid, TargetId=root_id))
        assert outcomes in (["ok", "PolicyNotFoundException"], ["PolicyInUseException", "ok"]), outcomes
        if outcomes[1] == "ok":
            assert pid in attached(b, root_id)
            a.detach_policy(PolicyId=pid, TargetId=root_id)
            a.delete_policy(PolicyId=pid)
        else:
            assert pid not in attached(b, root_id)


def test_two_create_policy_race_for_one_name(pair: tuple[IamdServer, IamdServer]) -> None:
    a, b = _clients(pair)
    new_org(a, SCP)
    for n in range(ROUNDS):
        outcomes = _race(lambda n=n: create(a, f"same{n}"), lambda n=n: create(b, f"SAME{n}"))
        assert sorted(outcomes) == ["DuplicatePolicyException", "ok"]
    names = [p["Name"].lower() for p in a.list_policies(Filter=SCP)["Policies"]]
    assert len(names) == len(set(names)) == ROUNDS + 1
