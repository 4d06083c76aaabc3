"""SAML providers survive a restart, and a master-key rotation re-seals their private keys.

A provider with an assertion-decryption key (``AssertionEncryptionMode`` Required) is made under
master key K1; after a restart encrypted assertions still open; after K2 is promoted and
``iamd keys reseal`` has run, they open on a server that no longer has K1 at all — the key was
re-sealed under K2. Without the re-seal, dropping K1 leaves the key unopenable, which proves it
was sealed in the first place.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from botocore import UNSIGNED
from botocore.config import Config
from functional_helpers import doc, error
from saml_idp import AWS_SAML, SamlIdp, pem_key, rsa_key

from iamd.testing import IamdServer

ACCOUNT = "123456789012"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/Enc"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/enc"


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


class Box:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.root: tuple[str, str] | None = None

    def start(self, master: str, previous: str = "") -> IamdServer:
        srv = IamdServer(extra_args=["--data-dir", str(self.data)],
                         env={"IAMD_MASTER_KEY": master, "IAMD_PREVIOUS_MASTER_KEYS": previous})
        if self.root is None:
            self.root = (srv.access_key_id, srv.secret_access_key)
        srv.access_key_id, srv.secret_access_key = self.root
        return srv.start()

    def reseal(self, master: str, previous: str) -> None:
        env = os.environ | {"IAMD_MASTER_KEY": master, "IAMD_PREVIOUS_MASTER_KEYS": previous}
        subprocess.run([sys.executable, "-m", "iamd.cli", "keys", "reseal", "--data-dir", str(self.data)],
                       env=env, capture_output=True, text=True, check=True, timeout=120)


def _assume(srv: IamdServer, idp: SamlIdp, key: Any) -> Any:
    sts = srv.client("sts", config=Config(signature_version=UNSIGNED))
    assertion = idp.response(ROLE, PROVIDER, encrypt_to=key.public_key()).b64()
    return sts.assume_role_with_saml(RoleArn=ROLE, PrincipalArn=PROVIDER, SAMLAssertion=assertion)


def _setup(box: Box, k1: str) -> tuple[SamlIdp, Any]:
    idp, key = SamlIdp(), rsa_key()
    with box.start(k1) as srv:
        iam = srv.client("iam")
        iam.create_saml_provider(Name="Enc", SAMLMetadataDocument=idp.metadata(), AddPrivateKey=pem_key(key),
                                 AssertionEncryptionMode="Required", Tags=[{"Key": "k", "Value": "v"}])
        iam.create_role(RoleName="enc", AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithSAML",
             "Condition": {"StringEquals": {"SAML:aud": AWS_SAML}}}))
        _assume(srv, idp, key)
    return idp, key


def test_restart_and_rotation_reseal_the_private_keys(tmp_path: Path) -> None:
    box, k1, k2 = Box(tmp_path / "data"), _key(), _key()
    idp, key = _setup(box, k1)
    with box.start(k1) as srv:
        got = srv.client("iam").get_saml_provider(SAMLProviderArn=PROVIDER)
        assert got["AssertionEncryptionMode"] == "Required" and len(got["PrivateKeyList"]) == 1
        assert got["Tags"] == [{"Key": "k", "Value": "v"}]
        _assume(srv, idp, key)
    with box.start(k2, previous=k1) as srv:
        _assume(srv, idp, key)
    box.reseal(k2, k1)
    with box.start(k2) as srv:
        assert _assume(srv, idp, key)["Subject"] == "alice@example.test"


def test_without_the_reseal_the_old_key_is_needed(tmp_path: Path) -> None:
    box, k1 = Box(tmp_path / "data"), _key()
    idp, key = _setup(box, k1)
    with box.start(_key()) as srv:
        err = error(_assume, srv=srv, idp=idp, key=key)
        assert err["Code"] == "InvalidIdentityToken", err


def test_postgresql_backend(empty_pg_url: str) -> None:
    """The same flow on PostgreSQL: provider, sealed key, encrypted sign-in, unique names."""
    idp, key = SamlIdp(), rsa_key()
    with IamdServer(extra_args=["--db", empty_pg_url]) as srv:
        iam = srv.client("iam")
        iam.create_saml_provider(Name="Enc", SAMLMetadataDocument=idp.metadata(), AddPrivateKey=pem_key(key),
                                 AssertionEncryptionMode="Allowed")
        iam.create_role(RoleName="enc", AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithSAML"}))
        assert _assume(srv, idp, key)["Subject"] == "alice@example.test"
        assert error(iam.create_saml_provider, Name="enc", SAMLMetadataDocument=idp.metadata())["Code"] == (
            "EntityAlreadyExists")
