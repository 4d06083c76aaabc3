"""Compile parsed statements into matchers that run without touching JSON or regex compilation.

A ``CompiledStatement`` answers "does this statement apply to the request?" in three steps, the
cheapest first: Resource (precompiled globs, or a per-resolution cache when the pattern has
policy variables), Principal (resource-based policies only), then the conditions. Action is not
tested here: the ``index`` only hands a statement to the evaluator for actions it can match.
"""

from __future__ import annotations

from .conditions import CompiledCondition, compile_condition
from .conditions.arn import split_tokens
from .context import Context
from .document import Policy, Statement
from .principal import Grant, PrincipalMatcher, RequestPrincipal
from .variables import parse_template
from .wildcard import STAR, Matcher, Token, compile_glob, compile_tokens

NONE = int(Grant.NONE)
DIRECT = int(Grant.DIRECT)
_CACHE_LIMIT = 256


def _wildcard_before_fifth_colon(tokens: tuple[Token, ...]) -> bool:
    colons = 0
    for t in tokens:
        if not isinstance(t, str):
            return True
        colons += t.count(":")
        if colons >= 5:
            return False
    return False


def compile_resource(tokens: tuple[Token, ...]) -> Matcher:
    """A Resource glob: "wildcard characters (* and ?) within any ARN segment (the parts separated
    by colons)" (IAM User Guide, Resource), so a wildcard in the partition, service, region or
    account never reaches across a colon, while the resource segment keeps its colons.

    A match per segment implies a whole-string match, so the whole-string glob runs first and
    rejects most resources cheaply; only a pattern with a wildcard before its fifth colon then
    checks segments: from the first one holding a wildcard (the glob's literal head has fixed
    the ones before it), except those that are a bare ``*``.
    """
    glob = compile_tokens(tokens)
    if not _wildcard_before_fifth_colon(tokens):
        return glob
    segments = split_tokens(tokens)
    if len(segments) != 6:
        return glob
    checks: list[tuple[int, Matcher]] = []
    started = False
    for i, segment in enumerate(segments):
        started = started or not all(isinstance(t, str) for t in segment)
        if started and not (segment and all(t is STAR for t in segment)):
            checks.append((i, compile_tokens(segment)))
    narrowed = tuple(checks)

    def match(value: str) -> bool:
        if not glob(value):
            return False
        parts = value.split(":", 5)
        if len(parts) != 6:
            return False
        for i, m in narrowed:
            if not m(parts[i]):
                return False
        return True

    return match


class ResourceMatcher:
    """``Resource``/``NotResource`` values: static globs plus templates with variables."""

    __slots__ = ("static", "templates", "cache", "variable_keys")

    def __init__(self, patterns: tuple[str, ...], variables: bool) -> None:
        static: list[Matcher] = []
        self.templates = []
        for pattern in patterns:
            template = parse_template(pattern, variables)
            if template.tokens is not None:
                static.append(compile_resource(template.tokens))
            else:
                self.templates.append(template)
        self.static: tuple[Matcher, ...] = tuple(static)
        self.cache: dict[tuple[object, ...], Matcher] = {}
        self.variable_keys = tuple(v.key for t in self.templates for v in t.variables if v.default is None)

    def match(self, resource: str, context: Context) -> bool:
        """Whether a pattern matches. "If a variable that has no value in the authorization context
        is used as part of the ``Resource`` or ``NotResource`` element of a policy, the resource
        that includes a policy variable with no value will not match any resource" (IAM User
        Guide, "Policy variables with no value"): such a pattern matches nothing, so under
        ``NotResource`` it excludes nothing."""
        for match in self.static:
            if match(resource):
                return True
        for template in self.templates:
            tokens = template.resolve(context)
            if tokens is None:
                continue
            matcher = self.cache.get(tokens)
            if matcher is None:
                if len(self.cache) >= _CACHE_LIMIT:
                    self.cache.clear()
                matcher = self.cache[tokens] = compile_resource(tokens)
            if matcher(resource):
                return True
        return False


class CompiledStatement:
    """One statement of one policy, ready to evaluate.

    ``applies`` is the hot path: it returns a ``Grant`` as a plain int (0 = does not apply) and
    reads pre-specialised fields so the common shapes (``Resource: "*"``, one static pattern)
    cost a single call.
    """

    __slots__ = (
        "policy",
        "statement",
        "deny",
        "action_matchers",
        "not_action",
        "resource",
        "not_resource",
        "any_resource",
        "one_resource",
        "principal",
        "not_principal",
        "conditions",
        "checks",
    )

    def __init__(self, policy: Policy, statement: Statement) -> None:
        self.policy = policy
        self.statement = statement
        self.deny = statement.effect == "Deny"
        self.action_matchers = tuple(compile_glob(a, ignore_case=True) for a in statement.actions)
        self.not_action = statement.not_action
        self.not_resource = statement.not_resource
        resources = statement.resources
        self.resource = ResourceMatcher(resources, policy.variables) if resources else None
        # INVARIANT: any_resource / one_resource are only set for a positive Resource element.
        self.any_resource = resources is None or (not self.not_resource and "*" in resources)
        self.one_resource: Matcher | None = None
        if (
            not self.any_resource
            and not self.not_resource
            and self.resource is not None
            and len(self.resource.static) == 1
            and not self.resource.templates
        ):
            self.one_resource = self.resource.static[0]
        self.principal = PrincipalMatcher(statement.principal) if statement.principal else None
        self.not_principal = statement.not_principal
        self.conditions: tuple[CompiledCondition, ...] = tuple(
            compile_condition(c.operator, c.key, list(c.values), policy.variables) for c in statement.conditions
        )
        self.checks = tuple(c.check for c in self.conditions)

    def matches_action(self, action: str) -> bool:
        """``action`` is lower-cased; Action matching ignores case."""
        for match in self.action_matchers:
            if match(action):
                return not self.not_action
        return self.not_action

    def matches_resource(self, resource: str, context: Context) -> bool:
        if self.any_resource or self.resource is None:
            return True
        return self.resource.match(resource, context) is not self.not_resource

    def grant(self, principal: RequestPrincipal) -> int:
        """How this statement names the caller; statements without Principal name everyone."""
        if self.principal is None:
            return DIRECT
        if self.not_principal:
            return NONE if self.principal.excludes(principal, deny=self.deny) else DIRECT
        return self.principal.grant(principal)

    def applies(self, resource: str, context: Context, principal: RequestPrincipal) -> int:
        """Everything but the action: the grant strength, ``0`` if the statement does not apply."""
        if not self.any_resource:
            one = self.one_resource
            if one is not None:
                if not one(resource):
                    return NONE
            elif not self.matches_resource(resource, context):
                return NONE
        grant = DIRECT if self.principal is None else self.grant(principal)
        if not grant:
            return NONE
        for check in self.checks:
            if not check(context):
                return NONE
        return grant

    def needed_keys(self) -> tuple[str, ...]:
        keys = [c.key for c in self.conditions]
        for c in self.conditions:
            keys.extend(c.variable_keys)
        if self.resource is not None:
            keys.extend(self.resource.variable_keys)
        return tuple(keys)


def compile_policy(policy: Policy) -> tuple[CompiledStatement, ...]:
    """Compile every statement of ``policy`` once; the result is cached on the ``Policy``."""
    if policy._compiled is None:
        policy._compiled = tuple(CompiledStatement(policy, st) for st in policy.statements)
    return policy._compiled  # type: ignore[no-any-return]
