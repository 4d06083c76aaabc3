"""Access Analyzer's custom policy checks, decided exactly, with a counter-example on FAIL.

AWS answers these checks PASS or FAIL ("IAM Access Analyzer custom policy checks"):

- ``CheckNoNewAccess``: does the new policy allow any request the existing one does not?
- ``CheckAccessNotGranted``: does the policy allow any of the listed actions / resources?
- ``CheckNoPublicAccess``: does a resource policy of this type grant access to anyone — a caller
  of an account the policy does not name, or an anonymous one?

Each question is one satisfiability problem over a symbolic request (``smt_problem``); a model
is a counter-example. iamd answers FAIL only after its engine (``PolicySet.evaluate``, the one
decision path) has decided that request the same way; a disagreement is a bug and is reported as
one (``Discrepancy``), never turned into an answer. PASS means unsatisfiable: no request at all,
not merely none that was tried. The solver is bounded by ``timeout_ms`` (``CheckTimeout``); what
the encoding can only approximate raises ``Undecidable`` rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from iamd.policy.wildcard import compile_glob, tokenize

from .smt_keys import Undecidable
from .smt_problem import DEFAULT_TIMEOUT_MS, CheckTimeout, Discrepancy, InvalidPolicy, Problem, parse_document
from .smt_public import PUBLIC_SERVICES, unnamed_caller

__all__ = [
    "PUBLIC_SERVICES",
    "CheckResult",
    "CheckTimeout",
    "Discrepancy",
    "InvalidPolicy",
    "Undecidable",
    "check_access_not_granted",
    "check_no_new_access",
    "check_no_public_access",
]


@dataclass
class CheckResult:
    """AWS's response (``result``, ``message``, ``reasons``) plus iamd's counter-example."""

    result: str
    message: str
    reasons: list[dict[str, object]] = field(default_factory=list)
    counter_example: dict[str, object] | None = None

    def response(self) -> dict[str, object]:
        out: dict[str, object] = {"result": self.result, "message": self.message, "reasons": self.reasons}
        if self.counter_example is not None:
            # iamd's extension: a member no AWS SDK models, so every SDK ignores it.
            out["iamdCounterExample"] = self.counter_example
        return out


def check_no_new_access(
    new_document: str, existing_document: str, policy_type: str, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> CheckResult:
    new = parse_document(new_document, policy_type, "newPolicyDocument")
    old = parse_document(existing_document, policy_type, "existingPolicyDocument")
    problem = Problem([new, old], policy_type)
    enc = problem.encoder
    weak = problem.relaxed
    relaxed = z3.And(weak.allows(new), z3.Not(weak.allows(old)))
    model = problem.solve(z3.And(enc.allows(new), z3.Not(enc.allows(old))), timeout_ms, relaxed)
    if model is None:
        problem.trusted_pass()
        return CheckResult("PASS", "The modified permissions do not grant new access compared to your existing policy.")
    example = problem.render(model)
    def new_access(request: dict[str, object]) -> bool:
        return problem.engine_allows(new, request) and not problem.engine_allows(old, request)

    if not new_access(example):
        raise problem.disagree("the new and existing policies", example)
    problem.real_action(example, new_access)
    example["verifiedByEngine"] = True
    return CheckResult(
        "FAIL",
        "The modified permissions grant new access compared to your existing policy.",
        problem.reasons(new, example, "New access in the statement with index: {index}."),
        example,
    )


def check_access_not_granted(
    document: str,
    actions: list[str],
    resources: list[str],
    policy_type: str,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> CheckResult:
    policy = parse_document(document, policy_type, "policyDocument")
    problem = Problem([policy], policy_type)
    enc = problem.encoder
    r = problem.request
    goal = [enc.allows(policy)]
    if actions:
        goal.append(enc.any([z3.InRe(r.action, enc.re.glob(tokenize(a.lower()))) for a in actions]))
    if resources:
        goal.append(enc.any([z3.InRe(r.resource, enc.re.resource(tokenize(x))) for x in resources]))
    listed = (
        "perform the listed actions on the listed resources"
        if actions and resources
        else "perform the listed actions"
        if actions
        else "the listed resources"
    )
    model = problem.solve(z3.And(*goal), timeout_ms)
    if model is None:
        problem.trusted_pass()
        return CheckResult("PASS", f"The policy document does not grant access to {listed}.")
    example = problem.render(model)
    if not problem.engine_allows(policy, example):
        raise problem.disagree("the policy", example)
    globs = [compile_glob(a, ignore_case=True) for a in actions]
    problem.real_action(
        example,
        lambda r: problem.engine_allows(policy, r)
        and (not globs or any(g(str(r["action"]).lower()) for g in globs)),
    )
    example["verifiedByEngine"] = True
    return CheckResult(
        "FAIL",
        f"The policy document grants access to {listed}.",
        problem.reasons(policy, example, "One or more of the listed actions or resources in the statement with index: {index}."),
        example,
    )


def check_no_public_access(document: str, resource_type: str, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> CheckResult:
    if resource_type not in PUBLIC_SERVICES:
        raise InvalidPolicy(f"The resource type {resource_type} is not supported.")
    policy = parse_document(document, "RESOURCE_POLICY", "policyDocument")
    problem = Problem([policy], "RESOURCE_POLICY")
    enc = problem.encoder
    services = PUBLIC_SERVICES[resource_type]
    on_type = enc.any([z3.PrefixOf(z3.StringVal(s + ":", problem.ctx), problem.request.action) for s in services])
    goal = z3.And(enc.allows(policy), on_type, unnamed_caller(problem))
    model = problem.solve(goal, timeout_ms)
    if model is None:
        problem.trusted_pass()
        return CheckResult("PASS", "The resource policy does not grant public access for the given resource type.")
    example = problem.render(model)
    if not problem.engine_allows(policy, example):
        raise problem.disagree("the resource policy", example)
    problem.real_action(example, lambda r: problem.engine_allows(policy, r))
    example["verifiedByEngine"] = True
    return CheckResult(
        "FAIL",
        "The resource policy grants public access for the given resource type.",
        problem.reasons(policy, example, "Public access granted in the following statement with index: {index}."),
        example,
    )
