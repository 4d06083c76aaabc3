"""External-access findings of trust policies (analysis/external_access.py): who outside the zone
of trust the engine lets in, under which conditions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.analysis.external_access import Zone, role_access

ME, SIBLING, OUTSIDER = "111111111111", "222222222222", "333333333333"
ORG = "o-exampleorg1"
ROLE = f"arn:aws:iam::{ME}:role/r"
ACCOUNT_ZONE = Zone(ME, ORG, frozenset({ME, SIBLING}))
ORG_ZONE = Zone(ME, ORG, frozenset({ME, SIBLING}), organization=True)
LONE_ZONE = Zone(ME)


def trust(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: Any, action: Any = "sts:AssumeRole", **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return statement


def org_of(account: str) -> str | None:
    return ORG if account in (ME, SIBLING) else None


def found(document: str, zone: Zone) -> list[tuple[dict[str, str], tuple[str, ...], dict[str, str], bool]]:
    return [(a.principal, a.actions, a.condition, a.is_public) for a in role_access(document, ROLE, ME, zone, org_of)]


CASES = [
    ("outside account", trust(allow({"AWS": OUTSIDER})), ACCOUNT_ZONE,
     [({"AWS": OUTSIDER}, ("sts:AssumeRole",), {}, False)]),
    ("outside account by root ARN", trust(allow({"AWS": f"arn:aws:iam::{OUTSIDER}:root"})), ORG_ZONE,
     [({"AWS": f"arn:aws:iam::{OUTSIDER}:root"}, ("sts:AssumeRole",), {}, False)]),
    ("own account", trust(allow({"AWS": ME})), ACCOUNT_ZONE, []),
    ("sibling: outside the account", trust(allow({"AWS": SIBLING})), ACCOUNT_ZONE,
     [({"AWS": SIBLING}, ("sts:AssumeRole",), {}, False)]),
    ("sibling: inside the organization", trust(allow({"AWS": SIBLING})), ORG_ZONE, []),
    ("public", trust(allow({"AWS": "*"})), LONE_ZONE, [({"AWS": "*"}, ("sts:AssumeRole",), {}, True)]),
    ("bare star", trust(allow("*")), LONE_ZONE, [({"AWS": "*"}, ("sts:AssumeRole",), {}, True)]),
    ("org id: organization zone", trust(allow({"AWS": "*"}, StringEquals={"aws:PrincipalOrgID": ORG})), ORG_ZONE, []),
    ("org id: account zone", trust(allow({"AWS": "*"}, StringEquals={"aws:PrincipalOrgID": ORG})), ACCOUNT_ZONE,
     [({"AWS": "*"}, ("sts:AssumeRole",), {"aws:PrincipalOrgID": ORG}, False)]),
    ("another organization's id", trust(allow({"AWS": "*"}, StringEquals={"aws:PrincipalOrgID": "o-other"})),
     ORG_ZONE, []),
    ("principal account in the zone", trust(allow({"AWS": "*"}, StringEquals={"aws:PrincipalAccount": ME})),
     ACCOUNT_ZONE, []),
    ("external id", trust(allow({"AWS": OUTSIDER}, StringEquals={"sts:ExternalId": "x1"})), ACCOUNT_ZONE,
     [({"AWS": OUTSIDER}, ("sts:AssumeRole",), {"sts:ExternalId": "x1"}, False)]),
    ("service", trust(allow({"Service": "ec2.amazonaws.com"})), LONE_ZONE, []),
    ("federated", trust(allow({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity")), ORG_ZONE,
     [({"Federated": "accounts.google.com"}, ("sts:AssumeRoleWithWebIdentity",), {}, False)]),
    ("explicit deny wins", trust(allow({"AWS": OUTSIDER}),
                                 {"Effect": "Deny", "Principal": {"AWS": OUTSIDER}, "Action": "sts:AssumeRole"}),
     ACCOUNT_ZONE, []),
    ("deny unless external id", trust(allow({"AWS": OUTSIDER}, ["sts:AssumeRole", "sts:TagSession"]),
                                      {"Effect": "Deny", "Principal": "*", "Action": "sts:TagSession"}),
     ACCOUNT_ZONE, [({"AWS": OUTSIDER}, ("sts:AssumeRole",), {}, False)]),
    ("role ARN", trust(allow({"AWS": f"arn:aws:iam::{OUTSIDER}:role/ci"})), ACCOUNT_ZONE,
     [({"AWS": f"arn:aws:iam::{OUTSIDER}:role/ci"}, ("sts:AssumeRole",), {}, False)]),
    ("wildcard actions", trust(allow({"AWS": OUTSIDER}, "sts:Tag*")), ACCOUNT_ZONE,
     [({"AWS": OUTSIDER}, ("sts:TagSession",), {}, False)]),
]


@pytest.mark.parametrize(("document", "zone", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_findings(document: str, zone: Zone, expected: list[Any]) -> None:
    assert found(document, zone) == expected


def test_an_unparseable_stored_document_grants_nothing() -> None:
    assert role_access("{not json", ROLE, ME, ACCOUNT_ZONE, org_of) == []
