"""An organization written straight into the store, for the read side's unit tests: a management
account at the root, a member under two OUs, one account outside any organization. Ids are
fresh per tree: the store is shared by the tests of a session."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, insert

from iamd.store import org_policies, orgs, schema

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FULL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
RCP_FULL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
)
SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"


def doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _account_id() -> str:
    return f"{secrets.randbelow(9 * 10**11) + 10**11:012d}"


@dataclass
class Tree:
    conn: Connection
    org: str = field(default_factory=lambda: "o-" + secrets.token_hex(5))
    mgmt: str = field(default_factory=_account_id)
    member: str = field(default_factory=_account_id)
    outsider: str = field(default_factory=_account_id)

    def __post_init__(self) -> None:
        tail = self.org[2:6]
        self.root = f"r-{tail}"
        self.ou_a = f"ou-{tail}-{secrets.token_hex(4)}"
        self.ou_b = f"ou-{tail}-{secrets.token_hex(4)}"

    def account(self, account_id: str) -> None:
        self.conn.execute(insert(schema.accounts).values(account_id=account_id, created_at=NOW, generation=0))

    def policy(self, policy_id: str, policy_type: str, content: str, *targets: str) -> None:
        org_policies.insert_policy(self.conn, self.org, policy_id, policy_type, policy_id, "", content, NOW)
        for target in targets:
            org_policies.attach(self.conn, self.org, policy_id, target, NOW)


def build(conn: Connection, *, types: tuple[str, ...] = (SCP, RCP)) -> Tree:
    tree = Tree(conn)
    for account in (tree.mgmt, tree.member, tree.outsider):
        tree.account(account)
    orgs.create_org(conn, tree.org, tree.root, tree.mgmt, "ALL", NOW)
    orgs.add_unit(conn, tree.org, tree.ou_a, tree.root, "A", 1, NOW)
    orgs.add_unit(conn, tree.org, tree.ou_b, tree.ou_a, "B", 2, NOW)
    orgs.add_member(conn, tree.org, tree.mgmt, tree.root, "mgmt", f"{tree.mgmt}@example.com", "CREATED", NOW)
    orgs.add_member(conn, tree.org, tree.member, tree.ou_b, "member", f"{tree.member}@example.com", "CREATED", NOW)
    for ptype in types:
        org_policies.enable_type(conn, tree.org, ptype)
    org_policies.insert_policy(conn, tree.org, "p-FullAWSAccess", SCP, "FullAWSAccess", "", FULL, NOW, aws_managed=True)
    org_policies.insert_policy(
        conn, tree.org, "p-RCPFullAWSAccess", RCP, "RCPFullAWSAccess", "", RCP_FULL, NOW, aws_managed=True
    )
    for target in (tree.root, tree.ou_a, tree.ou_b, tree.mgmt, tree.member):
        org_policies.attach(conn, tree.org, "p-FullAWSAccess", target, NOW)
        org_policies.attach(conn, tree.org, "p-RCPFullAWSAccess", target, NOW)
    return tree
