"""The data folder is the server's alone, and the first-start banner echoes no secret the operator set."""

from __future__ import annotations

import stat
from pathlib import Path

from iamd.testing import IamdServer


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _serve_once(data: Path, log: Path) -> IamdServer:
    server = IamdServer(extra_args=["--data-dir", str(data)], log_path=log)
    with server:
        server.client("iam").create_user(UserName="u")  # a write: the WAL and shared-memory files exist
        assert _mode(data / "iamd.db-wal") == 0o600
        assert _mode(data / "iamd.db-shm") == 0o600
    return server


def test_a_new_data_folder_is_private(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "iamd.log"
    _serve_once(data, log)
    assert _mode(data) == 0o700
    assert _mode(data / "iamd.db") == 0o600
    assert _mode(data / "master.key") == 0o600


def test_loose_permissions_are_tightened_on_start_and_logged(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "iamd.log"
    first = _serve_once(data, log)
    data.chmod(0o755)
    for name in ("iamd.db", "master.key"):
        (data / name).chmod(0o644)
    log.write_bytes(b"")
    second = IamdServer(extra_args=["--data-dir", str(data)], log_path=log)
    second.access_key_id, second.secret_access_key = first.access_key_id, first.secret_access_key
    with second:
        assert second.client("iam").get_user(UserName="u")["User"]["UserName"] == "u"
    assert _mode(data) == 0o700
    assert _mode(data / "iamd.db") == 0o600
    assert _mode(data / "master.key") == 0o600
    text = log.read_text()
    for name in ("data", "iamd.db", "master.key"):
        assert f"tightened the permissions of {data if name == 'data' else data / name} from " in text


def test_the_banner_does_not_echo_a_preset_root_secret(tmp_path: Path) -> None:
    log = tmp_path / "iamd.log"
    server = IamdServer(log_path=log)
    with server:
        server.client("sts").get_caller_identity()
    text = log.read_text()
    assert server.access_key_id in text
    assert server.secret_access_key not in text
    assert "IAMD_ROOT_SECRET_ACCESS_KEY" in text
