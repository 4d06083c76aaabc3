"""AWS's rules for a verified assertion, and the trust policy keys made from it."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from iamd.auth.saml_verify import Assertion
from iamd.services.sts.saml_claims import ROLE, SESSION_NAME, Refused, check, is_signin_endpoint, subject_type

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ROLE_ARN, PROVIDER_ARN = "arn:aws:iam::123456789012:role/r", "arn:aws:iam::123456789012:saml-provider/P"
BASE = Assertion(
    issuer="https://idp.example", assertion_id="_a", issue_instant=NOW, name_id="alice",
    name_id_format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    recipients=("https://signin.aws.amazon.com/saml",), confirmation_not_on_or_after=(NOW + timedelta(minutes=5),),
    not_before=NOW, not_on_or_after=NOW + timedelta(minutes=5), audiences=("urn:amazon:webservices",),
    session_not_on_or_after=None, destination="https://signin.aws.amazon.com/saml",
    attributes={ROLE: [f"{PROVIDER_ARN}, {ROLE_ARN}"], SESSION_NAME: ["alice"]},
)


def run(a: Assertion, now: datetime = NOW):
    return check(a, role_arn=ROLE_ARN, provider_arn=PROVIDER_ARN, account_id="123456789012", provider_name="P", now=now)


def kind_of(a: Assertion, now: datetime = NOW) -> tuple[str, str]:
    with pytest.raises(Refused) as caught:
        run(a, now)
    return caught.value.kind, caught.value.message


def test_claims_and_keys() -> None:
    c = run(BASE)
    qualifier = base64.b64encode(hashlib.sha1(b"https://idp.example123456789012/P").digest()).decode()
    assert c.name_qualifier == qualifier and c.subject_type == "transient"
    assert c.condition_keys["saml:doc"] == "123456789012/P"
    assert c.condition_keys["saml:aud"] == "https://signin.aws.amazon.com/saml"


def test_regional_endpoints() -> None:
    assert is_signin_endpoint("https://us-west-2.signin.aws.amazon.com/saml")
    assert not is_signin_endpoint("https://evil.example/https://signin.aws.amazon.com/saml")
    run(replace(BASE, recipients=("https://eu-central-1.signin.aws.amazon.com/saml",)))


def test_subject_type_keeps_other_formats() -> None:
    assert subject_type("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress") == (
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")


@pytest.mark.parametrize(
    ("change", "now", "kind"),
    [
        ({}, NOW + timedelta(minutes=11), "expired"),
        ({"issue_instant": NOW + timedelta(minutes=10)}, NOW, "invalid"),
        ({"not_on_or_after": NOW - timedelta(minutes=6)}, NOW, "expired"),
        ({"recipients": ()}, NOW, "invalid"),
        ({"recipients": ("a", "b")}, NOW, "invalid"),
        ({"confirmation_not_on_or_after": (None,)}, NOW, "invalid"),
        ({"destination": "https://evil.example"}, NOW, "invalid"),
        ({"audiences": ("https://app.example",)}, NOW, "invalid"),
        ({"name_id": None}, NOW, "denied"),
        ({"attributes": {SESSION_NAME: ["alice"]}}, NOW, "denied"),
        ({"attributes": {ROLE: [f"{ROLE_ARN},arn:aws:iam::999999999999:saml-provider/P"], SESSION_NAME: ["a1"]}}, NOW,
         "denied"),
        ({"attributes": {ROLE: [f"{ROLE_ARN},{PROVIDER_ARN}"]}}, NOW, "invalid"),
        ({"attributes": {**BASE.attributes, "https://aws.amazon.com/SAML/Attributes/SessionDuration": ["60"]}}, NOW,
         "invalid"),
        ({"attributes": {**BASE.attributes, "https://aws.amazon.com/SAML/Attributes/SourceIdentity": ["aws:me"]}},
         NOW, "invalid"),
    ],
)
def test_refusals(change: dict, now: datetime, kind: str) -> None:
    assert kind_of(replace(BASE, **change), now)[0] == kind


def test_session_limits() -> None:
    attrs = {**BASE.attributes, "https://aws.amazon.com/SAML/Attributes/SessionDuration": ["1800"]}
    assert run(replace(BASE, attributes=attrs)).max_session_seconds == 1800
    assert run(replace(BASE, attributes=attrs, session_not_on_or_after=NOW + timedelta(seconds=1000))
               ).max_session_seconds == 1000
    assert run(BASE).max_session_seconds is None


def test_tags_and_multi_valued_keys() -> None:
    attrs = {**BASE.attributes,
             "https://aws.amazon.com/SAML/Attributes/PrincipalTag:Project": ["M"],
             "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys": ["Project"],
             "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["staff", "member"],
             "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": ["alice@uni.example"],
             "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ["a@x.example"]}
    c = run(replace(BASE, attributes=attrs))
    assert c.tags == (("Project", "M"),) and c.transitive_tag_keys == ("Project",)
    assert c.condition_keys["saml:edupersonaffiliation"] == ["staff", "member"]
    assert c.condition_keys["saml:edupersonprincipalname"] == "alice@uni.example"
    assert c.condition_keys["saml:mail"] == "a@x.example"
