"""Every operation of the tree, account and invitation API against its errors, as a table:
(operation, parameters built from a small organization, expected code, expected reason)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from functional_helpers import OTHER_ACCOUNT, as_creds

from iamd.testing import IamdServer

Params = Callable[[dict[str, str]], dict[str, Any]]
NO_OU = "ou-zzzz-zzzzzzzz"
NO_ACCOUNT = "999999999999"


@pytest.fixture
def ctx(server: IamdServer) -> dict[str, Any]:
    # Without botocore's own checks, so that the server's answer to a too-short value is seen.
    org = server.client("organizations", config=Config(parameter_validation=False))
    org.create_organization()
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="Full")["OrganizationalUnit"]["Id"]
    org.create_organizational_unit(ParentId=ou, Name="Child")
    member = org.create_account(AccountName="M", Email="m@example.com")["CreateAccountStatus"]["AccountId"]
    return {"client": org, "root": root, "ou": ou, "member": member, "me": server.account_id}


CASES: list[tuple[str, Params, str, str | None]] = [
    ("create_organization", lambda c: {}, "AlreadyInOrganizationException", None),
    ("create_organizational_unit", lambda c: {"ParentId": NO_OU, "Name": "x"}, "ParentNotFoundException", None),
    ("create_organizational_unit", lambda c: {"ParentId": c["root"], "Name": "FULL"},
     "DuplicateOrganizationalUnitException", None),
    ("create_organizational_unit", lambda c: {"ParentId": "ou-bad", "Name": "x"}, "InvalidInputException",
     "INVALID_PATTERN"),
    ("create_organizational_unit", lambda c: {"ParentId": c["root"], "Name": ""}, "InvalidInputException",
     "MIN_LENGTH_EXCEEDED"),
    ("create_organizational_unit", lambda c: {"ParentId": c["root"]}, "InvalidInputException", "INPUT_REQUIRED"),
    ("list_accounts", lambda c: {"MaxResults": 0}, "InvalidInputException", "MIN_VALUE_EXCEEDED"),
    ("update_organizational_unit", lambda c: {"OrganizationalUnitId": NO_OU, "Name": "x"},
     "OrganizationalUnitNotFoundException", None),
    ("delete_organizational_unit", lambda c: {"OrganizationalUnitId": c["ou"]},
     "OrganizationalUnitNotEmptyException", None),
    ("delete_organizational_unit", lambda c: {"OrganizationalUnitId": NO_OU},
     "OrganizationalUnitNotFoundException", None),
    ("describe_organizational_unit", lambda c: {"OrganizationalUnitId": NO_OU},
     "OrganizationalUnitNotFoundException", None),
    ("list_organizational_units_for_parent", lambda c: {"ParentId": NO_OU}, "ParentNotFoundException", None),
    ("list_children", lambda c: {"ParentId": NO_OU, "ChildType": "ACCOUNT"}, "ParentNotFoundException", None),
    ("list_parents", lambda c: {"ChildId": NO_ACCOUNT}, "ChildNotFoundException", None),
    ("list_accounts_for_parent", lambda c: {"ParentId": NO_OU}, "ParentNotFoundException", None),
    ("describe_account", lambda c: {"AccountId": NO_ACCOUNT}, "AccountNotFoundException", None),
    ("describe_account", lambda c: {"AccountId": "12345"}, "InvalidInputException", "INVALID_PATTERN"),
    ("describe_create_account_status", lambda c: {"CreateAccountRequestId": "car-zzzzzzzz"},
     "CreateAccountStatusNotFoundException", None),
    ("list_create_account_status", lambda c: {"States": ["DONE"]}, "InvalidInputException", "INVALID_ENUM"),
    ("create_account", lambda c: {"AccountName": "x", "Email": "no-at-sign"}, "InvalidInputException", "INVALID_PATTERN"),
    ("move_account", lambda c: {"AccountId": c["member"], "SourceParentId": c["root"],
                                "DestinationParentId": c["root"]}, "DuplicateAccountException", None),
    ("move_account", lambda c: {"AccountId": c["member"], "SourceParentId": NO_OU,
                                "DestinationParentId": c["ou"]}, "SourceParentNotFoundException", None),
    ("move_account", lambda c: {"AccountId": c["member"], "SourceParentId": c["root"],
                                "DestinationParentId": NO_OU}, "DestinationParentNotFoundException", None),
    ("move_account", lambda c: {"AccountId": NO_ACCOUNT, "SourceParentId": c["root"],
                                "DestinationParentId": c["ou"]}, "AccountNotFoundException", None),
    ("remove_account_from_organization", lambda c: {"AccountId": c["me"]},
     "MasterCannotLeaveOrganizationException", None),
    ("remove_account_from_organization", lambda c: {"AccountId": NO_ACCOUNT}, "AccountNotFoundException", None),
    ("leave_organization", lambda c: {}, "MasterCannotLeaveOrganizationException", None),
    ("close_account", lambda c: {"AccountId": c["me"]}, "ConstraintViolationException",
     "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"),
    ("close_account", lambda c: {"AccountId": NO_ACCOUNT}, "AccountNotFoundException", None),
    ("delete_organization", lambda c: {}, "OrganizationNotEmptyException", None),
    ("invite_account_to_organization", lambda c: {"Target": {"Type": "ACCOUNT", "Id": c["member"]}},
     "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION"),
    ("invite_account_to_organization", lambda c: {"Target": {"Type": "ORGANIZATION", "Id": "o-1234567890"}},
     "InvalidInputException", "INVALID_PARTY_TYPE_TARGET"),
    ("invite_account_to_organization", lambda c: {"Target": {"Type": "EMAIL", "Id": "who@example.com"}},
     "InvalidInputException", "INVALID_EMAIL_ADDRESS_TARGET"),
    ("accept_handshake", lambda c: {"HandshakeId": "h-zzzzzzzzzz"}, "HandshakeNotFoundException", None),
    ("decline_handshake", lambda c: {"HandshakeId": "h-zzzzzzzzzz"}, "HandshakeNotFoundException", None),
    ("cancel_handshake", lambda c: {"HandshakeId": "h-zzzzzzzzzz"}, "HandshakeNotFoundException", None),
    ("describe_handshake", lambda c: {"HandshakeId": "h-zzzzzzzzzz"}, "HandshakeNotFoundException", None),
    ("describe_handshake", lambda c: {"HandshakeId": "h-"}, "InvalidInputException", "INVALID_PATTERN"),
    ("tag_resource", lambda c: {"ResourceId": NO_OU, "Tags": [{"Key": "k", "Value": "v"}]},
     "TargetNotFoundException", None),
    ("untag_resource", lambda c: {"ResourceId": NO_ACCOUNT, "TagKeys": ["k"]}, "TargetNotFoundException", None),
    ("untag_resource", lambda c: {"ResourceId": c["ou"], "TagKeys": ["aws:k"]}, "InvalidInputException",
     "INVALID_SYSTEM_TAGS_PARAMETER"),
    ("list_tags_for_resource", lambda c: {"ResourceId": "p-zzzzzzzz"}, "TargetNotFoundException", None),
    ("list_accounts", lambda c: {"NextToken": "forged.token"}, "InvalidInputException", "INVALID_NEXT_TOKEN"),
    ("register_delegated_administrator", lambda c: {"AccountId": c["member"], "ServicePrincipal": "x.example"},
     "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL"),
    ("deregister_delegated_administrator", lambda c: {"AccountId": c["member"],
                                                      "ServicePrincipal": "iam.amazonaws.com"},
     "AccountNotRegisteredException", None),
    ("list_delegated_services_for_account", lambda c: {"AccountId": NO_ACCOUNT}, "AccountNotFoundException", None),
    ("disable_aws_service_access", lambda c: {"ServicePrincipal": "x.example"}, "InvalidInputException",
     "UNRECOGNIZED_SERVICE_PRINCIPAL"),
]


@pytest.mark.parametrize(("operation", "params", "code", "reason"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[3] or ''}-{i}" for i, c in enumerate(CASES)])
def test_error(ctx: dict[str, Any], operation: str, params: Params, code: str, reason: str | None) -> None:
    client = ctx["client"]
    before = client.list_accounts()["Accounts"]
    try:
        getattr(client, operation)(**params(ctx))
    except ClientError as err:
        assert err.response["Error"]["Code"] == code
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert err.response.get("Reason") == reason
    else:
        raise AssertionError(f"{operation} succeeded")
    assert client.list_accounts()["Accounts"] == before


def test_same_email_in_two_organizations_at_once(two_accounts: Any) -> None:
    """Two management accounts race for one email: exactly one account gets it (the loser's
    request fails, or is refused as a concurrent modification)."""
    _race_for_one_email(*two_accounts)


@pytest.fixture
def pg_two_accounts(empty_pg_url: str, tmp_path: Path) -> Iterator[tuple[IamdServer, dict[str, str]]]:
    """Like ``two_accounts``, on PostgreSQL (row locks, where SQLite serializes every writer)."""
    data = tmp_path / "data"
    with IamdServer(extra_args=["--db", empty_pg_url, "--data-dir", str(data)]) as srv:
        out = subprocess.run(
            [sys.executable, "-m", "iamd.cli", "account", "create", "--db", empty_pg_url, "--data-dir", str(data),
             "--new-account-id", OTHER_ACCOUNT],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout
        pairs = dict(line.split("=", 1) for line in out.splitlines() if line.startswith("AWS_"))
        yield srv, {"AccessKeyId": pairs["AWS_ACCESS_KEY_ID"], "SecretAccessKey": pairs["AWS_SECRET_ACCESS_KEY"]}


def test_same_email_race_on_postgresql(pg_two_accounts: tuple[IamdServer, dict[str, str]]) -> None:
    for _ in range(3):
        _race_for_one_email(*pg_two_accounts)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_accepting_while_creating_an_organization(backend: str, request: pytest.FixtureRequest) -> None:
    """The invited account accepts and creates an organization of its own at the same moment:
    exactly one wins, the other is refused with AWS's error (no deadlock, no 500)."""
    srv, other_key = request.getfixturevalue("two_accounts" if backend == "sqlite" else "pg_two_accounts")
    mine = srv.client("organizations")
    theirs = as_creds(srv, "organizations", other_key)
    mine.create_organization()
    try:
        for _ in range(3):
            hs = mine.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT})["Handshake"]
            outcomes: dict[str, str] = {}

            def accept(hs_id: str = hs["Id"], outcomes: dict[str, str] = outcomes) -> None:
                try:
                    theirs.accept_handshake(HandshakeId=hs_id)
                    outcomes["accept"] = "ok"
                except ClientError as err:
                    outcomes["accept"] = err.response["Error"]["Code"]

            def create(outcomes: dict[str, str] = outcomes) -> None:
                try:
                    theirs.create_organization()
                    outcomes["create"] = "ok"
                except ClientError as err:
                    outcomes["create"] = err.response["Error"]["Code"]

            threads = [threading.Thread(target=accept), threading.Thread(target=create)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(outcomes.values()).count("ok") == 1, outcomes
            assert set(outcomes.values()) - {"ok"} <= {"AlreadyInOrganizationException",
                                                       "HandshakeConstraintViolationException",
                                                       "ConcurrentModificationException"}, outcomes
            if outcomes["accept"] == "ok":
                theirs.leave_organization()
            else:
                theirs.delete_organization()
                mine.cancel_handshake(HandshakeId=hs["Id"])
    finally:
        mine.delete_organization()


def _race_for_one_email(srv: IamdServer, other_key: dict[str, str]) -> None:
    clients = [srv.client("organizations"), as_creds(srv, "organizations", other_key)]
    for client in clients:
        client.create_organization()
    outcomes: list[str] = []

    def go(client: Any) -> None:
        try:
            outcomes.append(client.create_account(AccountName="R", Email="both@example.com")[
                "CreateAccountStatus"]["State"])
        except ClientError as err:
            outcomes.append(err.response["Error"]["Code"])

    try:
        threads = [threading.Thread(target=go, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes)[-1] == "SUCCEEDED" and outcomes.count("SUCCEEDED") == 1
        assert set(outcomes) - {"SUCCEEDED"} <= {"FAILED", "ConcurrentModificationException"}
        holders = [a for c in clients for a in c.list_accounts()["Accounts"] if a["Email"] == "both@example.com"]
        assert len(holders) == 1
    finally:
        for client in clients:
            for account in client.list_accounts()["Accounts"]:
                if account["Id"] not in (srv.account_id, OTHER_ACCOUNT):
                    client.remove_account_from_organization(AccountId=account["Id"])
            client.delete_organization()
