"""A deliberately simple reference evaluator, written straight from the IAM User Guide.

No indexing, no compilation, regular expressions for wildcards, plain dicts for policies. It
covers identity-based policies, a permissions boundary, the condition operators the property
tests generate and policy variables, for one IAM user in its own account.

Policy variables ("IAM policy elements: Variables and tags"): ``${key}`` takes the value of a
single-valued context key, ``${key, 'default'}`` a default, ``${*}`` ``${?}`` ``${$}`` the literal
character; substituted text is literal. A variable with no value is null ("Policy variables with
no value"): a policy value holding it equals or is like nothing, a Resource/NotResource pattern
holding it matches no resource.
"""

from __future__ import annotations

import re

VARIABLE = re.compile(r"\$\{([^}]*)\}")


def expand(text: str, context: dict) -> list[tuple[bool, str]] | None:
    """``text`` as (is_literal, chunk) pieces with its variables substituted; None if one has no value."""
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for m in VARIABLE.finditer(text):
        pieces.append((False, text[pos : m.start()]))
        inner = m.group(1)
        key, _, default = inner.partition(",")
        default = default.strip()
        values = [as_list(v) for k, v in context.items() if k.lower() == key.strip().lower()]
        if inner in ("*", "?", "$"):
            pieces.append((True, inner))
        elif values and len(values[0]) == 1:
            pieces.append((True, str(values[0][0])))
        elif default.startswith("'") and default.endswith("'") and len(default) >= 2:
            pieces.append((True, default[1:-1]))
        else:
            return None
        pos = m.end()
    pieces.append((False, text[pos:]))
    return pieces


def like(pattern: str | list[tuple[bool, str]], value: str, ignore_case: bool = False) -> bool:
    pieces = [(False, pattern)] if isinstance(pattern, str) else pattern
    rx = "".join(
        re.escape(chunk) if literal else "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in chunk)
        for literal, chunk in pieces
    )
    return re.fullmatch(rx, value, re.S | (re.I if ignore_case else 0)) is not None


def resource_like(pattern: str, resource: str, context: dict) -> bool:
    """Resource element: wildcards stay "within any ARN segment (the parts separated by colons)"."""
    if pattern == "*":
        return True
    pieces = expand(pattern, context)
    if pieces is None:
        return False  # "will not match any resource"
    if any(literal for literal, _ in pieces):
        # split the pattern's own text into segments; substituted text never adds one
        head, _, _ = pattern.partition("${")
        if head.count(":") < 5:
            raise AssertionError("variables only after the fifth colon")
        values = resource.split(":", 5)
        prefix = head.split(":", 5)
        if len(values) != 6 or not all(like(p, v) for p, v in zip(prefix[:5], values[:5], strict=True)):
            return False
        rest = [(False, prefix[5])] + pieces[1:]
        return like(rest, values[5])
    parts, values = pattern.split(":", 5), resource.split(":", 5)
    if len(parts) != 6 or len(values) != 6:
        return like(pattern, resource)
    return all(like(p, v) for p, v in zip(parts, values, strict=True))


def as_list(x):
    return x if isinstance(x, list) else [x]


def value_matches(op: str, request_value: str, policy_value: str, context: dict) -> bool:
    if op in ("StringEquals", "StringLike"):
        pieces = expand(policy_value, context)
        if pieces is None:
            return False  # null is equal to and like nothing
        if op == "StringEquals":
            return request_value == "".join(chunk for _, chunk in pieces)
        return like(pieces, request_value)
    if op == "NumericLessThan":
        try:
            return float(request_value) < float(policy_value)
        except ValueError:
            return False
    if op == "Bool":
        return request_value.lower() == policy_value.lower()
    raise AssertionError(op)


def condition_true(operator: str, key: str, values: list[str], context: dict) -> bool:
    """Condition operators page + multivalued context keys page, one rule at a time."""
    found = None
    for k, v in context.items():
        if k.lower() == key.lower():
            found = as_list(v)
    if operator == "Null":
        return (not found) == (values[0] == "true")  # an empty set is null, as in conditions/null.py
    qualifier = None
    if ":" in operator:
        qualifier, operator = operator.split(":")
    if_exists = operator.endswith("IfExists")
    if if_exists:
        operator = operator[: -len("IfExists")]
    negated = "Not" in operator
    base = operator.replace("Not", "")
    if found is None:
        if if_exists:
            return True
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated

    def one(v):
        hit = any(value_matches(base, v, p, context) for p in values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in found)
    if qualifier == "ForAnyValue":
        return any(one(v) for v in found)
    hit = any(value_matches(base, v, p, context) for v in found for p in values)
    return not hit if negated else hit


def statement_applies(st: dict, action: str, resource: str, context: dict) -> bool:
    if "Action" in st:
        if not any(like(a, action, ignore_case=True) for a in as_list(st["Action"])):
            return False
    elif any(like(a, action, ignore_case=True) for a in as_list(st["NotAction"])):
        return False
    if "Resource" in st:
        if not any(resource_like(r, resource, context) for r in as_list(st["Resource"])):
            return False
    elif any(resource_like(r, resource, context) for r in as_list(st["NotResource"])):
        return False
    for operator, block in st.get("Condition", {}).items():
        for key, values in block.items():
            if not condition_true(operator, key, as_list(values), context):
                return False
    return True


def reference_decision(identity: list[dict], boundary: list[dict] | None, action, resource, context) -> str:
    """Deny evaluation, then identity-based policies, then the permissions boundary."""
    every = [st for doc in identity + (boundary or []) for st in doc["Statement"]]
    if any(st["Effect"] == "Deny" and statement_applies(st, action, resource, context) for st in every):
        return "ExplicitDeny"
    ids = [st for doc in identity for st in doc["Statement"]]
    if not any(st["Effect"] == "Allow" and statement_applies(st, action, resource, context) for st in ids):
        return "ImplicitDeny"
    if boundary is not None:
        bs = [st for doc in boundary for st in doc["Statement"]]
        if not any(st["Effect"] == "Allow" and statement_applies(st, action, resource, context) for st in bs):
            return "ImplicitDeny"
    return "Allow"
