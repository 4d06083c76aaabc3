"""``iamd account create | list``: the accounts of a data folder (or database), outside the API.

Accounts are not an AWS API of their own (Organizations' ``CreateAccount`` makes member accounts
through the API); these commands are the operator's: ``create`` adds a stand-alone account with
its own root access key, printed once; ``list`` shows every account the store holds, read-only,
so it runs beside a live server and needs no credentials and no master key (nothing it prints is
sealed).

Exit codes: 0 done, 2 usage or environment error.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from typing import Any

from iamd.config import env_default, from_values


def add_parser(sub: Any) -> None:
    account = sub.add_parser("account", help="manage accounts: create, list")
    account_sub = account.add_subparsers(dest="account_command", required=True)
    create = account_sub.add_parser("create", help="add an account with its own root access key")
    _add_store_flags(create)
    create.add_argument("--account-id", default=env_default("account_id"), help="first account's id, "
                        "when the store is new (env IAMD_ACCOUNT_ID)")
    create.add_argument("--new-account-id", help="12-digit id of the new account (default: random)")
    listing = account_sub.add_parser("list", help="list the store's accounts (read-only; a server may be running)")
    _add_store_flags(listing)
    listing.add_argument("--json", action="store_true", help="machine-readable output")


def _add_store_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", default=env_default("data_dir"), help="data folder (env IAMD_DATA_DIR)")
    p.add_argument("--db", default=env_default("db"), help="database URL; default SQLite in the data folder (env IAMD_DB)")


def run(args: argparse.Namespace) -> int:
    if args.account_command == "create":
        return create(args)
    return list_accounts(args)


def create(args: argparse.Namespace) -> int:
    from iamd.server import build_runtime
    from iamd.services.accounts import AccountError, create_account
    from iamd.services.master_keys import KeyStateError
    from iamd.services.runtime import utcnow
    from iamd.store.errors import AlreadyExists

    vals = vars(args) | {"host": "127.0.0.1", "port": 0}
    try:
        runtime, _ = build_runtime(from_values(vals), serving=False)
    except KeyStateError as err:
        print(f"iamd: {err}", file=sys.stderr)
        return 2
    account_id = args.new_account_id or f"{random.SystemRandom().randrange(10**11, 10**12):012d}"
    try:
        with runtime.store.begin() as conn:
            creds = create_account(conn, runtime.secretbox, account_id, utcnow())
    except AccountError as err:
        print(f"iamd: {err}", file=sys.stderr)
        return 2
    except AlreadyExists:  # another process created the same account id meanwhile
        print(f"iamd: account {account_id} already exists", file=sys.stderr)
        return 2
    print(f"account: {creds.account_id}")
    print(f"AWS_ACCESS_KEY_ID={creds.access_key_id}")
    print(f"AWS_SECRET_ACCESS_KEY={creds.secret_access_key}")
    return 0


def list_accounts(args: argparse.Namespace, out: Any = None) -> int:
    """Every account: id, alias, whether it is the first (default) account, when it was made, and
    its organization and status there (``ACTIVE``, ``SUSPENDED`` once closed)."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from iamd.analysis.audit import AuditError, store_url
    from iamd.store import org_schema, schema
    from iamd.store.engine import Store

    out = out or sys.stdout
    try:
        store = Store(store_url(args.data_dir, args.db))
    except AuditError as err:  # no database in the data folder: the server never ran there
        print(f"iamd account list: {err}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, ImportError) as err:
        print(f"iamd account list: cannot open the store: {err}", file=sys.stderr)
        return 2
    a, m, o = schema.accounts, org_schema.org_accounts, org_schema.organizations
    query = (
        select(a.c.account_id, a.c.alias, a.c.is_default, a.c.created_at,
               m.c.org_id, m.c.status, o.c.org_id.label("managed_org"))
        .select_from(a.outerjoin(m, m.c.account_id == a.c.account_id)
                     .outerjoin(o, o.c.management_account_id == a.c.account_id))
        .order_by(a.c.created_at, a.c.account_id)
    )
    try:
        with store.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
            conn.rollback()
    except SQLAlchemyError as err:
        print(f"iamd account list: cannot read the store: {err}", file=sys.stderr)
        return 2
    finally:
        store.close()
    accounts = [_account(r) for r in rows]
    if args.json:
        out.write(json.dumps({"Accounts": accounts}, indent=2) + "\n")
        return 0
    table = [("ACCOUNT", "ALIAS", "DEFAULT", "CREATED", "ORGANIZATION", "STATUS")]
    table += [(x["AccountId"], x["Alias"] or "-", "yes" if x["Default"] else "", x["Created"],
               x["OrganizationId"] or "-", x["Status"]) for x in accounts]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n")
    return 0


def _account(row: dict[str, Any]) -> dict[str, Any]:
    org = row["org_id"] or row["managed_org"]
    return {
        "AccountId": row["account_id"],
        "Alias": row["alias"],
        "Default": bool(row["is_default"]),
        "Created": row["created_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "OrganizationId": org,
        "Status": row["status"] or "ACTIVE",
    }
