"""The README's quick start, run as written, so it cannot drift from what iamd does.

A server is started the way ``make serve`` starts it (``iamd serve`` with no flags, in a folder of
its own, so on ``./iamd-data``; only the port differs, through ``IAMD_PORT``), and its banner is
read for the root key as a newcomer reads it. Then every block the README marks
``<!-- quickstart -->`` runs, in order, in one POSIX ``sh -e`` session in that folder, where
``.venv`` is this test run's virtual environment (what ``make serve`` made). The only edits are
the ones a reader makes: the banner's two values for ``AKIA…``/``…``, and the server's real
address for ``http://127.0.0.1:8750``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from iamd.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DEFAULT_ENDPOINT = "http://127.0.0.1:8750"
BLOCK = re.compile(r"<!-- quickstart -->\n```(sh|python)\n(.*?)```", re.S)


def quickstart_blocks() -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in BLOCK.finditer(README.read_text())]


class Newcomer:
    """The folder ``make serve`` ran in, its server, and the root key its banner showed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.endpoint = f"http://127.0.0.1:{free_port()}"
        (folder / ".venv").symlink_to(sys.prefix)
        home = folder / "home"
        home.mkdir()
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "IAMD_"))}
        self.env = clean | {"HOME": str(home), "AWS_PAGER": "", "PATH": "/usr/bin:/bin",
                            "AWS_CONFIG_FILE": str(home / "config"),
                            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials")}
        port = self.endpoint.rsplit(":", 1)[1]
        self.server = subprocess.Popen(
            [sys.executable, "-m", "iamd.cli", "serve"], cwd=folder, env=self.env | {"IAMD_PORT": port},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            self.banner = self._read_banner()
        except BaseException:
            self.stop()
            raise
        self.key_id = self._value("AWS_ACCESS_KEY_ID")
        self.secret = self._value("AWS_SECRET_ACCESS_KEY")

    def _read_banner(self) -> str:
        assert self.server.stdout is not None
        lines = []
        for line in self.server.stdout:  # ends with the aws CLI snippet, after the root key
            lines.append(line)
            if "sts get-caller-identity" in line:
                return "".join(lines)
        raise AssertionError(f"iamd serve exited before its banner: {''.join(lines)}")

    def _value(self, name: str) -> str:
        found = re.search(rf"^  {name}=(\S+)$", self.banner, re.M)
        assert found, self.banner
        return found[1]

    def as_written(self, text: str) -> str:
        """A block with the reader's substitutions, each of which must have had a place."""
        out = text.replace(DEFAULT_ENDPOINT, self.endpoint).replace("AKIA…", self.key_id)
        return out.replace("=…", f"={self.secret}").replace('"…"', f'"{self.secret}"')

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=30)


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Newcomer]:
    person = Newcomer(tmp_path_factory.mktemp("clone"))
    try:
        yield person
    finally:
        person.stop()


def test_make_serve_is_iamd_serve_with_its_defaults() -> None:
    recipe = re.search(r"^serve:.*\n\t(.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert recipe and recipe[1] == "$(BIN)/iamd serve"


def test_the_quick_start_runs_as_written(newcomer: Newcomer) -> None:
    blocks = quickstart_blocks()
    shell = "\n".join(newcomer.as_written(code) for lang, code in blocks if lang == "sh")
    assert newcomer.endpoint in shell and newcomer.key_id in shell and newcomer.secret in shell
    proc = subprocess.run(["sh", "-e", "-c", shell], cwd=newcomer.folder, env=newcomer.env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    out = proc.stdout
    from iamd import __version__

    assert f"iamd {__version__}" in out
    assert re.search(r"^123456789012 +- +yes ", out, re.M)  # iamd account list
    assert '"Arn": "arn:aws:iam::123456789012:root"' in out  # get-caller-identity as root
    assert "arn:aws:iam::123456789012:user/admin\n" in out
    assert "arn:aws:sts::123456789012:assumed-role/reader/first\n" in out
    assert "AccessDenied, as ReadOnlyAccess has it" in out
    assert "An error occurred (AccessDenied) when calling the CreateUser operation" in proc.stderr
    assert "root_access_key" in out and "iamd audit found problems (exit status 1)" in out

    python = [newcomer.as_written(code) for lang, code in blocks if lang == "python"]
    assert len(python) == 1 and newcomer.secret in python[0]
    proc = subprocess.run([sys.executable, "-c", python[0]], env=newcomer.env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "['admin', 'alice']\n"


def test_root_cannot_assume_a_role(newcomer: Newcomer) -> None:
    """What the quick start says: a role that trusts the account is still not root's to assume."""
    import boto3

    creds = {"endpoint_url": newcomer.endpoint, "region_name": "us-east-1",
             "aws_access_key_id": newcomer.key_id, "aws_secret_access_key": newcomer.secret}
    trust = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
             '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}')
    arn = boto3.client("iam", **creds).create_role(RoleName="not-for-root", AssumeRolePolicyDocument=trust)
    with pytest.raises(ClientError) as refused:
        boto3.client("sts", **creds).assume_role(RoleArn=arn["Role"]["Arn"], RoleSessionName="root")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_every_readme_link_stays_in_the_repository() -> None:
    for target in re.findall(r"\]\(([^)]+)\)", README.read_text()):
        if target.startswith("#"):
            continue
        assert "://" not in target, target
        assert (ROOT / target.split("#", 1)[0]).exists(), target


def test_iamd_audit_of_a_server_needs_only_iamds_own_dependencies(newcomer: Newcomer) -> None:
    """``make serve`` installs iamd without the test extra: no boto3 (found running the quick
    start in a fresh clone). The audit's client is botocore's."""
    code = "import sys; sys.modules['boto3'] = None; from iamd.cli import main; sys.exit(main(['audit']))"
    env = newcomer.env | {"AWS_ENDPOINT_URL": newcomer.endpoint, "AWS_ACCESS_KEY_ID": newcomer.key_id,
                          "AWS_SECRET_ACCESS_KEY": newcomer.secret}
    proc = subprocess.run([sys.executable, "-c", code], cwd=newcomer.folder / "home", env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "root_access_key" in proc.stdout
