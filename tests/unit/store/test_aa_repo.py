"""Access Analyzer's repository on both backends: analyzers are unique per account, Region and
name; a finding per (analyzer, resource, key); deleting an analyzer deletes what it holds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from iamd.auth.secretbox import SecretBox
from iamd.services.accounts import account_exists, create_account
from iamd.store import aa_repo
from iamd.store.engine import Store
from iamd.store.errors import AlreadyExists

NOW = datetime(2026, 12, 4, tzinfo=UTC)
ACCOUNT = "555544443322"


def _analyzer(analyzer_id: str, name: str) -> dict[str, object]:
    return {"analyzer_id": analyzer_id, "account_id": ACCOUNT, "region": "us-east-1", "name": name,
            "arn": f"arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzer/{name}", "type": "ACCOUNT",
            "status": "ACTIVE", "created_at": NOW}


def _finding(finding_id: str, analyzer_id: str, key: str) -> dict[str, object]:
    return {"finding_id": finding_id, "analyzer_id": analyzer_id, "finding_type": "ExternalAccess",
            "finding_key": key, "resource_arn": f"arn:aws:iam::{ACCOUNT}:role/r", "resource_type": "AWS::IAM::Role",
            "resource_owner_account": ACCOUNT, "status": "ACTIVE", "principal": '{"AWS":"*"}', "actions": "[]",
            "condition": "{}", "is_public": True, "created_at": NOW, "updated_at": NOW, "analyzed_at": NOW}


def test_round_trip_uniqueness_and_cascade(store_url: str) -> None:
    store = Store(store_url)
    store.migrate()
    with store.begin() as conn:
        if not account_exists(conn, ACCOUNT):
            create_account(conn, SecretBox(b"k" * 32), ACCOUNT, NOW)
        for row in aa_repo.analyzers(conn, ACCOUNT, "us-east-1"):
            aa_repo.delete_analyzer(conn, row.analyzer_id)
        aa_repo.add_analyzer(conn, _analyzer("a-1", "main"))
        aa_repo.add_finding(conn, _finding("f-1", "a-1", "k1"))
        aa_repo.put_resource(conn, "a-1", f"arn:aws:iam::{ACCOUNT}:role/r", {
            "resource_type": "AWS::IAM::Role", "resource_owner_account": ACCOUNT, "policy_digest": "d",
            "is_public": True, "actions": "[]", "updated_at": NOW, "analyzed_at": NOW})
    with pytest.raises(AlreadyExists), store.begin() as conn:
        aa_repo.add_analyzer(conn, _analyzer("a-2", "main"))
    with pytest.raises(AlreadyExists), store.begin() as conn:
        aa_repo.add_finding(conn, _finding("f-2", "a-1", "k1"))
    with store.begin() as conn:
        (row,) = aa_repo.findings(conn, "a-1")
        assert (row.finding_id, row.is_public, row.created_at) == ("f-1", True, NOW)
        assert aa_repo.count_analyzers(conn, ACCOUNT, "us-east-1", "ACCOUNT") == 1
        aa_repo.delete_analyzer(conn, "a-1")
    with store.begin() as conn:
        assert aa_repo.findings(conn, "a-1") == [] and aa_repo.resources(conn, "a-1") == []
        assert aa_repo.analyzer_named(conn, ACCOUNT, "us-east-1", "main") is None
