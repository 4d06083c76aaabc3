"""The ``iamd`` command: ``serve`` runs the endpoint; ``account create`` adds an account."""

from __future__ import annotations

import argparse
import logging
import random
import sys
from typing import TYPE_CHECKING

from iamd.config import Settings, env_default, from_values

if TYPE_CHECKING:
    import uvicorn


def _add_store_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", default=env_default("data_dir"), help="data folder (env IAMD_DATA_DIR)")
    p.add_argument("--db", default=env_default("db"), help="database URL; default SQLite in the data folder (env IAMD_DB)")
    p.add_argument("--account-id", default=env_default("account_id"), help="first account's id (env IAMD_ACCOUNT_ID)")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="iamd", description="Self-hosted, AWS-compatible IAM and STS.")
    sub = root.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the IAM/STS endpoint")
    serve.add_argument("--host", default=env_default("host"), help="address to bind (env IAMD_HOST)")
    serve.add_argument("--port", type=int, default=int(env_default("port")), help="port (env IAMD_PORT)")
    _add_store_flags(serve)
    serve.add_argument(
        "--ephemeral",
        action="store_true",
        default=env_default_flag("ephemeral"),
        help="keep everything in a temporary store and enable the reset call (env IAMD_EPHEMERAL=1)",
    )
    serve.add_argument("--log-level", default=env_default("log_level"), help="env IAMD_LOG_LEVEL")
    serve.add_argument(
        "--audit-trail",
        choices=["on", "off"],
        default=env_default("audit_trail"),
        help="record every call as a CloudTrail event (env IAMD_AUDIT_TRAIL; default on)",
    )
    serve.add_argument(
        "--trail-retention-days",
        type=int,
        default=env_default("trail_retention_days") or None,
        help="prune audit events older than this many days, hourly (env IAMD_TRAIL_RETENTION_DAYS)",
    )
    serve.add_argument(
        "--trail-digest-interval",
        type=_positive_seconds,
        default=env_default("trail_digest_interval"),
        help="seconds between two signed digests of the trail, written even when idle "
        "(env IAMD_TRAIL_DIGEST_INTERVAL; default 60)",
    )
    serve.add_argument(
        "--trail-digest-dir",
        default=env_default("trail_digest_dir") or None,
        help="folder the digests are copied to, best on storage the database's users cannot write "
        "(env IAMD_TRAIL_DIGEST_DIR; default DATA_DIR/trail-digests)",
    )
    serve.add_argument(
        "--trail-digest-url",
        default=env_default("trail_digest_url") or None,
        help="also PUT each digest to URL/TRAILID/N.json (env IAMD_TRAIL_DIGEST_URL)",
    )
    serve.add_argument(
        "--trail-digest-syslog",
        default=env_default("trail_digest_syslog") or None,
        help="also send each digest to syslog at HOST:PORT (UDP) or a socket path (env IAMD_TRAIL_DIGEST_SYSLOG)",
    )
    serve.add_argument(
        "--lock-timeout",
        type=_positive_seconds,
        default=env_default("lock_timeout"),
        help="seconds a change waits for a concurrent change's lock before answering ServiceUnavailable "
        "(env IAMD_LOCK_TIMEOUT; default 10)",
    )
    serve.add_argument(
        "--trusted-proxies",
        default=env_default("trusted_proxies"),
        help="comma-separated proxy addresses whose X-Forwarded-For sets aws:SourceIp (env IAMD_TRUSTED_PROXIES)",
    )
    serve.add_argument(
        "--extra-regions",
        default=env_default("extra_regions"),
        help="comma-separated regions besides AWS's that a signature may be scoped to (env IAMD_EXTRA_REGIONS)",
    )
    serve.add_argument(
        "--oidc-ca-bundle",
        default=env_default("oidc_ca_bundle"),
        help="PEM file of CAs trusted for OIDC issuers' TLS instead of the system's (env IAMD_OIDC_CA_BUNDLE)",
    )
    serve.add_argument(
        "--oidc-jwks",
        default=env_default("oidc_jwks"),
        help="comma-separated ISSUER=FILE pairs: use FILE as ISSUER's JWKS, never fetch it (air-gapped installs; "
        "env IAMD_OIDC_JWKS)",
    )
    serve.add_argument(
        "--org-max-accounts",
        default=env_default("org_max_accounts"),
        help="accounts an organization may hold, open invitations included; AWS's default quota is 10 "
        "(env IAMD_ORG_MAX_ACCOUNTS)",
    )
    _add_limit_flags(serve)

    account = sub.add_parser("account", help="manage accounts")
    account_sub = account.add_subparsers(dest="account_command", required=True)
    create = account_sub.add_parser("create", help="add an account with its own root access key")
    _add_store_flags(create)
    create.add_argument("--new-account-id", help="12-digit id of the new account (default: random)")
    _add_audit(sub)
    _add_analyze(sub)
    sub.add_parser("data-path", help="print the folder of iamd's service models, for AWS_DATA_PATH")
    _add_trail(sub)
    _add_policy(sub)
    _add_keys(sub)
    _add_org(sub)
    return root


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"expected seconds between 0 and 3600, got {text!r}")
    return value


LIMIT_FLAGS = (
    ("worker_threads", int, "threads that run calls concurrently"),
    ("max_connections", int, "open connections; past it the longest-idle one is closed"),
    ("max_header_bytes", int, "largest request line and headers; larger is refused with 431"),
    ("header_timeout", float, "seconds a connection has to send a complete request head"),
    ("body_timeout", float, "seconds a request has to send its whole body"),
    ("keep_alive_timeout", int, "seconds an idle keep-alive connection stays open"),
    ("failed_call_events_rate", float, "failed/unauthenticated calls recorded per second per source address"),
    ("failed_call_events_burst", int, "burst of failed/unauthenticated calls recorded per source address"),
)


