"""The rules a resource control policy (RCP) follows beyond the resource-policy grammar.

From "RCP syntax" (AWS Organizations User Guide):

- ``Effect`` is ``Deny``: ``Allow`` is supported only in the AWS managed ``RCPFullAWSAccess``,
  which is read back from the store (``parse_policy(..., stored=True)``) and so never checked here;
- ``Principal`` is required and can only be ``"*"`` (conditions such as ``aws:PrincipalOrgID``
  narrow who a statement applies to); ``NotPrincipal`` and ``NotAction`` are not supported;
- every action names one of the services that support RCPs, and ``"*"`` alone is not an action a
  customer's RCP may name ("List of AWS services that support RCPs");
- ``Resource`` or ``NotResource`` is required (checked by the shared grammar).

Organizations answers every violation with one sentence (``MalformedPolicyDocumentException``);
the messages here say which rule failed, for the simulator and ``iamd policy`` callers.
"""

from __future__ import annotations

from .document import Policy, Statement

# Service prefixes whose resources RCPs apply to ("List of AWS services that support RCPs").
SUPPORTED_SERVICES = frozenset(
    {"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-identity", "logs", "dynamodb"}
)

DENY_ONLY = "The effect of Allow is only supported for the RCPFullAWSAccess policy."
PRINCIPAL_STAR = 'The Principal element of a resource control policy can only be "*".'
NOT_PRINCIPAL = "NotPrincipal is not supported in resource control policies."
NOT_ACTION = "NotAction is not supported in resource control policies."
UNSUPPORTED_SERVICE = "Action {action} is not of a service that supports resource control policies."


def rcp_error(policy: Policy) -> tuple[str, Statement] | None:
    """The first RCP rule ``policy`` breaks, with the statement that breaks it; None when it
    follows them all."""
    for st in policy.statements:
        if st.effect != "Deny":
            return DENY_ONLY, st
        if st.not_principal:
            return NOT_PRINCIPAL, st
        if st.principal is None or st.principal.entries != {"*": ("*",)}:
            return PRINCIPAL_STAR, st
        if st.not_action:
            return NOT_ACTION, st
        for action in st.actions:
            service = action.split(":", 1)[0].lower() if ":" in action else ""
            if service not in SUPPORTED_SERVICES:
                return UNSUPPORTED_SERVICE.format(action=action), st
    return None
