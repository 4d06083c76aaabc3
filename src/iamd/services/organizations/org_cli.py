"""``iamd org show``: an organization's tree — root, OUs, accounts, and the policies attached at
each level — printed as a tree, or as JSON with ``--json``; above it, when set, the services with
trusted access, the delegated administrators and the centralized root access features.

It reads the store directly, like ``iamd trail``: no server needs to run (one may), no master key
is needed (nothing secret is read), and nothing is written. The order is deterministic so the
output can be diffed and tested: at each level, organizational units by name, then accounts by
name and id; policies by type (SCPs, then RCPs, then the others), then name.

Exit codes: 0 shown, 1 no organization matched, 2 usage or environment error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from iamd.config import env_default
from iamd.store import org_root_access
from iamd.store import org_schema as o

# Short labels of the policy types in the tree view; they come first, in this order.
TYPE_LABELS = {"SERVICE_CONTROL_POLICY": "SCP", "RESOURCE_CONTROL_POLICY": "RCP"}
_TYPE_ORDER = list(TYPE_LABELS)


def add_parser(sub: Any) -> None:
    org = sub.add_parser("org", help="AWS Organizations: show an organization's tree")
    org_sub = org.add_subparsers(dest="org_command", required=True)
    show = org_sub.add_parser("show", help="print the tree: root, OUs, accounts and attached policies")
    show.add_argument("--data-dir", default=env_default("data_dir"), help="data folder (env IAMD_DATA_DIR)")
    show.add_argument("--db", default=env_default("db"), help="database URL (env IAMD_DB)")
    show.add_argument(
        "--account", metavar="ID", help="the organization of this account (default: every organization)"
    )
    show.add_argument("--json", action="store_true", help="print JSON instead of a tree")


def run(args: argparse.Namespace) -> int:
    from iamd.store.engine import Store, sqlite_url

    if not args.db and not (Path(args.data_dir) / "iamd.db").exists():
        print(f"iamd org: no store at {Path(args.data_dir) / 'iamd.db'}", file=sys.stderr)
        return 2
    store = Store(args.db or sqlite_url(Path(args.data_dir) / "iamd.db"))
    try:
        store.migrate()
        with store.begin() as conn:
            trees = organizations(conn, args.account)
    finally:
        store.close()
    if not trees:
        which = f" for account {args.account}" if args.account else ""
        print(f"iamd org: no organization{which}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"Organizations": trees}, indent=2))
    else:
        print("\n\n".join(render(tree) for tree in trees))
    return 0


# --- reading -------------------------------------------------------------------------------


def organizations(conn: Connection, account_id: str | None = None) -> list[dict[str, Any]]:
    """Every organization (or the one ``account_id`` belongs to) as a nested dict."""
    q = select(o.organizations).order_by(o.organizations.c.org_id)
    if account_id is not None:
        owner = select(o.org_accounts.c.org_id).where(o.org_accounts.c.account_id == account_id)
        q = q.where(
            (o.organizations.c.management_account_id == account_id) | o.organizations.c.org_id.in_(owner)
        )
    return [_tree(conn, org) for org in conn.execute(q)]


def _tree(conn: Connection, org: Any) -> dict[str, Any]:
    units = conn.execute(select(o.org_units).where(o.org_units.c.org_id == org.org_id)).all()
    accounts = conn.execute(select(o.org_accounts).where(o.org_accounts.c.org_id == org.org_id)).all()
    policies = {
        p.policy_id: p for p in conn.execute(select(o.org_policies).where(o.org_policies.c.org_id == org.org_id))
    }
    attached: dict[str, list[dict[str, str]]] = defaultdict(list)
    rows = conn.execute(select(o.org_policy_attachments).where(o.org_policy_attachments.c.org_id == org.org_id))
    for a in rows:
        p = policies.get(a.policy_id)
        if p is not None:
            attached[a.target_id].append({"Id": p.policy_id, "Name": p.name, "Type": p.policy_type})
    for found in attached.values():
        found.sort(key=_policy_order)
    child_units: dict[str | None, list[Any]] = defaultdict(list)
    for unit in units:
        child_units[unit.parent_id].append(unit)
    child_accounts: dict[str, list[Any]] = defaultdict(list)
    for account in accounts:
        child_accounts[account.parent_id].append(account)

    def node(unit: Any) -> dict[str, Any]:
        kids = sorted(child_units.get(unit.unit_id, []), key=lambda u: (u.name_lower, u.unit_id))
        members = sorted(child_accounts.get(unit.unit_id, []), key=lambda a: (a.name.lower(), a.account_id))
        return {
            "Id": unit.unit_id,
            "Name": unit.name,
            "Policies": attached.get(unit.unit_id, []),
            "OrganizationalUnits": [node(k) for k in kids],
            "Accounts": [
                {
                    "Id": a.account_id,
                    "Name": a.name,
                    "Email": a.email,
                    "Status": a.status,
                    "Management": a.account_id == org.management_account_id,
                    "Policies": attached.get(a.account_id, []),
                }
                for a in members
            ],
        }

    roots = child_units.get(None, [])
    access = o.org_service_access
    admins = o.org_delegated_admins
    return {
        "Id": org.org_id,
        "ManagementAccountId": org.management_account_id,
        "FeatureSet": org.feature_set,
        "TrustedServices": sorted(
            conn.execute(select(access.c.service_principal).where(access.c.org_id == org.org_id)).scalars()
        ),
        "DelegatedAdministrators": [
            {"AccountId": a.account_id, "ServicePrincipal": a.service_principal}
            for a in conn.execute(
                select(admins.c.account_id, admins.c.service_principal)
                .where(admins.c.org_id == org.org_id)
                .order_by(admins.c.service_principal, admins.c.account_id)
            )
        ],
        "RootAccessFeatures": org_root_access.features(conn, org.org_id),
        "Root": node(roots[0]) if roots else None,
    }


def _policy_order(p: dict[str, str]) -> tuple[int, str, str, str]:
    rank = _TYPE_ORDER.index(p["Type"]) if p["Type"] in _TYPE_ORDER else len(_TYPE_ORDER)
    return rank, p["Type"], p["Name"].lower(), p["Id"]


# --- rendering -----------------------------------------------------------------------------


def _policies(policies: list[dict[str, str]]) -> str:
    by_type: dict[str, list[str]] = defaultdict(list)
    for p in policies:
        by_type[TYPE_LABELS.get(p["Type"], p["Type"])].append(p["Name"])
    return "".join(f"  [{label}: {', '.join(names)}]" for label, names in by_type.items())


def render(tree: dict[str, Any]) -> str:
    """The tree drawn with box-drawing characters, one line per root, OU and account."""
    lines = [
        f"Organization {tree['Id']}  (management account {tree['ManagementAccountId']}, "
        f"feature set {tree['FeatureSet']})"
    ]
    if tree["TrustedServices"]:
        lines.append(f"Trusted access: {', '.join(tree['TrustedServices'])}")
    if tree["DelegatedAdministrators"]:
        admins = [f"{a['AccountId']} ({a['ServicePrincipal']})" for a in tree["DelegatedAdministrators"]]
        lines.append(f"Delegated administrators: {', '.join(admins)}")
    if tree["RootAccessFeatures"]:
        lines.append(f"Centralized root access: {', '.join(tree['RootAccessFeatures'])}")
    root = tree["Root"]
    if root is None:
        return "\n".join(lines)
    lines.append(f"Root {root['Id']}{_policies(root['Policies'])}")
    _children(root, "", lines)
    return "\n".join(lines)


def _children(unit: dict[str, Any], prefix: str, lines: list[str]) -> None:
    items: list[tuple[str, dict[str, Any]]] = [("ou", u) for u in unit["OrganizationalUnits"]]
    items += [("account", a) for a in unit["Accounts"]]
    for i, (kind, item) in enumerate(items):
        last = i == len(items) - 1
        branch, indent = ("└── ", "    ") if last else ("├── ", "│   ")
        if kind == "ou":
            lines.append(f"{prefix}{branch}OU {item['Name']} ({item['Id']}){_policies(item['Policies'])}")
            _children(item, prefix + indent, lines)
        else:
            management = "  (management account)" if item["Management"] else ""
            lines.append(
                f"{prefix}{branch}{item['Id']}  {item['Name']}  {item['Status']}{management}"
                f"{_policies(item['Policies'])}"
            )
