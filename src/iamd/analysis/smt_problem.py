"""One custom-check problem: parsed policies, a z3 context, the symbolic request, a bounded solve.

Each problem owns a fresh ``z3.Context`` (z3 is not thread-safe across contexts shared between
threads) and asks one bounded question: is the goal satisfiable within ``timeout_ms``? z3's
``unknown`` is never read as an answer: a timeout raises ``CheckTimeout``, any other reason
``Undecidable``.

Strings the solver invents (resources, context values, names) are drawn from printable ASCII
plus every character the policies themselves use: a counter-example is readable, and nothing a
policy can match is out of reach.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import z3

from iamd.authz import catalogue
from iamd.policy import (
    ALLOW,
    SIZE_LIMITS,
    Context,
    Policy,
    PolicySet,
    PolicySyntaxError,
    PolicyType,
    PrincipalType,
    Request,
    RequestPrincipal,
    parse_policy,
    policy_size,
)
from iamd.policy.compiler import compile_policy
from iamd.policy.variables import parse_template

from .smt_encode import Encoder
from .smt_keys import Undecidable, collect_keys
from .smt_request import SymbolicRequest, text

DEFAULT_TIMEOUT_MS = 10_000
# z3's memory for the whole process (every context), in MB: a blow-up past it is an answer of
# "cannot decide", not a server killed by the OOM killer.
z3.set_param("memory_max_size", 2048)
MAX_DOCUMENT_CHARS = 131_072
POLICY_TYPES = {"IDENTITY_POLICY": PolicyType.IDENTITY, "RESOURCE_POLICY": PolicyType.RESOURCE}
_ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
HOLDER = "policy-holder"
_VARIABLE = re.compile(r"\$\{[^}]*\}")
_MAX_HINTS = 24
_HINT_MS = 250
_MAX_REAL_ACTIONS = 2000


class InvalidPolicy(Exception):
    """A document the check refuses before solving: not a valid policy, or over AWS's size."""


class CheckTimeout(Exception):
    """The solver did not decide within the check's time bound."""


class Discrepancy(Exception):
    """The solver's counter-example is not allowed by the engine: a bug in one of them."""


def parse_document(text_: str, policy_type: str, label: str) -> Policy:
    ptype = POLICY_TYPES[policy_type]
    if not isinstance(text_, str) or len(text_) > MAX_DOCUMENT_CHARS or policy_size(text_) > SIZE_LIMITS[ptype]:
        raise InvalidPolicy(
            f"The {label} exceeds the maximum size of {SIZE_LIMITS[ptype]} characters for a {policy_type}."
        )
    try:
        return parse_policy(text_, ptype, label)
    except PolicySyntaxError as err:
        where = f" (line {err.line}, column {err.column})" if err.line is not None else ""
        raise InvalidPolicy(f"The {label} is not a valid {policy_type}: {err.message}{where}") from None


def fresh_accounts(texts: list[str], count: int) -> list[str]:
    """Account ids no policy names: the resource's owner, an unnamed outsider."""
    out: list[str] = []
    candidate = 999999999999
    while len(out) < count:
        digits = str(candidate)
        if not any(digits in t for t in texts):
            out.append(digits)
        candidate -= 1
    return out


def _callers(kind: str, name: str) -> list[tuple[PrincipalType, str, str, str]]:
    """Concrete callers a Principal entry names: (type, ARN, account, source ARN)."""
    if kind == "Service":
        return [(PrincipalType.SERVICE, name if name != "*" else "sns.amazonaws.com", "", "")]
    if kind == "Federated":
        return [(PrincipalType.WEB_IDENTITY, name if name != "*" else "accounts.google.com", "", "")]
    if kind != "AWS" and kind != "*":
        return []
    account = name if name.isdigit() else name.split(":")[4] if name.count(":") >= 5 else ""
    if not (len(account) == 12 and account.isdigit()):
        return []
    out = [(PrincipalType.ROOT, f"arn:aws:iam::{account}:root", account, ""), (PrincipalType.USER, f"arn:aws:iam::{account}:user/x", account, "")]
    resource = name.split(":", 5)[5] if name.count(":") >= 5 else ""
    if resource.startswith("user/"):
        out.insert(0, (PrincipalType.USER, name, account, ""))
    elif resource.startswith("role/"):
        role = resource.rsplit("/", 1)[1]
        out.insert(0, (PrincipalType.ROLE_SESSION, f"arn:aws:sts::{account}:assumed-role/{role}/s", account, name))
    return out


