"""Organizations policies survive a restart, and the PostgreSQL backend serves them the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from org_policy_helpers import FULL, RCP, RCP_FULL, SCP, attached, code, create, new_org, rcp, scp

from iamd.testing import IamdServer


@pytest.fixture(autouse=True)
def _clean() -> None:
    """These tests run their own servers, not the session's ephemeral one."""


def _build(org: Any) -> dict[str, str]:
    root_id = new_org(org, SCP, RCP)
    scp_id = create(org, "DenyIam", Description="kept")
    rcp_id = create(org, "OrgOnly", rcp(), RCP)
    org.attach_policy(PolicyId=scp_id, TargetId=root_id)
    org.attach_policy(PolicyId=rcp_id, TargetId=root_id)
    return {"root": root_id, "scp": scp_id, "rcp": rcp_id}


def _check(org: Any, ids: dict[str, str]) -> None:
    assert org.list_roots()["Roots"][0]["PolicyTypes"] == [
        {"Type": RCP, "Status": "ENABLED"}, {"Type": SCP, "Status": "ENABLED"}]
    assert attached(org, ids["root"]) == {FULL, ids["scp"]}
    assert attached(org, ids["root"], RCP) == {RCP_FULL, ids["rcp"]}
    summary = org.describe_policy(PolicyId=ids["scp"])["Policy"]["PolicySummary"]
    assert (summary["Name"], summary["Description"]) == ("DenyIam", "kept")
    assert code(org.create_policy, Name="DenyIam", Description="", Type=SCP, Content=scp()) == (
        "DuplicatePolicyException", None)


def test_policies_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = IamdServer(extra_args=["--data-dir", str(data)])
    with first:
        ids = _build(first.client("organizations"))
    second = IamdServer(extra_args=["--data-dir", str(data)])
    second.access_key_id, second.secret_access_key = first.access_key_id, first.secret_access_key
    with second:
        org = second.client("organizations")
        _check(org, ids)
        org.detach_policy(PolicyId=ids["scp"], TargetId=ids["root"])
        assert attached(org, ids["root"]) == {FULL}


def test_postgresql_backend_serves_policies(empty_pg_url: str) -> None:
    with IamdServer(account_id="444444444444", extra_args=["--db", empty_pg_url]) as server:
        org = server.client("organizations")
        ids = _build(org)
        _check(org, ids)
        org.disable_policy_type(RootId=ids["root"], PolicyType=SCP)
        assert org.list_targets_for_policy(PolicyId=ids["scp"])["Targets"] == []
