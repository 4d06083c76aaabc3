"""The ``iamd`` command: ``serve`` runs the endpoint; ``account create`` adds an account."""

from __future__ import annotations

import argparse
import logging
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
    root.add_argument("--version", action="version", version=f"iamd {version()}")
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
        "--trail-dir",
        default=env_default("trail_dir") or None,
        help="folder CloudTrail trails deliver log and digest files into, a trail's S3BucketName "
        "being a sub-folder (env IAMD_TRAIL_DIR; default DATA_DIR/trail-logs)",
    )
    serve.add_argument(
        "--trail-s3-endpoint",
        default=env_default("trail_s3_endpoint") or None,
        help="deliver trails' files to this S3-compatible endpoint instead (env IAMD_TRAIL_S3_ENDPOINT; "
        "credentials IAMD_TRAIL_S3_ACCESS_KEY_ID/IAMD_TRAIL_S3_SECRET_ACCESS_KEY; needs boto3)",
    )
    serve.add_argument(
        "--trail-delivery-interval",
        type=_positive_seconds,
        default=env_default("trail_delivery_interval"),
        help="seconds between two deliveries of trails' log files (env IAMD_TRAIL_DELIVERY_INTERVAL; default 30)",
    )
    serve.add_argument(
        "--trail-digest-period",
        type=_positive_seconds,
        default=env_default("trail_digest_period"),
        help="seconds covered by one digest file of a trail with log file validation "
        "(env IAMD_TRAIL_DIGEST_PERIOD; default 3600, as AWS)",
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
        help="comma-separated proxy addresses whose X-Forwarded-For sets aws:SourceIp and whose "
        "X-Forwarded-Proto sets aws:SecureTransport (env IAMD_TRUSTED_PROXIES)",
    )
    serve.add_argument("--tls-cert", default=env_default("tls_cert"),
                       help="PEM certificate (chain) to serve HTTPS with; needs --tls-key (env IAMD_TLS_CERT)")
    serve.add_argument("--tls-key", default=env_default("tls_key"),
                       help="PEM private key of --tls-cert (env IAMD_TLS_KEY)")
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
        "--public-url",
        default=env_default("public_url"),
        help="the URL clients reach this server at (a proxy's): the base of outbound web identity issuer URLs "
        "(default http://HOST:PORT; env IAMD_PUBLIC_URL)",
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

    _add_account(sub)
    _add_audit(sub)
    _add_analyze(sub)
    sub.add_parser("data-path", help="print the folder of iamd's service models, for AWS_DATA_PATH")
    _add_trail(sub)
    _add_policy(sub)
    _add_keys(sub)
    _add_org(sub)
    _add_outbound(sub)
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


def _add_account(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.services.account_cli import add_parser

    add_parser(sub)


def _add_trail(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.audit.trail_cli import add_parser

    add_parser(sub)


def _add_policy(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.analysis.policy_cli import add_parser

    add_parser(sub)


def _add_keys(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.services.keys_cli import add_parser

    add_parser(sub)


def _add_outbound(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iamd.services.outbound.rotate_cli import add_parser

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
        "(--endpoint-url, credentials from AWS_*) or directly against a data folder (--data-dir or --db). "
        "With none of them: AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL, else the local iamd serve's data folder "
        "(IAMD_DB, IAMD_DATA_DIR, ./iamd-data), else its endpoint (IAMD_HOST, IAMD_PORT; default "
        "http://127.0.0.1:8750) -- never AWS's own unless named.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    audit.add_argument("--endpoint-url", help="IAM endpoint (default: see above)")
    audit.add_argument("--region", help="signing region (default: AWS_REGION / AWS_DEFAULT_REGION / us-east-1)")
    audit.add_argument("--data-dir", help="read this data folder's store read-only instead of calling a server")
    audit.add_argument("--db", help="database URL to read instead of the data folder's SQLite")
    audit.add_argument("--account-id", help="account to audit in the store (default: the first account)")
    audit.add_argument("--max-key-age", type=int, default=90, metavar="DAYS",
                       help="flag active access keys older than this (default 90)")
    audit.add_argument("--max-unused-days", type=int, default=90, metavar="DAYS",
                       help="flag active access keys unused for longer than this, or never used (default 90)")
    audit.add_argument("--json", action="store_true", help="machine-readable output")


def version() -> str:
    """The package's version: ``pyproject.toml`` reads it from ``iamd.__version__`` too."""
    import iamd

    return iamd.__version__


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
    tls_error = check_tls(settings)
    if tls_error:
        print(f"iamd: {tls_error}", file=sys.stderr)
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


def check_tls(settings: Settings) -> str:
    """Why ``--tls-cert``/``--tls-key`` cannot serve (both or neither; a key that fits the
    certificate), before the store is touched; empty when they can."""
    if not settings.tls_cert and not settings.tls_key:
        return ""
    if not settings.tls_cert or not settings.tls_key:
        return "--tls-cert and --tls-key go together"
    import ssl

    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(settings.tls_cert, settings.tls_key)
    except (OSError, ssl.SSLError) as err:
        return f"--tls-cert/--tls-key: {err}"
    return ""


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
        # Not uvicorn's proxy headers: it trusts X-Forwarded-For/-Proto from 127.0.0.1 by default,
        # which would let any local process set aws:SourceIp and aws:SecureTransport. iamd reads
        # them itself, from --trusted-proxies only (api/request_facts.py).
        proxy_headers=False,
        ssl_certfile=settings.tls_cert or None,
        ssl_keyfile=settings.tls_key or None,
    )


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "account":
        from iamd.services.account_cli import run as run_account

        return run_account(args)
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
    if args.command == "outbound":
        from iamd.services.outbound.rotate_cli import run as run_outbound

        return run_outbound(args)
    if args.command == "org":
        from iamd.services.organizations.org_cli import run as run_org

        return run_org(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
