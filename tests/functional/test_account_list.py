"""``iamd account list`` beside a running server: aliases and organizations as the API left them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from functional_helpers import poll

from iamd.testing import IamdServer


def test_the_list_shows_what_the_api_made(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with IamdServer(extra_args=["--data-dir", str(data)]) as srv:
        srv.client("iam").create_account_alias(AccountAlias="first-one")
        org = srv.client("organizations")
        org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        request = org.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"]["Id"]
        done = poll(lambda: (s := org.describe_create_account_status(CreateAccountRequestId=request)
                             ["CreateAccountStatus"])["State"] != "IN_PROGRESS" and s)
        assert done["State"] == "SUCCEEDED"
        proc = subprocess.run([sys.executable, "-m", "iamd.cli", "account", "list", "--data-dir", str(data), "--json"],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    listed = {a["AccountId"]: a for a in json.loads(proc.stdout)["Accounts"]}
    assert listed.keys() == {"123456789012", done["AccountId"]}
    assert listed["123456789012"] | {"Created": ""} == {
        "AccountId": "123456789012", "Alias": "first-one", "Default": True, "Created": "",
        "OrganizationId": org_id, "Status": "ACTIVE"}
    assert (listed[done["AccountId"]]["OrganizationId"], listed[done["AccountId"]]["Default"]) == (org_id, False)
