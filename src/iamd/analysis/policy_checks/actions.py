"""Action checks against the Service Authorization Reference iamd ships (``authz/catalogue``).

- ``INVALID_SERVICE_IN_ACTION`` / ``INVALID_ACTION``: the prefix or the action is not in the SAR
  (a pattern that matches no action of its service is invalid too); a close spelling is offered
  as AWS does ("Did you mean …?");
- ``WILDCARD_IN_SERVICE_NAME``: ``s*:GetObject`` reaches services nobody meant;
- ``REDUNDANT_ACTION``: an entry every action of which another entry already grants ("You receive
  a finding for this policy check when all of the contents of an action are redundant");
- ``PASS_ROLE_…`` / ``CREATE_SLR_…``: an Allow that grants ``iam:PassRole`` or
  ``iam:CreateServiceLinkedRole`` on every resource, from each combination of wildcard action,
  NotAction, wildcard resource and NotResource the reference names;
- ``VARIABLE_UNSUPPORTED_IN_ELEMENT``: policy variables work in Resource and Condition only.
"""

from __future__ import annotations

import difflib
from functools import cache

from iamd.authz import catalogue
from iamd.policy.jsonloc import Node
from iamd.policy.wildcard import compile_glob

from .grammar import Kind
from .report import Path, Report, Statement, glob_match, members, text

# Expanding patterns against the SAR is the costly step; past this many distinct wildcard entries
# in one document the rest are not expanded (literal entries are still tested against them), so a
# hostile document stays cheap.
MAX_EXPANDED = 128
MAX_SUGGESTIONS = 16


@cache
def _prefixes() -> tuple[str, ...]:
    return catalogue.services()


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.8)
    return f" Did you mean {close[0]}?" if close else ""


def _suggest(report: Report, word: str, choices: tuple[str, ...]) -> str:
    """A close spelling, for at most ``MAX_SUGGESTIONS`` words of a document (each costs a scan)."""
    memo: dict[str, str] = report.memo.setdefault("suggestions", {})
    if word not in memo:
        memo[word] = _did_you_mean(word, choices) if len(memo) < MAX_SUGGESTIONS else ""
    return memo[word]


def _has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


def check(report: Report, st: Statement, kind: Kind) -> None:
    for name in ("Action", "NotAction"):
        for path, node in st.strings(name):
            _one(report, path, node)
            if "${" in text(node):
                report.at("VARIABLE_UNSUPPORTED_IN_ELEMENT", path, node, variable=text(node))
    _redundant(report, st)
    if st.effect == "Allow" and kind.identity:
        _pass_role(report, st)


def _one(report: Report, path: Path, node: Node) -> None:
    action = text(node)
    if action == "*":
        return
    prefix, sep, name = action.partition(":")
    if not sep:
        report.at("INVALID_ACTION", path, node, action=action, did_you_mean="")
        return
    if _has_wildcard(prefix):
        report.at("WILDCARD_IN_SERVICE_NAME", path, node)
        return
    svc = catalogue.service(prefix)
    if svc is None:
        # AWS names the whole entry here: "The service DOES_NOT_EXIST:* specified in the action …"
        report.at(
            "INVALID_SERVICE_IN_ACTION",
            path,
            node,
            service=action,
            did_you_mean=_did_you_mean(prefix.lower(), _prefixes()),
        )
        return
    if _has_wildcard(name):
        if _expansion(action, report.memo.setdefault("expansions", {})):
            return
    elif svc.actions.get(name.lower()) is not None:
        return
    hint = ""
    if not _has_wildcard(name):
        hint = _suggest(report, action, tuple(a.full_name for a in svc.actions.values()))
    report.at("INVALID_ACTION", path, node, action=action, did_you_mean=hint)


@cache
def _names(prefix: str) -> tuple[tuple[str, str], ...]:
    """(lower-case name, lower-case full name) of each action of a service (a fixed set)."""
    svc = catalogue.service(prefix)
    return tuple((a.name.lower(), a.full_name.lower()) for a in svc.actions.values()) if svc else ()


def _expansion(action: str, memo: dict[str, frozenset[str] | None] | None = None) -> frozenset[str] | None:
    """The SAR actions a pattern grants (lower case); None for ``*`` and service wildcards, which
    are not expanded: a user's patterns are never cached across documents (``actions_matching``
    is, without bound), and walking the whole SAR per pattern would let one document cost seconds."""
    if memo is not None and action in memo:
        return memo[action]
    prefix, sep, name = action.partition(":")
    out: frozenset[str] | None = None
    if sep and not _has_wildcard(prefix):
        match = compile_glob(name.lower(), ignore_case=True)
        out = frozenset(full for short, full in _names(prefix.lower()) if match(short))
    if memo is not None:
        memo[action] = out
    return out


