"""A small OpenID Connect issuer for the tests: keys made here, discovery and JWKS over HTTPS on
127.0.0.1 with a certificate from a test CA, tokens signed here.

Nothing leaves the machine: iamd is started with ``--oidc-ca-bundle`` pointing at this CA, so it
verifies the issuer's TLS exactly as it would a real one. The issuer can rotate its keys, go
down, redirect, or answer oversized documents, and counts the requests it served, so tests can
see iamd's caching from outside.
"""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import json
import ssl
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

__all__ = ["Issuer", "SigningKey", "TestCA", "signed_token"]


class TestCA:
    """A CA and a server certificate for 127.0.0.1 / localhost signed by it."""

    def __init__(self, folder: Path) -> None:
        now = dt.datetime.now(dt.UTC)
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iamd test CA")])
        self.cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.server_key = ec.generate_private_key(ec.SECP256R1())
        self.server_cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(name).public_key(self.server_key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self.cert_file = folder / "server.pem"
        self.cert_file.write_bytes(self.server_cert.public_bytes(serialization.Encoding.PEM))
        self.key_file = folder / "server.key"
        self.key_file.write_bytes(self.server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    def server_thumbprint(self) -> str:
        return self.server_cert.fingerprint(hashes.SHA1()).hex()  # noqa: S303 - AWS's thumbprint is SHA-1

    def self_signed(self, folder: Path) -> tuple[Path, Path, str]:
        """A server certificate no CA signed (an issuer AWS would need a thumbprint for): its
        certificate file, key file and SHA-1 thumbprint."""
        now = dt.datetime.now(dt.UTC)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256())
        )
        cert_file, key_file = folder / "rogue.pem", folder / "rogue.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return cert_file, key_file, cert.fingerprint(hashes.SHA1()).hex()  # noqa: S303


class SigningKey:
    """An RSA (RS256) or EC P-256 (ES256) key with its kid and public JWK."""

    def __init__(self, kind: str = "RSA", kid: str | None = None) -> None:
        self.kid = kid or uuid.uuid4().hex[:16]
        self.alg = "RS256" if kind == "RSA" else "ES256"
        self.private = rsa.generate_private_key(65537, 2048) if kind == "RSA" else ec.generate_private_key(ec.SECP256R1())
        algo = jwt.algorithms.RSAAlgorithm if kind == "RSA" else jwt.algorithms.ECAlgorithm
        self.jwk: dict[str, Any] = json.loads(algo.to_jwk(self.private.public_key()))
        self.jwk.update(kid=self.kid, use="sig", alg=self.alg)

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


class Issuer:
    """``https://127.0.0.1:PORT[/path]``: discovery, JWKS, and tokens."""

    def __init__(self, ca: TestCA, path: str = "", *, cert: tuple[Path, Path] | None = None) -> None:
        self.ca = ca
        self.path = path
        self.keys = [SigningKey()]
        self.requests: list[str] = []
        self.mode = "up"  # "up", "down" (HTTP 500), "redirect", "huge"
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                issuer.requests.append(self.path)
                if issuer.mode == "down":
                    self.send_error(500)
                    return
                if issuer.mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "https://127.0.0.1:1/elsewhere")
                    self.end_headers()
                    return
                if self.path == f"{issuer.path}/.well-known/openid-configuration":
                    body: Any = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks",
                                 "id_token_signing_alg_values_supported": ["RS256", "ES256"]}
                elif self.path == f"{issuer.path}/jwks":
                    body = issuer.jwks()
                    if issuer.mode == "huge":
                        body["padding"] = "x" * 200_000
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*(cert or (ca.cert_file, ca.key_file)))
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}{self.path}"

    @property
    def host_path(self) -> str:
        return self.url.removeprefix("https://")

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.jwk for k in self.keys]}

    def jwks_fetches(self) -> int:
        return sum(1 for p in self.requests if p.endswith("/jwks"))

    def rotate(self) -> SigningKey:
        key = SigningKey()
        self.keys = [key, *self.keys[:1]]
        return key

    def token(self, *, sub: str = "repo:acme/app:ref:refs/heads/main", aud: Any = "sts.amazonaws.com",
              key: SigningKey | None = None, lifetime: int = 600, headers: dict[str, Any] | None = None,
              **claims: Any) -> str:
        key = key or self.keys[0]
        now = int(time.time())
        body: dict[str, Any] = {"iss": self.url, "sub": sub, "aud": aud, "iat": now, "exp": now + lifetime, **claims}
        body = {k: v for k, v in body.items() if v is not None}
        head = {"kid": key.kid, **(headers or {})}
        return jwt.encode(body, key.private, algorithm=key.alg, headers=head)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def signed_token(key: SigningKey, iss: str, *, sub: str, aud: Any, lifetime: int = 600, **claims: Any) -> str:
    """A token of another issuer (GitHub's, Google's) signed with a key registered for it."""
    now = int(time.time())
    body = {"iss": iss, "sub": sub, "aud": aud, "iat": now, "exp": now + lifetime, **claims}
    return jwt.encode(body, key.private, algorithm=key.alg, headers={"kid": key.kid})
