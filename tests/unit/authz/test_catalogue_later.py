"""The actions newer than the shipped SAR copy: known to the catalogue, with the access level and
resource types catalogue_later.py gives, and never shadowing an action the copy has."""

from __future__ import annotations

import pytest

from iamd.authz import catalogue
from iamd.authz.catalogue_later import LATER_ACTIONS


@pytest.mark.parametrize(("name", "level", "resources"), [
    ("iam:GetAccountProperties", "Read", ()),
    ("iam:PutAccountProperties", "Write", ()),
    ("iam:GetRoleTemplateVersion", "Read", ()),
    ("iam:AcquireRole", "Write", ()),
    ("iam:UpdateOpenIDConnectProvider", "Write", ("oidc-provider",)),
    ("iam:UpdateDelegationRequest", "Write", ("delegation-request",)),
])
def test_later_actions_are_known(name: str, level: str, resources: tuple[str, ...]) -> None:
    info = catalogue.action(name)
    assert info is not None
    assert info.access_level == level
    assert tuple(r.name for r in info.resource_types) == resources
    assert catalogue.is_read_only(name) == (level == "Read")
    assert info in catalogue.actions_matching(name.split(":")[0] + ":*")


def test_the_shipped_copy_wins_over_a_later_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = ["Example", [["Get", 1, [], [], []]], [], {}]
    monkeypatch.setitem(LATER_ACTIONS, "example", [["GET", 2, [], [], []], ["Put", 2, [], [], []]])
    compiled = catalogue._compile("example", raw, ["List", "Read", "Write", "Permissions management", "Tagging"])
    assert compiled.actions["get"].access_level == "Read"
    assert compiled.actions["put"].access_level == "Write"
    assert sorted(compiled.actions) == ["get", "put"]
