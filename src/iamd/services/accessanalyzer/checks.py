"""CheckNoNewAccess, CheckAccessNotGranted, CheckNoPublicAccess: Access Analyzer's custom policy
checks, decided exactly by ``analysis/smt_checks`` (docs/access-analyzer.md, "Custom policy checks").

AWS answers PASS or FAIL with a message and the statements that are the reason. iamd answers the
same, and on FAIL adds one more ``ReasonSummary`` whose description is ``iamd counter-example:``
followed by the request (action, resource, principal, context) as JSON — a request iamd's engine
decided before the answer left: every SDK reads it as a reason, no SDK breaks on it.

A solve is bounded in time (``TIMEOUT_MS``) and in concurrency (``SLOTS``, a process-wide
semaphore): a flood of hard checks is answered ``ThrottlingException`` instead of holding every
worker thread. A check the solver cannot finish, or that needs a construct iamd can only
approximate, is ``UnprocessableEntityException`` saying so; a counter-example the engine
refuses is a bug and is ``InternalServerException`` — never a guessed PASS or FAIL.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from typing import Any

from iamd.analysis import smt_checks as checks
from iamd.services.accessanalyzer.check_errors import (
    InternalServer,
    InvalidParameter,
    Throttling,
    Unprocessable,
)
from iamd.services.accessanalyzer.errors import AaValidation
from iamd.services.context import Call
from iamd.services.registry import action

TIMEOUT_MS = 10_000
SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 1)))
_SLOT_WAIT_S = 2.0
COUNTER_EXAMPLE = "iamd counter-example: "


def _policy_type(params: dict[str, Any]) -> str:
    value = params.get("policyType")
    if value not in ("IDENTITY_POLICY", "RESOURCE_POLICY"):
        raise AaValidation(
            f"Value '{value}' at 'policyType' failed to satisfy constraint: Member must satisfy enum value set: "
            "[IDENTITY_POLICY, RESOURCE_POLICY]",
            "fieldValidationFailed",
            "policyType",
        )
    return str(value)


def _document(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise AaValidation(f"Value at '{name}' failed to satisfy constraint: Member must not be null", "fieldValidationFailed", name)
    return value


def _decide(run: Callable[[], checks.CheckResult]) -> dict[str, Any]:
    if not SLOTS.acquire(timeout=_SLOT_WAIT_S):
        raise Throttling()
    try:
        result = run()
    except checks.InvalidPolicy as err:
        raise InvalidParameter(str(err)) from None
    except (checks.CheckTimeout, checks.Undecidable) as err:
        raise Unprocessable(str(err)) from None
    except checks.Discrepancy as err:
        raise InternalServer(str(err)) from None
    finally:
        SLOTS.release()
    return response(result)


def response(result: checks.CheckResult) -> dict[str, Any]:
    """AWS's output shape; the counter-example rides as the last reason."""
    reasons = list(result.reasons)
    if result.counter_example is not None:
        reasons.append({"description": COUNTER_EXAMPLE + json.dumps(result.counter_example, sort_keys=True)})
    out: dict[str, Any] = {"result": result.result, "message": result.message}
    if reasons:
        out["reasons"] = reasons
    return out


@action("accessanalyzer", "CheckNoNewAccess")
def check_no_new_access(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    new = _document(params, "newPolicyDocument")
    existing = _document(params, "existingPolicyDocument")
    policy_type = _policy_type(params)
    return _decide(lambda: checks.check_no_new_access(new, existing, policy_type, TIMEOUT_MS))


@action("accessanalyzer", "CheckAccessNotGranted")
def check_access_not_granted(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    document = _document(params, "policyDocument")
    policy_type = _policy_type(params)
    access = params.get("access") or []
    if len(access) != 1:
        raise AaValidation("The access list must contain exactly one entry.", "fieldValidationFailed", "access")
    actions = [str(a) for a in access[0].get("actions") or []]
    resources = [str(r) for r in access[0].get("resources") or []]
    if not actions and not resources:
        raise AaValidation(
            "The access entry must list at least one action or resource.", "fieldValidationFailed", "access"
        )
    return _decide(lambda: checks.check_access_not_granted(document, actions, resources, policy_type, TIMEOUT_MS))


@action("accessanalyzer", "CheckNoPublicAccess")
def check_no_public_access(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    document = _document(params, "policyDocument")
    resource_type = params.get("resourceType")
    if resource_type not in checks.PUBLIC_SERVICES:
        raise AaValidation(
            f"Value '{resource_type}' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set",
            "fieldValidationFailed",
            "resourceType",
        )
    return _decide(lambda: checks.check_no_public_access(document, str(resource_type), TIMEOUT_MS))
