"""Organizations' accounts end to end: CreateAccount and entering the member through
OrganizationAccountAccessRole, invitations of an existing account, moves, removal, closing."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError
from functional_helpers import OTHER_ACCOUNT, as_creds, error, new_user
from org_helpers import reason_of

from iamd.testing import IamdServer

ROLE = "OrganizationAccountAccessRole"



@pytest.fixture
def org(server: IamdServer) -> Any:
    client = server.client("organizations")
    client.create_organization()
    return client


def create(org: Any, name: str, email: str, **kw: Any) -> dict[str, Any]:
    status = org.create_account(AccountName=name, Email=email, **kw)["CreateAccountStatus"]
    assert re.fullmatch(r"car-[a-z0-9]{8,32}", status["Id"])
    return dict(status)


def enter(server: IamdServer, account_id: str, role: str = ROLE, creds: dict[str, Any] | None = None) -> dict[str, Any]:
    """Credentials of the member's role, assumed by an administrator of the management account
    (AWS: "Roles may not be assumed by root accounts")."""
    if creds is None:
        creds = admin_key(server)
    out = as_creds(server, "sts", creds).assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{role}",
                                                    RoleSessionName="admin")
    return dict(out["Credentials"])


def admin_key(server: IamdServer) -> dict[str, Any]:
    iam = server.client("iam")
    try:
        iam.create_user(UserName="org-admin")
        iam.attach_user_policy(UserName="org-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    except ClientError as err:
        assert err.response["Error"]["Code"] == "EntityAlreadyExists"
    keys = iam.list_access_keys(UserName="org-admin")["AccessKeyMetadata"]
    cached = _KEYS.get((server.endpoint, keys[0]["AccessKeyId"])) if keys else None
    if cached is not None:
        return cached
    key = dict(iam.create_access_key(UserName="org-admin")["AccessKey"])
    _KEYS[(server.endpoint, key["AccessKeyId"])] = key
    return key


_KEYS: dict[tuple[str, str], dict[str, Any]] = {}


def test_create_account_and_act_in_it(org: Any, server: IamdServer) -> None:
    status = create(org, "Dev", "dev@example.com")
    assert status["State"] == "SUCCEEDED" and re.fullmatch(r"\d{12}", status["AccountId"])
    account_id = status["AccountId"]
    assert org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"] == status
    described = org.describe_account(AccountId=account_id)["Account"]
    assert described["Email"] == "dev@example.com" and described["Name"] == "Dev"
    assert described["Status"] == "ACTIVE" and described["JoinedMethod"] == "CREATED"
    root = org.list_roots()["Roots"][0]["Id"]
    org_id = org.describe_organization()["Organization"]["Id"]
    assert described["Paths"] == [f"{org_id}/{root}/{account_id}/"]
    assert {a["Id"] for a in org.list_accounts()["Accounts"]} == {server.account_id, account_id}
    # The management account's administrator enters the member through the role and acts there.
    creds = enter(server, account_id)
    member_iam = as_creds(server, "iam", creds)
    role = member_iam.get_role(RoleName=ROLE)["Role"]
    assert role["Arn"] == f"arn:aws:iam::{account_id}:role/{ROLE}"
    assert f"arn:aws:iam::{server.account_id}:root" in str(role["AssumeRolePolicyDocument"])
    attached = member_iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    assert attached == [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]
    member_iam.create_user(UserName="made-inside")
    assert as_creds(server, "sts", creds).get_caller_identity()["Account"] == account_id
    # As on AWS, the new account has no root access key.
    assert member_iam.get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 0


def test_role_name_honoured(org: Any, server: IamdServer) -> None:
    account_id = create(org, "Ops", "ops@example.com", RoleName="Admin")["AccountId"]
    as_creds(server, "iam", enter(server, account_id, "Admin")).get_role(RoleName="Admin")
    assert error(as_creds(server, "sts", admin_key(server)).assume_role,
                 RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="xx")["Code"] == "AccessDenied"


def test_management_user_needs_permission_to_enter(org: Any, iam: Any, server: IamdServer) -> None:
    """The role trusts the management account: its own policies decide which principal may assume."""
    account_id = create(org, "Dev", "dev@example.com")["AccountId"]
    _, nobody = new_user(iam, "nobody")
    _, allowed = new_user(iam, "allowed", {"Effect": "Allow", "Action": "sts:AssumeRole",
                                           "Resource": f"arn:aws:iam::{account_id}:role/{ROLE}"})
    assert error(as_creds(server, "sts", nobody).assume_role, RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}",
                 RoleSessionName="xx")["Code"] == "AccessDenied"
    assert enter(server, account_id, creds=allowed)["AccessKeyId"].startswith("ASIA")


def test_duplicate_email_fails_the_request(org: Any) -> None:
    create(org, "A", "same@example.com")
    failed = create(org, "B", "SAME@example.com")
    assert failed["State"] == "FAILED" and failed["FailureReason"] == "EMAIL_ALREADY_EXISTS"
    assert "AccountId" not in failed
    states = org.list_create_account_status(States=["FAILED"])["CreateAccountStatuses"]
    assert [s["Id"] for s in states] == [failed["Id"]]
    assert len(org.list_create_account_status()["CreateAccountStatuses"]) == 2
    assert len(org.list_accounts()["Accounts"]) == 2


def test_concurrent_create_with_one_email(org: Any, server: IamdServer) -> None:
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def go(name: str) -> None:
        out = server.client("organizations").create_account(AccountName=name, Email="race@example.com")
        with lock:
            results.append(out["CreateAccountStatus"])

    threads = [threading.Thread(target=go, args=(f"R{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["State"] for r in results) == ["FAILED", "FAILED", "FAILED", "SUCCEEDED"]
    emails = [a["Email"] for a in org.list_accounts()["Accounts"]]
    assert emails.count("race@example.com") == 1


def test_account_quota(org: Any) -> None:
    for i in range(9):
        assert create(org, f"A{i}", f"a{i}@example.com")["State"] == "SUCCEEDED"
    assert reason_of(org.create_account, AccountName="X", Email="x@example.com") == (
        "ConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED")
    assert len(org.list_accounts()["Accounts"]) == 10
    pages = list(org.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["Accounts"]) for p in pages] == [3, 3, 3, 1]


def test_create_account_errors(org: Any) -> None:
    assert reason_of(org.create_account, AccountName="x", Email="not-an-email") == (
        "InvalidInputException", "INVALID_PATTERN")
    assert reason_of(org.create_account, AccountName="n" * 51, Email="n@example.com") == (
        "InvalidInputException", "MAX_LENGTH_EXCEEDED")
    assert reason_of(org.create_account, AccountName="x", Email="r@example.com", RoleName="bad role") == (
        "InvalidInputException", "INVALID_PATTERN")
    assert reason_of(org.describe_create_account_status, CreateAccountRequestId="car-00000000")[0] == (
        "CreateAccountStatusNotFoundException")
    assert reason_of(org.describe_account, AccountId="999999999999")[0] == "AccountNotFoundException"
    assert org.list_accounts()["Accounts"][0]["Id"]


def test_move_account_through_two_levels(org: Any, server: IamdServer) -> None:
    account_id = create(org, "Dev", "dev@example.com")["AccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    eng = org.create_organizational_unit(ParentId=root, Name="Eng")["OrganizationalUnit"]["Id"]
    prod = org.create_organizational_unit(ParentId=eng, Name="Prod")["OrganizationalUnit"]["Id"]
    org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=prod)
    assert org.list_parents(ChildId=account_id)["Parents"] == [{"Id": prod, "Type": "ORGANIZATIONAL_UNIT"}]
    assert [a["Id"] for a in org.list_accounts_for_parent(ParentId=prod)["Accounts"]] == [account_id]
    assert org.describe_account(AccountId=account_id)["Account"]["Paths"][0].endswith(f"/{eng}/{prod}/{account_id}/")
    assert reason_of(org.move_account, AccountId=account_id, SourceParentId=root, DestinationParentId=prod)[0] == (
        "DuplicateAccountException")
    assert reason_of(org.move_account, AccountId=account_id, SourceParentId=root, DestinationParentId=eng)[0] == (
        "AccountNotFoundException")
    assert reason_of(org.move_account, AccountId=account_id, SourceParentId="r-zzzz", DestinationParentId=eng)[0] == (
        "SourceParentNotFoundException")
    assert reason_of(org.move_account, AccountId=account_id, SourceParentId=prod, DestinationParentId="r-zzzz")[0] == (
        "DestinationParentNotFoundException")
    assert reason_of(org.move_account, AccountId="999999999999", SourceParentId=prod, DestinationParentId=eng)[0] == (
        "AccountNotFoundException")
    assert reason_of(org.delete_organizational_unit, OrganizationalUnitId=prod)[0] == (
        "OrganizationalUnitNotEmptyException")
    org.move_account(AccountId=account_id, SourceParentId=prod, DestinationParentId=root)
    org.delete_organizational_unit(OrganizationalUnitId=prod)


def test_close_account(org: Any, server: IamdServer) -> None:
    account_id = create(org, "Dev", "dev@example.com")["AccountId"]
    creds = enter(server, account_id)
    inside = as_creds(server, "iam", creds)
    inside.create_user(UserName="before-closing")
    org.close_account(AccountId=account_id)
    # A closed account's principals can no longer act, from the next request on: their
    # credentials are refused (docs/organizations.md, "Closed accounts").
    denied = error(inside.create_user, UserName="after-closing")
    assert denied["Code"] == "InvalidClientTokenId"
    # JSON services name it UnrecognizedClientException, as AWS's do.
    assert error(as_creds(server, "organizations", creds).describe_organization)["Code"] == (
        "UnrecognizedClientException"
    )
    described = org.describe_account(AccountId=account_id)["Account"]
    assert described["Status"] == "SUSPENDED"
    assert reason_of(org.close_account, AccountId=account_id)[0] == "AccountAlreadyClosedException"
    assert reason_of(org.close_account, AccountId=server.account_id) == (
        "ConstraintViolationException", "CANNOT_CLOSE_MANAGEMENT_ACCOUNT")
    assert reason_of(org.close_account, AccountId="999999999999")[0] == "AccountNotFoundException"
    assert reason_of(org.remove_account_from_organization, AccountId=account_id) == (
        "ConstraintViolationException", "ACCOUNT_CANNOT_LEAVE_ORGANIZATION")


def test_close_account_quota() -> None:
    """10% of the members in 30 days, at least 10: the eleventh closure of 12 members is refused.
    The account quota is raised (``--org-max-accounts``) as an AWS customer would ask for."""
    with IamdServer(extra_args=["--ephemeral", "--org-max-accounts", "13"]) as srv:
        org = srv.client("organizations")
        org.create_organization()
        ids = [create(org, f"A{i}", f"a{i}@example.com")["AccountId"] for i in range(12)]
        assert reason_of(org.create_account, AccountName="X", Email="x@example.com") == (
            "ConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED")
        for account_id in ids[:10]:
            org.close_account(AccountId=account_id)
        assert reason_of(org.close_account, AccountId=ids[10]) == (
            "ConstraintViolationException", "CLOSE_ACCOUNT_QUOTA_EXCEEDED")
        assert org.describe_account(AccountId=ids[10])["Account"]["Status"] == "ACTIVE"
        # After 30 days the window has moved on.
        srv.set_clock_offset(31 * 86400)
        org.close_account(AccountId=ids[10])


def test_remove_created_account(org: Any, server: IamdServer) -> None:
    account_id = create(org, "Dev", "dev@example.com")["AccountId"]
    org.remove_account_from_organization(AccountId=account_id)
    assert reason_of(org.describe_account, AccountId=account_id)[0] == "AccountNotFoundException"
    # The account lives on, standalone: the role still lets the former management account in.
    outside = as_creds(server, "organizations", enter(server, account_id))
    assert reason_of(outside.describe_organization)[0] == "AWSOrganizationsNotInUseException"
    assert reason_of(org.remove_account_from_organization, AccountId=server.account_id)[0] == (
        "MasterCannotLeaveOrganizationException")


def test_member_leaves_and_cannot_manage(org: Any, server: IamdServer) -> None:
    account_id = create(org, "Dev", "dev@example.com")["AccountId"]
    member = as_creds(server, "organizations", enter(server, account_id))
    seen = member.describe_organization()["Organization"]
    assert seen["MasterAccountId"] == server.account_id
    for call, kwargs in ((member.list_accounts, {}), (member.list_roots, {}),
                         (member.create_organizational_unit, {"ParentId": org.list_roots()["Roots"][0]["Id"],
                                                              "Name": "x"}),
                         (member.describe_account, {"AccountId": server.account_id}),
                         (member.remove_account_from_organization, {"AccountId": account_id}),
                         (member.close_account, {"AccountId": account_id}),
                         (member.create_account, {"AccountName": "x", "Email": "x@example.com"}),
                         (member.delete_organization, {})):
        assert reason_of(call, **kwargs)[0] == "AccessDeniedException", call
    assert reason_of(org.leave_organization)[0] == "MasterCannotLeaveOrganizationException"
    member.leave_organization()
    assert reason_of(member.describe_organization)[0] == "AWSOrganizationsNotInUseException"
    assert [a["Id"] for a in org.list_accounts()["Accounts"]] == [server.account_id]
    org.delete_organization()


def test_delete_organization_needs_no_members(org: Any) -> None:
    account_id = create(org, "Dev", "dev@example.com")["AccountId"]
    assert reason_of(org.delete_organization)[0] == "OrganizationNotEmptyException"
    org.remove_account_from_organization(AccountId=account_id)
    org.delete_organization()


def test_account_tags(org: Any) -> None:
    account_id = create(org, "Dev", "dev@example.com", Tags=[{"Key": "cost", "Value": "rnd"}])["AccountId"]
    assert org.list_tags_for_resource(ResourceId=account_id)["Tags"] == [{"Key": "cost", "Value": "rnd"}]
    org.tag_resource(ResourceId=account_id, Tags=[{"Key": "env", "Value": "dev"}])
    assert len(org.list_tags_for_resource(ResourceId=account_id)["Tags"]) == 2


def test_invite_existing_account_and_accept(two_accounts: Any) -> None:
    srv, other_key = two_accounts
    mine = srv.client("organizations")
    mine.create_organization()
    theirs = as_creds(srv, "organizations", other_key)
    try:
        hs = mine.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT},
                                                 Notes="join us", Tags=[{"Key": "via", "Value": "invite"}])["Handshake"]
        assert hs["State"] == "OPEN" and hs["Action"] == "INVITE"
        assert re.fullmatch(r"h-[0-9a-z]{8,32}", hs["Id"])
        assert hs["Arn"].startswith(f"arn:aws:organizations::{srv.account_id}:handshake/o-")
        assert {"Id": OTHER_ACCOUNT, "Type": "ACCOUNT"} in hs["Parties"]
        assert reason_of(mine.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT})[0] == (
            "DuplicateHandshakeException")
        assert [h["Id"] for h in theirs.list_handshakes_for_account()["Handshakes"]] == [hs["Id"]]
        assert theirs.describe_handshake(HandshakeId=hs["Id"])["Handshake"]["Id"] == hs["Id"]
        assert [h["Id"] for h in mine.list_handshakes_for_organization()["Handshakes"]] == [hs["Id"]]
        # The management account cannot accept on the invitee's behalf.
        assert reason_of(mine.accept_handshake, HandshakeId=hs["Id"])[0] == "HandshakeNotFoundException"
        accepted = theirs.accept_handshake(HandshakeId=hs["Id"])["Handshake"]
        assert accepted["State"] == "ACCEPTED"
        assert reason_of(theirs.accept_handshake, HandshakeId=hs["Id"])[0] == "HandshakeAlreadyInStateException"
        assert reason_of(theirs.decline_handshake, HandshakeId=hs["Id"])[0] == "InvalidHandshakeTransitionException"
        account = mine.describe_account(AccountId=OTHER_ACCOUNT)["Account"]
        assert account["JoinedMethod"] == "INVITED" and account["Status"] == "ACTIVE"
        assert mine.list_tags_for_resource(ResourceId=OTHER_ACCOUNT)["Tags"] == [{"Key": "via", "Value": "invite"}]
        assert theirs.describe_organization()["Organization"]["MasterAccountId"] == srv.account_id
        assert reason_of(mine.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT}) == (
            "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION")
        assert reason_of(theirs.create_organization)[0] == "AlreadyInOrganizationException"
        theirs.leave_organization()
        assert reason_of(theirs.describe_organization)[0] == "AWSOrganizationsNotInUseException"
    finally:
        mine.delete_organization()


def test_decline_and_cancel(two_accounts: Any) -> None:
    srv, other_key = two_accounts
    mine = srv.client("organizations")
    mine.create_organization()
    theirs = as_creds(srv, "organizations", other_key)
    try:
        email = f"{OTHER_ACCOUNT}@accounts.iamd.invalid"
        hs = mine.invite_account_to_organization(Target={"Type": "EMAIL", "Id": email})["Handshake"]
        assert theirs.decline_handshake(HandshakeId=hs["Id"])["Handshake"]["State"] == "DECLINED"
        assert reason_of(theirs.accept_handshake, HandshakeId=hs["Id"])[0] == "InvalidHandshakeTransitionException"
        again = mine.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT})["Handshake"]
        # Only the organization's management account cancels; the invitee is outside it.
        assert reason_of(theirs.cancel_handshake, HandshakeId=again["Id"])[0] == "AWSOrganizationsNotInUseException"
        assert mine.cancel_handshake(HandshakeId=again["Id"])["Handshake"]["State"] == "CANCELED"
        assert reason_of(theirs.accept_handshake, HandshakeId=again["Id"])[0] == "InvalidHandshakeTransitionException"
        assert reason_of(mine.cancel_handshake, HandshakeId=again["Id"])[0] == "HandshakeAlreadyInStateException"
        assert reason_of(mine.invite_account_to_organization, Target={"Type": "EMAIL", "Id": "nobody@example.com"}) == (
            "InvalidInputException", "INVALID_EMAIL_ADDRESS_TARGET")
        assert reason_of(mine.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": "000000000001"})[0] == (
            "InvalidInputException")
        assert reason_of(mine.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": srv.account_id}) == (
            "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION")
    finally:
        mine.delete_organization()


def test_enable_all_features(two_accounts: Any) -> None:
    """A consolidated-billing organization moves to all features: the invited member approves,
    then the management account confirms; created accounts are not asked."""
    srv, other_key = two_accounts
    mine = srv.client("organizations")
    theirs = as_creds(srv, "organizations", other_key)
    mine.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    try:
        create(mine, "Made", "made@example.com")
        hs = mine.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT})["Handshake"]
        theirs.accept_handshake(HandshakeId=hs["Id"])
        assert reason_of(mine.enable_aws_service_access, ServicePrincipal="iam.amazonaws.com")[1] == (
            "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE")
        request = mine.enable_all_features()["Handshake"]
        assert request["Action"] == "ENABLE_ALL_FEATURES" and request["State"] == "OPEN"
        assert reason_of(mine.enable_all_features) == (
            "HandshakeConstraintViolationException", "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION")
        asked = theirs.list_handshakes_for_account(Filter={"ActionType": "ENABLE_ALL_FEATURES"})["Handshakes"]
        assert len(asked) == 1
        assert {"Type": "PARENT_HANDSHAKE", "Value": request["Id"]} in asked[0]["Resources"]
        by_parent = mine.list_handshakes_for_organization(Filter={"ParentHandshakeId": request["Id"]})["Handshakes"]
        assert [h["Id"] for h in by_parent] == [asked[0]["Id"]]
        assert reason_of(mine.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": "000000000001"}) == (
            "HandshakeConstraintViolationException", "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES")
        # Nothing to confirm before the member approved.
        assert mine.list_handshakes_for_account(Filter={"ActionType": "APPROVE_ALL_FEATURES"})["Handshakes"] == []
        assert reason_of(mine.accept_handshake, HandshakeId=asked[0]["Id"])[0] == "HandshakeNotFoundException"
        theirs.accept_handshake(HandshakeId=asked[0]["Id"])
        [confirm] = mine.list_handshakes_for_account(Filter={"ActionType": "APPROVE_ALL_FEATURES"})["Handshakes"]
        assert reason_of(theirs.accept_handshake, HandshakeId=confirm["Id"])[0] == "HandshakeNotFoundException"
        assert mine.accept_handshake(HandshakeId=confirm["Id"])["Handshake"]["State"] == "ACCEPTED"
        assert mine.describe_organization()["Organization"]["FeatureSet"] == "ALL"
        assert mine.describe_handshake(HandshakeId=request["Id"])["Handshake"]["State"] == "ACCEPTED"
        mine.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
        assert reason_of(mine.enable_all_features) == (
            "HandshakeConstraintViolationException", "ORGANIZATION_ALREADY_HAS_ALL_FEATURES")
    finally:
        for account in mine.list_accounts()["Accounts"]:
            if account["Id"] != srv.account_id:
                mine.remove_account_from_organization(AccountId=account["Id"])
        mine.delete_organization()


def test_enable_all_features_cancelled(two_accounts: Any) -> None:
    srv, other_key = two_accounts
    mine = srv.client("organizations")
    theirs = as_creds(srv, "organizations", other_key)
    mine.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    try:
        hs = mine.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT})["Handshake"]
        theirs.accept_handshake(HandshakeId=hs["Id"])
        request = mine.enable_all_features()["Handshake"]
        [asked] = theirs.list_handshakes_for_account(Filter={"ParentHandshakeId": request["Id"]})["Handshakes"]
        assert theirs.decline_handshake(HandshakeId=asked["Id"])["Handshake"]["State"] == "DECLINED"
        mine.cancel_handshake(HandshakeId=request["Id"])
        assert mine.describe_organization()["Organization"]["FeatureSet"] == "CONSOLIDATED_BILLING"
        # A new request can start; its member handshake is a new one.
        again = mine.enable_all_features()["Handshake"]
        [fresh] = theirs.list_handshakes_for_account(Filter={"ParentHandshakeId": again["Id"]})["Handshakes"]
        mine.cancel_handshake(HandshakeId=again["Id"])
        assert theirs.describe_handshake(HandshakeId=fresh["Id"])["Handshake"]["State"] == "CANCELED"
        assert reason_of(theirs.accept_handshake, HandshakeId=fresh["Id"])[0] == "InvalidHandshakeTransitionException"
    finally:
        for account in mine.list_accounts()["Accounts"]:
            if account["Id"] != srv.account_id:
                mine.remove_account_from_organization(AccountId=account["Id"])
        mine.delete_organization()


def test_enable_all_features_without_invited_members(org: Any, server: IamdServer) -> None:
    """Only created accounts: the management account is asked to confirm at once."""
    org.delete_organization()
    org.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    create(org, "Made", "made2@example.com")
    org.enable_all_features()
    [confirm] = org.list_handshakes_for_account(Filter={"ActionType": "APPROVE_ALL_FEATURES"})["Handshakes"]
    org.accept_handshake(HandshakeId=confirm["Id"])
    assert org.describe_organization()["Organization"]["FeatureSet"] == "ALL"


def test_enable_all_features_when_the_last_member_asked_leaves(two_accounts: Any) -> None:
    srv, other_key = two_accounts
    mine = srv.client("organizations")
    theirs = as_creds(srv, "organizations", other_key)
    mine.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    try:
        hs = mine.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT})["Handshake"]
        theirs.accept_handshake(HandshakeId=hs["Id"])
        request = mine.enable_all_features()["Handshake"]
        [asked] = theirs.list_handshakes_for_account(Filter={"ParentHandshakeId": request["Id"]})["Handshakes"]
        theirs.leave_organization()
        assert theirs.describe_handshake(HandshakeId=asked["Id"])["Handshake"]["State"] == "CANCELED"
        [confirm] = mine.list_handshakes_for_account(Filter={"ActionType": "APPROVE_ALL_FEATURES"})["Handshakes"]
        mine.accept_handshake(HandshakeId=confirm["Id"])
        assert mine.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    finally:
        mine.delete_organization()
