"""Call service actions directly, one transaction per call, on a real store of each backend.

Each test gets an account of its own, which is all the isolation IAM needs: nothing crosses
accounts, so tests share one migrated database per backend and session.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from iamd.auth.secretbox import SecretBox
from iamd.auth.sessions import SessionKeyring
from iamd.services.accounts import create_account
from iamd.services.context import Call, Caller
from iamd.services.registry import load_all
from iamd.services.runtime import Runtime
from iamd.store.engine import Store

Invoke = Callable[..., Any]


@pytest.fixture(scope="session")
def runtime(store_url: str) -> Iterator[Runtime]:
    store = Store(store_url)
    store.migrate()
    load_all()
    master = os.urandom(32)
    yield Runtime(
        store=store,
        secretbox=SecretBox(master),
        default_account_id="000000000000",
        master_key=master,
        session_keyring=SessionKeyring(master),
    )
    store.close()


@pytest.fixture
def account(runtime: Runtime) -> str:
    account_id = f"{random.randrange(10**11, 10**12):012d}"
    with runtime.store.begin() as conn:
        create_account(conn, runtime.secretbox, account_id, datetime.now(UTC))
    return account_id


def root_caller(account_id: str) -> Caller:
    return Caller(account_id, f"arn:aws:iam::{account_id}:root", account_id, "root", "AKIAROOT")


@pytest.fixture
def invoke(runtime: Runtime, account: str) -> Invoke:
    """``invoke("iam", "CreateUser", {"UserName": "bob"})`` as the account's root."""
    from iamd.services.registry import ACTIONS

    def run(service: str, name: str, params: dict[str, Any] | None = None, caller: Caller | None = None) -> Any:
        with runtime.store.begin() as conn:
            call = Call(
                conn=conn,
                caller=caller or root_caller(account),
                now=datetime.now(UTC),
                request_id=str(uuid.uuid4()),
                runtime=runtime,
            )
            return ACTIONS[service][name](call, params or {})

    return run
