"""``ValidatePolicy``: AWS's policy checks on a document, paged (``maxResults``/``nextToken``).

The checks are ``iamd.analysis.validate_policy``, which is pure; this action only binds it to
the API: arguments AWS refuses become ``ValidationException`` (with ``reason`` and
``fieldList``, as the model defines it), and the findings are cut into pages. A token is the
index of the page's first finding, sealed (``services/page_tokens.py``) and bound to the
account and to a digest of the request's document, type, resource type and locale, so a forged
token, or one replayed with another document or by another account, is refused rather than
answered with someone else's page. Validation writes nothing, so nothing needs a transaction.
"""

from __future__ import annotations

from typing import Any

from iamd.analysis.validate_policy import ValidatePolicyInputError, validate_policy
from iamd.services.accessanalyzer.errors import AaValidation as ValidationException
from iamd.services.context import Call
from iamd.services.page_tokens import query_digest, sealer
from iamd.services.registry import action

PURPOSE = "accessanalyzer-validate-policy-token"


@action("accessanalyzer", "ValidatePolicy")
def validate(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    text = params["policyDocument"]
    policy_type = params["policyType"]
    resource_type = params.get("validatePolicyResourceType")
    locale = params.get("locale") or "EN"
    size = params.get("maxResults")
    if size is not None and size < 1:
        raise ValidationException(
            "Value at 'maxResults' failed to satisfy constraint: Member must be greater than or equal to 1",
            "fieldValidationFailed",
            "maxResults",
        )
    try:
        findings = validate_policy(text, policy_type, resource_type, locale)
    except ValidatePolicyInputError as err:
        raise ValidationException(str(err), "fieldValidationFailed", err.field) from None
    tokens = sealer(call.runtime.master_key, PURPOSE)
    bound = [call.account_id, "ValidatePolicy", query_digest([text, policy_type, resource_type, locale])]
    start = 0
    token = params.get("nextToken")
    if token is not None:
        opened = tokens.open(token, bound)
        if (
            opened is None
            or not opened[1]
            or not isinstance(opened[0], int)
            or not 0 <= opened[0] <= len(findings)
        ):
            raise ValidationException("Invalid pagination token.", "other", "nextToken")
        start = opened[0]
    end = len(findings) if size is None else min(len(findings), start + size)
    out: dict[str, Any] = {"findings": findings[start:end]}
    if end < len(findings):
        out["nextToken"] = tokens.seal(end, bound)
    return out
