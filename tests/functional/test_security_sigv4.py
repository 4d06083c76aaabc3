"""Security: what a SigV4 signature binds. Requests are signed by hand with botocore and then
altered on the wire, the way an attacker holding one signed request would."""

from __future__ import annotations

import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iamd.testing import IamdServer

FORM = "application/x-www-form-urlencoded"
CALLER_IDENTITY = b"Action=GetCallerIdentity&Version=2011-06-15"


def _send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as err:
        return int(err.code), err.read()


def _signed_headers(server: IamdServer, body: bytes, extra: dict[str, str]) -> dict[str, str]:
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers={"Content-Type": FORM, **extra})
    SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), "sts", "us-east-1").add_auth(req)
    return dict(req.headers.items())


def test_a_query_parameter_added_to_a_header_signed_post_breaks_the_signature(server: IamdServer) -> None:
    headers = _signed_headers(server, CALLER_IDENTITY, {})
    status, body = _send(server.endpoint + "/?Action=GetSessionToken", CALLER_IDENTITY, headers)
    assert status == 403 and b"SignatureDoesNotMatch" in body


def test_an_unsigned_payload_does_not_let_the_body_be_swapped(server: IamdServer) -> None:
    """The Query protocol's operation and parameters are the body: a signature that leaves the
    body out would let whoever holds one signed request run any other call as its signer."""
    headers = _signed_headers(server, CALLER_IDENTITY, {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    status, body = _send(server.endpoint + "/", b"Action=GetSessionToken&Version=2011-06-15", headers)
    assert status == 403 and b"SignatureDoesNotMatch" in body, body
    assert b"SecretAccessKey" not in body


def test_an_unsigned_payload_is_refused_even_unaltered(server: IamdServer) -> None:
    headers = _signed_headers(server, CALLER_IDENTITY, {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    status, body = _send(server.endpoint + "/", CALLER_IDENTITY, headers)
    assert status == 403 and b"SignatureDoesNotMatch" in body, body


def test_a_declared_payload_hash_that_is_the_real_one_is_accepted(server: IamdServer) -> None:
    import hashlib

    digest = hashlib.sha256(CALLER_IDENTITY).hexdigest()
    headers = _signed_headers(server, CALLER_IDENTITY, {"X-Amz-Content-SHA256": digest})
    status, body = _send(server.endpoint + "/", CALLER_IDENTITY, headers)
    assert status == 200, body


def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=10) as resp:
            return int(resp.status), resp.read().decode()
    except urllib.error.HTTPError as err:
        return int(err.code), err.read().decode()


def _tag_value(iam: object, user: str) -> str | None:
    try:
        tags = iam.list_user_tags(UserName=user)["Tags"]  # type: ignore[attr-defined]
    except iam.exceptions.NoSuchEntityException:  # type: ignore[attr-defined]
        return None
    return str(tags[0]["Value"])


def _presigned_create_user(iam: object, user: str, value: str) -> str:
    url: str = iam.generate_presigned_url(  # type: ignore[attr-defined]
        "create_user", Params={"UserName": user, "Tags": [{"Key": "k", "Value": value}]},
        ExpiresIn=300, HttpMethod="GET",
    )
    return url


def test_a_presigned_urls_signature_pins_a_plus(server: IamdServer) -> None:
    """botocore signs ``a+b`` as ``a%2Bb``. The same URL with a bare ``+`` means ``a b`` to the
    parameter parser (a ``+`` in a query is a space), so it is another request and must not
    verify: what was signed is what is stored."""
    iam = server.client("iam")
    url = _presigned_create_user(iam, "plus-rewritten", "a+b")
    assert "Value=a%2Bb" in url
    status, xml = _fetch(url.replace("Value=a%2Bb", "Value=a+b"))
    assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in xml, xml
    assert _tag_value(iam, "plus-rewritten") is None

    url = _presigned_create_user(iam, "plus-kept", "a+b")
    assert _fetch(url)[0] == 200
    assert _tag_value(iam, "plus-kept") == "a+b"


def test_a_presigned_url_verifies_under_every_spelling_of_the_same_value(server: IamdServer) -> None:
    """Encodings that mean the same bytes stay the same request, as the SigV4 canonical form
    re-encodes decoded values: a space as ``%20`` (signed) or ``+``, hex in either case."""
    iam = server.client("iam")
    space = _presigned_create_user(iam, "space-as-plus", "a b")
    assert "Value=a%20b" in space
    assert _fetch(space.replace("Value=a%20b", "Value=a+b"))[0] == 200
    assert _tag_value(iam, "space-as-plus") == "a b"
    plus = _presigned_create_user(iam, "lower-hex", "a+b")
    assert _fetch(plus.replace("Value=a%2Bb", "Value=a%2bb"))[0] == 200
    assert _tag_value(iam, "lower-hex") == "a+b"
    encoded_space = _presigned_create_user(iam, "space-as-2b", "a b")
    status, xml = _fetch(encoded_space.replace("Value=a%20b", "Value=a%2Bb"))
    assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in xml, xml


def test_a_header_signed_get_pins_a_plus_in_its_query(server: IamdServer) -> None:
    params = "Action=CreateUser&Version=2010-05-08&UserName=hdr-get&Tags.member.1.Key=k&Tags.member.1.Value=a%2Bb"
    req = AWSRequest(method="GET", url=f"{server.endpoint}/?{params}")
    SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), "iam", "us-east-1").add_auth(req)
    headers = dict(req.headers.items())
    rewritten = urllib.request.Request(
        f"{server.endpoint}/?{params.replace('a%2Bb', 'a+b')}", headers=headers, method="GET"
    )
    try:
        urllib.request.urlopen(rewritten, timeout=10)
        raise AssertionError("the rewritten request verified")
    except urllib.error.HTTPError as err:
        assert err.code == 403 and b"SignatureDoesNotMatch" in err.read()
    iam = server.client("iam")
    assert _tag_value(iam, "hdr-get") is None
    with urllib.request.urlopen(
        urllib.request.Request(f"{server.endpoint}/?{params}", headers=headers, method="GET"), timeout=10
    ) as resp:
        assert resp.status == 200
    assert _tag_value(iam, "hdr-get") == "a+b"


def test_a_form_bodys_plus_is_pinned_by_the_payload_hash(server: IamdServer) -> None:
    body = b"Action=CreateUser&Version=2010-05-08&UserName=form-plus&Tags.member.1.Key=k&Tags.member.1.Value=a%2Bb"
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers={"Content-Type": FORM})
    SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), "iam", "us-east-1").add_auth(req)
    headers = dict(req.headers.items())
    status, answer = _send(server.endpoint + "/", body.replace(b"a%2Bb", b"a+b"), headers)
    assert status == 403 and b"SignatureDoesNotMatch" in answer, answer
    assert _send(server.endpoint + "/", body, headers)[0] == 200
    assert _tag_value(server.client("iam"), "form-plus") == "a+b"