def _add_limit_flags(p: argparse.ArgumentParser) -> None:
    """Availability limits (docs/configuration.md), each also an ``IAMD_…`` environment variable."""
    for name, kind, text in LIMIT_FLAGS:
        env = f"IAMD_{name.upper()}"
        p.add_argument(f"--{name.replace('_', '-')}", type=kind, default=None,
                       help=f"{text} (env {env}; default {env_default(name)})")


def _add_trail(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.audit.trail_cli import add_parser

    add_parser(sub)


def _add_policy(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.analysis.policy_cli import add_parser

    add_parser(sub)


def _add_keys(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.services.keys_cli import add_parser

    add_parser(sub)


def _add_org(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.services.organizations.org_cli import add_parser

    add_parser(sub)


def _add_analyze(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.analysis.escalation_cli import add_parser

    add_parser(sub)


def _add_audit(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.analysis.audit import EPILOG

    audit = sub.add_parser(
        "audit",
        help="audit credentials (MFA, key age and use, root keys, password policy); exit 0 clean, 1 findings, 2 error",
        description="Audit an account's credentials from its credential report, against a running server "
        "(--endpoint-url, credentials from AWS_*) or directly against a data folder (--data-dir or --db).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    audit.add_argument("--endpoint-url", help="IAM endpoint (default: AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL)")
    audit.add_argument("--region", help="signing region (default: AWS_REGION / AWS_DEFAULT_REGION / us-east-1)")
    audit.add_argument("--data-dir", help="read this data folder's store read-only instead of calling a server")
    audit.add_argument("--db", help="database URL to read instead of the data folder's SQLite")
    audit.add_argument("--account-id", help="account to audit in the store (default: the first account)")
    audit.add_argument("--max-key-age", type=int, default=90, metavar="DAYS",
                       help="flag active access keys older than this (default 90)")
    audit.add_argument("--max-unused-days", type=int, default=90, metavar="DAYS",
                       help="flag active access keys unused for longer than this, or never used (default 90)")
    audit.add_argument("--json", action="store_true", help="machine-readable output")


def env_default_flag(name: str) -> bool:
    import os

    return os.environ.get(f"IAMD_{name.upper()}", "").lower() in ("1", "true", "yes")


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from iamd.api.app import create_app
    from iamd.server import banner, build_runtime
    from iamd.services.master_keys import KeyStateError, leave_key_servers

    try:
        settings = from_values(vars(args))
    except ValueError as err:
        print(f"iamd: {err}", file=sys.stderr)
        return 2
    from iamd.auth.oidc.jwks import load_registered

    try:
        load_registered(dict(settings.oidc_jwks))  # a bad file stops the start, not the first sign-in
    except (OSError, ValueError) as err:
        print(f"iamd: --oidc-jwks: {err}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        runtime, created = build_runtime(settings)
    except KeyStateError as err:  # a master-key rotation step is missing
        print(f"iamd: {err}", file=sys.stderr)
        return 2
    app = create_app(
        runtime,
        worker_threads=settings.worker_threads,
        body_timeout=settings.body_timeout,
        failed_call_events=(settings.failed_call_events_rate, settings.failed_call_events_burst),
    )
    print(banner(settings, runtime, created), flush=True)
    try:
        uvicorn.Server(uvicorn_config(app, settings)).run()
    finally:
        # Also when uvicorn could not bind: a server that never served must not count as running
        # with its keys (``services/master_keys``) and hold up a rotation step.
        leave_key_servers(runtime)
    return 0


def uvicorn_config(app: object, settings: Settings) -> uvicorn.Config:
    """uvicorn with iamd's connection limits (``api/connections.py``); no WebSocket upgrades."""
    import uvicorn

    from iamd.api.connections import ConnectionLimits, connection_cap, limited_protocol, raise_open_file_limit

    limits = connection_cap(
        ConnectionLimits(settings.max_header_bytes, settings.header_timeout, settings.max_connections),
        raise_open_file_limit(),
    )
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        lifespan="on",
        http=limited_protocol(limits),
        ws="none",
        timeout_keep_alive=settings.keep_alive_timeout,
    )


def account_create(args: argparse.Namespace) -> int:
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


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "account" and args.account_command == "create":
        return account_create(args)
    if args.command == "audit":
        from iamd.analysis.audit import run

        return run(
            endpoint_url=args.endpoint_url, data_dir=args.data_dir, db=args.db, account_id=args.account_id,
            region=args.region, max_key_age=args.max_key_age, max_unused_days=args.max_unused_days,
            as_json=args.json,
        )
    if args.command == "data-path":
        from iamd.data import models_path

        print(models_path())
        return 0
    if args.command == "analyze":
        from iamd.analysis.escalation_cli import run as run_analyze

        return run_analyze(args)
    if args.command == "keys":
        from iamd.services.keys_cli import run as run_keys

        return run_keys(args)
    if args.command == "trail":
        from iamd.audit.trail_cli import run as run_trail

        return run_trail(args)
    if args.command == "policy":
        from iamd.analysis.policy_cli import run as run_policy

        return run_policy(args)
    if args.command == "org":
        from iamd.services.organizations.org_cli import run as run_org

        return run_org(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
