"""Security: what a denied cross-account call learns about the other account."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from functional_helpers import ENCODED, allow, clients, doc
from functional_helpers import OTHER_ACCOUNT as OTHER

from iamd.testing import IamdServer


def test_a_cross_account_denial_does_not_reveal_the_other_accounts_policy_or_tags(
    two_accounts: tuple[IamdServer, dict[str, str]],
) -> None:
    """The encoded message of a denied AssumeRole into another account is the caller's to read:
    it must not carry that account's trust policy statements or the role's tags."""
    srv, other_root = two_accounts
    theirs, _ = clients(srv, other_root)
    mine = srv.client("iam")
    trust = doc(
        {"Sid": "TrustFirstAccount", "Effect": "Allow", "Principal": {"AWS": srv.account_id}, "Action": "sts:AssumeRole"},
        {"Sid": "SecretDenySid", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
    )
    role = theirs.create_role(
        RoleName="vault", AssumeRolePolicyDocument=trust, Tags=[{"Key": "classification", "Value": "top-secret-x"}]
    )["Role"]["Arn"]
    mine.create_user(UserName="spy")
    mine.put_user_policy(UserName="spy", PolicyName="p", PolicyDocument=doc(allow(["sts:*", "iam:*"])))
    spy_iam, spy_sts = clients(srv, mine.create_access_key(UserName="spy")["AccessKey"])
    mine.put_user_policy(
        UserName="spy", PolicyName="tags",
        PolicyDocument=doc(allow("sts:AssumeRole", "*", StringLike={"aws:ResourceTag/classification": "*"})),
    )
    with pytest.raises(ClientError) as info:
        spy_sts.assume_role(RoleArn=role, RoleSessionName="spy-session")
    message = info.value.response["Error"]["Message"]
    encoded = message.partition(ENCODED)[2]
    decoded = spy_sts.decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"]
    assert json.loads(decoded)["context"]["resource"] == role
    assert "SecretDenySid" not in decoded
    assert "top-secret-x" not in decoded and "classification" not in decoded


def _decoded_denial(sts: object, call: object, **kwargs: object) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)  # type: ignore[operator]
    encoded = info.value.response["Error"]["Message"].partition(ENCODED)[2]
    assert encoded, info.value.response["Error"]["Message"]
    return str(sts.decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])  # type: ignore[attr-defined]


def test_a_cross_account_denial_does_not_reveal_the_condition_keys_the_trust_policy_reads(
    two_accounts: tuple[IamdServer, dict[str, str]],
) -> None:
    """The other account's trust policies require an external id and principal tags (one allows
    with them, one denies without them): the caller's decoded message names none of those keys
    and reads the same for both and for a role that does not exist, as AWS shows a cross-account
    caller nothing of the resource owner's policies (no oracle for its structure or its roles).
    The caller's own policy's missing keys stay: they are the caller's to debug."""
    srv, other_root = two_accounts
    theirs, _ = clients(srv, other_root)
    mine = srv.client("iam")
    required = {"sts:ExternalId": "ext-value-4711", "aws:PrincipalTag/Clearance": "cosmic"}
    mine_only = {"Effect": "Allow", "Principal": {"AWS": srv.account_id}, "Action": "sts:AssumeRole"}
    trusts = {
        "guarded-allow": doc({**mine_only, "Condition": {"StringEquals": required,
                                                          "StringLike": {"aws:SourceVpce": "vpce-hidden*"}}}),
        "guarded-deny": doc(mine_only, {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                                        "Condition": {"StringNotEquals": required,
                                                      "StringNotLike": {"aws:SourceVpce": "vpce-hidden*"}}}),
    }  # fmt: skip
    for name, trust in trusts.items():
        theirs.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    mine.create_user(UserName="prober")
    mine.put_user_policy(
        UserName="prober", PolicyName="p",
        PolicyDocument=doc(
            allow("sts:DecodeAuthorizationMessage"),
            allow("sts:AssumeRole", "*"),
            allow("sts:AssumeRole", "*", Bool={"aws:MultiFactorAuthPresent": "true"}),
        ),
    )
    _, prober_sts = clients(srv, mine.create_access_key(UserName="prober")["AccessKey"])
    seen = []
    for name in (*trusts, "no-such-role"):
        role = f"arn:aws:iam::{OTHER}:role/{name}"
        decoded = _decoded_denial(prober_sts, prober_sts.assume_role, RoleArn=role, RoleSessionName="probe")
        lowered = decoded.lower()
        for leaked in ("externalid", "clearance", "sourcevpce", "ext-value-4711", "cosmic", "vpce-hidden", "trust"):
            assert leaked not in lowered, (name, leaked, decoded)
        body = json.loads(decoded)
        assert body["context"]["resource"] == role
        assert "aws:multifactorauthpresent" in [k.lower() for k in body["missingContextKeys"]]
        assert all(st["policyType"] == "identity" for st in body["matchedStatements"]["items"])
        keys = sorted(item["key"] for item in body["context"]["conditions"]["items"])
        seen.append((body["explicitDeny"], body["reason"], body["decidedBy"], body["missingContextKeys"],
                     body["matchedStatements"], keys))  # fmt: skip
    assert seen[0] == seen[1] == seen[2], seen
    assert seen[0][0] is False


def test_the_callers_own_explicit_deny_is_still_explained_cross_account(
    two_accounts: tuple[IamdServer, dict[str, str]],
) -> None:
    srv, other_root = two_accounts
    theirs, _ = clients(srv, other_root)
    role = theirs.create_role(
        RoleName="open", AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"AWS": srv.account_id}, "Action": "sts:AssumeRole"})
    )["Role"]["Arn"]  # fmt: skip
    mine = srv.client("iam")
    mine.create_user(UserName="self-denied")
    mine.put_user_policy(
        UserName="self-denied", PolicyName="p",
        PolicyDocument=doc(
            allow(["sts:AssumeRole", "sts:DecodeAuthorizationMessage"]),
            {"Sid": "NoRoles", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"},
        ),
    )
    _, own_sts = clients(srv, mine.create_access_key(UserName="self-denied")["AccessKey"])
    body = json.loads(_decoded_denial(own_sts, own_sts.assume_role, RoleArn=role, RoleSessionName="s1"))
    assert body["explicitDeny"] is True and body["decidedBy"] == "identity"
    assert "NoRoles" in [st["statementId"] for st in body["matchedStatements"]["items"]]
