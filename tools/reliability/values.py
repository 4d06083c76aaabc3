"""Values per botocore shape: a valid baseline, and hostile ones an attacker would send.

``baseline`` fills an operation's input so that it would pass validation and name the fixture
entities (``Fixtures.names``), so one hostile member reaches as deep into the action as possible.
``hostile`` gives, for one member's shape, a value of the right Python type that AWS would refuse
or that stresses the server: over-long, empty, control characters, NUL, unicode, huge and
negative numbers, oversized lists and maps, malformed policy documents, ARNs of other accounts,
path traversal. Wrong wire types are the fuzzer's job (``fuzz.mutate_wire``): botocore would not
serialize them.
"""

from __future__ import annotations

import json
import random
import string
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from .servers import ACCOUNT, OTHER_ACCOUNT, READ_ONLY, TRUST

POLICY_MEMBERS = ("PolicyDocument", "AssumeRolePolicyDocument", "Policy", "PermissionsBoundaryPolicy",
                  "EventSelectors", "ResourcePolicy", "Content", "InsightSelectors")

OTHER_ARNS = [
    f"arn:aws:iam::{OTHER_ACCOUNT}:user/fz-user",
    f"arn:aws:iam::{OTHER_ACCOUNT}:role/fz-role",
    f"arn:aws:iam::{OTHER_ACCOUNT}:policy/fz-policy",
    f"arn:aws:iam::{OTHER_ACCOUNT}:mfa/fz-mfa",
    f"arn:aws:iam::{OTHER_ACCOUNT}:root",
    f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/fz-role/s",
    f"arn:aws:iam::{ACCOUNT}:policy/../../fz-policy",
    f"arn:aws-cn:iam::{ACCOUNT}:user/fz-user",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/service-role/../AdministratorAccess",
    f"arn:aws:cloudtrail:us-east-1:{OTHER_ACCOUNT}:trail/fz-trail",
    "arn:aws:iam:::user/x", "arn:aws:iam::*:role/*", "arn:", "arn:aws", "arn::::::", "*",
]

NASTY_STRINGS = [
    "", " ", "\x00", "a\x00b", "\x01\x02\x1b[31m\x7f", "\t\r\n", "\u202egnp.exe", "ユーザー名",
    "😀" * 20, "e\u0301" * 30, "\ufeffname", "\uffff", "../../../../etc/passwd", "..\\..\\windows",
    "/../../", "%2e%2e%2f", "${aws:username}", "%s%s%s%n", "{0}{1}", "'; DROP TABLE users; --",
    "</Error><Code>x</Code>", "<![CDATA[", "&amp;&lt;", "\"quoted\"", "-1", "1e309", "NaN", "true",
    "null", "*", "?", "/", "//", "a" * 129, "a" * 2048, "b" * 70_000, "/" + "p/" * 300,
    " leading", "trailing ", "UPPER", "AKIAIOSFODNN7EXAMPLE", "ASIA" + "A" * 16,
]

BAD_POLICIES = [
    "", "{", "[]", "null", "{}", "\"x\"", '{"Version":"2012-10-17"}',
    '{"Version":"2012-10-17","Statement":[]}',
    '{"Version":"2012-10-17","Statement":{}}',
    '{"Version":"1999-01-01","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
    '"Principal":{"AWS":"arn:aws:iam::999999999999:root"}}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
    '"Principal":{"AWS":["arn:aws:iam::999999999999:user/bob","AIDA0000000000000000",123,null]}}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
    '"Condition":{"StringLike":{"aws:username":"${"}}}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
    '"Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"1e99999"}}}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
    '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"99999-99-99"}}}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
    '"Condition":{"IpAddress":{"aws:SourceIp":"999.1.1.1/99"}}}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
    '"Condition":{"ForAllValues:BogusOp":{"k":"v"}, "Null":{"k":"maybe"}}}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
    '"Condition":{"StringEquals":{"aws:PrincipalTag/${aws:username}":["a",{"x":1}]}}}]}',
    '{"Version":"2012-10-17","Statement":[{"Sid":"\\u0000","Effect":"Allow","Action":"*","Resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"\\ud800","Resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}],"Version":"x"}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*"],"Resource":"arn:aws:iam::*:*:*:*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:' + "*" * 500 + '","Resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[' + ",".join(['{"Effect":"Deny","Action":"*","Resource":"*"}'] * 400) + "]}",
    '{"a":' * 3000 + "1" + "}" * 3000,
    "[" * 50_000 + "]" * 50_000,
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' + "\x00",
    '{"Version":2012,"Statement":[{"Effect":"Allow","Action":1,"Resource":true}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":[]}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":'
    '{"StringEquals":{"aws:RequestTag/a":"' + "x" * 10_000 + '"}}}]}',
    "%7B%22Version%22", "\ufeff" + READ_ONLY, READ_ONLY.replace("2012-10-17", "2008-10-17"),
]

# Optional members a valid baseline leaves out: a made-up pagination token is only "Invalid Marker".
SKIPPED = frozenset({"Marker", "NextToken", "PaginationToken"})
FIXED = {
    "AuthenticationCode1": "123456", "AuthenticationCode2": "654321", "AWSServiceName": "elasticbeanstalk.amazonaws.com",
    "PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/fz-policy", "EntityPath": "o-a1b2c3d4e5/r-ab12",
}


