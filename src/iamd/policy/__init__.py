"""iamd's policy engine: the AWS IAM policy language, parsed, compiled and evaluated.

Pure library: no I/O, no clock, no other iamd imports; every input is an argument.

Parse and validate (raises ``PolicySyntaxError`` with AWS's MalformedPolicyDocument message)::

    policy = parse_policy(text, PolicyType.IDENTITY, policy_id="arn:aws:iam::111122223333:policy/ro")

Or ask for AWS's verdict as findings (empty when valid)::

    validate_policy(text, PolicyType.TRUST)  # (Finding("MalformedPolicyDocument", "…", 3, 7),)

Compile a principal's policies once (cache the ``PolicySet``), then decide requests::

    policies = PolicySet(identity=[policy], boundary=None, scps=None, session=None)
    decision = policies.evaluate(
        Request(
            principal=RequestPrincipal("arn:aws:iam::111122223333:user/alice", "111122223333", PrincipalType.USER),
            action="s3:GetObject",
            resource="arn:aws:s3:::bucket/key",
            context=Context({"aws:username": "alice", "aws:SourceIp": "10.0.0.1"}),
            resource_account="111122223333",
        ),
        resource_policy=bucket_policy,          # optional Policy of type RESOURCE or TRUST
    )
    decision.effect                 # "Allow" | "ExplicitDeny" | "ImplicitDeny"
    decision.reason                 # e.g. "explicit deny in a permissions boundary"
    decision.decided_by             # PolicyType or None (root user)
    decision.matched_statements     # (MatchedStatement(policy_id, policy_type, sid, index, effect, span), ...)
    decision.missing_context_keys   # keys statements needed but the request lacked
    decision.explanation            # all of the above as text

See docs/policy-engine.md for the semantics.
"""

from .context import Context
from .decision import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, Decision, MatchedStatement
from .document import SIZE_LIMITS, Condition, Policy, PolicyType, Span, Statement, policy_size
from .errors import Finding, PolicySyntaxError
from .evaluator import PolicySet, Request, evaluate
from .keys import keys_named, keys_read, reads_resource_tags
from .parser import parse_policy, validate_policy
from .principal import PrincipalType, RequestPrincipal
from .resource_controls import ResourceControls

__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "SIZE_LIMITS",
    "Condition",
    "Context",
    "Decision",
    "Finding",
    "MatchedStatement",
    "Policy",
    "PolicySet",
    "PolicySyntaxError",
    "PolicyType",
    "PrincipalType",
    "Request",
    "RequestPrincipal",
    "ResourceControls",
    "Span",
    "Statement",
    "evaluate",
    "keys_named",
    "keys_read",
    "parse_policy",
    "policy_size",
    "reads_resource_tags",
    "validate_policy",
]
