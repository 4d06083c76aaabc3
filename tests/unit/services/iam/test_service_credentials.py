"""Service-specific credentials on both store backends: the password shown once, stored hashed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from iamd.auth import passwords
from iamd.auth.caller import Caller
from iamd.errors import ValidationError
from iamd.services.iam import service_credentials
from iamd.services.iam.errors import (
    DeleteConflict,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    NotSupportedService,
)
from iamd.store import schema


@pytest.fixture(autouse=True)
def _cheap_hashing() -> Iterator[None]:
    with passwords.parameters(passwords.CHEAP):
        yield


def create(invoke, user: str = "dev", service: str = "codecommit.amazonaws.com") -> dict:
    return invoke("iam", "CreateServiceSpecificCredential", {"UserName": user, "ServiceName": service})[
        "ServiceSpecificCredential"
    ]


def stored_hash(runtime, cred_id: str) -> str:
    t = schema.service_specific_credentials
    with runtime.store.begin() as conn:
        return str(conn.execute(select(t.c.password_hash).where(t.c.credential_id == cred_id)).scalar_one())


def test_create_returns_the_password_once_and_stores_a_hash(invoke, account, runtime) -> None:
    invoke("iam", "CreateUser", {"UserName": "dev"})
    cred = create(invoke)
    assert cred["ServiceUserName"] == f"dev-at-{account}"
    assert cred["ServiceSpecificCredentialId"].startswith("ACCA") and len(cred["ServiceSpecificCredentialId"]) == 21
    assert (cred["UserName"], cred["Status"], cred["ServiceName"]) == ("dev", "Active", "codecommit.amazonaws.com")
    assert len(cred["ServicePassword"]) == 44
    hashed = stored_hash(runtime, cred["ServiceSpecificCredentialId"])
    assert hashed.startswith("$argon2id$") and cred["ServicePassword"] not in hashed
    assert passwords.verify_password(hashed, cred["ServicePassword"]).ok
    listed = invoke("iam", "ListServiceSpecificCredentials", {"UserName": "dev"})["ServiceSpecificCredentials"]
    assert listed == [{k: v for k, v in cred.items() if k != "ServicePassword"}]


def test_reset_replaces_the_password(invoke, runtime) -> None:
    invoke("iam", "CreateUser", {"UserName": "dev"})
    cred = create(invoke, service="cassandra.amazonaws.com")
    reset = invoke("iam", "ResetServiceSpecificCredential", {
        "UserName": "dev", "ServiceSpecificCredentialId": cred["ServiceSpecificCredentialId"],
    })["ServiceSpecificCredential"]
    assert reset["ServicePassword"] != cred["ServicePassword"]
    assert reset["ServiceSpecificCredentialId"] == cred["ServiceSpecificCredentialId"]
    hashed = stored_hash(runtime, cred["ServiceSpecificCredentialId"])
    assert passwords.verify_password(hashed, reset["ServicePassword"]).ok
    assert not passwords.verify_password(hashed, cred["ServicePassword"]).ok


def test_services_and_quota(invoke) -> None:
    invoke("iam", "CreateUser", {"UserName": "dev"})
    with pytest.raises(NotSupportedService):
        create(invoke, service="s3.amazonaws.com")
    with pytest.raises(ValidationError):
        invoke("iam", "CreateServiceSpecificCredential", {
            "UserName": "dev", "ServiceName": "codecommit.amazonaws.com", "CredentialAgeDays": 30,
        })
    create(invoke)
    create(invoke)
    with pytest.raises(LimitExceeded, match="ServiceSpecificCredentialsPerUserPerService: 2"):
        create(invoke)
    create(invoke, service="cassandra.amazonaws.com")  # the quota is per service
    with pytest.raises(NoSuchEntity):
        create(invoke, user="nobody")


def test_list_filters_status_delete(invoke, account) -> None:
    for user in ("a", "b"):
        invoke("iam", "CreateUser", {"UserName": user})
    a1, a2, b1 = create(invoke, "a"), create(invoke, "a", "cassandra.amazonaws.com"), create(invoke, "b")
    ids = lambda listed: sorted(c["ServiceSpecificCredentialId"] for c in listed["ServiceSpecificCredentials"])  # noqa: E731
    assert ids(invoke("iam", "ListServiceSpecificCredentials", {"UserName": "a"})) == sorted(
        [a1["ServiceSpecificCredentialId"], a2["ServiceSpecificCredentialId"]]
    )
    assert ids(invoke("iam", "ListServiceSpecificCredentials", {
        "UserName": "a", "ServiceName": "cassandra.amazonaws.com",
    })) == [a2["ServiceSpecificCredentialId"]]
    everyone = invoke("iam", "ListServiceSpecificCredentials", {"AllUsers": True, "ServiceName": "codecommit.amazonaws.com"})
    assert ids(everyone) == sorted([a1["ServiceSpecificCredentialId"], b1["ServiceSpecificCredentialId"]])
    assert {c["UserName"] for c in everyone["ServiceSpecificCredentials"]} == {"a", "b"}
    page = invoke("iam", "ListServiceSpecificCredentials", {"AllUsers": True, "MaxItems": 2})
    assert page["IsTruncated"] is True
    rest = invoke("iam", "ListServiceSpecificCredentials", {"AllUsers": True, "Marker": page["Marker"]})
    assert len(rest["ServiceSpecificCredentials"]) == 1 and rest["IsTruncated"] is False
    with pytest.raises(InvalidInput):
        invoke("iam", "ListServiceSpecificCredentials", {"AllUsers": True, "UserName": "a"})
    assert invoke("iam", "ListServiceSpecificCredentials")["ServiceSpecificCredentials"] == []  # root has none

    user = invoke("iam", "GetUser", {"UserName": "a"})["User"]
    as_a = Caller(account, user["Arn"], user["UserId"], "user", "AKIAEXAMPLE", user_name="a")
    invoke("iam", "UpdateServiceSpecificCredential", {
        "ServiceSpecificCredentialId": a1["ServiceSpecificCredentialId"], "Status": "Inactive",
    }, caller=as_a)
    statuses = {c["ServiceSpecificCredentialId"]: c["Status"] for c in invoke(
        "iam", "ListServiceSpecificCredentials", {}, caller=as_a)["ServiceSpecificCredentials"]}
    assert statuses[a1["ServiceSpecificCredentialId"]] == "Inactive"
    with pytest.raises(InvalidInput):
        invoke("iam", "UpdateServiceSpecificCredential", {
            "UserName": "a", "ServiceSpecificCredentialId": a1["ServiceSpecificCredentialId"], "Status": "Expired",
        })
    with pytest.raises(NoSuchEntity, match=b1["ServiceSpecificCredentialId"]):  # b's credential, not a's
        invoke("iam", "DeleteServiceSpecificCredential", {
            "UserName": "a", "ServiceSpecificCredentialId": b1["ServiceSpecificCredentialId"],
        })
    with pytest.raises(NoSuchEntity):
        invoke("iam", "ResetServiceSpecificCredential", {"ServiceSpecificCredentialId": a1["ServiceSpecificCredentialId"]})
    with pytest.raises(DeleteConflict, match=r"^Cannot delete entity, must remove referenced objects first\.$"):
        invoke("iam", "DeleteUser", {"UserName": "a"})
    for cred in (a1, a2):
        invoke("iam", "DeleteServiceSpecificCredential", {
            "UserName": "a", "ServiceSpecificCredentialId": cred["ServiceSpecificCredentialId"],
        })
    invoke("iam", "DeleteUser", {"UserName": "a"})


def test_the_quota_is_counted_under_the_lock_after_hashing(invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two credentials made while this call hashed its password (before the account's lock)."""
    invoke("iam", "CreateUser", {"UserName": "dev"})
    real, pending = service_credentials.hash_password, [True]

    def hash_while_others_create(password: str) -> str:
        if pending:
            pending.pop()
            create(invoke)
            create(invoke)
        return real(password)

    monkeypatch.setattr(service_credentials, "hash_password", hash_while_others_create)
    with pytest.raises(LimitExceeded):
        create(invoke)


def test_reset_of_a_credential_deleted_meanwhile(invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke("iam", "CreateUser", {"UserName": "dev"})
    cred = create(invoke)
    ids = {"UserName": "dev", "ServiceSpecificCredentialId": cred["ServiceSpecificCredentialId"]}
    real = service_credentials.hash_password
    monkeypatch.setattr(service_credentials, "hash_password",
                        lambda pw: (invoke("iam", "DeleteServiceSpecificCredential", ids), real(pw))[1])
    with pytest.raises(NoSuchEntity):
        invoke("iam", "ResetServiceSpecificCredential", ids)