def _redundant(report: Report, st: Statement) -> None:
    """An entry is redundant when every action it grants is granted by another entry too: each
    SAR action is counted once per distinct entry granting it, and a count of two suffices."""
    entries = [(p, n, text(n)) for p, n in st.strings("Action")]
    if len(entries) < 2:
        return
    memo = report.memo.setdefault("expansions", {})
    budget = report.memo.setdefault("budget", [MAX_EXPANDED])
    distinct: dict[str, frozenset[str] | None] = {}
    for _, _, value in entries:
        lowered = value.lower()
        if lowered in distinct:
            continue
        if not _has_wildcard(value):
            distinct[lowered] = frozenset({lowered}) if catalogue.action(value) is not None else None
        elif lowered in memo or budget[0] > 0:
            if lowered not in memo:
                budget[0] -= 1
            distinct[lowered] = _expansion(lowered, memo)
        else:
            distinct[lowered] = None
    star = "*" in distinct
    counts: dict[str, int] = {}
    for granted in distinct.values():
        for name in granted or ():
            counts[name] = counts.get(name, 0) + 1
    patterns = [v for v in distinct if _has_wildcard(v) and distinct[v] is None and v != "*"][:MAX_EXPANDED]
    redundant: list[tuple[Path, Node]] = []
    seen: set[str] = set()
    for path, node, value in entries:
        lowered = value.lower()
        if lowered in seen:
            redundant.append((path, node))
            continue
        seen.add(lowered)
        mine = distinct[lowered]
        if not mine or lowered == "*":
            continue
        if star or all(counts[a] >= 2 for a in mine):
            redundant.append((path, node))
        elif len(mine) == 1 and any(glob_match(p, lowered, True) for p in patterns):
            redundant.append((path, node))
    if redundant:
        report.add(
            "REDUNDANT_ACTION",
            [report.location(p, n) for p, n in redundant],
            redundantActionCount=len(redundant),
            redundantAction=text(redundant[0][1]),
        )


def _grants(pattern: str, action: str) -> bool:
    return glob_match(pattern, action, True)


def _pass_role(report: Report, st: Statement) -> None:
    """The reference's six cases for each of iam:PassRole (security warnings) and
    iam:CreateServiceLinkedRole (warnings); ``iam:PassedToService`` scopes PassRole enough."""
    condition_keys = _condition_keys(st)
    resources = [text(n) for _, n in st.strings("Resource")]
    star_resource = any(_any_role(r) for r in resources)
    not_resource = st.has("NotResource")
    for action, prefix in (("iam:PassRole", "PASS_ROLE"), ("iam:CreateServiceLinkedRole", "CREATE_SLR")):
        if prefix == "PASS_ROLE" and "iam:passedtoservice" in condition_keys:
            continue
        if st.has("NotAction"):
            excluded = any(_grants(text(n), action) for _, n in st.strings("NotAction"))
            if excluded:
                continue
            where = st.at("NotAction")
            node = st.value("NotAction")
            if not_resource:
                code = f"{prefix}_WITH_NOTACTION_AND_NOTRESOURCE"
            elif star_resource:
                code = f"{prefix}_WITH_STAR_IN_RESOURCE_AND_NOTACTION"
            else:
                continue
            assert node is not None
            report.at(code, where, node)
            continue
        granting = [(p, n) for p, n in st.strings("Action") if _grants(text(n), action)]
        if not granting:
            continue
        path, node = granting[0]
        starred = _has_wildcard(text(node))
        if not_resource:
            code = (
                f"{prefix}_WITH_STAR_IN_ACTION_AND_NOTRESOURCE" if starred else f"{prefix}_WITH_NOTRESOURCE"
            )
        elif star_resource:
            code = (
                f"{prefix}_WITH_STAR_IN_ACTION_AND_RESOURCE" if starred else f"{prefix}_WITH_STAR_IN_RESOURCE"
            )
        else:
            continue
        report.at(code, path, node)


def _any_role(resource: str) -> bool:
    """A resource that reaches roles of any name (``*``, ``arn:aws:iam::*:role/*``); a
    name prefix such as ``role/Service*`` is the services' convention and is not reported."""
    if not _has_wildcard(resource):
        return False
    fields = resource.split(":")
    account = fields[4] if len(fields) > 5 and fields[4] and not _has_wildcard(fields[4]) else "111122223333"
    return glob_match(resource, f"arn:aws:iam::{account}:role/x7q-any")


def _condition_keys(st: Statement) -> set[str]:
    cond = st.value("Condition")
    keys: set[str] = set()
    for _op, (_k, block) in members(cond).items() if cond is not None else ():
        keys.update(k.lower() for k in members(block))
    return keys
