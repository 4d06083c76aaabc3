"""Builders shared by the evaluation tests (imported by module name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import json

from iamd.policy import PolicySet, PolicyType, PrincipalType, RequestPrincipal, parse_policy

A = "111111111111"
# Unique ids as a stored policy names them (cases/evaluation.yaml uses these literals).
ALICE_ID = "AIDAALICE000000000000"
APP_ROLE_ID = "AROAAPP00000000000000"
PRINCIPALS = {
    "alice": RequestPrincipal(f"arn:aws:iam::{A}:user/alice", A, PrincipalType.USER, id=ALICE_ID),
    "sess": RequestPrincipal(
        f"arn:aws:sts::{A}:assumed-role/app/s1", A, PrincipalType.ROLE_SESSION, f"arn:aws:iam::{A}:role/app",
        source_id=APP_ROLE_ID,
    ),
    "fed": RequestPrincipal(
        f"arn:aws:sts::{A}:federated-user/f", A, PrincipalType.FEDERATED_USER, f"arn:aws:iam::{A}:user/alice",
        source_id=ALICE_ID,
    ),
    "root": RequestPrincipal(f"arn:aws:iam::{A}:root", A, PrincipalType.ROOT),
    "anon": RequestPrincipal("*", "", PrincipalType.ANONYMOUS),
    "svc": RequestPrincipal("ec2.amazonaws.com", "", PrincipalType.SERVICE),
}


def policy(statements, policy_type: PolicyType, policy_id: str = ""):
    text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
    return parse_policy(text, policy_type, policy_id)


def policy_set(case: dict) -> PolicySet:
    def one(key, ptype):
        if key not in case:
            return None
        return [policy(case[key], ptype, key)] if case[key] else []

    scps = [[policy(level, PolicyType.SCP, f"scp{i}")] for i, level in enumerate(case.get("scps", []))]
    return PolicySet(
        identity=one("identity", PolicyType.IDENTITY) or (),
        boundary=one("boundary", PolicyType.BOUNDARY),
        scps=scps,
        session=one("session", PolicyType.SESSION),
    )
