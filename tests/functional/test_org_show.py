"""``iamd org show`` on a tree built through the Organizations API: two OU levels, accounts moved
into them, SCPs and RCPs attached at each level; the tree and ``--json`` as a user reads them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from functional_helpers import as_creds, doc, poll

from iamd.testing import IamdServer

DENY_IAM = doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
REGION_LOCK = doc({
    "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}},
})  # fmt: skip
PERIMETER = doc({
    "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
    "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-placeholder"}},
})  # fmt: skip


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[IamdServer, Path]]:
    data = tmp_path_factory.mktemp("org-show")
    with IamdServer(extra_args=["--data-dir", str(data)]) as srv:
        yield srv, data


def iamd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iamd.cli", *args], capture_output=True, text=True, timeout=60)


def _account(org: Any, name: str) -> str:
    request = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]["Id"]

    def done() -> Any:
        status = org.describe_create_account_status(CreateAccountRequestId=request)["CreateAccountStatus"]
        return status if status["State"] != "IN_PROGRESS" else None

    status = poll(done)
    assert status["State"] == "SUCCEEDED", status
    return str(status["AccountId"])


def _policy(org: Any, name: str, content: str, kind: str) -> str:
    return str(org.create_policy(Name=name, Description=name, Content=content, Type=kind)["Policy"]["PolicySummary"]["Id"])


def test_tree_with_two_ou_levels_and_policies(env: tuple[IamdServer, Path]) -> None:
    server, data = env
    made = iamd("account", "create", "--data-dir", str(data)).stdout
    pairs = dict(line.split("=", 1) for line in made.splitlines() if line.startswith("AWS_"))
    management = made.splitlines()[0].split(": ", 1)[1]
    org = as_creds(server, "organizations", {"AccessKeyId": pairs["AWS_ACCESS_KEY_ID"], "SecretAccessKey": pairs["AWS_SECRET_ACCESS_KEY"]})
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    org.enable_policy_type(RootId=root, PolicyType="RESOURCE_CONTROL_POLICY")
    prod = org.create_organizational_unit(ParentId=root, Name="Prod")["OrganizationalUnit"]["Id"]
    sandbox = org.create_organizational_unit(ParentId=root, Name="Sandbox")["OrganizationalUnit"]["Id"]
    apps = org.create_organizational_unit(ParentId=prod, Name="Apps")["OrganizationalUnit"]["Id"]
    web, db = _account(org, "web"), _account(org, "db")
    for account in (web, db):
        org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=apps)
    deny_iam = _policy(org, "DenyIAM", DENY_IAM, "SERVICE_CONTROL_POLICY")
    region = _policy(org, "RegionLock", REGION_LOCK, "SERVICE_CONTROL_POLICY")
    perimeter = _policy(org, "Perimeter", PERIMETER, "RESOURCE_CONTROL_POLICY")
    org.attach_policy(PolicyId=deny_iam, TargetId=prod)
    org.attach_policy(PolicyId=region, TargetId=apps)
    org.attach_policy(PolicyId=perimeter, TargetId=apps)
    org.attach_policy(PolicyId=deny_iam, TargetId=web)

    shown = iamd("org", "show", "--data-dir", str(data), "--account", web)
    assert shown.returncode == 0, shown.stderr
    both = "  [SCP: FullAWSAccess]  [RCP: RCPFullAWSAccess]"
    first, second = sorted([("db", db), ("web", web)])
    extra = {"web": "  [SCP: DenyIAM, FullAWSAccess]  [RCP: RCPFullAWSAccess]", "db": both}
    assert shown.stdout.splitlines() == [
        f"Organization {org_id}  (management account {management}, feature set ALL)",
        f"Root {root}{both}",
        f"├── OU Prod ({prod})  [SCP: DenyIAM, FullAWSAccess]  [RCP: RCPFullAWSAccess]",
        f"│   └── OU Apps ({apps})  [SCP: FullAWSAccess, RegionLock]  [RCP: Perimeter, RCPFullAWSAccess]",
        f"│       ├── {first[1]}  {first[0]}  ACTIVE{extra[first[0]]}",
        f"│       └── {second[1]}  {second[0]}  ACTIVE{extra[second[0]]}",
        f"├── OU Sandbox ({sandbox}){both}",
        f"└── {management}  {_management_name(org, management)}  ACTIVE  (management account){both}",
    ]

    as_json = json.loads(iamd("org", "show", "--data-dir", str(data), "--account", management, "--json").stdout)
    (tree,) = as_json["Organizations"]
    assert (tree["Id"], tree["ManagementAccountId"], tree["FeatureSet"]) == (org_id, management, "ALL")
    apps_node = tree["Root"]["OrganizationalUnits"][0]["OrganizationalUnits"][0]
    assert apps_node["Id"] == apps and {a["Id"] for a in apps_node["Accounts"]} == {web, db}
    assert {p["Id"] for p in apps_node["Policies"]} == {region, perimeter, "p-FullAWSAccess", "p-RCPFullAWSAccess"}

    missing = iamd("org", "show", "--data-dir", str(data), "--account", "000000000009")
    assert missing.returncode == 1 and "no organization" in missing.stderr
    nowhere = iamd("org", "show", "--data-dir", str(data / "absent"))
    assert nowhere.returncode == 2


def _management_name(org: Any, management: str) -> str:
    return str(org.describe_account(AccountId=management)["Account"]["Name"])
