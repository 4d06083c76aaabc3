"""Parsing and validation: AWS's MalformedPolicyDocument messages, per-type rules, positions."""

import json

import pytest

from iamd.policy import PolicySyntaxError, PolicyType, parse_policy, policy_size

ID, R, T, B, S, SE = (
    PolicyType.IDENTITY,
    PolicyType.RESOURCE,
    PolicyType.TRUST,
    PolicyType.BOUNDARY,
    PolicyType.SCP,
    PolicyType.SESSION,
)


def doc(*statements, version="2012-10-17", **top):
    body = {"Version": version, "Statement": list(statements), **top}
    if version is None:
        del body["Version"]
    return json.dumps(body)


ALLOW = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
TRUST = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}

ERRORS = [
    ("not json", ID, "Syntax errors in policy."),
    ("[]", ID, "Syntax errors in policy."),
    ('{"Version": "2012-10-17"}', ID, "Syntax errors in policy."),
    (doc(ALLOW, version="2020-01-01"), ID, "Syntax errors in policy."),
    (doc(ALLOW, Foo=1), ID, "Syntax errors in policy."),
    (doc({**ALLOW, "Foo": 1}), ID, "Syntax errors in policy."),
    (doc({"Action": "s3:x", "Resource": "*"}), ID, "Syntax errors in policy."),
    (doc({"Action": "s3:x", "Resource": "*"}), R, "Missing required field Effect"),
    (doc({**ALLOW, "Effect": "allow"}), ID, "The policy failed legacy parsing"),
    (doc({**ALLOW, "Effect": "Maybe"}), ID, "Syntax errors in policy."),
    (json.dumps({"Statement": ALLOW}), ID, "Policy document must be version 2012-10-17 or greater."),
    (doc(ALLOW, version="2008-10-17"), B, "Policy document must be version 2012-10-17 or greater."),
    (doc({"Effect": "Allow", "Resource": "*"}), ID, "Policy statement must contain actions."),
    (doc({"Effect": "Allow", "Action": "s3:x"}), ID, "Policy statement must contain resources."),
    (doc({**ALLOW, "NotAction": "s3:x"}), ID, "Syntax errors in policy."),
    (doc({**ALLOW, "Action": "GetObject"}), ID, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    (doc({**ALLOW, "Action": "s3:a:b"}), ID, "Actions/Condition can contain only one colon."),
    (doc({**ALLOW, "Action": "s_3:a"}), ID, "Vendor s_3 is not valid"),
    (doc({**ALLOW, "Resource": "bucket"}), ID, 'Resource bucket must be in ARN format or "*".'),
    (doc({**ALLOW, "Principal": "*"}), ID, "Policy document should not specify a principal."),
    (doc({**ALLOW, "NotPrincipal": {"AWS": "*"}}), B, "Policy document should not specify a principal."),
    (doc({**ALLOW, "Principal": "*"}), SE, "Policy document should not specify a principal."),
    (doc({**ALLOW, "Principal": "*"}), S, "Has prohibited field Principal"),
    (doc({**ALLOW, "Sid": "a"}, {**ALLOW, "Sid": "a"}), ID, "Statement IDs (SID) in a single policy must be unique."),
    (doc({**ALLOW, "Sid": "has space"}), ID, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"),
    (doc({**ALLOW, "Condition": {"StringEqual": {"a:b": "c"}}}), ID, "Syntax errors in policy."),
    (doc({**ALLOW, "Principal": "*", "Condition": {"StringEqual": {"a:b": "c"}}}), R, "Invalid Condition type : StringEqual"),
    (doc({**ALLOW, "Condition": {"StringEquals": {"a:b": {"x": 1}}}}), ID, "Syntax errors in policy."),
    (doc({**ALLOW, "Condition": []}), ID, "Syntax errors in policy."),
    (doc(ALLOW), R, "Missing required field Principal"),
    (doc({"Effect": "Allow", "Action": "sts:AssumeRole"}), T, "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"),
    ("not json", T, "This policy contains invalid Json"),
    (doc({**TRUST, "Resource": "*"}), T, "Has prohibited field Resource"),
    (doc({**TRUST, "Action": "s3:GetObject"}), T, "AssumeRole policy may only specify STS AssumeRole actions."),
    (doc({**TRUST, "Principal": {"AWS": "arn:aws:iam::111122223333:user/*"}}), T, 'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"'),
    (doc({**TRUST, "Principal": {"AWS": "bob"}}), T, 'Invalid principal in policy: "AWS":"bob"'),
    (doc({**TRUST, "Principal": {"Martian": "x"}}), T, "Syntax errors in policy."),
    (doc({**TRUST, "Principal": "me"}), T, "Syntax errors in policy."),
    ('{"Statement": [], "Statement": []}', ID, "Syntax errors in policy."),  # duplicate keys
    ("[" * 10000, ID, "Syntax errors in policy."),
]  # fmt: skip


@pytest.mark.parametrize(("text", "policy_type", "message"), ERRORS)
def test_malformed_policy_documents(text, policy_type, message):
    with pytest.raises(PolicySyntaxError) as err:
        parse_policy(text, policy_type)
    assert str(err.value) == message


VALID = [
    (doc(ALLOW), ID),
    (json.dumps({"Statement": TRUST}), T),  # no Version, single statement object
    (doc(TRUST, version="2008-10-17"), T),
    (doc({**ALLOW, "Action": ["s3:Get*", "s3:List*"], "Sid": "ReadOnly1"}), ID),
    (doc({"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:iam::*:user/x"}), B),
    (doc({**ALLOW, "Action": "*"}), S),
    (doc({**ALLOW, "Principal": "*", "Sid": "Public read"}), R),
    (doc({"Effect": "Allow", "Principal": {"Service": "sqs.amazonaws.com"}, "Action": "sqs:*"}), R),
    (doc({"Effect": "Deny", "NotPrincipal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:user/Bob"]}, "Action": "s3:*", "Resource": "*"}), R),
    (doc(TRUST), T),
    (doc({**TRUST, "Principal": {"Federated": "accounts.google.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}), T),
    (doc({**TRUST, "Principal": {"AWS": "arn:aws:sts::111122223333:assumed-role/r/s"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}), T),
    (doc({**ALLOW, "Condition": {"NumericLessThan": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": True}}}), ID),
    (doc({**ALLOW, "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*"]}}}), ID),
]  # fmt: skip


@pytest.mark.parametrize(("text", "policy_type"), VALID)
def test_valid_documents(text, policy_type):
    policy = parse_policy(text, policy_type, "pid")
    assert policy.policy_id == "pid"
    assert policy.statements


def test_normalised_elements():
    policy = parse_policy(doc({**ALLOW, "Condition": {"NumericLessThan": {"s3:max-keys": 10}}}), ID)
    st = policy.statements[0]
    assert st.actions == ("s3:GetObject",)
    assert st.resources == ("*",)
    assert st.conditions[0].values == ("10",)
    assert policy.version == "2012-10-17"


def test_statement_spans_and_error_positions():
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},\n    {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}\n  ]\n}'
    policy = parse_policy(text, ID)
    assert (policy.statements[0].span.line, policy.statements[0].span.column) == (4, 5)
    assert policy.statements[1].span.line == 5
    with pytest.raises(PolicySyntaxError) as err:
        parse_policy(text.replace('"Deny"', '"Nope"'), ID)
    assert (err.value.line, err.value.column) == (5, 16)


def test_policy_size_ignores_whitespace():
    assert policy_size('{ "a" :\n\t"b c" }') == 10
