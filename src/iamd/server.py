"""Assembling a server: settings → master key → store (migrated) → first account → runtime."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from iamd.auth.secretbox import SecretBox, master_key_from_env_or_file, opening_master_keys
from iamd.auth.sessions import SessionKeyring
from iamd.config import Settings
from iamd.services.accounts import RootCredentials, create_account, default_account
from iamd.services.master_keys import KeyState
from iamd.services.rotation import upgrade_legacy
from iamd.services.runtime import Runtime, utcnow
from iamd.store.engine import Store
from iamd.store.private_files import private_dir, private_file


def build_runtime(settings: Settings, serving: bool = True) -> tuple[Runtime, RootCredentials | None]:
    """The runtime, and the root credentials when this start created the first account.
    ``serving``: a server (joins the running servers' heartbeats) rather than a one-off command."""
    if settings.ephemeral:
        settings = replace(settings, data_dir=Path(tempfile.mkdtemp(prefix="iamd-ephemeral-")), db="")
    private_dir(settings.data_dir)
    private_file(settings.data_dir / "master.key")
    master_key = master_key_from_env_or_file(settings.data_dir / "master.key")
    previous = opening_master_keys()
    keyring = SessionKeyring(master_key, previous)
    box = SecretBox(master_key, previous=previous)
    keys = KeyState(master_key, previous)
    store = Store(
        settings.db_url,
        lock_timeout_ms=round(settings.lock_timeout * 1000),
        pool_size=settings.worker_threads + 4,  # + audit writer, background tasks
    )
    store.migrate()
    with store.exclusive() as conn:
        # Refuses (KeyStateError) to seal with a key a running server cannot open.
        keyring.set_retirements(keys.start(conn, utcnow(), join=serving))
        upgrade_legacy(conn, box)  # blobs from before encryption contexts, once
    created = None
    # Several processes may start at once on a new database: one creates the account, the
    # others find it.
    with store.exclusive() as conn:
        account_id = default_account(conn)
        if account_id is None:
            created = create_account(
                conn,
                box,
                settings.account_id,
                utcnow(),
                is_default=True,
                access_key_id=settings.root_access_key_id,
                secret_access_key=settings.root_secret_access_key,
            )
            account_id = created.account_id
    runtime = Runtime(
        store=store,
        secretbox=box,
        default_account_id=account_id,
        ephemeral=settings.ephemeral,
        master_key=master_key,
        previous_master_keys=tuple(previous),
        trusted_proxies=frozenset(settings.trusted_proxies),
        session_keyring=keyring,
        key_state=keys,
        audit_enabled=settings.audit_trail,
        trail_retention_days=settings.trail_retention_days,
        trail_digest_interval=settings.trail_digest_interval,
        trail_digest_dir=settings.trail_digest_dir or settings.data_dir / "trail-digests",
        trail_digest_url=settings.trail_digest_url,
        trail_digest_syslog=settings.trail_digest_syslog,
        trail_dir=settings.trail_dir or settings.data_dir / "trail-logs",
        trail_s3_endpoint=settings.trail_s3_endpoint,
        trail_delivery_interval=settings.trail_delivery_interval,
        trail_digest_period=settings.trail_digest_period,
        extra_regions=frozenset(settings.extra_regions),
        oidc_ca_bundle=settings.oidc_ca_bundle,
        oidc_jwks=dict(settings.oidc_jwks),
        org_max_accounts=settings.org_max_accounts,
        public_url=settings.public_url or settings.endpoint,
    )
    if settings.ephemeral:
        runtime.seed = created
    return runtime, created


def banner(settings: Settings, runtime: Runtime, created: RootCredentials | None) -> str:
    lines = [
        f"iamd listening on {settings.endpoint}",
        f"account: {runtime.default_account_id}",
        f"store: {'ephemeral (temporary SQLite)' if settings.ephemeral else _redact_url(settings.db_url)}",
    ]
    if created is not None:
        # A secret the operator supplied is theirs already: echoing it would only copy it into
        # terminal scroll-back and service logs.
        preset = settings.root_secret_access_key is not None
        secret = "(the value of IAMD_ROOT_SECRET_ACCESS_KEY, not shown)" if preset else created.secret_access_key
        configure = '"$IAMD_ROOT_SECRET_ACCESS_KEY"' if preset else created.secret_access_key
        lines += [
            "",
            "Root access key of the account (shown only on first start; keep it safe):",
            f"  AWS_ACCESS_KEY_ID={created.access_key_id}",
            f"  AWS_SECRET_ACCESS_KEY={secret}",
            "",
            "Configure the aws CLI:",
            f"  aws configure set aws_access_key_id {created.access_key_id} --profile iamd",
            f"  aws configure set aws_secret_access_key {configure} --profile iamd",
            "  aws configure set region us-east-1 --profile iamd",
            f"  aws --profile iamd --endpoint-url {settings.endpoint} sts get-caller-identity",
        ]
    return "\n".join(lines)


def _redact_url(url: str) -> str:
    """Never print a database password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url