class Problem:
    def __init__(self, policies: list[Policy], policy_type: str) -> None:
        self.policies = policies
        self.resource_based = POLICY_TYPES[policy_type] is PolicyType.RESOURCE
        self.ctx = z3.Context()
        self.request = SymbolicRequest(self.ctx, collect_keys(policies))
        texts = [p.text for p in policies]
        extra = sorted({ch for t in texts for ch in t if not " " <= ch <= "~"})
        self.encoder = Encoder(self.request, extra)
        self.relaxed = Encoder(self.request, extra, relax=True)
        self.owner, self.outsider = fresh_accounts(texts, 2)
        self._alphabet()
        if self.resource_based:
            self.request.constraints.extend(self.encoder.principals.well_formed(self.owner))

    def _alphabet(self) -> None:
        word = self.encoder.re.alphabet
        r, p = self.request, self.request.principal
        strings = [r.resource, p.arn, p.source, p.account]
        for key in r.keys.values():
            if key.kind in ("string", "bool", "binary"):
                strings.extend(key.values)
        r.constraints.extend(z3.InRe(s, word) for s in strings)

    def resource_hints(self) -> list[z3.BoolRef]:
        """Concrete resources worth trying first: each Resource pattern with its wildcards filled
        in, its policy variables given the value ``x`` (a fixed resource alone leaves z3 a word
        equation to solve). z3 finds most counter-examples in milliseconds once they are fixed,
        and a hint only narrows a search whose model is still verified: no cost in exactness."""
        out: dict[tuple[str, tuple[str, ...]], None] = {}
        for policy in self.policies:
            for st in policy.statements:
                for pattern in st.resources or ():
                    base = _VARIABLE.sub("x", pattern)
                    names = tuple(sorted({v.key for v in parse_template(pattern, policy.variables).variables}))
                    for star in ("x", ""):
                        out[(base.replace("*", star).replace("?", "x"), names)] = None
        out[("arn:aws:iamd:::unnamed", ())] = None
        hints = []
        x = z3.StringVal("x", self.ctx)
        for resource, names in list(out)[:_MAX_HINTS]:
            fixed = [self.request.resource == z3.StringVal(resource, self.ctx)]
            for name in names:
                kv = self.request.keys.get(name)
                if kv is not None and kv.kind == "string":
                    fixed.append(z3.And(kv.single(), kv.values[0] == x))
            hints.append(z3.And(*fixed))
        return hints

    def principal_hints(self) -> list[z3.BoolRef]:
        """Callers worth trying first (resource policies): each one a Principal element names, an
        anonymous caller, and an IAM user of an account no policy names."""
        p = self.request.principal
        s = self.encoder.principals.s
        found: dict[tuple[PrincipalType, str, str, str], None] = {}
        for policy in self.policies:
            for st in policy.statements:
                for kind, names in (st.principal.entries if st.principal else {}).items():
                    for name in names:
                        found.update(dict.fromkeys(_callers(kind, name)))
        found[(PrincipalType.ANONYMOUS, "*", "", "")] = None
        found[(PrincipalType.USER, f"arn:aws:iam::{self.outsider}:user/x", self.outsider, "")] = None
        return [
            z3.And(p.is_(kind), p.arn == s(arn), p.account == s(account), p.source == s(source))
            for kind, arn, account, source in list(found)[:_MAX_HINTS]
        ]

    def hints(self) -> list[z3.BoolRef]:
        resources = self.resource_hints()
        if not self.resource_based:
            return resources
        callers = self.principal_hints()
        return [z3.And(c, r) for r in resources for c in callers][: _MAX_HINTS * 2]

    def solve(self, goal: z3.BoolRef, timeout_ms: int, relaxed: z3.BoolRef | None = None) -> z3.ModelRef | None:
        """Hints first (each a short, bounded try: a sat hint is a model like any other, verified
        like any other), within half the budget; then the full problem with what is left."""
        deadline = time.monotonic() + timeout_ms / 1000
        hint_deadline = time.monotonic() + timeout_ms / 2000
        for hint in self.hints():
            left = int((hint_deadline - time.monotonic()) * 1000)
            if left <= 0:
                break
            hinted = z3.Solver(ctx=self.ctx)
            hinted.set("timeout", max(1, min(left, _HINT_MS)))
            hinted.add(*self.request.constraints, goal, hint)
            try:
                if hinted.check() == z3.sat:
                    return hinted.model()
            except z3.Z3Exception as err:
                raise Undecidable(f"the solver gave up ({err})") from None
        if relaxed is not None and self.relaxed.relaxed:
            weaker = z3.Solver(ctx=self.ctx)
            weaker.set("timeout", max(1, int((deadline - time.monotonic()) * 1000) // 3))
            weaker.add(*self.request.constraints, relaxed)
            try:
                if weaker.check() == z3.unsat:
                    return None
            except z3.Z3Exception:
                pass
        solver = z3.Solver(ctx=self.ctx)
        solver.set("timeout", max(1, int((deadline - time.monotonic()) * 1000)))
        solver.add(*self.request.constraints, goal)
        try:
            verdict = solver.check()
        except z3.Z3Exception as err:
            raise Undecidable(f"the solver gave up ({err})") from None
        if verdict == z3.sat:
            return solver.model()
        if verdict == z3.unsat:
            return None
        reason = solver.reason_unknown()
        if "timeout" in reason or "canceled" in reason or "resource" in reason:
            raise CheckTimeout(f"The policy check did not finish within {timeout_ms / 1000:g} seconds.")
        raise Undecidable(f"the solver could not decide the check ({reason})")

    def trusted_pass(self) -> None:
        """A PASS holds only if the encoding was exact; otherwise say why it cannot be decided."""
        if self.encoder.inexact:
            raise Undecidable("iamd cannot decide this check exactly: " + "; ".join(sorted(set(self.encoder.inexact))))

    # --- the counter-example, and the engine's opinion of it -------------------------------

    def render(self, model: z3.ModelRef) -> dict[str, object]:
        r = self.request
        if self.resource_based:
            p = self.encoder.principals.render(model)
        else:
            p = self.holder()
        principal: dict[str, object] = {"arn": p.arn, "type": p.type.value}
        if p.account:
            principal["account"] = p.account
        if p.source_arn:
            principal["sourceArn"] = p.source_arn
        out: dict[str, object] = {
            "action": text(model, r.action),
            "resource": text(model, r.resource),
            "principal": principal,
            "context": r.render_context(model),
        }
        if self.resource_based:
            out["resourceAccount"] = self.owner
        return out

    def holder(self) -> RequestPrincipal:
        return RequestPrincipal(f"arn:aws:iam::{self.owner}:user/{HOLDER}", self.owner, PrincipalType.USER)

    def request_of(self, example: dict[str, object]) -> Request:
        principal = example["principal"]
        assert isinstance(principal, dict)
        p = RequestPrincipal(
            str(principal["arn"]),
            str(principal.get("account", "")),
            PrincipalType(principal["type"]),
            source_arn=principal.get("sourceArn"),
        )
        context = example["context"]
        assert isinstance(context, dict)
        return Request(p, str(example["action"]), str(example["resource"]), Context(context), self.owner)

    def engine_allows(self, policy: Policy, example: dict[str, object]) -> bool:
        """Decide the counter-example with iamd's engine: the one decision path."""
        request = self.request_of(example)
        if self.resource_based:
            everything = parse_policy(_ALLOW_ALL, PolicyType.IDENTITY, "iamd:allow-all")
            decision = PolicySet(identity=[everything]).evaluate(request, resource_policy=policy)
        else:
            decision = PolicySet(identity=[policy]).evaluate(request)
        return decision.effect == ALLOW

    def real_action(self, example: dict[str, object], accept: Callable[[dict[str, object]], bool]) -> None:
        """Name the counter-example's action as the Service Authorization Reference spells it, or
        swap an invented one (``s3:0``) for a real action of the same service that ``accept``s
        (the engine's verdict on the changed request), when there is one."""
        action = str(example["action"])
        info = catalogue.action(action)
        if info is not None:
            example["action"] = info.full_name
            return
        service = catalogue.service(action.partition(":")[0])
        if service is None:
            return
        for candidate in list(service.actions.values())[:_MAX_REAL_ACTIONS]:
            changed = {**example, "action": candidate.full_name}
            if accept(changed):
                example["action"] = candidate.full_name
                return

    def reasons(self, policy: Policy, example: dict[str, object], template: str) -> list[dict[str, object]]:
        """The ``Allow`` statements that apply to the counter-example, as the engine matches them."""
        request = self.request_of(example)
        action = request.action.lower()
        out: list[dict[str, object]] = []
        for st in compile_policy(policy):
            s = st.statement
            if s.effect == "Allow" and st.matches_action(action) and st.applies(request.resource, request.context, request.principal):
                reason: dict[str, object] = {"description": template.format(index=s.index), "statementIndex": s.index}
                if s.sid:
                    reason["statementId"] = s.sid
                out.append(reason)
        return out

    def disagree(self, what: str, example: dict[str, object]) -> Exception:
        if self.encoder.inexact:
            return Undecidable(
                "iamd cannot decide this check exactly: " + "; ".join(sorted(set(self.encoder.inexact)))
            )
        return Discrepancy(f"iamd's solver and policy engine disagree on {what} for the request {example} (a bug).")
