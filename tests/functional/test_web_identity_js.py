"""AssumeRoleWithWebIdentity from a second SDK (JavaScript v3), unsigned (see js/web_identity.mjs)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_identity_env import WebIdentityEnv, fresh, make_env

JS = Path(__file__).parent / "js"


@pytest.fixture(scope="module")
def module_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebIdentityEnv]:
    yield from make_env(tmp_path_factory)


def test_js_sdk_web_identity(module_env: WebIdentityEnv) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (JS / "node_modules" / "@aws-sdk" / "client-sts").exists():
        pytest.skip("JS SDK not installed: run `make js` (make test does)")
    env = fresh(module_env)
    env.provider()
    role = env.role()
    bare = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    run_env = bare | {"IAMD_ENDPOINT": env.server.endpoint, "ROLE_ARN": role, "TOKEN": env.issuer.token(),
                      "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
    proc = subprocess.run([node, "web_identity.mjs"], cwd=JS, env=run_env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "js web identity: ok" in proc.stdout