def credentials_material() -> dict[str, str]:
    """A certificate, its private key and an SSH public key, the same on every run (Ed25519
    keys and signatures are deterministic), so uploads reach past "malformed" into the actions."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.x509.oid import NameOID

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fuzz.example")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(datetime(2024, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2034, 1, 1, tzinfo=UTC)).sign(key, None))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    ssh = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return {"CertificateBody": pem, "PrivateKey": private, "SSHPublicKeyBody": ssh}


MATERIAL = credentials_material()

HUGE_NUMBERS = [0, -1, -(2**31), 2**31, 2**63, -(2**63) - 1, 10**30, 10**400]


class Values:
    """Deterministic value choices for one run (``random.Random(seed)``)."""

    def __init__(self, rng: random.Random, names: dict[str, str]) -> None:
        self.rng = rng
        self.names = names

    # --- a valid baseline -------------------------------------------------------------------
    def baseline(self, shape: Shape, name: str = "", depth: int = 0) -> Any:
        kind = shape.type_name
        if kind == "structure":
            assert isinstance(shape, StructureShape)
            out: dict[str, Any] = {}
            required = set(shape.required_members)
            for member, sub in shape.members.items():
                if member in required or (depth < 3 and member not in SKIPPED and self.rng.random() < 0.25):
                    out[member] = self.baseline(sub, member, depth + 1)
            return out
        if kind == "list":
            assert isinstance(shape, ListShape)
            count = max(1, int(shape.metadata.get("min", 1)))
            return [self.baseline(shape.member, name.rstrip("s"), depth + 1) for _ in range(min(count, 3))]
        if kind == "map":
            assert isinstance(shape, MapShape)
            return {self.baseline(shape.key, "Key", depth + 1): self.baseline(shape.value, "Value", depth + 1)}
        return self.scalar(shape, name)

    def scalar(self, shape: Shape, name: str) -> Any:
        kind = shape.type_name
        meta = shape.metadata
        if kind == "string":
            return self.string(shape, name)
        if kind in ("integer", "long"):
            low, high = int(meta.get("min", 1)), int(meta.get("max", 100))
            return max(low, min(high, 10))
        if kind in ("float", "double"):
            return 1.0
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "timestamp":
            return datetime.now(UTC) - timedelta(hours=1)
        if kind == "blob":
            return b"fuzz"
        return "x"

    def string(self, shape: Shape, name: str) -> str:
        if shape.enum:
            return str(self.rng.choice(shape.enum))
        if name in self.names:
            return self.names[name]
        if name in FIXED or name in MATERIAL:
            return FIXED.get(name) or MATERIAL[name]
        if name == "AssumeRolePolicyDocument":
            return TRUST
        if name.endswith(POLICY_MEMBERS) or "PolicyDocument" in name:
            return READ_ONLY
        if name.endswith("Arn") or name.endswith("ARN"):
            return self.names["Arn"]
        if name.endswith("Path") or name == "PathPrefix":
            return "/"
        low, high = int(shape.metadata.get("min", 1)), int(shape.metadata.get("max", 32))
        size = max(low, min(high, 8))
        return "fz" + "".join(self.rng.choice(string.ascii_lowercase) for _ in range(max(0, size - 2)))

    # --- hostile values -----------------------------------------------------------------------
    def hostile(self, shape: Shape, name: str) -> Any:
        kind = shape.type_name
        meta = shape.metadata
        rng = self.rng
        if kind == "string":
            return self.hostile_string(shape, name)
        if kind in ("integer", "long"):
            edges = [int(meta["min"]) - 1] if "min" in meta else []
            edges += [int(meta["max"]) + 1] if "max" in meta else []
            return rng.choice(HUGE_NUMBERS + edges)
        if kind in ("float", "double"):
            return rng.choice([-1.0, 1e308, -1e308, 5e-324, 0.0])
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "timestamp":
            return rng.choice([datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC),
                               datetime(1970, 1, 1, tzinfo=UTC), datetime(2262, 4, 12, tzinfo=UTC)])
        if kind == "blob":
            return rng.choice([b"", b"\x00" * 1000, b"\xff" * 100_000, b"-----BEGIN CERTIFICATE-----\n"])
        if kind == "list":
            assert isinstance(shape, ListShape)
            size = rng.choice([0, 101, 1001, 3000])
            member = self.baseline(shape.member, name.rstrip("s"), 2)
            return [member] * size if rng.random() < 0.7 else [self.hostile(shape.member, name) for _ in range(3)]
        if kind == "map":
            assert isinstance(shape, MapShape)
            size = rng.choice([0, 51, 600])
            return {f"k{i}": self.baseline(shape.value, "Value", 2) for i in range(size)}
        if kind == "structure":
            return {}
        return None

    def hostile_string(self, shape: Shape, name: str) -> str:
        rng = self.rng
        meta = shape.metadata
        roll = rng.random()
        policy_like = name.endswith(POLICY_MEMBERS) or "PolicyDocument" in name
        if policy_like and roll < 0.7:
            return str(rng.choice(BAD_POLICIES))
        if (name.endswith(("Arn", "ARN")) or "Arn" in name) and roll < 0.5:
            return str(rng.choice(OTHER_ARNS))
        if roll < 0.15 and ("min" in meta or "max" in meta):
            # Just outside the model's bounds, in characters that would pass its pattern.
            size = int(meta["max"]) + 1 if "max" in meta else max(0, int(meta["min"]) - 1)
            return "a" * min(size, 200_000)
        if roll < 0.2 and shape.enum:
            return str(rng.choice(shape.enum)).lower() + "x"
        if roll < 0.3:
            return str(rng.choice(OTHER_ARNS))
        if roll < 0.35:
            return json.dumps(rng.choice(BAD_POLICIES))[:5000]
        return str(rng.choice(NASTY_STRINGS))
