"""A change of an organization is enforced on the next request, in every account it reaches and
on every server sharing the database: attach, detach, move, leave, close, disabling the type.

The per-account policy generation moves for every account below the changed target in the
change's transaction (store/orgs.py ``bump_generations``); each server caches a member's
compiled policy set and organization placement under that generation (authz/organizations.py),
so no poll is needed: the very next call decides on the new state.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from functional_helpers import as_creds, denied, error
from org_helpers import SCP, Org, deny
from tools.reliability import races

from iamd.testing import IamdServer


@pytest.fixture
def org(server: IamdServer) -> Org:
    return Org(server, SCP)


def test_attach_then_detach_at_the_root(org: Org) -> None:
    member = org.account("dev")
    admin = org.as_admin(member)
    admin.list_users()
    pid = org.policy("NoUsers", deny("iam:ListUsers"), attach=(org.root,))
    denied(admin.list_users)
    org.client.detach_policy(PolicyId=pid, TargetId=org.root)
    admin.list_users()


def test_updating_the_policy_content_is_enforced_next(org: Org) -> None:
    member = org.account("dev")
    admin = org.as_admin(member)
    pid = org.policy("Narrow", deny("iam:ListUsers"), attach=(member,))
    denied(admin.list_users)
    admin.list_roles()
    org.client.update_policy(PolicyId=pid, Content='{"Version":"2012-10-17","Statement":[{"Effect":"Deny",'
                             '"Action":"iam:ListRoles","Resource":"*"}]}')  # fmt: skip
    admin.list_users()
    denied(admin.list_roles)


def test_moving_the_account_out_of_and_into_a_denying_ou(org: Org) -> None:
    locked = org.ou("locked")
    org.policy("NoUsers", deny("iam:ListUsers"), attach=(locked,))
    member = org.account("dev", locked)
    admin = org.as_admin(member)
    denied(admin.list_users)
    org.move(member, org.root)
    admin.list_users()
    org.move(member, locked)
    denied(admin.list_users)


def test_an_account_that_leaves_is_no_longer_governed(org: Org) -> None:
    member = org.account("dev")
    admin = org.as_admin(member)
    org.policy("NoUsers", deny("iam:ListUsers"), attach=(org.root,))
    denied(admin.list_users)
    org.client.remove_account_from_organization(AccountId=member)
    admin.list_users()


def test_disabling_the_policy_type_lifts_every_scp(org: Org) -> None:
    member = org.account("dev")
    admin = org.as_admin(member)
    org.policy("NoUsers", deny("iam:ListUsers"), attach=(member,))
    denied(admin.list_users)
    org.client.disable_policy_type(RootId=org.root, PolicyType=SCP)
    admin.list_users()


def test_a_closed_account_s_credentials_are_refused(org: Org, server: IamdServer) -> None:
    """After CloseAccount "the account can no longer be used for any AWS activity": iamd refuses
    its credentials as it refuses credentials it does not know (InvalidClientTokenId), on every
    call including GetCallerIdentity; the management account is untouched."""
    member = org.account("dev")
    creds = org.admin(member)
    as_creds(server, "sts", creds).get_caller_identity()
    org.client.close_account(AccountId=member)
    for call in (as_creds(server, "sts", creds).get_caller_identity, as_creds(server, "iam", creds).list_users):
        err = error(call)
        assert (err["Code"], err["HTTPStatus"]) == ("InvalidClientTokenId", 403)
    err = error(as_creds(server, "sts", org.operator).assume_role,
                RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName="late")  # fmt: skip
    assert (err["Code"], err["HTTPStatus"]) == ("AccessDenied", 403)
    server.client("iam").list_users()


@pytest.fixture(params=["postgresql", "sqlite"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[IamdServer, IamdServer]]:
    db = request.getfixturevalue("empty_pg_url") if request.param == "postgresql" else ""
    with races.serve_pair(tmp_path / "data", db, log_dir=tmp_path) as servers:
        yield servers
    for log in ("first.log", "second.log"):
        text = (tmp_path / log).read_text()
        assert not re.search(r"iamd\.api request \S+ failed", text), text[-4000:]


def _member_on(server: IamdServer, creds: dict[str, Any]) -> Any:
    return as_creds(server, "iam", creds)


def test_a_change_on_one_server_is_enforced_on_the_other_next(pair: tuple[IamdServer, IamdServer]) -> None:
    """Two ``iamd serve`` processes on one database: the second has the member's policy set and
    placement cached when the first attaches an SCP; its next request decides on the SCP."""
    first, second = pair
    org = Org(first, SCP)
    member = org.account("dev")
    creds = org.admin(member)
    on_second = _member_on(second, creds)
    on_second.list_users()  # cached on the second server
    pid = org.policy("NoUsers", deny("iam:ListUsers"), attach=(org.root,))
    denied(on_second.list_users)
    as_creds(second, "organizations", org.operator).detach_policy(PolicyId=pid, TargetId=org.root)
    _member_on(first, creds).list_users()
    on_second.list_users()
    org.move(member, org.ou("locked"))
    as_creds(second, "organizations", org.operator).attach_policy(PolicyId=pid, TargetId=member)
    denied(_member_on(first, creds).list_users)
