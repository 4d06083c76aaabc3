"""Finding the users and roles a document's Principal/NotPrincipal names, and renaming them in place."""

from __future__ import annotations

import json

import pytest

from iamd.policy import PolicySyntaxError, PolicyType, parse_policy
from iamd.policy.principal_names import is_bindable, principal_names, rename

A = "111111111111"
BOB = f"arn:aws:iam::{A}:user/bob"
APP = f"arn:aws:iam::{A}:role/svc/app"
BOB_ID = "AIDABOB00000000000000"
APP_ID = "AROAAPP00000000000000"


def one_statement(aws: str) -> str:
    return json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": aws}, "Action": "sts:AssumeRole"}]})


@pytest.mark.parametrize(
    ("value", "bindable"),
    [
        (BOB, True),
        (APP, True),
        (BOB_ID, True),
        (APP_ID, True),
        (A, False),
        (f"arn:aws:iam::{A}:root", False),
        (f"arn:aws:sts::{A}:assumed-role/app/s1", False),
        (f"arn:aws:sts::{A}:federated-user/f", False),
        ("*", False),
        ("AGPAGROUP000000000000", False),  # a group id names no principal
        ("AIDASHORT", False),
        (f"arn:aws-cn:iam::{A}:user/bob", False),  # another partition: never this iamd's user
    ],
)
def test_what_is_bound(value: str, bindable: bool) -> None:
    assert is_bindable(value) is bindable


def test_names_in_principal_and_not_principal_in_document_order() -> None:
    text = json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": [A, BOB, "*"], "Service": "ec2.amazonaws.com"},
             "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:userid": BOB_ID}}},
            {"Effect": "Deny", "NotPrincipal": {"AWS": APP}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": "*", "Action": "sts:TagSession"},
        ],
    }, indent=2)
    names = principal_names(text)
    assert [n.value for n in names] == [BOB, APP]
    for n in names:
        assert json.loads(text[n.start : n.end]) == n.value


def test_a_single_statement_object_and_a_string_entry() -> None:
    text = json.dumps({"Statement": {"Effect": "Allow", "Principal": {"AWS": BOB_ID}, "Action": "sts:AssumeRole"}})
    assert [n.value for n in principal_names(text)] == [BOB_ID]


def test_rename_keeps_the_rest_of_the_text_as_written() -> None:
    text = f'{{\n  "Statement": [{{"Effect":"Allow",  "Principal": {{"AWS": ["{BOB}", "{APP}"]}},\n "Action":"sts:AssumeRole"}}]}}'
    names = principal_names(text)
    bound = rename(text, names, {BOB: BOB_ID, APP: APP_ID})
    assert bound == text.replace(BOB, BOB_ID).replace(APP, APP_ID)
    assert rename(bound, principal_names(bound), {BOB_ID: BOB}) == text.replace(APP, APP_ID)


def test_rename_without_changes_returns_the_text() -> None:
    text = one_statement(BOB)
    names = principal_names(text)
    assert rename(text, names, {}) is text
    assert rename(text, names, {BOB: BOB}) is text


def test_a_name_needing_json_escapes_is_written_as_json() -> None:
    text = one_statement(BOB_ID)
    odd = f"arn:aws:iam::{A}:user/we\"ird"
    renamed = rename(text, principal_names(text), {BOB_ID: odd})
    assert json.loads(renamed)["Statement"][0]["Principal"]["AWS"] == odd


def test_the_parser_accepts_user_and_role_ids_but_not_other_ids() -> None:
    for ident in (BOB_ID, APP_ID):
        doc = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ident}, "Action": "sts:AssumeRole"}]})
        parse_policy(doc, PolicyType.TRUST)
    doc = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "AGPAGROUP000000000000"},
                                     "Action": "sts:AssumeRole"}]})
    with pytest.raises(PolicySyntaxError, match="Invalid principal in policy"):
        parse_policy(doc, PolicyType.TRUST)
