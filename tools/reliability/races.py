"""Concurrency races against two ``iamd serve`` processes on one store.

Each race releases its callers together (a barrier), alternating between the two processes, and
then reads back what the store holds:

- ``access keys``: 8 CreateAccessKey for one user; the quota is 2 keys per user;
- ``group policies``: 14 AttachGroupPolicy of distinct policies to one group; the quota is 10;
- ``same-name user``: 8 CreateUser of one name; exactly one may succeed, the rest
  ``EntityAlreadyExists``;
- ``tags``: 8 TagUser of distinct keys on one user; all must be there afterwards;
- ``distinct users``: 16 CreateUser of distinct names; all must be listed afterwards.

A *quota violation* is more successes (or more stored) than the limit allows; a *write lost* is
a success whose effect is not stored (or a stored item no success accounts for); a 5xx or an
unexpected error code is counted apart.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from iamd.testing import IamdServer

from .servers import client

ALLOW_NOTHING = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "none:none", "Resource": "*"}]})
Outcome = tuple[str, Any]  # ("ok", result) or (error code, HTTP status)


@dataclass
class RaceResult:
    backend: str
    rounds: int = 0
    violations: int = 0
    lost: int = 0
    five_xx: int = 0
    unexpected: Counter[str] = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.violations or self.lost or self.five_xx or self.unexpected)

    def summary(self) -> str:
        odd = ", ".join(f"{k} {v}" for k, v in self.unexpected.items()) or "none"
        return (f"races ({self.backend}, 2 processes): races {self.rounds}; quota violations {self.violations}; "
                f"writes lost {self.lost}; 5xx {self.five_xx}; unexpected errors {odd}")


def together(calls: list[Callable[[], Any]]) -> list[Outcome]:
    """Run the calls at once, one thread each; each outcome is ("ok", value) or (code, status)."""
    barrier = threading.Barrier(len(calls))
    out: list[Outcome] = [("not run", None)] * len(calls)

    def one(i: int) -> None:
        barrier.wait()
        try:
            out[i] = ("ok", calls[i]())
        except ClientError as err:
            out[i] = (err.response["Error"].get("Code", "?"), err.response["ResponseMetadata"].get("HTTPStatusCode"))
        except Exception as err:  # noqa: BLE001 - a transport failure is a finding too
            out[i] = (type(err).__name__, None)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


class Races:
    def __init__(self, pair: tuple[IamdServer, IamdServer], backend: str) -> None:
        self.pair = pair
        self.result = RaceResult(backend)
        # One client per caller: boto3 clients are not meant to be shared across threads at once.
        self.clients = [client(pair[i % 2]) for i in range(16)]
        self.admin = client(pair[0])

    def _detail(self, text: str) -> None:
        self.result.details.append(f"  {self.result.backend}: {text}")

    def _tally(self, name: str, outcomes: list[Outcome], allowed: set[str]) -> int:
        self.result.rounds += 1
        successes = 0
        for code, value in outcomes:
            if code == "ok":
                successes += 1
            elif isinstance(value, int) and value >= 500:
                self.result.five_xx += 1
                self._detail(f"{name}: HTTP {value} {code}")
            elif code not in allowed:
                self.result.unexpected[code] += 1
                self._detail(f"{name}: unexpected {code} (HTTP {value})")
        return successes

    def _check(self, name: str, successes: int, stored: int, limit: int | None) -> None:
        if limit is not None and (successes > limit or stored > limit):
            self.result.violations += 1
            self._detail(f"{name}: {successes} succeeded, {stored} stored, limit {limit}")
        if successes != stored:
            self.result.lost += abs(successes - stored)
            self._detail(f"{name}: {successes} succeeded but {stored} stored")

    def access_keys(self, r: int) -> None:
        user = f"race-keys-{r}"
        self.admin.create_user(UserName=user)
        outcomes = together([lambda c=c: c.create_access_key(UserName=user) for c in self.clients[:8]])
        ok = self._tally("access keys", outcomes, {"LimitExceeded"})
        stored = len(self.admin.list_access_keys(UserName=user)["AccessKeyMetadata"])
        self._check(f"access keys (round {r})", ok, stored, 2)

    def group_policies(self, r: int) -> None:
        group = f"race-group-{r}"
        self.admin.create_group(GroupName=group)
        arns = [self.admin.create_policy(PolicyName=f"race-{r}-{i}", PolicyDocument=ALLOW_NOTHING)["Policy"]["Arn"]
                for i in range(14)]
        outcomes = together([lambda c=c, a=a: c.attach_group_policy(GroupName=group, PolicyArn=a)
                             for c, a in zip(self.clients, arns, strict=False)])
        ok = self._tally("group policies", outcomes, {"LimitExceeded"})
        stored = len(self.admin.list_attached_group_policies(GroupName=group)["AttachedPolicies"])
        self._check(f"group policies (round {r})", ok, stored, 10)

    def same_name(self, r: int) -> None:
        name = f"race-same-{r}"
        outcomes = together([lambda c=c: c.create_user(UserName=name) for c in self.clients[:8]])
        ok = self._tally("same-name user", outcomes, {"EntityAlreadyExists"})
        stored = sum(1 for u in self._users() if u == name)
        self._check(f"same-name user (round {r})", ok, stored, 1)

    def tags(self, r: int) -> None:
        user = f"race-tags-{r}"
        self.admin.create_user(UserName=user)
        outcomes = together([lambda c=c, i=i: c.tag_user(UserName=user, Tags=[{"Key": f"k{i}", "Value": "v"}])
                             for i, c in enumerate(self.clients[:8])])
        ok = self._tally("tags", outcomes, set())
        stored = len(self.admin.list_user_tags(UserName=user)["Tags"])
        self._check(f"tags (round {r})", ok, stored, None)

    def distinct_users(self, r: int) -> None:
        names = [f"race-d{r}-{i}" for i in range(16)]
        outcomes = together([lambda c=c, n=n: c.create_user(UserName=n) for c, n in zip(self.clients, names, strict=True)])
        ok = self._tally("distinct users", outcomes, set())
        stored = len(set(names) & set(self._users()))
        self._check(f"distinct users (round {r})", ok, stored, None)

    def _users(self) -> list[str]:
        pages = self.admin.get_paginator("list_users").paginate(PathPrefix="/")
        return [u["UserName"] for page in pages for u in page["Users"]]


def run(pair: tuple[IamdServer, IamdServer], backend: str, rounds: int = 3) -> RaceResult:
    races = Races(pair, backend)
    for r in range(rounds):
        for race in (races.access_keys, races.group_policies, races.same_name, races.tags, races.distinct_users):
            try:
                race(r)
            except ClientError as err:  # the setup or read-back call failed: a finding, not a crash
                code = err.response["Error"].get("Code", "?")
                races.result.unexpected[f"{code} (setup/read-back)"] += 1
                races._detail(f"{race.__name__} round {r}: setup/read-back failed: {err}")
    return races.result
