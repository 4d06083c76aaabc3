"""``iamd org show``'s reading and drawing of a tree: two OU levels, accounts, attached policies.

The rows are written straight into the Organizations tables, so this pins the CLI's order and
drawing whatever the API builds; the functional test drives the same command on a tree made
through the API.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime
from typing import Any

from iamd.services.accounts import create_account
from iamd.services.organizations.org_cli import organizations, render
from iamd.services.runtime import Runtime
from iamd.store import org_schema as o


def _account(runtime: Runtime) -> str:
    account_id = f"{random.randrange(10**11, 10**12):012d}"
    with runtime.store.begin() as conn:
        create_account(conn, runtime.secretbox, account_id, datetime.now(UTC))
    return account_id


def _build(runtime: Runtime) -> dict[str, Any]:
    mgmt, web, db, lone = (_account(runtime) for _ in range(4))
    org_id, root = "o-" + secrets.token_hex(5), "r-" + secrets.token_hex(2)
    prod, apps, sandbox = (f"ou-{root[2:]}-{secrets.token_hex(4)}" for _ in range(3))
    now = datetime.now(UTC)
    with runtime.store.begin() as conn:
        conn.execute(o.organizations.insert().values(
            org_id=org_id, management_account_id=mgmt, root_id=root, feature_set="ALL", created_at=now
        ))  # fmt: skip
        for unit, parent, name, depth in [
            (root, None, "Root", 0), (prod, root, "Prod", 1), (sandbox, root, "Sandbox", 1), (apps, prod, "Apps", 2)
        ]:
            conn.execute(o.org_units.insert().values(
                unit_id=unit, org_id=org_id, parent_id=parent, name=name, name_lower=name.lower(), depth=depth,
                created_at=now,
            ))  # fmt: skip
        for account, parent, name in [(mgmt, root, "management"), (web, apps, "web"), (db, apps, "db"), (lone, prod, "lone")]:
            conn.execute(o.org_accounts.insert().values(
                account_id=account, org_id=org_id, parent_id=parent, name=name, email=f"{name}@{org_id}.example",
                email_lower=f"{name}@{org_id}.example", status="ACTIVE", joined_method="CREATED", joined_at=now,
            ))  # fmt: skip
        for pid, ptype, name in [
            ("p-FullAWSAccess", "SERVICE_CONTROL_POLICY", "FullAWSAccess"),
            ("p-RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY", "RCPFullAWSAccess"),
            ("p-denyiam0", "SERVICE_CONTROL_POLICY", "DenyIAM"),
            ("p-region00", "SERVICE_CONTROL_POLICY", "RegionLock"),
        ]:
            conn.execute(o.org_policies.insert().values(
                org_id=org_id, policy_id=pid, policy_type=ptype, name=name, name_lower=name.lower(), description="",
                content="{}", aws_managed=pid.startswith("p-F") or pid.startswith("p-R"), created_at=now,
            ))  # fmt: skip
        for pid, target in [
            ("p-FullAWSAccess", root), ("p-RCPFullAWSAccess", root), ("p-denyiam0", prod), ("p-region00", apps),
            ("p-denyiam0", web),
        ]:
            conn.execute(o.org_policy_attachments.insert().values(
                org_id=org_id, policy_id=pid, target_id=target, attached_at=now
            ))  # fmt: skip
    return {"org": org_id, "root": root, "prod": prod, "apps": apps, "sandbox": sandbox,
            "mgmt": mgmt, "web": web, "db": db, "lone": lone}  # fmt: skip


def test_tree_is_drawn_in_a_fixed_order(runtime):
    ids = _build(runtime)
    with runtime.store.begin() as conn:
        trees = organizations(conn, ids["web"])
    assert len(trees) == 1
    assert render(trees[0]).splitlines() == [
        f"Organization {ids['org']}  (management account {ids['mgmt']}, feature set ALL)",
        f"Root {ids['root']}  [SCP: FullAWSAccess]  [RCP: RCPFullAWSAccess]",
        f"├── OU Prod ({ids['prod']})  [SCP: DenyIAM]",
        f"│   ├── OU Apps ({ids['apps']})  [SCP: RegionLock]",
        f"│   │   ├── {ids['db']}  db  ACTIVE",
        f"│   │   └── {ids['web']}  web  ACTIVE  [SCP: DenyIAM]",
        f"│   └── {ids['lone']}  lone  ACTIVE",
        f"├── OU Sandbox ({ids['sandbox']})",
        f"└── {ids['mgmt']}  management  ACTIVE  (management account)",
    ]


def test_json_nests_units_and_accounts(runtime):
    ids = _build(runtime)
    with runtime.store.begin() as conn:
        (tree,) = organizations(conn, ids["mgmt"])
        assert organizations(conn, "000000000001") == []
    root = tree["Root"]
    assert [u["Name"] for u in root["OrganizationalUnits"]] == ["Prod", "Sandbox"]
    apps = root["OrganizationalUnits"][0]["OrganizationalUnits"][0]
    assert [a["Id"] for a in apps["Accounts"]] == [ids["db"], ids["web"]]
    assert apps["Accounts"][1]["Policies"] == [{"Id": "p-denyiam0", "Name": "DenyIAM", "Type": "SERVICE_CONTROL_POLICY"}]
    assert root["Accounts"][0]["Management"] is True


def test_trusted_access_delegates_and_root_access_features_head_the_tree(runtime):
    ids = _build(runtime)
    now = datetime.now(UTC)
    with runtime.store.begin() as conn:
        for service in ("iam.amazonaws.com", "access-analyzer.amazonaws.com"):
            conn.execute(o.org_service_access.insert().values(org_id=ids["org"], service_principal=service, enabled_at=now))
        conn.execute(o.org_delegated_admins.insert().values(
            org_id=ids["org"], account_id=ids["lone"], service_principal="iam.amazonaws.com", enabled_at=now
        ))  # fmt: skip
        for feature in ("RootSessions", "RootCredentialsManagement"):
            conn.execute(o.org_iam_features.insert().values(org_id=ids["org"], feature=feature, enabled_at=now))
        (tree,) = organizations(conn, ids["mgmt"])
    assert render(tree).splitlines()[1:5] == [
        "Trusted access: access-analyzer.amazonaws.com, iam.amazonaws.com",
        f"Delegated administrators: {ids['lone']} (iam.amazonaws.com)",
        "Centralized root access: RootCredentialsManagement, RootSessions",
        f"Root {ids['root']}  [SCP: FullAWSAccess]  [RCP: RCPFullAWSAccess]",
    ]
    assert tree["RootAccessFeatures"] == ["RootCredentialsManagement", "RootSessions"]
